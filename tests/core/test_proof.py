"""Single-file proofs (spec section 7) against the reference."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataip.core.errors import InputError, ManifestError, VerificationError
from dataip.core.manifest import Manifest, read_manifest
from dataip.core.proof import PROOF_FORMAT, make_file_proof, verify_file_proof

from . import golden, reference

ALGS = ("sm3", "sha256")
TARGET = "a.b"  # a small file in the middle of the golden tree: a long audit path, cheap to hash


@pytest.fixture(scope="module")
def manifests(
    golden_ref: dict[str, reference.Digest], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Manifest]:
    out = {}
    base = tmp_path_factory.mktemp("proof-manifests")
    for alg, ref in golden_ref.items():
        # Written by the reference, so the proof code is tested on an independent manifest.
        reference.write_json(base / f"{alg}.json", reference.manifest_dict(ref))
        out[alg] = read_manifest(base / f"{alg}.json")
    return out


@pytest.fixture(scope="module")
def disk_paths(golden_dir: Path) -> dict[str, Path]:
    return dict(reference.walk(golden_dir))


def test_format_constant() -> None:
    assert PROOF_FORMAT == "dataip-file-proof/1"


@pytest.mark.parametrize("alg", ALGS)
def test_every_file_proves(
    manifests: dict[str, Manifest],
    golden_ref: dict[str, reference.Digest],
    disk_paths: dict[str, Path],
    alg: str,
) -> None:
    ref = golden_ref[alg]
    assert len(ref.files) > 16
    for name, _, _ in ref.files:
        proof = make_file_proof(manifests[alg], name)
        expected = reference.proof_dict(ref, name)
        assert proof == expected, name
        assert json.loads(json.dumps(proof)) == proof
        data = disk_paths[name].read_bytes()
        assert reference.proof_ok(data, proof)
        verify_file_proof(disk_paths[name], proof)
        verify_file_proof(disk_paths[name], proof, expected_root=ref.root_hex)


def test_proof_of_single_file_dataset(tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"only.csv": b"1,2,3\n"})
    ref = reference.digest(data, "sm3")
    reference.write_json(tmp_path / "m.json", reference.manifest_dict(ref))
    proof = make_file_proof(read_manifest(tmp_path / "m.json"), "only.csv")
    assert proof == reference.proof_dict(ref, "only.csv")
    assert proof["index"] == 0
    assert proof["path"] == []
    assert proof["file_count"] == 1
    verify_file_proof(data / "only.csv", proof)


def test_unknown_name(manifests: dict[str, Manifest]) -> None:
    with pytest.raises(InputError) as info:
        make_file_proof(manifests["sm3"], "no/such/file.csv")
    assert "no/such/file.csv" in str(info.value)


def _rejected(path: Path, proof: dict[str, Any], **kwargs: Any) -> None:
    with pytest.raises((VerificationError, ManifestError)) as info:
        verify_file_proof(path, proof, **kwargs)
    assert str(info.value)
    assert "\n" not in str(info.value).strip()


@pytest.fixture
def target_proof(manifests: dict[str, Manifest]) -> dict[str, Any]:
    proof = make_file_proof(manifests["sm3"], TARGET)
    assert len(proof["path"]) >= 4
    return proof


def test_changed_byte_fails(golden_dir: Path, target_proof: dict[str, Any], tmp_path: Path) -> None:
    copy_ = tmp_path / TARGET
    data = bytearray((golden_dir / TARGET).read_bytes())
    data[1] ^= 0x01
    copy_.write_bytes(bytes(data))
    with pytest.raises(VerificationError):
        verify_file_proof(copy_, target_proof)


def test_appended_byte_fails(
    golden_dir: Path, target_proof: dict[str, Any], tmp_path: Path
) -> None:
    copy_ = tmp_path / "copy"
    copy_.write_bytes((golden_dir / TARGET).read_bytes() + b"\n")
    with pytest.raises(VerificationError):
        verify_file_proof(copy_, target_proof)


def test_renamed_file_still_verifies(
    golden_dir: Path, target_proof: dict[str, Any], tmp_path: Path
) -> None:
    renamed = tmp_path / "a completely different name.bin"
    renamed.write_bytes((golden_dir / TARGET).read_bytes())
    verify_file_proof(renamed, target_proof)


def test_file_must_be_a_regular_file(
    golden_dir: Path, target_proof: dict[str, Any], tmp_path: Path
) -> None:
    # Section 7 step 2 hashes FILE as in section 3: the bytes of one file, not a directory.
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / TARGET).write_bytes((golden_dir / TARGET).read_bytes())
    with pytest.raises(InputError) as info:
        verify_file_proof(folder, target_proof)
    assert "folder" in str(info.value)
    with pytest.raises(InputError) as info:
        verify_file_proof(tmp_path / "missing.bin", target_proof)
    assert "missing.bin" in str(info.value)


def test_expected_root(
    golden_dir: Path, target_proof: dict[str, Any], golden_ref: dict[str, reference.Digest]
) -> None:
    verify_file_proof(golden_dir / TARGET, target_proof, expected_root=golden_ref["sm3"].root_hex)
    with pytest.raises(VerificationError):
        # a correct proof, but for another root than the one the verifier expects
        verify_file_proof(
            golden_dir / TARGET, target_proof, expected_root=golden_ref["sha256"].root_hex
        )


def test_proof_from_another_dataset(golden_dir: Path, tmp_path: Path) -> None:
    files = golden.golden_files()
    other = {name: data for name, data in files.items() if not name.startswith("sizes/")}
    other[TARGET] = b"another content"
    data = golden.write_tree(tmp_path / "other", other)
    ref = reference.digest(data, "sm3")
    reference.write_json(tmp_path / "m.json", reference.manifest_dict(ref))
    proof = make_file_proof(read_manifest(tmp_path / "m.json"), TARGET)
    verify_file_proof(data / TARGET, proof)
    with pytest.raises(VerificationError):
        verify_file_proof(golden_dir / TARGET, proof)
    # the same content in another dataset: the file is proven, but for the other root
    with pytest.raises(VerificationError):
        verify_file_proof(
            data / "B.txt", make_file_proof(read_manifest(tmp_path / "m.json"), "a.b")
        )


def _flip_hex(value: str, pos: int = 5) -> str:
    digit = int(value[pos], 16) ^ 0x1
    return value[:pos] + format(digit, "x") + value[pos + 1 :]


def _reseal(proof: dict[str, Any]) -> dict[str, Any]:
    proof["check_code"] = reference.check_code(
        proof["alg"], proof["root"], proof["file_count"], proof["total_bytes"]
    )
    return proof


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def tamper(p: dict[str, Any]) -> dict[str, Any]:
        if value is _DROP:
            del p[key]
        else:
            p[key] = value(p) if callable(value) else value
        return p

    return tamper


def _file(key: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def tamper(p: dict[str, Any]) -> dict[str, Any]:
        if value is _DROP:
            del p["file"][key]
        else:
            p["file"][key] = value(p["file"]) if callable(value) else value
        return p

    return tamper


_DROP = object()

TAMPERS: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
    ("root", _set("root", lambda p: _flip_hex(p["root"]))),
    ("root-resealed", lambda p: _reseal(_set("root", lambda q: _flip_hex(q["root"], 40))(p))),
    ("check_code", _set("check_code", lambda p: _flip_hex(p["check_code"], 3).upper())),
    (
        "check_code-lower",
        _set(
            "check_code",
            lambda p: (
                p["check_code"].lower()
                if p["check_code"].lower() != p["check_code"]
                else "zzzzzzzzzzzz"
            ),
        ),
    ),
    ("file_count", _set("file_count", lambda p: p["file_count"] + 1)),
    ("total_bytes", _set("total_bytes", lambda p: p["total_bytes"] + 1)),
    ("file.name", _file("name", "a.c")),
    ("file.name-prefix", _file("name", "/a.b")),
    ("file.size", _file("size", lambda f: f["size"] + 1)),
    ("file.size-down", _file("size", lambda f: f["size"] - 1)),
    ("file.root", _file("root", lambda f: _flip_hex(f["root"], 63))),
    ("index+1", _set("index", lambda p: p["index"] + 1)),
    ("index-1", _set("index", lambda p: p["index"] - 1)),
    ("index=file_count", _set("index", lambda p: p["file_count"])),
    ("index-negative", _set("index", -1)),
    ("path-truncated", _set("path", lambda p: p["path"][:-1])),
    ("path-extended", _set("path", lambda p: p["path"] + [p["root"]])),
    ("path-empty", _set("path", [])),
    ("path-reversed", _set("path", lambda p: p["path"][::-1])),
    ("format", _set("format", "dataip-file-proof/2")),
    ("alg", _set("alg", "sha256")),
    ("alg-unknown", _set("alg", "md5")),
    ("chunk_size", _set("chunk_size", 4096)),
    ("index-string", _set("index", lambda p: str(p["index"]))),
    ("file_count-string", _set("file_count", lambda p: str(p["file_count"]))),
    ("path-short-element", _set("path", lambda p: [p["path"][0][:62], *p["path"][1:]])),
    ("path-not-hex", _set("path", lambda p: ["zz" * 32, *p["path"][1:]])),
    ("path-not-list", _set("path", lambda p: "".join(p["path"]))),
    ("file-not-object", _set("file", "a.b")),
    *[(f"missing-{key}", _set(key, _DROP)) for key in reference.PROOF_KEYS],
    *[(f"missing-file.{key}", _file(key, _DROP)) for key in ("name", "size", "root")],
]


@pytest.mark.parametrize(("case", "tamper"), TAMPERS, ids=[c for c, _ in TAMPERS])
def test_single_field_tamper_fails(
    golden_dir: Path, target_proof: dict[str, Any], case: str, tamper: Any
) -> None:
    proof = tamper(copy.deepcopy(target_proof))
    assert proof != target_proof
    assert not reference.proof_ok((golden_dir / TARGET).read_bytes(), proof), (
        "tamper must break the proof"
    )
    _rejected(golden_dir / TARGET, proof)


def test_every_path_element_is_checked(golden_dir: Path, target_proof: dict[str, Any]) -> None:
    for j in range(len(target_proof["path"])):
        for pos in (0, 31, 63):
            proof = copy.deepcopy(target_proof)
            proof["path"][j] = _flip_hex(proof["path"][j], pos)
            _rejected(golden_dir / TARGET, proof)


def test_every_index_but_the_right_one_fails(
    golden_dir: Path, target_proof: dict[str, Any]
) -> None:
    for index in range(target_proof["file_count"]):
        if index != target_proof["index"]:
            proof = dict(target_proof, index=index)
            _rejected(golden_dir / TARGET, proof)


def test_file_count_with_recomputed_check_code(
    manifests: dict[str, Manifest],
    golden_ref: dict[str, reference.Digest],
    disk_paths: dict[str, Path],
) -> None:
    # The check code is no seal: anyone can recompute it. Then only the audit path binds
    # file_count, and only where the tree shape differs (RFC 9162 verification accepts a leaf
    # of a complete left subtree for several tree sizes). Take the last file, whose path
    # depends on the size, and let the reference confirm the shape differs.
    name = golden_ref["sm3"].files[-1][0]
    data = disk_paths[name].read_bytes()
    for delta in (-1, 1, 2):
        proof = make_file_proof(manifests["sm3"], name)
        proof["file_count"] += delta
        _reseal(proof)
        assert not reference.proof_ok(data, proof)
        _rejected(disk_paths[name], proof)
