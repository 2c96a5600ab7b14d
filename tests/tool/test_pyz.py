"""The single-file offline tool (python -m dataip.toolbuild OUT.pyz): stdlib only, and the same
output as the installed `dataip` command."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ._support import clean_env, dataip_command, golden, reference, run_cmd

REQUIRED_MODULES = {
    "__main__.py",
    "dataip/__init__.py",
    "dataip/tool.py",
    "dataip/core/__init__.py",
    "dataip/core/errors.py",
    "dataip/core/hashing.py",
    "dataip/core/merkle.py",
    "dataip/core/manifest.py",
    "dataip/core/proof.py",
    "dataip/core/documents.py",
}


@pytest.fixture(scope="module")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pyz") / "dataip-tool.pyz"
    proc = subprocess.run(
        [sys.executable, "-m", "dataip.toolbuild", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=out.parent,
        env=clean_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert zipfile.is_zipfile(out)
    return out


def test_contents(pyz: Path) -> None:
    with zipfile.ZipFile(pyz) as z:
        names = z.namelist()
    files = [n for n in names if not n.endswith("/")]
    assert set(files) == REQUIRED_MODULES
    for name in files:
        assert name == "__main__.py" or (name.startswith("dataip/") and name.endswith(".py")), name
    for name in names:
        if name.endswith("/"):
            assert name.startswith("dataip/"), name
    assert not any("__pycache__" in n for n in names)


class _Imports(ast.NodeVisitor):
    """Top-level names imported at run time (imports under `if TYPE_CHECKING:` never run)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name.split(".")[0] for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self.names.add(node.module.split(".")[0])

    def visit_Call(self, node: ast.Call) -> None:
        # importlib.import_module("x") / __import__("x") with a literal name
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if (
            (
                called in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            )
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            self.names.add(node.args[0].value.split(".")[0])
        self.generic_visit(node)


def test_standard_library_only(pyz: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"dataip"}
    with zipfile.ZipFile(pyz) as z:
        sources = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".py")}
    assert sources
    for name, source in sources.items():
        visitor = _Imports()
        visitor.visit(ast.parse(source, filename=name))
        outside = visitor.names - allowed
        assert not outside, f"{name} imports {sorted(outside)}"


def _pyz_cmd(pyz: Path) -> list[str]:
    # -I: ignore PYTHON* variables and the user site; -S: no site-packages at all, so neither
    # the installed dataip nor Django can be imported: only the archive and the standard library.
    return [sys.executable, "-I", "-S", str(pyz)]


def test_runs_isolated(pyz: Path, tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"x.txt": b"x"})
    r = run_cmd(
        [*_pyz_cmd(pyz), "hash", str(data), "--json"], env=clean_env(PYTHONPATH=""), cwd=tmp_path
    )
    assert r.code == 0, r.err
    assert r.json()["root"] == reference.digest(data, "sm3").root_hex


def _find_python(minor: int) -> str | None:
    """A working python3.<minor>: on PATH, or else among pyenv's versions (whose shims refuse
    to run a version that is not selected)."""
    candidates = [shutil.which(f"python3.{minor}")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = run_cmd([pyenv, "root"])
        if root.code == 0:
            versions = Path(root.out.strip()) / "versions"
            candidates += sorted(str(p) for p in versions.glob(f"3.{minor}.*/bin/python3.{minor}"))
    for candidate in candidates:
        if candidate:
            probe = run_cmd([candidate, "-c", "import sys; print(sys.version_info[:2])"])
            if probe.code == 0 and probe.out.strip() == f"(3, {minor})":
                return candidate
    return None


@pytest.mark.parametrize("minor", range(9, 14))
def test_runs_on_other_pythons(pyz: Path, tmp_path: Path, minor: int) -> None:
    # The offline tool goes to applicants' machines: Python 3.9 or later, whatever is there.
    python = _find_python(minor)
    if python is None:
        pytest.skip(f"python3.{minor} is not installed here")
    data = golden.write_tree(tmp_path / "d", golden.small_files())
    for alg in ("sm3", "sha256"):
        r = run_cmd(
            [python, "-I", "-S", str(pyz), "hash", str(data), "--alg", alg, "--json"], cwd=tmp_path
        )
        if alg == "sm3" and r.code == 2 and "--alg sha256" in r.err:
            continue  # that Python's OpenSSL has no SM3: the tool says so, as it must
        assert r.code == 0, r.err
        assert r.json()["root"] == reference.digest(data, alg).root_hex
    manifest = tmp_path / "m.json"
    r = run_cmd(
        [
            python,
            "-I",
            "-S",
            str(pyz),
            "hash",
            str(data),
            "--alg",
            "sha256",
            "--manifest",
            str(manifest),
        ],
        cwd=tmp_path,
    )
    assert r.code == 0, r.err
    r = run_cmd(
        [python, "-I", "-S", str(pyz), "verify", str(data), "--manifest", str(manifest)],
        cwd=tmp_path,
    )
    assert r.code == 0, r.err


def _both(pyz: Path, argv: list[Any], cwd: Path) -> tuple[Any, Any]:
    env = clean_env(PYTHONPATH="")
    args = [str(a) for a in argv]
    installed = run_cmd([dataip_command(), *args], env=env, cwd=cwd)
    single = run_cmd([*_pyz_cmd(pyz), *args], env=env, cwd=cwd)
    return installed, single


def _same(pyz: Path, argv: list[Any], cwd: Path, code: int = 0) -> Any:
    installed, single = _both(pyz, argv, cwd)
    assert installed.code == code, installed.err
    assert (single.code, single.out, single.err) == (
        installed.code,
        installed.out,
        installed.err,
    ), argv
    return installed


def _without_volatile(text: str) -> tuple[str, dict[str, Any]]:
    obj = json.loads(text)
    for key in ("created", "tool"):
        text = text.replace(json.dumps(obj[key], ensure_ascii=False), '"-"', 1).replace(
            json.dumps(obj[key]), '"-"', 1
        )
    return text, obj


def test_same_output_as_installed_command(pyz: Path, golden_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(golden_dir, data)
    (data / "x.tmp").write_bytes(b"excluded")
    work = tmp_path / "work"
    work.mkdir()
    manifest, proof = work / "m.json", work / "p.json"

    for extra in ([], ["--json"], ["--alg", "sha256", "--json"], ["--exclude", "*.tmp", "--json"]):
        _same(pyz, ["hash", data, "--lang", "en", *extra], work)

    # hash --manifest: same stdout, same manifest apart from its creation time and tool name
    installed, single = _both(
        pyz, ["hash", data, "--manifest", manifest, "--exclude", "*.tmp", "--json"], work
    )
    assert installed.code == 0, installed.err
    shutil.move(manifest, work / "installed.json")
    installed, single = _both(
        pyz, ["hash", data, "--manifest", manifest, "--exclude", "*.tmp", "--json"], work
    )
    assert (single.code, single.out, single.err) == (installed.code, installed.out, installed.err)
    text_pyz, obj_pyz = _without_volatile(manifest.read_text("utf-8"))
    text_inst, obj_inst = _without_volatile((work / "installed.json").read_text("utf-8"))
    assert reference.manifest_problems(obj_pyz) == []
    assert text_pyz == text_inst
    assert list(obj_pyz) == list(obj_inst)

    for extra in ([], ["--json"]):
        _same(pyz, ["verify", data, "--manifest", manifest, "--lang", "en", *extra], work)

    name = "数据/样本.csv"
    _same(pyz, ["prove", name, "--manifest", manifest, "--out", proof, "--lang", "en"], work)
    proof_installed = proof.read_bytes()
    proof.unlink()
    single = run_cmd(
        [
            *_pyz_cmd(pyz),
            "prove",
            name,
            "--manifest",
            str(manifest),
            "--out",
            str(proof),
            "--lang",
            "en",
        ],
        env=clean_env(PYTHONPATH=""),
        cwd=work,
    )
    assert single.code == 0, single.err
    assert proof.read_bytes() == proof_installed
    assert json.loads(proof_installed) == reference.proof_dict(
        reference.digest(data, "sm3", ["*.tmp"]), name
    )

    for extra in ([], ["--json"], ["--root", json.loads(proof_installed)["root"]]):
        _same(pyz, ["verify-proof", data / name, proof, "--lang", "en", *extra], work)

    # failures: the same exit status and the same words
    (data / name).write_bytes(b"changed")
    (data / "added.txt").write_bytes(b"new")
    for extra in ([], ["--json"]):
        _same(pyz, ["verify", data, "--manifest", manifest, "--lang", "en", *extra], work, code=1)
        _same(pyz, ["verify-proof", data / name, proof, "--lang", "en", *extra], work, code=1)
    _same(pyz, ["hash", tmp_path / "missing", "--lang", "en"], work, code=2)
    _same(pyz, ["hash", data, "--alg", "md5", "--lang", "en"], work, code=2)
    assert sorted(p.name for p in work.iterdir()) == ["installed.json", "m.json", "p.json"]
