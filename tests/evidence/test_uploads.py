"""Uploads hashed while they stream (dataip.evidence.uploads), against the format v1 reference."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import struct
import sys
import time
import tracemalloc
import types
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, JsonResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from pytest_django import Settings

from dataip.core.errors import InputError
from dataip.core.incremental import FileHasher
from dataip.evidence.uploads import (
    FILE_FIELD,
    TOO_LARGE_CODES,
    HashedFile,
    UploadedDataset,
    decode_file_name,
    hash_upload,
)

CORE_TESTS = Path(__file__).resolve().parents[1] / "core"


def _load(name: str) -> Any:
    """tests/core's plain helper files, by path (as tests/tool does)."""
    module_name = f"dataip_tests_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, CORE_TESTS / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[module_name]


reference = _load("reference")
golden = _load("golden")

MIB = 1_048_576
BOUNDARY = "----dataip-test-7d3a9f"
#: What JavaScript's encodeURIComponent leaves as it is.
JS_SAFE = "-_.!~*'()"


def _encode(name: str) -> str:
    return quote(name, safe=JS_SAFE)


def _part(field: str, filename: str | bytes | None, data: bytes, boundary: str = BOUNDARY) -> bytes:
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"'.encode()
    if filename is not None:
        raw = filename if isinstance(filename, bytes) else filename.encode()
        head += b'; filename="' + raw + b'"'
    return head + b"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"


def _body(*parts: bytes, boundary: str = BOUNDARY) -> bytes:
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def _files_body(files: dict[str, bytes]) -> bytes:
    return _body(*(_part(FILE_FIELD, _encode(n), d) for n, d in files.items()))


def _request(
    body: bytes | None = None,
    *,
    stream: Any = None,
    length: int | None = None,
    content_type: str = f"multipart/form-data; boundary={BOUNDARY}",
    method: str = "POST",
) -> WSGIRequest:
    """A WSGI request as a server hands it over: the body is read from wsgi.input."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/upload",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": content_type,
        "wsgi.input": stream if stream is not None else io.BytesIO(body or b""),
    }
    if length is not None or body is not None:
        environ["CONTENT_LENGTH"] = str(length if length is not None else len(body or b""))
    return WSGIRequest(environ)


def _error(request: HttpRequest, alg: str = "sha256") -> InputError:
    with pytest.raises(InputError) as info:
        hash_upload(request, alg=alg)
    return info.value


def _expected(files: dict[str, bytes], alg: str) -> tuple[bytes, list[tuple[str, int, bytes]]]:
    """Root and records by the reference, from names already in NFC."""
    records = sorted(
        ((n, len(d), reference.file_root(alg, d)) for n, d in files.items()),
        key=lambda r: reference.sort_key(r[0]),
    )
    return reference.dataset_root(alg, records), records


# --- results ------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["sm3", "sha256"])
def test_golden_dataset_uploaded(tmp_path: Path, alg: str) -> None:
    files = golden.golden_files()  # NFD_NAME is sent decomposed, as macOS browsers may
    expected = reference.digest(golden.build_golden(tmp_path / "golden"), alg)
    uploaded = hash_upload(_request(_files_body(files)), alg=alg)
    assert isinstance(uploaded, UploadedDataset)
    digest = uploaded.digest
    assert (digest.alg, digest.root, digest.file_count, digest.total_bytes) == (
        alg,
        expected.root,
        expected.file_count,
        expected.total_bytes,
    )
    assert digest.check_code == expected.check_code
    assert [tuple(r) for r in uploaded.records] == expected.files


def test_request_factory_and_plain_names() -> None:
    # Django's own multipart encoder, and names as `curl -F file=@a.csv` sends them.
    files = {"a.csv": b"id\n1\n", "数据.txt": "原样".encode(), "dir/b.bin": b"\x00" * 5000}
    uploads = [
        SimpleUploadedFile("a.csv", files["a.csv"]),
        SimpleUploadedFile("数据.txt", files["数据.txt"]),  # raw UTF-8, not percent-encoded
        SimpleUploadedFile(_encode("dir/b.bin"), files["dir/b.bin"]),
    ]
    request = RequestFactory().post("/upload", {FILE_FIELD: uploads, "note": "说明"})
    uploaded = hash_upload(request, alg="sha256")
    root, records = _expected(files, "sha256")
    assert uploaded.digest.root == root
    assert [tuple(r) for r in uploaded.records] == records
    assert request.POST["note"] == "说明"
    hashed: list[Any] = request.FILES.getlist(FILE_FIELD)  # the stubs say UploadedFile
    assert [type(f) for f in hashed] == [HashedFile] * 3
    assert [(f.name, f.size) for f in hashed] == [
        ("a.csv", 5),
        ("数据.txt", 6),
        ("dir/b.bin", 5000),
    ]
    assert hashed[2].root == reference.file_root("sha256", files["dir/b.bin"])


def test_empty_file_and_chunk_boundaries() -> None:
    files = {
        "empty": b"",
        "one-chunk": golden.content("c", MIB),
        "chunk-plus-one": golden.content("d", MIB + 1),
        "nested/deep/three": golden.content("e", 3 * MIB - 1),
    }
    uploaded = hash_upload(_request(_files_body(files)), alg="sm3")
    root, records = _expected(files, "sm3")
    assert uploaded.digest.root == root
    assert [tuple(r) for r in uploaded.records] == records


def test_base64_parts_are_decoded() -> None:
    data = golden.content("b64", 100_000)
    part = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + base64.encodebytes(data)
        + b"\r\n"
    )
    uploaded = hash_upload(_request(_body(part)), alg="sha256")
    assert uploaded.records[0][1:] == (len(data), reference.file_root("sha256", data))


def test_nothing_is_written_to_disk(settings: Settings, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1  # Django's handlers would write any file there
    body = _files_body({"a.bin": golden.content("a", 3 * MIB)})
    hash_upload(_request(body), alg="sha256")
    assert list(spool.iterdir()) == []
    # The same body through Django's default handlers does write: the check above can fail.
    control = _request(body)
    files = control.FILES.getlist(FILE_FIELD)
    assert len(list(spool.iterdir())) == 1
    for f in files:
        f.close()


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("a.csv", "a.csv"),
        ("a%2Fb%2Fc.txt", "a/b/c.txt"),
        ("%E6%95%B0%E6%8D%AE%2F%E6%A0%B7%E6%9C%AC.csv", "数据/样本.csv"),
        ("cafe%CC%81.txt", "caf\u00e9.txt"),  # NFD sent, NFC recorded
        ("back%5Cslash", "back\\slash"),
        ("100%25.csv", "100%.csv"),
        ("%F0%9F%98%80", "\U0001f600"),
        ("x y (1).txt", "x y (1).txt"),
    ],
)
def test_percent_encoded_names(sent: str, name: str) -> None:
    assert unicodedata.normalize("NFC", decode_file_name(sent)) == name
    uploaded = hash_upload(_request(_body(_part(FILE_FIELD, sent, b"x"))), alg="sha256")
    assert [r.name for r in uploaded.records] == [name]


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        (b"100%.csv", "upload_name_encoding"),  # a bare "%": not percent-encoded
        (b"%E6%95.csv", "upload_name_encoding"),  # cut inside a UTF-8 sequence
        (b"%FF.csv", "upload_name_encoding"),
        (b"%ED%A0%80", "upload_name_encoding"),  # an encoded surrogate
        (b"\xff.csv", "upload_malformed"),  # Django drops a header that is not UTF-8
        (b"%2Fetc%2Fpasswd", "name_invalid"),
        (b"..%2Fsecret", "name_invalid"),
        (b"a%2F%2Fb", "name_invalid"),
        (b"a%2F", "name_invalid"),
        (b"a%0Ab", "name_invalid"),
        (b"a%00b", "name_invalid"),
    ],
)
def test_bad_names(sent: bytes, code: str) -> None:
    body = _body(_part(FILE_FIELD, "ok.txt", b"ok"), _part(FILE_FIELD, sent, b"x"))
    assert _error(_request(body)).code == code


@pytest.mark.parametrize(
    ("first", "second", "code"),
    [
        ("a.txt", "a.txt", "name_duplicate"),
        ("caf%C3%A9", "cafe%CC%81", "nfc_collision"),
        ("a", "a%2Fb", "name_file_and_directory"),
        ("a%2Fb", "a", "name_file_and_directory"),
    ],
)
def test_name_collisions(first: str, second: str, code: str) -> None:
    body = _body(_part(FILE_FIELD, first, b"1"), _part(FILE_FIELD, second, b"2"))
    assert _error(_request(body)).code == code


class _FailingStream(io.RawIOBase):
    """A wsgi.input whose every read fails the test: the request must be refused unread."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")


def test_bad_name_is_refused_before_its_bytes_are_hashed(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_hashing(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("hashed a file whose name is refused")

    monkeypatch.setattr(FileHasher, "update", no_hashing)
    body = _body(_part(FILE_FIELD, "..%2Fx", golden.content("x", MIB)))
    assert _error(_request(body)).code == "name_invalid"


# --- refusals -----------------------------------------------------------------------------------


def test_empty_uploads() -> None:
    assert _error(_request(_body())).code == "upload_empty"
    # A file input with nothing chosen: Django takes the part for a text field.
    assert _error(_request(_body(_part(FILE_FIELD, "", b"")))).code == "upload_empty"
    assert _error(_request(_body(_part("note", None, b"text only")))).code == "upload_empty"
    assert _error(_request(b"", length=0)).code == "upload_empty"
    error = _error(_request(_body()))
    assert "'file'" in error.message("en")
    assert "“file”" in error.message("zh")


def test_not_a_multipart_post() -> None:
    assert _error(_request(method="GET")).code == "upload_not_multipart"
    request = RequestFactory().post(
        "/upload", "a=1", content_type="application/x-www-form-urlencoded"
    )
    assert _error(request).code == "upload_not_multipart"
    assert _error(_request(stream=_FailingStream())).code == "upload_no_length"
    error = _error(_request(stream=_FailingStream(), length=0))
    assert error.code == "upload_empty"


def test_unknown_algorithm_is_refused_before_reading() -> None:
    error = _error(_request(stream=_FailingStream(), length=100), alg="md5")
    assert error.code == "alg_unknown"


def test_other_file_field() -> None:
    body = _body(_part("attachment", "a.txt", b"x"))
    error = _error(_request(body))
    assert error.code == "upload_field"
    assert "attachment" in str(error)


def test_byte_limit(settings: Settings) -> None:
    settings.DATAIP_UPLOAD_MAX_BYTES = 10
    at_limit = _files_body({"a": b"x" * 6, "b": b"y" * 4})
    assert hash_upload(_request(at_limit), alg="sha256").digest.total_bytes == 10
    over = _files_body({"a": b"x" * 6, "b": b"y" * 5})
    error = _error(_request(over))
    assert error.code == "upload_too_large"
    assert error.code in TOO_LARGE_CODES
    assert "10 bytes" in str(error)


def test_byte_limit_stops_reading_early(settings: Settings) -> None:
    settings.DATAIP_UPLOAD_MAX_BYTES = MIB
    body = _files_body({"big": golden.content("big", 8 * MIB)})
    stream = io.BytesIO(body)
    assert _error(_request(stream=stream, length=len(body))).code == "upload_too_large"
    assert stream.tell() < 2 * MIB


def test_content_length_too_large_is_refused_unread(settings: Settings) -> None:
    settings.DATAIP_UPLOAD_MAX_BYTES = 1000
    settings.DATAIP_UPLOAD_MAX_FILES = 10
    error = _error(_request(stream=_FailingStream(), length=10**12))
    assert error.code == "upload_too_large"
    # A body just within what the limits allow is read.
    small = _files_body({"a": b"x" * 1000})
    assert hash_upload(_request(small), alg="sha256").digest.total_bytes == 1000


def test_file_count_limit(settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = None
    settings.DATAIP_UPLOAD_MAX_FILES = 2
    assert hash_upload(_request(_files_body({"a": b"", "b": b""})), alg="sha256").records
    error = _error(_request(_files_body({"a": b"", "b": b"", "c": b""})))
    assert error.code == "upload_too_many_files"
    assert error.code in TOO_LARGE_CODES
    assert "2" in str(error)


def test_djangos_file_count_limit_is_reported_too(settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    settings.DATAIP_UPLOAD_MAX_FILES = 100
    error = _error(_request(_files_body({"a": b"", "b": b"", "c": b""})))
    assert (error.code, error.params["limit"]) == ("upload_too_many_files", 2)


def test_parsed_request_is_a_programming_error() -> None:
    request = _request(_files_body({"a": b"x"}))
    assert request.FILES  # e.g. the CSRF middleware read request.POST
    with pytest.raises(RuntimeError, match="csrf_exempt"):
        hash_upload(request, alg="sha256")


# --- broken bodies and interrupted uploads ------------------------------------------------------


def test_malformed_bodies() -> None:
    no_boundary = _request(_files_body({"a": b"x"}), content_type="multipart/form-data")
    assert _error(no_boundary).code == "upload_malformed"
    long_header = _body(_part(FILE_FIELD, "x" * 1100, b"x"))
    assert _error(_request(long_header)).code == "upload_malformed"
    garbage = golden.content("garbage", 5000)
    assert _error(_request(garbage)).code == "upload_malformed"
    bad_base64 = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\nQQ\r\n"
    ).encode()
    assert _error(_request(_body(bad_base64))).code == "upload_malformed"  # 2 of 4 characters
    bad_boundary = _request(b"x", content_type="multipart/form-data; boundary=\x7f")
    assert _error(bad_boundary).code == "upload_malformed"


@pytest.mark.parametrize(
    "skipped",
    [
        _part(FILE_FIELD, "..", b"x"),  # a file name Django's sanitising empties
        b"--"
        + BOUNDARY.encode()
        + b'\r\nContent-Disposition: form-data; filename="a"\r\n\r\nx\r\n',
        b"--" + BOUNDARY.encode() + b"\r\nX-No-Disposition: 1\r\n\r\nx\r\n",
        _part(FILE_FIELD, b"\xff\xfe.csv", b"x"),
    ],
)
def test_parts_django_skips_are_refused(skipped: bytes) -> None:
    # Skipped silently, such a part would leave a file out of the dataset hash.
    body = _body(_part(FILE_FIELD, "a", b"1"), skipped, _part("note", None, b"text"))
    error = _error(_request(body))
    assert error.code == "upload_malformed"
    assert "part" in str(error)


def test_body_cut_between_parts_is_malformed() -> None:
    # Content-Length matches, but the body stops inside the second part's headers: Django's
    # parser takes the rest for a preamble and returns the first file alone.
    first = _part(FILE_FIELD, "a", b"complete")
    second = _part(FILE_FIELD, "b", b"never sent")
    for body in (first + second[:30], first + second, first + second[:-2]):
        error = _error(_request(body))
        assert error.code == "upload_malformed", body
    closed_twice = _body(first) + f"--{BOUNDARY}--\r\n".encode()
    assert "closing delimiter" in str(_error(_request(closed_twice)))


def test_body_ending_inside_a_file_is_malformed() -> None:
    # Content-Length matches the bytes sent, but the file's part has no closing delimiter.
    body = _part(FILE_FIELD, "a", b"complete") + _part(FILE_FIELD, "b", b"x" * 5000)[:-2]
    error = _error(_request(body))
    assert error.code == "upload_malformed"
    assert "inside a file" in str(error)


@pytest.mark.parametrize(
    "keep", ["half", "after-first-part", "inside-second-headers", "all-but-last-byte"]
)
def test_short_body_is_an_interrupted_upload(keep: str) -> None:
    first = _part(FILE_FIELD, "a.bin", golden.content("a", 300_000))
    body = _body(first, _part(FILE_FIELD, "b.bin", golden.content("b", 300_000)))
    cut = {
        "half": len(body) // 2,
        "after-first-part": len(first),
        "inside-second-headers": len(first) + 30,
        "all-but-last-byte": -1,
    }[keep]
    error = _error(_request(stream=io.BytesIO(body[:cut]), length=len(body)))
    assert error.code == "upload_interrupted"
    assert error.params == {"received": len(body[:cut]), "expected": len(body)}


class _DisconnectingStream(io.RawIOBase):
    """A wsgi.input whose client goes away after ``limit`` bytes: reads then fail."""

    def __init__(self, data: bytes, limit: int) -> None:
        self._data = io.BytesIO(data)
        self._limit = limit

    def read(self, size: int = -1) -> bytes:
        if self._data.tell() >= self._limit:
            raise ConnectionResetError(104, "Connection reset by peer")
        return self._data.read(min(size, self._limit - self._data.tell()))


def test_read_error_is_an_interrupted_upload() -> None:
    body = _files_body({"a.bin": golden.content("a", 2 * MIB)})
    stream = _DisconnectingStream(body, MIB)
    error = _error(_request(stream=stream, length=len(body)))
    assert error.code == "upload_interrupted"
    assert error.params["expected"] == len(body)
    assert "nothing was recorded" in str(error)


# --- streaming a large upload in bounded memory -------------------------------------------------

BIG_CHUNKS = 512
BIG_TAIL = b"the last 17 bytes"
BLOCK: bytes = golden.content("block", MIB)


def _big_chunk(i: int) -> bytes:
    """Chunk ``i`` of the big file: a fixed random block that starts with its number."""
    return struct.pack(">Q", i) + BLOCK[8:]


class _GeneratedBody(io.RawIOBase):
    """A wsgi.input that makes a multipart body on the fly, one segment at a time."""

    def __init__(self, segments: Iterator[bytes]) -> None:
        self._segments = segments
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._current:
            segment = next(self._segments, None)
            if segment is None:
                return b""
            self._current = memoryview(segment)
        n = len(self._current) if size is None or size < 0 else min(size, len(self._current))
        out = bytes(self._current[:n])
        self._current = self._current[n:]
        return out


def _big_segments() -> Iterator[bytes]:
    yield _part(FILE_FIELD, "a.txt", b"small file first")
    yield _part(FILE_FIELD, _encode("big/data.bin"), b"")[:-2]  # headers only
    for i in range(BIG_CHUNKS):
        yield _big_chunk(i)
    yield BIG_TAIL + b"\r\n"
    yield f"--{BOUNDARY}--\r\n".encode()


def test_large_upload_streams_in_bounded_memory() -> None:
    length = sum(len(s) for s in _big_segments())
    big_size = BIG_CHUNKS * MIB + len(BIG_TAIL)
    assert length > big_size > 512 * MIB

    tracemalloc.start()
    try:
        start = time.perf_counter()
        uploaded = hash_upload(
            _request(stream=_GeneratedBody(_big_segments()), length=length), alg="sha256"
        )
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Independent: leaf hashes by hashlib, the trees and entries by the reference.
    leaves = [hashlib.sha256(b"\x00" + _big_chunk(i)).digest() for i in range(BIG_CHUNKS)]
    leaves.append(hashlib.sha256(b"\x00" + BIG_TAIL).digest())
    big_root = reference.root_of_hashes("sha256", leaves)
    small = b"small file first"
    records = [
        ("a.txt", len(small), hashlib.sha256(b"\x00" + small).digest()),
        ("big/data.bin", big_size, big_root),
    ]
    assert [tuple(r) for r in uploaded.records] == records
    assert uploaded.digest.root == reference.dataset_root("sha256", records)
    assert uploaded.digest.total_bytes == big_size + len(small)
    assert peak < 16 * MIB, f"peak traced memory {peak / MIB:.1f} MiB"
    assert elapsed < 60, f"{elapsed:.1f} s"


# --- the view pattern of the module docstring ---------------------------------------------------

CSRF_SECRET = "a" * 16 + "B" * 16  # a CSRF secret: 32 letters and digits


@csrf_exempt
def _upload_view(request: HttpRequest) -> JsonResponse:
    try:
        uploaded = hash_upload(request, alg=request.GET.get("alg", "sm3"))
    except InputError as e:
        status = 413 if e.code in TOO_LARGE_CODES else 400
        return JsonResponse({"code": e.code, "message": e.message("en")}, status=status)
    return _record_view(request, uploaded)


@csrf_protect
def _record_view(request: HttpRequest, uploaded: UploadedDataset) -> JsonResponse:
    return JsonResponse({"root": uploaded.digest.root_hex, "note": request.POST.get("note")})


@pytest.fixture
def upload_client(settings: Settings) -> Client:
    urls = types.ModuleType("dataip_test_upload_urls")
    urls.urlpatterns = [path("upload", _upload_view)]  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urls
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def test_view_pattern_checks_csrf_after_hashing(upload_client: Client) -> None:
    data = {"note": "n", FILE_FIELD: [SimpleUploadedFile("a%2Fb.txt", b"hello")]}
    forged = upload_client.post("/upload?alg=sha256", data)
    assert forged.status_code == 403
    data = {"csrfmiddlewaretoken": CSRF_SECRET, **data}
    data[FILE_FIELD] = [SimpleUploadedFile("a%2Fb.txt", b"hello")]
    response = upload_client.post("/upload?alg=sha256", data)
    assert response.status_code == 200
    expected = reference.dataset_root(
        "sha256", [("a/b.txt", 5, reference.file_root("sha256", b"hello"))]
    )
    assert response.json() == {"root": expected.hex(), "note": "n"}


def test_view_pattern_status_codes(upload_client: Client, settings: Settings) -> None:
    settings.DATAIP_UPLOAD_MAX_BYTES = 3
    data = {"csrfmiddlewaretoken": CSRF_SECRET, FILE_FIELD: [SimpleUploadedFile("a", b"four")]}
    too_large = upload_client.post("/upload", data)
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "upload_too_large"
    data = {"csrfmiddlewaretoken": CSRF_SECRET, FILE_FIELD: [SimpleUploadedFile("..%2Fa", b"x")]}
    bad = upload_client.post("/upload", data)
    assert bad.status_code == 400
    assert bad.json()["code"] == "name_invalid"
