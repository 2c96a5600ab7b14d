"""Build ``dataip-tool.pyz``: the offline tool as one file that needs only Python 3.9+.

The archive holds :mod:`dataip.tool`, :mod:`dataip.core` and a ``__main__`` that runs the tool;
nothing else from the package, and no third-party code. The build is reproducible: entries are
sorted and stamped with a fixed time, so the same sources give the same bytes, which lets the
platform publish the archive's SHA-256 beside the download.

Usage: ``python -m dataip.toolbuild OUT.pyz``
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import zipfile
from pathlib import Path

import dataip

#: Modules of the package that go into the archive (paths relative to the package directory):
#: the tool and the standard-library-only part of the core it runs on. The rest of the core
#: (signed notes, time stamps, receipts) needs the platform's dependencies and stays out.
INCLUDED = (
    "__init__.py",
    "tool.py",
    "core/__init__.py",
    "core/documents.py",
    "core/errors.py",
    "core/hashing.py",
    "core/manifest.py",
    "core/merkle.py",
    "core/proof.py",
)
MAIN = b"""# dataip offline evidence tool: python dataip-tool.pyz --help
import sys

if sys.version_info < (3, 9):
    sys.exit("dataip-tool needs Python 3.9 or newer")

from dataip.tool import main

sys.exit(main())
"""
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _sources(package: Path) -> list[Path]:
    files: list[Path] = []
    for item in INCLUDED:
        path = package / item
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    archive.writestr(info, data)


def build_pyz(out: os.PathLike[str] | str) -> str:
    """Write the archive to ``out`` (atomically); returns its SHA-256 in hex."""
    package = Path(dataip.__file__).resolve().parent
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as raw:
        raw.write(b"#!/usr/bin/env python3\n")
        with zipfile.ZipFile(raw, "w") as archive:
            _add(archive, "__main__.py", MAIN)
            for source in _sources(package):
                name = "dataip/" + source.relative_to(package).as_posix()
                _add(archive, name, source.read_bytes())
    tmp.chmod(0o755)
    os.replace(tmp, target)
    return hashlib.sha256(target.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m dataip.toolbuild OUT.pyz\n")
        return 2
    digest = build_pyz(args[0])
    sys.stdout.write(f"{digest}  {args[0]}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
