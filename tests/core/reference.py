"""A second implementation of dataset hash format v1, written from docs/hash-format-v1.md alone.

It is the oracle of the tests, so it is deliberately naive and shares nothing with
``dataip.core``: the Merkle Tree Hash, audit paths and consistency proofs are the recursive
definitions of RFC 6962 section 2.1 transcribed literally, the directory walk is a plain
recursion, and every value is built in memory. It must never import ``dataip``.

``sm3_pure`` is an independent SM3 (GB/T 32905-2016) used to cross-check the library hash; ``H``
itself uses ``hashlib`` so that the oracle stays fast.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import json
import os
import re
import stat
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHUNK = 1_048_576
ALGS = ("sm3", "sha256")
MANIFEST_FORMAT = "dataip-manifest/1"
PROOF_FORMAT = "dataip-file-proof/1"
MANIFEST_KEYS = (
    "format",
    "alg",
    "chunk_size",
    "root",
    "check_code",
    "file_count",
    "total_bytes",
    "created",
    "tool",
    "excludes",
    "files",
)
PROOF_KEYS = (
    "format",
    "alg",
    "chunk_size",
    "root",
    "check_code",
    "file_count",
    "total_bytes",
    "file",
    "index",
    "path",
)
HEX64 = re.compile(r"[0-9a-f]{64}")
CHECK12 = re.compile(r"[0-9A-F]{12}")
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


class ReferenceError_(Exception):
    """The reference refuses a dataset (the spec says it is an error)."""


# --- section 1: H ------------------------------------------------------------------------------


def H(alg: str, data: bytes) -> bytes:
    if alg not in ALGS:
        raise ValueError(alg)
    return hashlib.new(alg, data).digest()


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def sm3_pure(message: bytes) -> bytes:
    """SM3 exactly as GB/T 32905-2016 sections 5.2-5.4 describe it (slow, for cross-checks)."""
    v = [
        0x7380166F,
        0x4914B2B9,
        0x172442D7,
        0xDA8A0600,
        0xA96F30BC,
        0x163138AA,
        0xE38DEE4D,
        0xB0FB0E4E,
    ]
    bit_len = len(message) * 8
    padded = message + b"\x80" + b"\x00" * ((55 - len(message)) % 64) + struct.pack(">Q", bit_len)
    assert len(padded) % 64 == 0

    def p0(x: int) -> int:
        return x ^ _rotl(x, 9) ^ _rotl(x, 17)

    def p1(x: int) -> int:
        return x ^ _rotl(x, 15) ^ _rotl(x, 23)

    for offset in range(0, len(padded), 64):
        w = list(struct.unpack(">16I", padded[offset : offset + 64]))
        for j in range(16, 68):
            w.append(
                p1(w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)) ^ _rotl(w[j - 13], 7) ^ w[j - 6]
            )
        w1 = [w[j] ^ w[j + 4] for j in range(64)]
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            t = 0x79CC4519 if j < 16 else 0x7A879D8A
            ss1 = _rotl((_rotl(a, 12) + e + _rotl(t, j)) & 0xFFFFFFFF, 7)
            ss2 = ss1 ^ _rotl(a, 12)
            if j < 16:
                ff = a ^ b ^ c
                gg = e ^ f ^ g
            else:
                ff = (a & b) | (a & c) | (b & c)
                gg = (e & f) | (~e & 0xFFFFFFFF & g)
            tt1 = (ff + d + ss2 + w1[j]) & 0xFFFFFFFF
            tt2 = (gg + h + ss1 + w[j]) & 0xFFFFFFFF
            d = c
            c = _rotl(b, 9)
            b = a
            a = tt1
            h = g
            g = _rotl(f, 19)
            f = e
            e = p0(tt2)
        v = [x ^ y for x, y in zip(v, [a, b, c, d, e, f, g, h], strict=False)]
    return struct.pack(">8I", *v)


# --- section 3 and RFC 6962 section 2.1: the Merkle Tree Hash --------------------------------


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    assert n > 1
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def leaf_hash(alg: str, data: bytes) -> bytes:
    return H(alg, b"\x00" + data)


def node_hash(alg: str, left: bytes, right: bytes) -> bytes:
    return H(alg, b"\x01" + left + right)


def mth(alg: str, leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf data, by the recursive definition."""
    n = len(leaves)
    if n == 0:
        return H(alg, b"")
    if n == 1:
        return H(alg, b"\x00" + leaves[0])
    k = split_point(n)
    return H(alg, b"\x01" + mth(alg, leaves[:k]) + mth(alg, leaves[k:]))


def root_of_hashes(alg: str, hashes: Sequence[bytes]) -> bytes:
    """MTH when the leaf hashes are given instead of the leaf data."""
    n = len(hashes)
    if n == 0:
        return H(alg, b"")
    if n == 1:
        return hashes[0]
    k = split_point(n)
    return node_hash(alg, root_of_hashes(alg, hashes[:k]), root_of_hashes(alg, hashes[k:]))


def audit_path(alg: str, hashes: Sequence[bytes], m: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1, over leaf hashes."""
    n = len(hashes)
    assert 0 <= m < n
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*audit_path(alg, hashes[:k], m), root_of_hashes(alg, hashes[k:])]
    return [*audit_path(alg, hashes[k:], m - k), root_of_hashes(alg, hashes[:k])]


def root_from_audit_path(
    alg: str, index: int, size: int, leaf: bytes, path: Sequence[bytes]
) -> bytes | None:
    """Invert PATH: the root that `path` proves for `leaf` at `index`, or None if it cannot."""
    if not 0 <= index < size:
        return None
    if size == 1:
        return leaf if not path else None
    if not path:
        return None
    k = split_point(size)
    sibling = path[-1]
    if index < k:
        left = root_from_audit_path(alg, index, k, leaf, path[:-1])
        return None if left is None else node_hash(alg, left, sibling)
    right = root_from_audit_path(alg, index - k, size - k, leaf, path[:-1])
    return None if right is None else node_hash(alg, sibling, right)


def inclusion_ok(  # noqa: PLR0917 - the argument order of RFC 9162 section 2.1.3.2
    alg: str, index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    if any(len(p) != 32 for p in path) or len(leaf) != 32:
        return False
    got = root_from_audit_path(alg, index, size, leaf, path)
    return got is not None and got == root


def _subproof(alg: str, m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root_of_hashes(alg, hashes)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(alg, m, hashes[:k], complete), root_of_hashes(alg, hashes[k:])]
    return [*_subproof(alg, m - k, hashes[k:], False), root_of_hashes(alg, hashes[:k])]


def consistency_path(alg: str, hashes: Sequence[bytes], m: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2; empty for m == 0 (project decision) and m == n."""
    assert 0 <= m <= len(hashes)
    if m == 0:
        return []
    return _subproof(alg, m, hashes, True)


# --- sections 2 and 4: the dataset -------------------------------------------------------------


def file_root(alg: str, data: bytes) -> bytes:
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    return mth(alg, chunks)


def entry(name: str, size: int, root: bytes) -> bytes:
    raw = name.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw + struct.pack(">Q", size) + root


def check_code(alg: str, root_hex: str, file_count: int, total_bytes: int) -> str:
    text = f"DIPCHK1|{alg}|{root_hex}|{file_count}|{total_bytes}"
    return H(alg, text.encode("ascii")).hex().upper()[:12]


@dataclass
class Digest:
    alg: str
    files: list[tuple[str, int, bytes]]  # (NFC name, size, file root), sorted by name bytes
    root: bytes = b""
    excludes: list[str] = field(default_factory=list)

    @property
    def root_hex(self) -> str:
        return self.root.hex()

    @property
    def file_count(self) -> int:
        return len(self.files)

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size, _ in self.files)

    @property
    def check_code(self) -> str:
        return check_code(self.alg, self.root_hex, self.file_count, self.total_bytes)

    def record(self, name: str) -> tuple[str, int, bytes]:
        return next(f for f in self.files if f[0] == name)

    def index(self, name: str) -> int:
        return [f[0] for f in self.files].index(name)

    def leaf_hashes(self) -> list[bytes]:
        return [leaf_hash(self.alg, entry(*f)) for f in self.files]


def dataset_root(alg: str, files: Iterable[tuple[str, int, bytes]]) -> bytes:
    """MTH over the entries, in the order given (callers sort)."""
    return mth(alg, [entry(n, s, r) for n, s, r in files])


def sort_key(name: str) -> bytes:
    return name.encode("utf-8")


def excluded(rel_parts: Sequence[str], patterns: Sequence[str]) -> bool:
    rel = "/".join(rel_parts)
    for pattern in patterns:
        if "/" in pattern:
            if fnmatch.fnmatchcase(rel, pattern):
                return True
        elif any(fnmatch.fnmatchcase(part, pattern) for part in rel_parts):
            return True
    return False


def walk(path: Path, exclude: Sequence[str] = ()) -> list[tuple[str, Path]]:
    """(NFC name, absolute path) of every file of the dataset at `path`, unsorted."""
    st = os.lstat(path)
    if stat.S_ISREG(st.st_mode):
        return [(unicodedata.normalize("NFC", path.name), path)]
    if not stat.S_ISDIR(st.st_mode):
        raise ReferenceError_(f"not a file or directory: {path}")
    found: list[tuple[str, Path]] = []

    def visit(directory: Path, parts: tuple[str, ...]) -> None:
        for raw in sorted(os.listdir(os.fsencode(directory))):
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ReferenceError_(f"name is not UTF-8: {raw!r}") from None
            child = directory / name
            rel = (*parts, name)
            if excluded(rel, exclude):
                continue
            mode = os.lstat(child).st_mode
            if stat.S_ISDIR(mode):
                visit(child, rel)
            elif stat.S_ISREG(mode):
                found.append((unicodedata.normalize("NFC", "/".join(rel)), child))
            else:
                raise ReferenceError_(f"special file or link: {'/'.join(rel)}")

    visit(path, ())
    return found


def digest(path: Path | str, alg: str = "sm3", exclude: Sequence[str] = ()) -> Digest:
    files = walk(Path(path), exclude)
    if not files:
        raise ReferenceError_("empty dataset")
    names = [n for n, _ in files]
    if len(set(names)) != len(names):
        raise ReferenceError_("names equal after NFC")
    records = []
    for name, p in sorted(files, key=lambda f: sort_key(f[0])):
        data = p.read_bytes()
        records.append((name, len(data), file_root(alg, data)))
    d = Digest(alg=alg, files=records, excludes=list(exclude))
    d.root = dataset_root(alg, records)
    return d


# --- section 6: the manifest -------------------------------------------------------------------


def manifest_dict(
    d: Digest, *, created: str = "2026-11-21T08:00:00Z", tool: str = "reference 1"
) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "alg": d.alg,
        "chunk_size": CHUNK,
        "root": d.root_hex,
        "check_code": d.check_code,
        "file_count": d.file_count,
        "total_bytes": d.total_bytes,
        "created": created,
        "tool": tool,
        "excludes": list(d.excludes),
        "files": [{"name": n, "size": s, "root": r.hex()} for n, s, r in d.files],
    }


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def manifest_problems(obj: Any) -> list[str]:  # noqa: PLR0912 - one branch per rule
    """Every rule of section 6 the object breaks (empty when it is a valid manifest)."""
    if not isinstance(obj, dict):
        return ["not an object"]
    problems = [f"missing {key}" for key in MANIFEST_KEYS if key not in obj]
    if problems:
        return problems
    if obj["format"] != MANIFEST_FORMAT:
        problems.append("format")
    if obj["alg"] not in ALGS:
        return [*problems, "alg"]
    if not (_is_int(obj["chunk_size"]) and obj["chunk_size"] == CHUNK):
        problems.append("chunk_size")
    if not (isinstance(obj["root"], str) and HEX64.fullmatch(obj["root"])):
        problems.append("root format")
    if not (isinstance(obj["check_code"], str) and CHECK12.fullmatch(obj["check_code"])):
        problems.append("check_code format")
    problems.extend(
        f"{key} type"
        for key in ("file_count", "total_bytes")
        if not (_is_int(obj[key]) and obj[key] >= 0)
    )
    if not (isinstance(obj["created"], str) and RFC3339_UTC.fullmatch(obj["created"])):
        problems.append("created")
    if not isinstance(obj["tool"], str) or not obj["tool"]:
        problems.append("tool")
    if not (isinstance(obj["excludes"], list) and all(isinstance(p, str) for p in obj["excludes"])):
        problems.append("excludes")
    files = obj["files"]
    if not isinstance(files, list):
        return [*problems, "files type"]
    records = []
    for i, f in enumerate(files):
        if not (
            isinstance(f, dict)
            and isinstance(f.get("name"), str)
            and _is_int(f.get("size"))
            and f["size"] >= 0
            and isinstance(f.get("root"), str)
            and HEX64.fullmatch(f["root"])
        ):
            problems.append(f"files[{i}] shape")
            continue
        if unicodedata.normalize("NFC", f["name"]) != f["name"]:
            problems.append(f"files[{i}] not NFC")
        records.append((f["name"], f["size"], bytes.fromhex(f["root"])))
    if problems:
        return problems
    keys = [sort_key(n) for n, _, _ in records]
    if any(a >= b for a, b in itertools.pairwise(keys)):
        problems.append("files not strictly sorted")
    if not records:
        problems.append("no files")
    if obj["file_count"] != len(records):
        problems.append("file_count")
    if obj["total_bytes"] != sum(s for _, s, _ in records):
        problems.append("total_bytes")
    if obj["root"] != dataset_root(obj["alg"], records).hex():
        problems.append("root")
    if obj["check_code"] != check_code(
        obj["alg"], obj["root"], obj["file_count"], obj["total_bytes"]
    ):
        problems.append("check_code")
    return problems


def reseal(obj: dict[str, Any], *, root: bool = True, counts: bool = False) -> dict[str, Any]:
    """Recompute root (over files in the order given) and check code of a manifest-like dict.

    Lets a test break exactly one rule while keeping every other value consistent."""
    records = [(f["name"], f["size"], bytes.fromhex(f["root"])) for f in obj["files"]]
    if counts:
        obj["file_count"] = len(records)
        obj["total_bytes"] = sum(s for _, s, _ in records)
    if root:
        obj["root"] = dataset_root(obj["alg"], records).hex()
    obj["check_code"] = check_code(obj["alg"], obj["root"], obj["file_count"], obj["total_bytes"])
    return obj


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")


# --- section 7: the single-file proof ----------------------------------------------------------


def proof_dict(d: Digest, name: str) -> dict[str, Any]:
    index = d.index(name)
    n, size, root = d.files[index]
    return {
        "format": PROOF_FORMAT,
        "alg": d.alg,
        "chunk_size": CHUNK,
        "root": d.root_hex,
        "check_code": d.check_code,
        "file_count": d.file_count,
        "total_bytes": d.total_bytes,
        "file": {"name": n, "size": size, "root": root.hex()},
        "index": index,
        "path": [p.hex() for p in audit_path(d.alg, d.leaf_hashes(), index)],
    }


def proof_ok(data: bytes, proof: dict[str, Any], expected_root: str | None = None) -> bool:
    """Section 7 verification, steps 1-4, over the bytes of FILE."""
    try:
        alg = proof["alg"]
        if proof["format"] != PROOF_FORMAT or alg not in ALGS or proof["chunk_size"] != CHUNK:
            return False
        if proof["check_code"] != check_code(
            alg, proof["root"], proof["file_count"], proof["total_bytes"]
        ):
            return False
        f = proof["file"]
        if len(data) != f["size"] or file_root(alg, data).hex() != f["root"]:
            return False
        leaf = leaf_hash(alg, entry(f["name"], f["size"], bytes.fromhex(f["root"])))
        path = [bytes.fromhex(p) for p in proof["path"]]
        if not inclusion_ok(
            alg, proof["index"], proof["file_count"], leaf, path, bytes.fromhex(proof["root"])
        ):
            return False
    except (KeyError, TypeError, ValueError):
        return False
    return expected_root is None or expected_root == proof["root"]
