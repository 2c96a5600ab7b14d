"""Builders for the golden datasets: files on disk only; expected values come from reference.py.

No imports from the tests package, so tests/tool can load this file by path.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

MIB = 1_048_576
# A copy of shared/testvectors/rfc6962-merkle (transparency-dev/merkle's testdata, Apache 2.0,
# see its LICENSE), so that a clone anywhere runs every test.
VECTORS = Path(__file__).resolve().parent / "vectors" / "rfc6962-merkle"

# On-disk relative names. Chosen so that every plausible wrong ordering differs from the
# bytewise one: "a-b" < "a.b" < "a/b" < "a0" < "ab" by bytes, while a directory-first or a
# component-tuple sort puts "a/b" first, and a case-folding sort moves "B.txt".
GOLDEN_SIZES = {
    "sizes/0.bin": 0,
    "sizes/1.bin": 1,
    "sizes/1MiB-1.bin": MIB - 1,
    "sizes/1MiB.bin": MIB,
    "sizes/1MiB+1.bin": MIB + 1,
    "sizes/3MiB.bin": 3 * MIB,
    "sizes/5MiB+17.bin": 5 * MIB + 17,
}
NFD_NAME = "nfd/cafe\u0301.txt"  # stored decomposed on disk
NFC_NAME = "nfd/caf\u00e9.txt"


def content(seed: str, size: int) -> bytes:
    return random.Random(seed).randbytes(size)  # noqa: S311 - reproducible test data, not secrets


def golden_files() -> dict[str, bytes]:
    files = {name: content(name, size) for name, size in GOLDEN_SIZES.items()}
    files.update(
        {
            "B.txt": b"upper case sorts first\n",
            "back\\slash and space.txt": b"a backslash is not a separator on POSIX",
            "a-b": b"dash",
            "a.b": b"dot",
            "a/b": b"slash",
            "a/c/d.txt": b"deeper",
            "a0": b"zero",
            "ab": b"letters",
            "empty.txt": b"",
            "nested/deep/er/one.bin": b"\x01",
            "nested/deep/empty": b"",
            "数据/样本.csv": "编号,名称\n1,测试\n".encode(),
            "数据/子目录/说明.txt": "中文说明\n".encode(),
            "emoji/\U0001f600.txt": b"4-byte UTF-8 name",
            "latin/\u00ff.txt": b"y with diaeresis",
            NFD_NAME: b"decomposed on disk",
        }
    )
    return files


GOLDEN_EMPTY_DIRS = ("empty-dir/sub", "数据/空目录")


def write_tree(root: Path, files: dict[str, bytes], empty_dirs: tuple[str, ...] = ()) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name in empty_dirs:
        (root / name).mkdir(parents=True, exist_ok=True)
    return root


def build_golden(root: Path) -> Path:
    return write_tree(root, golden_files(), GOLDEN_EMPTY_DIRS)


def small_files() -> dict[str, bytes]:
    return {
        "a.csv": b"id,value\n1,2\n",
        "b/c.txt": b"hello",
        "b/d.txt": b"world",
        "数据.txt": "数据".encode(),
        "caf\u00e9.txt": b"NFC name",
        "z.bin": content("z", MIB + 5),
    }


def build_small(root: Path) -> Path:
    return write_tree(root, small_files())


def make_sparse(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def add_invalid_utf8_name(directory: Path, raw: bytes = b"bad\xff.csv") -> bytes:
    target = os.fsencode(directory) + b"/" + raw
    with open(target, "wb") as f:
        f.write(b"x")
    return target


# Prepended to the code of a child Python: when it runs as root, it drops every capability
# (capset(2), so CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH go) while keeping uid 0, so file
# permission bits apply to it as to the owner of a file; mode 000 then means unreadable. It
# stays able to read the interpreter and the checkout, which are owner-readable. It prints
# SETUP_FAILED and exits 3 when the kernel refuses.
DROP_PRIVILEGES = """
import ctypes, os, sys
if os.geteuid() == 0:
    class _Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
    class _Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]
    _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.capset(ctypes.byref(_Header(0x20080522, 0)), (_Data * 2)()) != 0:
        print("SETUP_FAILED capset errno", ctypes.get_errno())
        sys.exit(3)
"""
SETUP_FAILED = 3


def unreadable_dataset(root: Path, what: str = "secret.txt") -> Path:
    """A dataset in which `what` (a file, or else the directory `locked`) has mode 000.

    See DROP_PRIVILEGES for running the code under test when we are root."""
    data = write_tree(
        root, {"ok.txt": b"readable", "secret.txt": b"not for you", "locked/inner.txt": b"x"}
    )
    (data / what).chmod(0o000)
    return data


def run_without_privileges(
    code: str, *args: str, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run Python `code` with sys.argv[1:] = args, without root's capabilities.

    First it checks that argv[1], a file or directory the test made inaccessible, really
    cannot be read; the code under test sees the rest of argv."""
    probe = """
_probe = sys.argv[1]
try:
    os.listdir(_probe) if os.path.isdir(_probe) else open(_probe, "rb").close()
except PermissionError:
    pass
else:
    print("SETUP_FAILED", _probe, "is readable")
    sys.exit(3)
"""
    env = dict(kwargs.pop("env", os.environ))
    env.pop("COVERAGE_PROCESS_START", None)
    return subprocess.run(
        [sys.executable, "-c", DROP_PRIVILEGES + probe + code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
        **kwargs,
    )
