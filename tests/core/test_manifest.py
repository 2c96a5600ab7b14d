"""The manifest (spec section 6): what create_manifest writes and what read_manifest refuses."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataip.core.errors import InputError, ManifestError
from dataip.core.hashing import FileRecord
from dataip.core.manifest import MANIFEST_FORMAT, Manifest, create_manifest, read_manifest

from . import golden, reference

ALGS = ("sm3", "sha256")
EXCLUDES = ["*.nothing", "no/such/*", ".git"]


def _parse_created(value: str) -> dt.datetime:
    assert reference.RFC3339_UTC.fullmatch(value), value
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_format_constant() -> None:
    assert MANIFEST_FORMAT == "dataip-manifest/1"


@pytest.mark.parametrize("alg", ALGS)
def test_create_manifest(
    golden_dir: Path, golden_ref: dict[str, reference.Digest], tmp_path: Path, alg: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "m.json"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    digest = create_manifest(golden_dir, target, alg=alg, exclude=EXCLUDES)
    after = dt.datetime.now(dt.UTC)

    ref = golden_ref[alg]
    assert (digest.alg, digest.root, digest.file_count, digest.total_bytes) == (
        alg,
        ref.root,
        ref.file_count,
        ref.total_bytes,
    )
    assert sorted(p.name for p in out_dir.iterdir()) == ["m.json"]

    obj = json.loads(target.read_bytes().decode("utf-8"))
    assert reference.manifest_problems(obj) == []
    expected = reference.manifest_dict(dataclasses.replace(ref, excludes=list(EXCLUDES)))
    for key in reference.MANIFEST_KEYS:
        if key not in ("created", "tool"):
            assert obj[key] == expected[key], key
    assert obj["excludes"] == EXCLUDES
    assert [f["name"] for f in obj["files"]] == [n for n, _, _ in ref.files]
    assert golden.NFC_NAME in [f["name"] for f in obj["files"]]
    assert before <= _parse_created(obj["created"]) <= after
    assert isinstance(obj["tool"], str)
    assert obj["tool"].startswith("dataip")
    for f in obj["files"]:
        assert set(f) == {"name", "size", "root"}
        assert type(f["size"]) is int


def test_manifest_holds_no_data(tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"secret.txt": b"TOP-SECRET-PAYLOAD-1234"})
    create_manifest(data, tmp_path / "m.json")
    assert b"TOP-SECRET-PAYLOAD" not in (tmp_path / "m.json").read_bytes()


def _check_read(m: Manifest, ref: reference.Digest, excludes: list[str]) -> None:
    assert isinstance(m, Manifest)
    assert m.alg == ref.alg
    assert m.root_hex == ref.root_hex
    assert m.check_code == ref.check_code
    assert m.file_count == ref.file_count
    assert m.total_bytes == ref.total_bytes
    assert m.excludes == excludes
    assert m.files == [FileRecord(n, s, r) for n, s, r in ref.files]
    assert isinstance(m.created, str)
    assert isinstance(m.tool, str)


@pytest.mark.parametrize("alg", ALGS)
def test_read_what_was_written(
    golden_dir: Path, golden_ref: dict[str, reference.Digest], tmp_path: Path, alg: str
) -> None:
    create_manifest(golden_dir, tmp_path / "m.json", alg=alg, exclude=EXCLUDES)
    _check_read(read_manifest(tmp_path / "m.json"), golden_ref[alg], EXCLUDES)


def test_read_manifest_written_by_reference(
    golden_ref: dict[str, reference.Digest], tmp_path: Path
) -> None:
    # Interoperability: another implementation's manifest, with unknown extra keys.
    obj = reference.manifest_dict(golden_ref["sm3"], tool="another tool 9.9")
    obj["x-comment"] = {"anything": [1, 2, 3]}
    reference.write_json(tmp_path / "m.json", obj)
    m = read_manifest(tmp_path / "m.json")
    _check_read(m, golden_ref["sm3"], [])
    assert m.tool == "another tool 9.9"
    assert m.created == "2026-11-21T08:00:00Z"


def test_failed_hash_writes_nothing(tmp_path: Path) -> None:
    data = golden.write_tree(
        tmp_path / "d", {"a.csv": b"1", "b/c.csv": golden.content("c", 3 * golden.MIB)}
    )
    (data / "b" / "link").symlink_to("c.csv")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(InputError):
        create_manifest(data, out_dir / "m.json")
    assert list(out_dir.iterdir()) == []


def test_failed_hash_keeps_existing_manifest(tmp_path: Path) -> None:
    data = golden.write_tree(tmp_path / "d", {"a.csv": b"1"})
    (data / "z-link").symlink_to("a.csv")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "m.json").write_bytes(b"previous manifest")
    with pytest.raises(InputError):
        create_manifest(data, out_dir / "m.json")
    assert [p.name for p in out_dir.iterdir()] == ["m.json"]
    assert (out_dir / "m.json").read_bytes() == b"previous manifest"


def test_success_replaces_existing_manifest(small_dir: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "m.json").write_bytes(b"previous manifest")
    create_manifest(small_dir, out_dir / "m.json", alg="sha256")
    assert [p.name for p in out_dir.iterdir()] == ["m.json"]
    assert reference.manifest_problems(json.loads((out_dir / "m.json").read_text("utf-8"))) == []


def test_manifest_directory_missing(small_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        create_manifest(small_dir, tmp_path / "no-such-dir" / "m.json")
    assert "no-such-dir" in str(info.value)
    assert not (tmp_path / "no-such-dir").exists()


def test_manifest_path_is_a_directory(small_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(InputError) as info:
        create_manifest(small_dir, tmp_path / "taken")
    assert "taken" in str(info.value)
    assert list((tmp_path / "taken").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small", "taken"]
    with pytest.raises(InputError) as info:
        read_manifest(tmp_path / "taken")
    assert "taken" in str(info.value)


def test_missing_manifest_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_manifest(tmp_path / "no-such.json")
    assert "no-such.json" in str(info.value)


# --- read_manifest refuses every malformed or inconsistent manifest -----------------------------

Mutation = Callable[[dict[str, Any]], "dict[str, Any] | bytes"]


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def mutate(obj: dict[str, Any]) -> dict[str, Any]:
        obj[key] = value
        return obj

    return mutate


def _drop(key: str) -> Mutation:
    def mutate(obj: dict[str, Any]) -> dict[str, Any]:
        del obj[key]
        return obj

    return mutate


def _file(field: str, value: Any, index: int = 0) -> Mutation:
    def mutate(obj: dict[str, Any]) -> dict[str, Any]:
        if value is _DROP:
            del obj["files"][index][field]
        else:
            obj["files"][index][field] = value
        return obj

    return mutate


_DROP = object()


def _raw(data: bytes) -> Mutation:
    return lambda obj: data


def _invalid_utf8(obj: dict[str, Any]) -> bytes:
    raw = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    assert b'"reference 1"' in raw
    return raw.replace(b'"reference 1"', b'"reference \xff"')


def _swap_first_two(obj: dict[str, Any]) -> dict[str, Any]:
    obj["files"][0], obj["files"][1] = obj["files"][1], obj["files"][0]
    return reference.reseal(obj)


def _duplicate(obj: dict[str, Any]) -> dict[str, Any]:
    obj["files"].insert(1, copy.deepcopy(obj["files"][1]))
    return reference.reseal(obj, counts=True)


def _not_nfc(obj: dict[str, Any]) -> dict[str, Any]:
    (f,) = [f for f in obj["files"] if f["name"] == "caf\u00e9.txt"]
    f["name"] = "cafe\u0301.txt"
    out = reference.reseal(obj)
    keys = [x["name"].encode() for x in out["files"]]
    assert keys == sorted(keys)  # only the normal form is wrong
    return out


def _file_root_changed(obj: dict[str, Any]) -> dict[str, Any]:
    obj["files"][0]["root"] = hashlib.sha256(b"other").hexdigest()
    return obj


def _root_changed(obj: dict[str, Any]) -> dict[str, Any]:
    obj["root"] = hashlib.sha256(b"another dataset").hexdigest()
    return reference.reseal(obj, root=False)


def _count_off(key: str) -> Mutation:
    def mutate(obj: dict[str, Any]) -> dict[str, Any]:
        obj[key] += 1
        return reference.reseal(obj, root=False)

    return mutate


def _no_files(obj: dict[str, Any]) -> dict[str, Any]:
    obj["files"] = []
    return reference.reseal(obj, counts=True)


def _swap_check_code(obj: dict[str, Any]) -> dict[str, Any]:
    obj["check_code"] = "0123456789AB" if obj["check_code"] != "0123456789AB" else "BA9876543210"
    return obj


REJECTED: list[tuple[str, Mutation]] = [
    ("not-json", _raw(b"{not json")),
    ("empty-file", _raw(b"")),
    ("invalid-utf8", _invalid_utf8),
    ("array", _raw(b"[]")),
    ("string", _raw(b'"dataip-manifest/1"')),
    ("format-v2", _set("format", "dataip-manifest/2")),
    ("format-unversioned", _set("format", "dataip-manifest")),
    ("format-number", _set("format", 1)),
    ("alg-md5", _set("alg", "md5")),
    ("alg-upper", _set("alg", "SM3")),
    ("alg-number", _set("alg", 3)),
    ("chunk-size-4096", _set("chunk_size", 4096)),
    ("chunk-size-string", _set("chunk_size", "1048576")),
    ("chunk-size-float", _set("chunk_size", 1048576.5)),
    ("chunk-size-null", _set("chunk_size", None)),
    *[(f"missing-{key}", _drop(key)) for key in reference.MANIFEST_KEYS],
    ("root-upper", lambda o: reference.reseal(_set("root", o["root"].upper())(o), root=False)),
    ("root-short", _set("root", "ab" * 31)),
    ("root-nonhex", _set("root", "g" * 64)),
    ("root-number", _set("root", 12)),
    ("check-code-lower", lambda o: _set("check_code", o["check_code"].lower())(o)),
    ("check-code-short", lambda o: _set("check_code", o["check_code"][:11])(o)),
    ("check-code-number", _set("check_code", 123456789012)),
    ("file-count-string", lambda o: _set("file_count", str(o["file_count"]))(o)),
    ("file-count-float", lambda o: _set("file_count", o["file_count"] + 0.5)(o)),
    ("total-bytes-string", lambda o: _set("total_bytes", str(o["total_bytes"]))(o)),
    ("total-bytes-null", _set("total_bytes", None)),
    ("created-number", _set("created", 20261121)),
    ("tool-null", _set("tool", None)),
    ("excludes-string", _set("excludes", "*.tmp")),
    ("excludes-number-element", _set("excludes", ["*.tmp", 3])),
    ("files-object", lambda o: _set("files", {f["name"]: f for f in o["files"]})(o)),
    ("file-not-object", _set("files", ["a.csv"])),
    ("file-missing-name", _file("name", _DROP)),
    ("file-missing-size", _file("size", _DROP)),
    ("file-missing-root", _file("root", _DROP)),
    ("file-name-number", _file("name", 7)),
    ("file-size-string", lambda o: _file("size", str(o["files"][0]["size"]))(o)),
    ("file-size-float", lambda o: _file("size", o["files"][0]["size"] + 0.5)(o)),
    ("file-root-upper", lambda o: _file("root", o["files"][0]["root"].upper())(o)),
    ("file-root-short", _file("root", "ab" * 31)),
    ("file-root-nonhex", _file("root", "z" * 64)),
    ("files-unsorted", _swap_first_two),
    ("files-duplicate", _duplicate),
    ("name-not-nfc", _not_nfc),
    ("root-not-matching-files", _file_root_changed),
    ("root-of-another-dataset", _root_changed),
    ("check-code-not-matching", _swap_check_code),
    ("file-count-not-matching", _count_off("file_count")),
    ("total-bytes-not-matching", _count_off("total_bytes")),
    ("no-files", _no_files),
]


@pytest.fixture(scope="module")
def base_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = golden.build_small(tmp_path_factory.mktemp("manifest-base") / "d")
    obj = reference.manifest_dict(reference.digest(data, "sm3"))
    assert reference.manifest_problems(obj) == []
    return obj


def test_base_manifest_is_accepted(base_manifest: dict[str, Any], tmp_path: Path) -> None:
    reference.write_json(tmp_path / "m.json", base_manifest)
    assert read_manifest(tmp_path / "m.json").root_hex == base_manifest["root"]


@pytest.mark.parametrize(("case", "mutate"), REJECTED, ids=[c for c, _ in REJECTED])
def test_read_manifest_rejects(
    base_manifest: dict[str, Any], tmp_path: Path, case: str, mutate: Mutation
) -> None:
    result = mutate(copy.deepcopy(base_manifest))
    path = tmp_path / "m.json"
    if isinstance(result, bytes):
        path.write_bytes(result)
    else:
        assert reference.manifest_problems(result) != [], (
            "the mutation must break a rule of section 6"
        )
        reference.write_json(path, result)
    with pytest.raises(ManifestError) as info:
        read_manifest(path)
    message = str(info.value)
    assert message
    assert "\n" not in message.strip()
    assert "m.json" in message, "the message must say where"


def test_unknown_keys_are_ignored(base_manifest: dict[str, Any], tmp_path: Path) -> None:
    obj = copy.deepcopy(base_manifest)
    obj["future_field"] = "ignored"
    obj["signature"] = None
    reference.write_json(tmp_path / "m.json", obj)
    assert read_manifest(tmp_path / "m.json").check_code == base_manifest["check_code"]


def test_compact_and_ascii_escaped_json_is_accepted(
    base_manifest: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "m.json").write_text(
        json.dumps(base_manifest, separators=(",", ":")), encoding="ascii"
    )
    m = read_manifest(tmp_path / "m.json")
    assert "数据.txt" in [f.name for f in m.files]
