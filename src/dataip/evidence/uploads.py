"""Evidence uploads: files hashed with dataset hash format v1 while they stream, never stored.

An applicant creates an evidence record by uploading the files of a dataset; the platform keeps
only the hash (``docs/hash-format-v1.md``). :func:`hash_upload` parses the ``multipart/form-data``
body through :class:`HashingUploadHandler`, which feeds each file's bytes to a
:class:`~dataip.core.incremental.FileHasher` as they arrive and records ``(name, size, file
root)`` in a :class:`~dataip.core.incremental.DatasetAccumulator`. Nothing is written to disk,
memory stays at a few MiB whatever the upload's size (one 1 MiB chunk buffer, the parser's
256 KiB reads; 4 MiB peak measured over 512 MiB), and the dataset root is bit-identical to
``hash_dataset`` over the same files laid out as a directory.

The request: files in the form field ``file`` (repeatable); each part's filename is the file's
relative path percent-encoded as UTF-8, because Django strips everything up to the last ``/``
or ``\\`` of a filename. A browser sends ``encodeURIComponent(file.webkitRelativePath ||
file.name)``; ``curl -F file=@a.csv`` sends ``a.csv``. A part's headers must fit in 1024
bytes (Django's limit), which bounds an encoded path to roughly 900 bytes, i.e. about 100 CJK
characters. Limits: ``settings.DATAIP_UPLOAD_MAX_BYTES`` on the files' total bytes (a body whose
Content-Length cannot fit is refused before a byte is read) and
``settings.DATAIP_UPLOAD_MAX_FILES`` on their number; Django's own
``DATA_UPLOAD_MAX_NUMBER_FILES`` (default 100) applies first, so settings must raise it (or set
it to ``None``) for this limit to be the one that matters.

Every failure is an :class:`~dataip.core.errors.InputError`: bad names, an empty upload, a
limit (codes in :data:`TOO_LARGE_CODES`, answered with 413), a malformed body (including a part
Django's parser would skip silently, or a body without its closing delimiter: either would
leave files out of the hash), and a client that disconnects (a body shorter than its
Content-Length, or a read error). Nothing is recorded
here, so there is never a half-recorded upload: the caller records the returned digest only.

Serve uploads under WSGI (gunicorn): Django's ASGI handler spools the whole body to a temporary
file before the view runs.

CSRF: the CSRF middleware reads ``request.POST`` (to find the token) before the view runs, which
would parse the body with the default handlers and store the files. The view is therefore
exempt from the middleware, hashes the upload, and only then checks CSRF, on an inner view
(Django's documentation, "Modifying upload handlers on the fly")::

    @csrf_exempt
    def evidence_upload(request):
        # Refuse cheaply (sign-in, permissions) before the body is read.
        try:
            uploaded = hash_upload(request, alg=request.GET.get("alg", "sm3"))
        except InputError as e:
            return error_response(e, status=413 if e.code in TOO_LARGE_CODES else 400)
        return _evidence_upload(request, uploaded)

    @csrf_protect  # reads the token from request.POST, already parsed by hash_upload
    def _evidence_upload(request, uploaded):
        ...  # call the service that records uploaded.digest

A forged cross-site request thus costs one hash of its body and records nothing. The algorithm
cannot come from a form field: fields are parsed together with the files, after the hashing
starts; take it from the URL or the user's settings. The CSRF token field (or the
``X-CSRFToken`` header) works as usual.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

from dataip.core.errors import InputError, Text
from dataip.core.hashing import DEFAULT_ALG, DatasetDigest, FileRecord
from dataip.core.incremental import DatasetAccumulator, FileHasher
from dataip.core.merkle import new_hasher

__all__ = [
    "FILE_FIELD",
    "TOO_LARGE_CODES",
    "HashedFile",
    "HashingUploadHandler",
    "UploadedDataset",
    "decode_file_name",
    "hash_upload",
    "read_piece",
    "too_large",
]

#: The form field that carries the files (repeatable).
FILE_FIELD = "file"
DEFAULT_MAX_BYTES = 20 << 30
DEFAULT_MAX_FILES = 100_000
#: The error codes a view answers with 413 (Payload Too Large) rather than 400.
TOO_LARGE_CODES = frozenset({"upload_too_large", "upload_too_many_files"})
#: Bytes the parser reads at a time, and so the largest piece a file's hasher receives.
READ_SIZE = 256 << 10
#: Multipart framing per part, at most: a delimiter line (Django accepts boundaries of up to 201
#: characters) and headers (Django refuses more than 1024 bytes), rounded up.
PART_OVERHEAD = 2048
MULTIPART = "multipart/form-data"
#: ``%`` only as the start of ``%XX``: anything else is not percent-encoding.
_PERCENT_ENCODED = re.compile(r"(?:[^%]|%[0-9A-Fa-f]{2})*", re.DOTALL)
_TRUNCATED_PART = Text("数据在一个文件的中途结束", "the body ends inside a file")
_NOT_CLOSED = Text(
    "数据没有以唯一的结束分隔符结尾（可能被截断）",
    "the body does not end with one closing delimiter (it may be cut short)",
)
_SKIPPED_PART = Text(
    "有的部分无法读取（头部不是 UTF-8、缺少字段名或文件名为空）",
    "a part cannot be read (its headers are not UTF-8, or it has no field name or an empty "
    "file name)",
)


@dataclass(frozen=True)
class HashedFile:
    """What ``request.FILES`` holds for an uploaded file: its record, not its content."""

    field_name: str
    name: str  # the NFC relative path
    size: int
    root: bytes  # the file root, format v1 section 3

    def close(self) -> None:
        """Nothing to close (Django closes every uploaded file): the content was never kept."""


@dataclass(frozen=True)
class UploadedDataset:
    """The result of an upload: the dataset digest and its files in manifest order."""

    digest: DatasetDigest
    records: tuple[FileRecord, ...]


def decode_file_name(file_name: str) -> str:
    """The relative path a part's filename carries: percent-decoded, then UTF-8 decoded.

    Raises :class:`InputError` (``upload_name_encoding``) for a ``%`` not followed by two hex
    digits or bytes that are not UTF-8. Validity as a dataset name is checked by the
    accumulator. (A filename whose raw header bytes are not UTF-8 never gets here: Django drops
    the header, and :class:`HashingUploadHandler` refuses the part it then skips.)
    """
    if not _PERCENT_ENCODED.fullmatch(file_name):
        raise InputError("upload_name_encoding", name=ascii(file_name))
    try:
        return unquote_to_bytes(file_name).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("upload_name_encoding", name=ascii(file_name)) from None


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def too_large(limit: int) -> InputError:
    """The error for files of more than ``limit`` bytes in all (answered with 413)."""
    return InputError("upload_too_large", limit=limit, limit_gib=f"{limit / (1 << 30):.4g}")


def _body_limit(max_bytes: int, max_files: int) -> int | None:
    """The largest body that can hold ``max_bytes`` of files and what Django lets through.

    ``None`` when Django leaves the form fields unbounded: no body is too large then.
    """
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    field_bytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if fields is None or field_bytes is None:
        return None
    # +2: the preamble and epilogue around the first and last delimiter.
    return max_bytes + (max_files + fields + 2) * PART_OVERHEAD + field_bytes


@contextlib.contextmanager
def _as_input_errors() -> Iterator[None]:
    """Django's parser errors as this project's :class:`InputError`."""
    try:
        yield
    except TooManyFilesSent:
        raise InputError(
            "upload_too_many_files", limit=settings.DATA_UPLOAD_MAX_NUMBER_FILES
        ) from None
    except (MultiPartParserError, SuspiciousOperation) as e:
        # SuspiciousOperation: a stuck parser, too many or too large form fields.
        raise InputError(
            "upload_malformed", reason=str(e).rstrip(".") or type(e).__name__
        ) from None


class _Occurrences:
    """Counts a byte pattern in a stream read piece by piece, including across two pieces."""

    def __init__(self, pattern: bytes) -> None:
        self.pattern = pattern
        self.count = 0
        self._tail = b""  # the last len(pattern) - 1 bytes seen

    def feed(self, data: bytes) -> None:
        keep = len(self.pattern) - 1
        # Occurrences that start in the tail and end in this piece, then those inside it.
        self.count += (self._tail + data[:keep]).count(self.pattern)
        self.count += data.count(self.pattern)
        self._tail = (self._tail + data)[-keep:] if len(data) < keep else data[-keep:]


class _BodyReader:
    """The request body as the parser reads it: a short or failed read is an interruption.

    WSGI servers report a client that disconnects either as a read error or as a body that
    ends before its Content-Length; either way nothing is recorded. The reader also counts the
    multipart delimiters (as Django's parser, ``--`` and the boundary end a part wherever they
    occur) and the closing delimiter, so that what Django's parser passes over without a word
    can be refused: a part it skips (headers that are not UTF-8, no field name, a file name its
    sanitising empties) or a body cut short between two parts would leave files out of the
    dataset.
    """

    def __init__(self, source: Any, expected: int, boundary: bytes) -> None:
        self._source = source
        self._expected = expected
        self._received = 0
        self.delimiters = _Occurrences(b"--" + boundary)
        self.closings = _Occurrences(b"--" + boundary + b"--")

    def read(self, size: int | None = -1, /) -> bytes:
        try:
            data = bytes(self._source.read(size))
        except OSError as e:  # includes Django's UnreadablePostError
            raise self._interrupted() from e
        if not data and size != 0 and self._received < self._expected:
            raise self._interrupted()
        self._received += len(data)
        self.delimiters.feed(data)
        self.closings.feed(data)
        return data

    def _interrupted(self) -> InputError:
        return InputError("upload_interrupted", received=self._received, expected=self._expected)


class HashingUploadHandler(FileUploadHandler):
    """A Django upload handler that hashes each file part while it arrives and keeps nothing.

    ``request.FILES[FILE_FIELD]`` lists a :class:`HashedFile` per file; the dataset is in
    ``accumulator``. It takes over the parsing (``handle_raw_input``) only to read the body
    through :class:`_BodyReader` (an early end, skipped parts, the closing delimiter), and
    otherwise relies on Django's multipart parser. Use it through
    :func:`hash_upload`, which turns Django's parser errors into :class:`InputError` too.
    """

    chunk_size = READ_SIZE

    def __init__(
        self,
        request: HttpRequest | None = None,
        *,
        alg: str = DEFAULT_ALG,
        max_bytes: int | None = None,
        max_files: int | None = None,
    ) -> None:
        super().__init__(request)
        self.alg = alg
        self.max_bytes = max_bytes or _setting("DATAIP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
        self.max_files = max_files or _setting("DATAIP_UPLOAD_MAX_FILES", DEFAULT_MAX_FILES)
        self.accumulator = DatasetAccumulator(alg)
        self._hasher: FileHasher | None = None
        self._path = ""
        self._received = 0
        self._count = 0
        self._truncated = False
        self._parsing = False

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        """Refuse a body too large to fit, then parse it through a reader that sees its end."""
        if self._parsing:
            return None  # the nested parser below: parse normally
        limit = _body_limit(self.max_bytes, self.max_files)
        if limit is not None and content_length > limit:
            raise too_large(self.max_bytes)
        self._parsing = True
        # Django passes the boundary as bytes, whatever the stubs say.
        raw = boundary if isinstance(boundary, bytes) else boundary.encode("ascii")
        # Any: the parser only calls read(); the stubs ask for a whole file-like protocol, and
        # an __iter__ would make Django's exhaust() read the epilogue by lines.
        reader: Any = _BodyReader(input_data, content_length, raw)
        with _as_input_errors():
            post, files = MultiPartParser(META, reader, [self], encoding).parse()
        if self._truncated:
            raise InputError("upload_malformed", reason=_TRUNCATED_PART)
        if reader.closings.count != 1:
            raise InputError("upload_malformed", reason=_NOT_CLOSED)
        # The last delimiter closes the body; every other one opens a part, a field or a file.
        fields = sum(len(values) for _, values in post.lists())
        if reader.delimiters.count - 1 != self._count + fields:
            raise InputError("upload_malformed", reason=_SKIPPED_PART)
        return post, files

    def new_file(  # noqa: PLR0917 - Django's signature
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        """Check the field, the file count and the name before any of the file's bytes."""
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if field_name != FILE_FIELD:
            raise InputError("upload_field", field=field_name, expected=FILE_FIELD)
        self._count += 1
        if self._count > self.max_files:
            raise InputError("upload_too_many_files", limit=self.max_files)
        self._path = decode_file_name(file_name)
        self.accumulator.check(self._path)
        self._hasher = FileHasher(self.alg)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        """Hash the piece; refuse the upload as soon as the files pass the byte limit."""
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            raise too_large(self.max_bytes)
        assert self._hasher is not None  # noqa: S101 - Django calls new_file first
        self._hasher.update(raw_data)
        return None  # consumed: no handler after this one sees the data

    def file_complete(self, file_size: int) -> HashedFile:  # type: ignore[override]
        # The override returns a HashedFile where Django's stubs expect an UploadedFile: the
        # content is never stored, so there is no file object to return.
        assert self._hasher is not None  # noqa: S101 - Django calls new_file first
        size, root = self._hasher.finish()
        self._hasher = None
        record = self.accumulator.add(self._path, size, root)
        return HashedFile(self.field_name, record.name, size, root)

    def upload_interrupted(self) -> None:
        """The body ended inside a file part (Django calls this instead of file_complete)."""
        self._truncated = True
        self._hasher = None


def hash_upload(request: HttpRequest, *, alg: str) -> UploadedDataset:
    """Hash the files of a multipart upload with format v1, storing nothing; record nothing.

    Installs :class:`HashingUploadHandler` on ``request`` and parses the body; the body must not
    have been parsed or read yet (see the module docstring for the CSRF pattern). Returns the
    digest and the file records in manifest order. Raises :class:`InputError` (codes
    ``upload_*``, ``name_*``, ``bad_name``, ``nfc_collision``, ``alg_unknown``): answer 413 for
    :data:`TOO_LARGE_CODES`, else 400.
    """
    new_hasher(alg)  # an unknown algorithm fails before the body is read
    if request.method != "POST" or request.content_type != MULTIPART:
        raise InputError("upload_not_multipart")
    length = request.META.get("CONTENT_LENGTH")
    if not length:
        raise InputError("upload_no_length")
    if not (length.isascii() and length.isdigit()):
        raise InputError("upload_malformed", reason=f"Content-Length {length!r}")
    handler = HashingUploadHandler(request, alg=alg)
    try:
        request.upload_handlers = [handler]
    except AttributeError:
        raise RuntimeError(
            "hash_upload: the request body was parsed before the upload handler was installed "
            "(is the view csrf_exempt? see dataip.evidence.uploads)"
        ) from None
    with _as_input_errors():
        request.FILES  # noqa: B018 - parses the body through the handler
    accumulator = handler.accumulator
    if not accumulator.file_count:
        raise InputError("upload_empty", field=FILE_FIELD)
    return UploadedDataset(accumulator.digest(), tuple(accumulator.records()))


def read_piece(stream: Any, length: int, sink: Callable[[bytes], None]) -> int:
    """Pass the next ``length`` bytes of ``stream`` to ``sink`` as they arrive; return the count.

    For a resumable upload's piece (a raw body, no multipart framing). A count below ``length``
    means the body was cut short: the client disconnected (a read error, or the body ended
    before its Content-Length). Reads at most ``READ_SIZE`` bytes at a time.
    """
    received = 0
    while received < length:
        try:
            data = stream.read(min(READ_SIZE, length - received))
        except OSError:  # includes Django's UnreadablePostError
            break
        if not data:
            break
        sink(data)
        received += len(data)
    return received
