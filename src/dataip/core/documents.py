"""JSON documents of the offline tool (manifests, proofs): atomic writing, strict reading.

A document is written to a temporary file beside its target and renamed into place only once it
is complete, so an interrupted or failed run never leaves a partial document. Reading validates
every field and raises :class:`~dataip.core.errors.ManifestError` naming the field and what is
wrong with it, in Chinese and English.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

from dataip.core.errors import InputError, ManifestError, Text
from dataip.core.hashing import ALGORITHMS, CHUNK_SIZE

MANIFEST = Text("清单", "manifest")
PROOF = Text("证明文件", "proof")

HEX64 = re.compile(r"[0-9a-f]{64}\Z")
CHECK_CODE = re.compile(r"[0-9A-F]{12}\Z")

_MISSING = Text("缺失", "it is missing")
_NOT_HEX64 = Text("应为 64 位小写十六进制数", "it must be 64 lower-case hex digits")
_NOT_CHECK_CODE = Text("应为 12 位大写十六进制数", "it must be 12 upper-case hex digits")
_NOT_NAME = Text(
    "不是有效的相对文件名（NFC 规范化、以 / 分隔、不含空段、. 或 ..）",
    "it is not a valid relative file name (NFC, '/'-separated, no empty, '.' or '..' parts)",
)
_IS_DIRECTORY = Text("这是一个目录", "it is a directory")
_NO_DIRECTORY = Text("所在目录不存在", "its directory does not exist")
_NOT_WRITABLE = Text("所在目录不可写", "its directory is not writable")
_TYPES = {
    "integer": Text("应为非负整数", "it must be a non-negative integer"),
    "string": Text("应为字符串", "it must be a string"),
    "array": Text("应为数组", "it must be an array"),
    "object": Text("应为对象", "it must be an object"),
}


def check_writable(path: str | os.PathLike[str]) -> None:
    """Fail now, before any long work, if a document cannot be written at ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError("cannot_write", path=path, reason=_IS_DIRECTORY)
    if not os.path.isdir(directory):
        raise InputError("cannot_write", path=path, reason=_NO_DIRECTORY)
    if not os.access(directory, os.W_OK):
        raise InputError("cannot_write", path=path, reason=_NOT_WRITABLE)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A text file that appears at ``path`` only if the ``with`` block completes."""
    check_writable(path)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    try:
        # Unlike mkstemp's 0600, 0666 lets the umask decide, as for any file the user writes.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, 0o666)
    except OSError as e:
        raise InputError("cannot_write", path=path, reason=e.strerror) from None
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError("cannot_write", path=path, reason=e.strerror) from None
        raise


def load_json(path: str | os.PathLike[str], kind: Text) -> dict[str, Any]:
    """The JSON object in ``path``; :class:`ManifestError` if unreadable or not an object."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ManifestError("file_unreadable", kind=kind, path=path, reason=e.strerror) from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ManifestError("file_not_json", kind=kind, path=path, reason=str(e)) from None
    except ValueError as e:
        raise ManifestError("file_not_json", kind=kind, path=path, reason=str(e)) from None
    if not isinstance(doc, dict):
        raise ManifestError("file_not_json", kind=kind, path=path, reason="not a JSON object")
    return doc


class DatasetHeader(NamedTuple):
    """The fields every document about a dataset starts with."""

    alg: str
    root: bytes
    check_code: str
    file_count: int
    total_bytes: int


class Fields:
    """Typed access to a document's fields; each failure names the field."""

    def __init__(
        self, doc: dict[str, Any], kind: Text, path: str | os.PathLike[str], prefix: str = ""
    ) -> None:
        self.doc, self.kind, self.path, self.prefix = doc, kind, path, prefix

    def fail(self, field: str, problem: Text) -> ManifestError:
        return ManifestError(
            "file_field", kind=self.kind, path=self.path, field=self.prefix + field, problem=problem
        )

    def dataset_header(self, expected_format: str) -> DatasetHeader:
        """Format (exactly ``expected_format``), alg, chunk size, root, check code, counts."""
        found = self.string("format")
        if found != expected_format:
            raise ManifestError(
                "file_format", kind=self.kind, path=self.path, found=found, expected=expected_format
            )
        alg = self.one_of("alg", ALGORITHMS)
        self.equal("chunk_size", CHUNK_SIZE)
        return DatasetHeader(
            alg,
            self.hex64("root"),
            self.check_code("check_code"),
            self.integer("file_count"),
            self.integer("total_bytes"),
        )

    def _get(self, field: str, kind: str, types: Any) -> Any:
        if field not in self.doc:
            raise self.fail(field, _MISSING)
        value = self.doc[field]
        # bool is an int in Python, never in our documents
        if not isinstance(value, types) or isinstance(value, bool):
            raise self.fail(field, _TYPES[kind])
        return value

    def integer(self, field: str) -> int:
        value: int = self._get(field, "integer", int)
        if value < 0:
            raise self.fail(field, _TYPES["integer"])
        return value

    def string(self, field: str) -> str:
        value: str = self._get(field, "string", str)
        return value

    def array(self, field: str) -> list[Any]:
        value: list[Any] = self._get(field, "array", list)
        return value

    def object(self, field: str) -> Fields:
        value: dict[str, Any] = self._get(field, "object", dict)
        return Fields(value, self.kind, self.path, self.prefix + field + ".")

    def item(self, field: str, index: int) -> Fields:
        """Element ``index`` of the array ``field``, which must be an object."""
        value = self.doc[field][index]
        name = f"{field}[{index}]"
        if not isinstance(value, dict):
            raise self.fail(name, _TYPES["object"])
        return Fields(value, self.kind, self.path, self.prefix + name + ".")

    def equal(self, field: str, expected: Any) -> Any:
        value = self.doc.get(field)
        if value is None:
            raise self.fail(field, _MISSING)
        if value != expected or isinstance(value, bool):
            raise self.fail(field, Text(f"应为 {expected}", f"it must be {expected}"))
        return value

    def one_of(self, field: str, allowed: tuple[str, ...]) -> str:
        value = self.string(field)
        if value not in allowed:
            choices = " | ".join(allowed)
            raise self.fail(field, Text("应为 " + choices, "it must be " + choices))
        return value

    def hex64(self, field: str) -> bytes:
        value = self.string(field)
        if not HEX64.match(value):
            raise self.fail(field, _NOT_HEX64)
        return bytes.fromhex(value)

    def check_code(self, field: str) -> str:
        value = self.string(field)
        if not CHECK_CODE.match(value):
            raise self.fail(field, _NOT_CHECK_CODE)
        return value

    def name(self, field: str) -> str:
        """A dataset file name: valid UTF-8, NFC, a clean relative ``/`` path."""
        value = self.string(field)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail(field, _NOT_NAME) from None
        parts = value.split("/")
        if unicodedata.normalize("NFC", value) != value or any(p in ("", ".", "..") for p in parts):
            raise self.fail(field, _NOT_NAME)
        return value
