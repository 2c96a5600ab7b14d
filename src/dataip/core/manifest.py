"""The manifest (``dataip-manifest/1``, section 6 of docs/hash-format-v1.md).

A manifest lists every file's name, size and file root, with the dataset's hash value and check
code; it holds no data content. :func:`create_manifest` hashes a dataset and writes the manifest
atomically, streaming the file list through a temporary spool so that memory does not grow with
the number of files. :func:`read_manifest` checks everything the specification requires,
including that the recorded root, counts and check code follow from the recorded files.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

from dataip import __version__
from dataip.core.documents import MANIFEST, Fields, atomic_writer, check_writable, load_json
from dataip.core.errors import InputError, ManifestError, Text
from dataip.core.hashing import (
    CHUNK_SIZE,
    DEFAULT_ALG,
    DatasetDigest,
    FileRecord,
    Progress,
    check_code,
    file_entry,
    hash_dataset,
)
from dataip.core.merkle import TreeBuilder, leaf_hash

MANIFEST_FORMAT = "dataip-manifest/1"
TOOL = "dataip " + __version__

_NO_FILES = Text(
    "不能为空（数据集至少有一个文件）", "it must not be empty (a dataset has at least one file)"
)
_NOT_SORTED = Text(
    "文件未按名称的 UTF-8 字节严格递增排列（或有重名）",
    "files are not in strictly increasing order of their UTF-8 name bytes (or a name repeats)",
)


@dataclass
class Manifest:
    """A validated manifest."""

    alg: str
    root_hex: str
    check_code: str
    file_count: int
    total_bytes: int
    created: str
    tool: str
    excludes: list[str] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_within(inner: str | os.PathLike[str], outer: str | os.PathLike[str]) -> bool:
    inner, outer = os.path.realpath(inner), os.path.realpath(outer)
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def create_manifest(
    dataset_path: str | os.PathLike[str],
    manifest_path: str | os.PathLike[str],
    *,
    alg: str = DEFAULT_ALG,
    jobs: int | None = None,
    exclude: Sequence[str] = (),
    progress: Progress | None = None,
) -> DatasetDigest:
    """Hash ``dataset_path`` and write its manifest to ``manifest_path``, atomically.

    The manifest may not lie inside the dataset: it would change the data it describes.
    """
    if os.path.isdir(dataset_path) and _is_within(manifest_path, dataset_path):
        raise InputError("manifest_inside_dataset", manifest=manifest_path, path=dataset_path)
    check_writable(manifest_path)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:

        def spool_file(record: FileRecord) -> None:
            spool.write(_file_json(record))
            spool.write("\n")

        digest = hash_dataset(
            dataset_path,
            alg=alg,
            jobs=jobs,
            exclude=exclude,
            on_file=spool_file,
            progress=progress,
        )
        spool.seek(0)
        with atomic_writer(manifest_path) as out:
            _write(out, digest, (line.rstrip("\n") for line in spool), exclude)
    return digest


def manifest_text(
    digest: DatasetDigest, records: Iterable[FileRecord], *, exclude: Sequence[str] = ()
) -> str:
    """The manifest of a dataset hashed elsewhere (such as an upload), as a string."""
    out = io.StringIO()
    _write(out, digest, (_file_json(r) for r in records), exclude)
    return out.getvalue()


def _write(
    out: IO[str], digest: DatasetDigest, file_lines: Iterable[str], exclude: Sequence[str]
) -> None:
    header = {
        "format": MANIFEST_FORMAT,
        "alg": digest.alg,
        "chunk_size": CHUNK_SIZE,
        "root": digest.root_hex,
        "check_code": digest.check_code,
        "file_count": digest.file_count,
        "total_bytes": digest.total_bytes,
        "created": _utc_now(),
        "tool": TOOL,
        "excludes": list(exclude),
    }
    out.write("{\n")
    for key, value in header.items():
        out.write(f'  "{key}": {json.dumps(value, ensure_ascii=False)},\n')
    out.write('  "files": [')
    separator = "\n    "
    for line in file_lines:
        out.write(separator)
        out.write(line)
        separator = ",\n    "
    out.write("\n  ]\n}\n")


def _file_json(record: FileRecord) -> str:
    name = json.dumps(record.name, ensure_ascii=False)
    return f'{{"name": {name}, "size": {record.size}, "root": "{record.root.hex()}"}}'


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and fully validate the manifest at ``path``; :class:`ManifestError` if not valid."""
    doc = load_json(path, MANIFEST)
    fields = Fields(doc, MANIFEST, path)
    alg, root, recorded_code, file_count, total_bytes = fields.dataset_header(MANIFEST_FORMAT)
    created = fields.string("created")
    tool = fields.string("tool")
    excludes = fields.array("excludes")
    for i, pattern in enumerate(excludes):
        if not isinstance(pattern, str):
            raise fields.fail(f"excludes[{i}]", Text("应为字符串", "it must be a string"))
    if not fields.array("files"):
        raise fields.fail("files", _NO_FILES)
    files: list[FileRecord] = []
    tree = TreeBuilder(alg)
    previous = b""
    for i in range(len(fields.array("files"))):
        item = fields.item("files", i)
        record = FileRecord(item.name("name"), item.integer("size"), item.hex64("root"))
        key = record.name.encode("utf-8")
        if i and key <= previous:
            raise item.fail("name", _NOT_SORTED)
        previous = key
        tree.add_leaf_hash(leaf_hash(alg, file_entry(*record)))
        files.append(record)
    computed_total = sum(r.size for r in files)
    for name, recorded, computed in (
        ("file_count", file_count, len(files)),
        ("total_bytes", total_bytes, computed_total),
        ("root", root.hex(), tree.root().hex()),
        ("check_code", recorded_code, check_code(alg, root.hex(), file_count, total_bytes)),
    ):
        if recorded != computed:
            raise ManifestError(
                "file_inconsistent",
                kind=MANIFEST,
                path=path,
                field=name,
                recorded=recorded,
                computed=computed,
            )
    return Manifest(
        alg=alg,
        root_hex=root.hex(),
        check_code=recorded_code,
        file_count=file_count,
        total_bytes=total_bytes,
        created=created,
        tool=tool,
        excludes=list(excludes),
        files=files,
    )
