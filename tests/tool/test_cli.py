"""The offline tool's command line (dataip hash|verify|prove|verify-proof), spec section 8.

Every flow runs through dataip.tool.main in-process; the ones where the process matters
(stderr lines, locale, exit status, Ctrl-C) also through the installed `dataip` script."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ._support import (
    CJK,
    Result,
    clean_env,
    dataip_command,
    golden,
    reference,
    run_cmd,
    run_main,
    run_with_terminal_stderr,
)

Runner = Callable[..., Result]


@pytest.fixture(params=["main", "process"])
def cli(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Runner:
    if request.param == "main":
        return lambda argv, **kw: run_main([str(a) for a in argv], capsys)
    command = dataip_command()
    return lambda argv, **kw: run_cmd([command, *map(str, argv)], **kw)


@pytest.fixture
def main(capsys: pytest.CaptureFixture[str]) -> Runner:
    return lambda argv: run_main([str(a) for a in argv], capsys)


def _summary(ref: Any) -> dict[str, Any]:
    return {
        "alg": ref.alg,
        "root": ref.root_hex,
        "check_code": ref.check_code,
        "file_count": ref.file_count,
        "total_bytes": ref.total_bytes,
    }


# --- hash ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["sm3", "sha256"])
def test_hash_json(cli: Runner, golden_dir: Path, golden_ref: dict[str, Any], alg: str) -> None:
    r = cli(["hash", golden_dir, "--alg", alg, "--json"])
    assert r.code == 0, r.err
    assert r.json() == _summary(golden_ref[alg])
    assert r.err == ""  # no progress or anything else with --json


def test_hash_default_is_sm3(main: Runner, small_dir: Path) -> None:
    r = main(["hash", small_dir, "--json"])
    assert r.code == 0
    assert r.json() == _summary(reference.digest(small_dir, "sm3"))


def test_hash_text_shows_what_the_user_copies(main: Runner, small_dir: Path) -> None:
    r = main(["hash", small_dir, "--lang", "en"])
    assert r.code == 0
    ref = reference.digest(small_dir, "sm3")
    assert ref.root_hex in r.out
    assert ref.check_code in r.out


def test_hash_single_file(main: Runner, small_dir: Path) -> None:
    r = main(["hash", small_dir / "z.bin", "--alg", "sha256", "--json"])
    assert r.code == 0
    assert r.json() == _summary(reference.digest(small_dir / "z.bin", "sha256"))


def test_hash_jobs(main: Runner, golden_dir: Path, golden_ref: dict[str, Any]) -> None:
    for jobs in ("1", "3"):
        r = main(["hash", golden_dir, "--jobs", jobs, "--json"])
        assert r.code == 0
        assert r.json() == _summary(golden_ref["sm3"])


def test_hash_writes_manifest(cli: Runner, small_dir: Path, tmp_path: Path) -> None:
    (small_dir / "x.tmp").write_bytes(b"temporary")
    (small_dir / ".git").mkdir()
    (small_dir / ".git" / "HEAD").write_bytes(b"ref")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "m.json"
    r = cli(
        [
            "hash",
            small_dir,
            "--alg",
            "sha256",
            "--manifest",
            target,
            "--exclude",
            "*.tmp",
            "--exclude",
            ".git",
            "--json",
        ]
    )
    assert r.code == 0, r.err
    ref = reference.digest(small_dir, "sha256", ["*.tmp", ".git"])
    summary = r.json()
    assert Path(summary.pop("manifest")).resolve() == target.resolve()
    assert summary == _summary(ref)
    assert [p.name for p in out.iterdir()] == ["m.json"]
    obj = json.loads(target.read_bytes().decode("utf-8"))
    assert reference.manifest_problems(obj) == []
    assert obj["excludes"] == ["*.tmp", ".git"]
    assert (obj["root"], obj["check_code"]) == (ref.root_hex, ref.check_code)
    assert [f["name"] for f in obj["files"]] == [n for n, _, _ in ref.files]


# --- verify -------------------------------------------------------------------------------------


def _manifest(main: Runner, data: Path, target: Path, *extra: str) -> None:
    r = main(["hash", data, "--manifest", target, *extra])
    assert r.code == 0, r.err


def test_verify_match(cli: Runner, small_dir: Path, tmp_path: Path) -> None:
    assert cli(["hash", small_dir, "--manifest", tmp_path / "m.json"]).code == 0
    r = cli(["verify", small_dir, "--manifest", tmp_path / "m.json"])
    assert r.code == 0, r.err
    r = cli(["verify", small_dir, "--manifest", tmp_path / "m.json", "--json"])
    assert r.code == 0
    result = r.json()
    expected = {
        "ok": True,
        "root": reference.digest(small_dir, "sm3").root_hex,
        "added": [],
        "removed": [],
        "changed": [],
    }
    assert {key: result.get(key) for key in expected} == expected
    assert r.err == ""


def _change_dataset(data: Path) -> dict[str, set[str]]:
    (data / "a.csv").write_bytes(b"id,value\n1,3\n")  # same size, other bytes
    with open(data / "z.bin", "ab") as f:
        f.write(b"!")
    (data / "b" / "c.txt").unlink()
    (data / "new").mkdir()
    (data / "new" / "file.txt").write_bytes(b"added")
    (data / "新文件.txt").write_bytes(b"added too")
    return {
        "added": {"new/file.txt", "新文件.txt"},
        "removed": {"b/c.txt"},
        "changed": {"a.csv", "z.bin"},
    }


def test_verify_lists_every_difference(cli: Runner, small_dir: Path, tmp_path: Path) -> None:
    assert cli(["hash", small_dir, "--manifest", tmp_path / "m.json"]).code == 0
    expected = _change_dataset(small_dir)

    r = cli(["verify", small_dir, "--manifest", tmp_path / "m.json", "--lang", "en"])
    assert r.code == 1
    for names in expected.values():
        for name in names:
            assert name in r.out + r.err, name
    for unchanged in ("b/d.txt", "数据.txt", "caf\u00e9.txt"):
        assert unchanged not in r.out + r.err

    r = cli(["verify", small_dir, "--manifest", tmp_path / "m.json", "--json"])
    assert r.code == 1
    result = r.json()
    assert result["ok"] is False
    for key, names in expected.items():
        assert len(result[key]) == len(set(result[key]))
        assert set(result[key]) == names, key
    # "root" is the hash value being verified: the manifest's (the contract names no other).
    assert result["root"] == json.loads((tmp_path / "m.json").read_text("utf-8"))["root"]
    assert result["root"] != reference.digest(small_dir, "sm3").root_hex


def test_verify_only_added(main: Runner, small_dir: Path, tmp_path: Path) -> None:
    _manifest(main, small_dir, tmp_path / "m.json")
    (small_dir / "b" / "extra.txt").write_bytes(b"")
    r = main(["verify", small_dir, "--manifest", tmp_path / "m.json", "--json"])
    assert r.code == 1
    assert (r.json()["added"], r.json()["removed"], r.json()["changed"]) == (
        ["b/extra.txt"],
        [],
        [],
    )


def test_verify_applies_recorded_excludes(main: Runner, small_dir: Path, tmp_path: Path) -> None:
    (small_dir / ".git").mkdir()
    (small_dir / ".git" / "HEAD").write_bytes(b"ref: main")
    _manifest(main, small_dir, tmp_path / "m.json", "--exclude", ".git", "--exclude", "b/*.log")
    (small_dir / ".git" / "index").write_bytes(b"changed since")
    (small_dir / ".git" / "HEAD").write_bytes(b"ref: other")
    (small_dir / "b" / "run.log").write_bytes(b"log")
    (small_dir / ".git" / "link").symlink_to("HEAD")
    r = main(["verify", small_dir, "--manifest", tmp_path / "m.json", "--json"])
    assert r.code == 0, r.out + r.err
    assert r.json()["ok"] is True


def test_verify_alg_option(main: Runner, small_dir: Path, tmp_path: Path) -> None:
    _manifest(main, small_dir, tmp_path / "sm3.json")
    _manifest(main, small_dir, tmp_path / "sha256.json", "--alg", "sha256")
    assert (
        main(["verify", small_dir, "--manifest", tmp_path / "sm3.json", "--alg", "sm3"]).code == 0
    )
    assert (
        main(["verify", small_dir, "--manifest", tmp_path / "sha256.json", "--alg", "sha256"]).code
        == 0
    )
    assert main(["verify", small_dir, "--manifest", tmp_path / "sha256.json"]).code == 0
    for manifest, alg in (("sm3.json", "sha256"), ("sha256.json", "sm3")):
        r = main(["verify", small_dir, "--manifest", tmp_path / manifest, "--alg", alg])
        assert r.code == 2
        r.error_line()


def test_verify_single_file(main: Runner, small_dir: Path, tmp_path: Path) -> None:
    _manifest(main, small_dir / "z.bin", tmp_path / "m.json")
    assert main(["verify", small_dir / "z.bin", "--manifest", tmp_path / "m.json"]).code == 0
    with open(small_dir / "z.bin", "r+b") as f:
        f.write(b"X")
    r = main(["verify", small_dir / "z.bin", "--manifest", tmp_path / "m.json", "--json"])
    assert r.code == 1
    assert r.json()["changed"] == ["z.bin"]


def test_names_that_need_escaping(main: Runner, tmp_path: Path) -> None:
    names = ['quote"name.txt', "back\\slash.txt", "tab\tname.txt", "new\nline.txt", "\u2028sep.txt"]
    data = golden.write_tree(tmp_path / "d", {n: n.encode() for n in names})
    r = main(["hash", data, "--manifest", tmp_path / "m.json", "--alg", "sha256", "--json"])
    assert r.code == 0, r.err
    ref = reference.digest(data, "sha256")
    assert r.json()["root"] == ref.root_hex
    obj = json.loads((tmp_path / "m.json").read_text("utf-8"))
    assert [f["name"] for f in obj["files"]] == [n for n, _, _ in ref.files]
    assert main(["verify", data, "--manifest", tmp_path / "m.json"]).code == 0
    assert (
        main(
            [
                "prove",
                "new\nline.txt",
                "--manifest",
                tmp_path / "m.json",
                "--out",
                tmp_path / "p.json",
            ]
        ).code
        == 0
    )
    assert main(["verify-proof", data / "new\nline.txt", tmp_path / "p.json"]).code == 0


def test_verify_jobs(main: Runner, golden_dir: Path, tmp_path: Path) -> None:
    _manifest(main, golden_dir, tmp_path / "m.json", "--jobs", "2")
    assert main(["verify", golden_dir, "--manifest", tmp_path / "m.json", "--jobs", "3"]).code == 0


# --- prove and verify-proof ---------------------------------------------------------------------


def test_prove_and_verify_proof(cli: Runner, small_dir: Path, tmp_path: Path) -> None:
    manifest, proof_path = tmp_path / "m.json", tmp_path / "out" / "p.json"
    proof_path.parent.mkdir()
    assert cli(["hash", small_dir, "--manifest", manifest]).code == 0
    r = cli(["prove", "数据.txt", "--manifest", manifest, "--out", proof_path])
    assert r.code == 0, r.err
    proof = json.loads(proof_path.read_bytes().decode("utf-8"))
    ref = reference.digest(small_dir, "sm3")
    assert proof == reference.proof_dict(ref, "数据.txt")

    target = small_dir / "数据.txt"
    assert cli(["verify-proof", target, proof_path]).code == 0
    assert cli(["verify-proof", target, proof_path, "--root", ref.root_hex]).code == 0
    r = cli(["verify-proof", target, proof_path, "--json"])
    assert r.code == 0
    assert isinstance(r.json(), dict)
    assert r.err == ""

    other_root = reference.digest(small_dir, "sha256").root_hex
    assert cli(["verify-proof", target, proof_path, "--root", other_root]).code == 1
    assert cli(["verify-proof", small_dir / "a.csv", proof_path]).code == 1
    target.write_bytes("数据!".encode())
    r = cli(["verify-proof", target, proof_path, "--lang", "en"])
    assert r.code == 1
    assert r.out + r.err


def test_verify_proof_tampered_path_fails(main: Runner, small_dir: Path, tmp_path: Path) -> None:
    _manifest(main, small_dir, tmp_path / "m.json")
    assert (
        main(
            ["prove", "b/c.txt", "--manifest", tmp_path / "m.json", "--out", tmp_path / "p.json"]
        ).code
        == 0
    )
    proof = json.loads((tmp_path / "p.json").read_text("utf-8"))
    element = proof["path"][0]
    proof["path"][0] = ("0" if element[0] != "0" else "1") + element[1:]
    (tmp_path / "p.json").write_text(json.dumps(proof), encoding="utf-8")
    r = main(["verify-proof", small_dir / "b" / "c.txt", tmp_path / "p.json", "--json"])
    assert r.code == 1


# --- bad input: exit 2, one line, nothing written ------------------------------------------------


class _FifoWatchdog:
    def __init__(self, fifos: list[Path]) -> None:
        self.fifos = fifos
        self.timer = threading.Timer(20.0, self._release)

    def _release(self) -> None:
        for fifo in self.fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    def __enter__(self) -> None:
        self.timer.start()

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.timer.join()


def _bad_input(  # noqa: PLR0911, PLR0912, PLR0915 - one branch per scenario, read as a table
    name: str, tmp: Path, out: Path
) -> tuple[list[Any], str | None]:
    m = out / "m.json"
    data = tmp / "data"
    if name == "missing-path":
        return ["hash", tmp / "missing-dataset", "--manifest", m], "missing-dataset"
    if name == "symlink":
        golden.write_tree(data, {"a.csv": b"1"})
        (data / "the-link").symlink_to("a.csv")
        return ["hash", data, "--manifest", m], "the-link"
    if name == "fifo":
        golden.write_tree(data, {"a.csv": b"1"})
        os.mkfifo(data / "the-pipe")
        return ["hash", data, "--manifest", m], "the-pipe"
    if name == "nfc-duplicate":
        golden.write_tree(data, {"caf\u00e9.txt": b"1", "cafe\u0301.txt": b"2"})
        return ["hash", data, "--manifest", m], "caf"
    if name == "empty-dataset":
        (tmp / "empty-dataset" / "sub").mkdir(parents=True)
        return ["hash", tmp / "empty-dataset", "--manifest", m], "empty-dataset"
    if name == "name-not-utf8":
        golden.write_tree(data, {"a.csv": b"1"})
        golden.add_invalid_utf8_name(data, b"bad\xff.csv")
        return ["hash", data, "--manifest", m], "bad"
    if name == "alg-md5":
        golden.write_tree(data, {"a.csv": b"1"})
        return ["hash", data, "--alg", "md5", "--manifest", m], "md5"
    if name == "jobs-not-a-number":
        golden.write_tree(data, {"a.csv": b"1"})
        return ["hash", data, "--jobs", "many", "--manifest", m], "many"
    if name == "lang-unknown":
        golden.write_tree(data, {"a.csv": b"1"})
        return ["hash", data, "--lang", "fr", "--manifest", m], "fr"
    if name == "unknown-verb":
        return ["frobnicate", tmp], "frobnicate"
    if name == "verify-missing-manifest":
        golden.write_tree(data, {"a.csv": b"1"})
        return ["verify", data, "--manifest", tmp / "nope.json"], "nope.json"
    if name == "verify-malformed-manifest":
        golden.write_tree(data, {"a.csv": b"1"})
        (tmp / "broken.json").write_text('{"format": "dataip-manifest/1"', encoding="utf-8")
        return ["verify", data, "--manifest", tmp / "broken.json"], "broken.json"
    if name == "verify-without-manifest":
        golden.write_tree(data, {"a.csv": b"1"})
        return ["verify", data], "--manifest"
    if name == "verify-alg-mismatch":
        golden.write_tree(data, {"a.csv": b"1"})
        ref = reference.digest(data, "sm3")
        reference.write_json(tmp / "m.json", reference.manifest_dict(ref))
        return ["verify", data, "--manifest", tmp / "m.json", "--alg", "sha256"], None
    if name == "prove-unknown-name":
        golden.write_tree(data, {"a.csv": b"1"})
        reference.write_json(tmp / "m.json", reference.manifest_dict(reference.digest(data, "sm3")))
        return [
            "prove",
            "no/such.csv",
            "--manifest",
            tmp / "m.json",
            "--out",
            out / "p.json",
        ], "no/such.csv"
    if name == "prove-malformed-manifest":
        (tmp / "broken.json").write_text("[]", encoding="utf-8")
        return [
            "prove",
            "a.csv",
            "--manifest",
            tmp / "broken.json",
            "--out",
            out / "p.json",
        ], "broken.json"
    if name == "verify-proof-malformed":
        golden.write_tree(data, {"a.csv": b"1"})
        (tmp / "bad-proof.json").write_text("not json at all", encoding="utf-8")
        return ["verify-proof", data / "a.csv", tmp / "bad-proof.json"], "bad-proof.json"
    if name == "verify-proof-unknown-format":
        golden.write_tree(data, {"a.csv": b"1"})
        proof = reference.proof_dict(reference.digest(data, "sm3"), "a.csv")
        proof["format"] = "dataip-file-proof/9"
        reference.write_json(tmp / "future-proof.json", proof)
        return ["verify-proof", data / "a.csv", tmp / "future-proof.json"], "future-proof.json"
    if name == "verify-proof-missing-file":
        golden.write_tree(data, {"a.csv": b"1"})
        reference.write_json(
            tmp / "p.json", reference.proof_dict(reference.digest(data, "sm3"), "a.csv")
        )
        return ["verify-proof", data / "missing.csv", tmp / "p.json"], "missing.csv"
    if name == "manifest-directory-missing":
        golden.write_tree(data, {"a.csv": b"1"})
        return ["hash", data, "--manifest", out / "no-such-dir" / "m.json"], "no-such-dir"
    if name == "verify-dataset-missing":
        golden.write_tree(data, {"a.csv": b"1"})
        reference.write_json(tmp / "m.json", reference.manifest_dict(reference.digest(data, "sm3")))
        return ["verify", tmp / "gone", "--manifest", tmp / "m.json"], "gone"
    if name == "prove-out-directory-missing":
        golden.write_tree(data, {"a.csv": b"1"})
        reference.write_json(tmp / "m.json", reference.manifest_dict(reference.digest(data, "sm3")))
        return [
            "prove",
            "a.csv",
            "--manifest",
            tmp / "m.json",
            "--out",
            out / "no-such-dir" / "p.json",
        ], "no-such-dir"
    if name == "verify-proof-directory":
        golden.write_tree(data, {"a.csv": b"1"})
        reference.write_json(
            tmp / "p.json", reference.proof_dict(reference.digest(data, "sm3"), "a.csv")
        )
        return ["verify-proof", data, tmp / "p.json"], "data"
    if name == "symlink-name-with-newline":
        golden.write_tree(data, {"a.csv": b"1"})
        (data / "evil\nname").symlink_to("a.csv")
        return ["hash", data, "--manifest", m], "evil"
    if name == "verify-dataset-has-symlink":
        golden.write_tree(data, {"a.csv": b"1"})
        reference.write_json(tmp / "m.json", reference.manifest_dict(reference.digest(data, "sm3")))
        (data / "new-link").symlink_to("a.csv")
        return ["verify", data, "--manifest", tmp / "m.json"], "new-link"
    if name == "manifest-is-a-directory":
        golden.write_tree(data, {"a.csv": b"1"})
        return ["hash", data, "--manifest", out], "out"
    if name == "missing-path-json":
        return ["hash", tmp / "missing-dataset", "--manifest", m, "--json"], "missing-dataset"
    raise AssertionError(name)


BAD_INPUTS = [
    "missing-path",
    "symlink",
    "fifo",
    "nfc-duplicate",
    "empty-dataset",
    "name-not-utf8",
    "alg-md5",
    "jobs-not-a-number",
    "lang-unknown",
    "unknown-verb",
    "verify-missing-manifest",
    "verify-malformed-manifest",
    "verify-without-manifest",
    "verify-alg-mismatch",
    "prove-unknown-name",
    "prove-malformed-manifest",
    "verify-proof-malformed",
    "verify-proof-unknown-format",
    "verify-proof-missing-file",
    "manifest-directory-missing",
    "verify-dataset-missing",
    "prove-out-directory-missing",
    "verify-proof-directory",
    "manifest-is-a-directory",
    "missing-path-json",
    "symlink-name-with-newline",
    "verify-dataset-has-symlink",
]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input(cli: Runner, tmp_path: Path, case: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv, culprit = _bad_input(case, tmp_path, out)
    fifos = [tmp_path / "data" / "the-pipe"] if case == "fifo" else []
    with _FifoWatchdog(fifos):
        r = cli(
            [*argv, "--lang", "en"] if case not in ("lang-unknown", "unknown-verb") else argv,
            timeout=60,
        )
    assert r.code == 2, (r.out, r.err)
    line = r.error_line()
    assert "Traceback" not in line
    if culprit is not None:
        assert culprit in line, line
    if case == "symlink":
        assert "--exclude" in line
    assert r.out == ""
    assert list(out.iterdir()) == [], "nothing may be written"


def test_unreadable_file(tmp_path: Path) -> None:
    data = golden.unreadable_dataset(tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    code = "from dataip.tool import main\nsys.exit(main(sys.argv[2:]))\n"
    proc = golden.run_without_privileges(
        code,
        str(data / "secret.txt"),
        "hash",
        str(data),
        "--manifest",
        str(out / "m.json"),
        "--lang",
        "en",
        env=clean_env(),
    )
    if proc.returncode == golden.SETUP_FAILED:
        pytest.skip(f"cannot make a file unreadable here (running as root): {proc.stdout.strip()}")
    assert proc.returncode == 2, proc.stderr
    assert Result(proc.returncode, proc.stdout, proc.stderr).error_line()
    assert "secret.txt" in proc.stderr
    assert list(out.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_json_prints_nothing_on_a_terminal(tmp_path: Path) -> None:
    # With stderr on a terminal a tool may show progress; with --json it must not.
    data = tmp_path / "data"
    golden.make_sparse(data / "big.bin", 96 * golden.MIB)
    (data / "small.txt").write_bytes(b"x")
    proc, shown = run_with_terminal_stderr(["hash", str(data), "--json"])
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["root"] == reference.digest(data, "sm3").root_hex
    assert shown == b""


# --- language -----------------------------------------------------------------------------------


def test_lang_option(main: Runner, tmp_path: Path) -> None:
    argv = ["hash", tmp_path / "missing-dataset"]
    zh = main([*argv, "--lang", "zh"])
    en = main([*argv, "--lang", "en"])
    both = main([*argv, "--lang", "both"])
    assert zh.code == en.code == both.code == 2
    assert CJK.search(zh.error_line())
    assert not CJK.search(en.error_line())
    assert CJK.search(both.error_line())
    assert en.error_line() != both.error_line()
    for r in (zh, en, both):
        assert "missing-dataset" in r.error_line()


def test_lang_defaults_to_locale(tmp_path: Path) -> None:
    command = dataip_command()
    argv = [command, "hash", str(tmp_path / "missing-dataset")]
    explicit = {lang: run_cmd([*argv, "--lang", lang]).err for lang in ("zh", "en", "both")}
    assert len(set(explicit.values())) == 3
    for locale, lang in (
        ("zh_CN.UTF-8", "zh"),
        ("en_US.UTF-8", "en"),
        ("C.UTF-8", "both"),
        ("de_DE.UTF-8", "both"),
    ):
        r = run_cmd(argv, env=clean_env(locale))
        assert r.code == 2
        assert r.err == explicit[lang], locale


# --- Ctrl-C -------------------------------------------------------------------------------------


def _session_pids(sid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # state ppid pgrp session
            pids.append(int(entry))
    return pids


def _reading(pids: list[int], directory: Path) -> bool:
    prefix = str(directory) + os.sep
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                    return True
            except OSError:
                continue
    return False


@pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="needs /proc to see when hashing has started"
)
@pytest.mark.parametrize(
    "jobs", [[], ["--jobs", "1"], ["--jobs", "2"]], ids=["default-jobs", "jobs-1", "jobs-2"]
)
def test_ctrl_c(tmp_path: Path, jobs: list[str]) -> None:
    data = tmp_path / "data"
    for i in range(2):
        golden.make_sparse(data / f"part{i}.bin", 1024 * golden.MIB)  # sparse: no disk, reads fast
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [
            dataip_command(),
            "hash",
            str(data),
            "--manifest",
            str(out / "m.json"),
            "--lang",
            "en",
            *jobs,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        start_new_session=True,  # a terminal sends SIGINT to the whole foreground group
    )
    try:
        deadline = time.monotonic() + 30
        while not _reading(_session_pids(proc.pid), data):
            assert proc.poll() is None, "dataip hash ended before it was interrupted"
            assert time.monotonic() < deadline, "dataip hash never opened a data file"
            time.sleep(0.01)
        time.sleep(0.3)
        assert proc.poll() is None, "hashing 2 GiB finished too fast to test Ctrl-C"
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, stderr
    Result(130, stdout.decode(), stderr.decode()).error_line()
    assert b"Traceback" not in stderr
    assert list(out.iterdir()) == [], "an interrupted hash writes nothing"
    time.sleep(0.2)
    assert _session_pids(proc.pid) == [], "worker processes left running"
