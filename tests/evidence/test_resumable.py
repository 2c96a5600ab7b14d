"""Resumable uploads (/api/v1/evidence/uploads): pieces over many requests, breaks, resumes.

Golden values come from tests/core/reference.py, the independent implementation of dataset hash
format v1, over the same files laid out on disk.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import socket
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from tests.core import reference

from dataip.accounts import services as accounts_services
from dataip.evidence import services
from dataip.evidence.errors import UploadConflict, UploadError
from dataip.evidence.models import Evidence, UploadFile, UploadSession

pytestmark = pytest.mark.django_db

MIB = 1_048_576
PIECE = "application/offset+octet-stream"
UPLOADS = "/api/v1/evidence/uploads"


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Three files: one of 2.5 MiB (three chunks), one small with a Chinese name, one empty."""
    data = tmp_path / "船舶位置"
    (data / "2024").mkdir(parents=True)
    (data / "2024" / "positions.bin").write_bytes(os.urandom(2 * MIB + MIB // 2))
    (data / "说明.txt").write_text("船舶位置数据\n", encoding="utf-8")
    (data / "empty.csv").write_bytes(b"")
    return data


def _files(dataset: Path) -> list[tuple[str, bytes]]:
    return sorted(
        (p.relative_to(dataset).as_posix(), p.read_bytes())
        for p in dataset.rglob("*")
        if p.is_file()
    )


def _reference_root(tmp_path: Path, files: dict[str, bytes]) -> str:
    """The reference implementation's dataset root of ``files`` laid out in a new folder."""
    folder = tmp_path / "reference"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return reference.digest(folder, "sm3").root.hex()


def _open(api: Client, files: list[tuple[str, bytes]], alg: str = "sm3", **extra: Any) -> Any:
    body = {"alg": alg, "label": "船舶", "files": [{"name": n, "size": len(d)} for n, d in files]}
    body.update(extra)
    return api.post(UPLOADS, body, content_type="application/json")


def _patch(api: Client, url: str, data: bytes, offset: int, **headers: str) -> Any:
    headers = {"Upload-Offset": str(offset), "Tus-Resumable": "1.0.0", **headers}
    return api.generic("PATCH", url, data, content_type=headers.pop("type", PIECE), headers=headers)


def _send(api: Client, upload: dict, files: list[tuple[str, bytes]], piece: int) -> None:
    """Send every file in pieces of ``piece`` bytes, each from the offset the server answered."""
    content = dict(files)
    for f in upload["files"]:
        data, offset = content[f["name"]], f["offset"]
        while offset < len(data):
            r = _patch(api, f["url"], data[offset : offset + piece], offset)
            assert r.status_code == 204, r.content
            offset = int(r["Upload-Offset"])


def test_an_upload_in_pieces_records_the_reference_digest(api, dataset):
    files = _files(dataset)
    r = _open(api, files)
    assert r.status_code == 201, r.content
    upload = r.json()
    assert [f["name"] for f in upload["files"]] == [n for n, _ in files]
    assert [f["complete"] for f in upload["files"]] == [False, True, False]  # the empty file
    assert upload["received_bytes"] == 0 and upload["total_bytes"] == sum(len(d) for _, d in files)
    # Pieces of 1.5 MiB: each advances the offset to the last whole MiB it reached.
    big = upload["files"][0]
    data = dict(files)["2024/positions.bin"]
    r = _patch(api, big["url"], data[: 3 * MIB // 2], 0)
    assert r.status_code == 204 and r["Upload-Offset"] == str(MIB)
    assert r["Tus-Resumable"] == "1.0.0" and r["Upload-Length"] == str(len(data))
    head = api.head(big["url"])
    assert head.status_code == 200 and head["Upload-Offset"] == str(MIB)
    assert head["Cache-Control"] == "no-store"
    _send(api, api.get(f"{UPLOADS}/{upload['id']}").json(), files, 3 * MIB // 2)
    state = api.get(f"{UPLOADS}/{upload['id']}").json()
    assert state["complete"] and state["received_bytes"] == state["total_bytes"]
    r = api.post(f"{UPLOADS}/{upload['id']}/complete")
    assert r.status_code == 201, r.content
    expected = reference.digest(dataset, "sm3")
    assert r.json()["root"] == expected.root.hex()
    assert r.json()["file_count"] == expected.file_count == 3
    assert r.json()["total_bytes"] == expected.total_bytes
    assert r.json()["source"] == "upload" and r.json()["label"] == "船舶"
    manifest = b"".join(api.get(f"/api/v1/evidence/{r.json()['id']}/manifest").streaming_content)
    listed = json.loads(manifest)["files"]
    assert [(f["name"], f["size"]) for f in listed] == [(n, len(d)) for n, d in files]
    # Completing again (a lost answer) gives the same record; the upload is no longer open.
    again = api.post(f"{UPLOADS}/{upload['id']}/complete")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert api.get(f"{UPLOADS}/{upload['id']}").json()["evidence_id"] == r.json()["id"]
    assert api.get(UPLOADS).json() == []
    assert not UploadFile.objects.exists()  # the hash states went with completion


@pytest.mark.parametrize("alg", ["sm3", "sha256"])
def test_whole_files_in_one_piece_each(api, dataset, alg):
    files = _files(dataset)
    upload = _open(api, files, alg).json()
    _send(api, upload, files, 64 * MIB)
    r = api.post(f"{UPLOADS}/{upload['id']}/complete")
    assert r.json()["root"] == reference.digest(dataset, alg).root.hex()


def test_a_piece_cut_short_keeps_the_whole_mebibytes_received(api, dataset, user):
    """A broken connection: the body ends (or fails) before its Content-Length."""
    files = _files(dataset)
    upload = _open(api, files).json()
    big = upload["files"][0]
    data = dict(files)["2024/positions.bin"]

    class Breaking(io.RawIOBase):
        """The client's bytes, then a read error after ``at`` bytes (a reset connection)."""

        def __init__(self, content: bytes, at: int) -> None:
            self.stream, self.left = io.BytesIO(content), at

        def read(self, size: int = -1) -> bytes:
            if self.left <= 0:
                raise OSError("connection reset by peer")
            chunk = self.stream.read(min(size, self.left))
            self.left -= len(chunk)
            return chunk

    r = api.generic(
        "PATCH",
        big["url"],
        headers={"Upload-Offset": "0"},
        CONTENT_TYPE=PIECE,
        CONTENT_LENGTH=str(len(data)),
        **{"wsgi.input": Breaking(data, 2 * MIB + 12345)},
    )
    assert r.status_code == 400 and r.json()["code"] == "upload_piece_interrupted"
    assert r["Upload-Offset"] == str(2 * MIB)
    assert "2097152" in r.json()["detail"]
    # A body that simply ends early: nothing new past the last whole MiB.
    r = api.generic(
        "PATCH",
        big["url"],
        headers={"Upload-Offset": str(2 * MIB)},
        CONTENT_TYPE=PIECE,
        CONTENT_LENGTH=str(len(data) - 2 * MIB),
        **{"wsgi.input": Breaking(data[2 * MIB :], 1000)},
    )
    assert r.status_code == 400 and r["Upload-Offset"] == str(2 * MIB)
    _send(api, api.get(f"{UPLOADS}/{upload['id']}").json(), files, 8 * MIB)
    r = api.post(f"{UPLOADS}/{upload['id']}/complete")
    assert r.json()["root"] == reference.digest(dataset, "sm3").root.hex()


def test_refused_pieces_change_nothing(api, dataset):
    files = _files(dataset)
    upload = _open(api, files).json()
    url = upload["files"][0]["url"]
    data = dict(files)["2024/positions.bin"]
    assert _patch(api, url, data[:MIB], 0).status_code == 204
    r = _patch(api, url, data[:MIB], 0)  # sent twice: the second is at a stale offset
    assert r.status_code == 409 and r.json()["code"] == "upload_offset_mismatch"
    assert r.json()["offset"] == MIB and r["Upload-Offset"] == str(MIB)
    r = _patch(api, url, data[MIB:] + b"x", MIB)
    assert r.status_code == 413 and r.json()["code"] == "upload_past_end"
    r = _patch(api, url, data[MIB:], MIB, type="application/octet-stream")
    assert r.status_code == 415 and r.json()["code"] == "upload_content_type"
    r = _patch(api, url, data[MIB:], MIB, **{"Tus-Resumable": "0.2.2"})
    assert r.status_code == 412 and r.json()["code"] == "upload_tus_version"
    r = api.generic("PATCH", url, data[MIB:], content_type=PIECE)
    assert r.status_code == 400 and r.json()["code"] == "upload_offset_missing"
    r = _patch(api, url, data[MIB:], -5)
    assert r.status_code == 400 and r.json()["code"] == "upload_malformed"
    assert _patch(api, url.replace("/files/0", "/files/9"), b"x", 0).status_code == 404
    assert api.head(url)["Upload-Offset"] == str(MIB)
    r = api.post(f"{UPLOADS}/{upload['id']}/complete")
    assert r.status_code == 409 and r.json()["code"] == "upload_incomplete"
    assert r.json()["missing"] == ["2024/positions.bin", "说明.txt"]
    assert not Evidence.objects.exists()


def test_english_messages_when_asked(api, dataset):
    upload = _open(api, _files(dataset)).json()
    r = _patch(api, upload["files"][0]["url"], b"x" * MIB, 7, **{"Accept-Language": "en"})
    assert r.json()["detail"] == (
        "Upload-Offset is 7 but 0 bytes of the file were received: continue from byte 0"
    )
    r = _patch(api, upload["files"][0]["url"], b"x" * MIB, 7)
    assert r.json()["detail"].startswith("Upload-Offset 为 7，但该文件已收到 0 字节")


@pytest.mark.parametrize(
    ("names", "code"),
    [
        (["../a.csv"], "name_invalid"),
        (["/a.csv"], "name_invalid"),
        (["a.csv", "a.csv"], "name_duplicate"),
        (["caf\u00e9.csv", "cafe\u0301.csv"], "nfc_collision"),
        (["a", "a/b.csv"], "name_file_and_directory"),
        (["x" * 1100], "upload_name_too_long"),
        ([], "upload_no_files"),
    ],
)
def test_bad_declarations_are_refused_before_any_byte(api, names, code):
    r = _open(api, [(n, b"1") for n in names])
    assert r.status_code == 400 and r.json()["code"] == code
    assert not UploadSession.objects.exists()


def test_declaration_limits(api, settings):
    settings.DATAIP_UPLOAD_MAX_BYTES = 10
    r = _open(api, [("a", b"x" * 6), ("b", b"x" * 6)])
    assert r.status_code == 413 and r.json()["code"] == "upload_too_large"
    settings.DATAIP_UPLOAD_MAX_FILES = 1
    r = _open(api, [("a", b"x"), ("b", b"x")])
    assert r.status_code == 413 and r.json()["code"] == "upload_too_many_files"
    assert _open(api, [("a", b"x")], alg="md5").json()["code"] == "alg_unknown"
    settings.DATAIP_UPLOAD_SESSIONS_PER_USER = 2
    assert _open(api, [("a", b"x")]).status_code == 201
    assert _open(api, [("a", b"x")]).status_code == 201
    r = _open(api, [("a", b"x")])
    assert r.status_code == 409 and r.json()["code"] == "upload_sessions_limit"
    assert UploadSession.objects.count() == 2


def test_uploads_are_private(api, client, dataset, django_user_model):
    files = _files(dataset)
    upload = _open(api, files).json()
    url = upload["files"][0]["url"]
    other = Client()
    other.force_login(django_user_model.objects.create_user("other", password="x"))
    base = f"{UPLOADS}/{upload['id']}"
    assert other.get(base).status_code == 404
    assert other.get(UPLOADS).json() == []
    assert other.head(url).status_code == 404
    assert _patch(other, url, b"x" * MIB, 0).status_code == 404
    assert other.post(f"{base}/complete").status_code == 404
    assert other.delete(base).status_code == 404
    anonymous = Client()
    for r in (anonymous.get(base), anonymous.head(url), _patch(anonymous, url, b"x", 0)):
        assert r.status_code == 401
    assert api.head(url)["Upload-Offset"] == "0"  # untouched
    assert [u["id"] for u in api.get(UPLOADS).json()] == [upload["id"]]


def test_a_browser_session_needs_the_csrf_token(user, dataset):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert _open(browser, _files(dataset)).status_code == 403
    session = services.upload_open(owner=user, alg="sm3", label="", files=[("a", 1, None)])
    url = f"{UPLOADS}/{session.uuid}/files/0"
    assert _patch(browser, url, b"x", 0).status_code == 403
    browser.get("/evidence/new/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    r = _patch(browser, url, b"x", 0, **{"X-CSRFToken": token})
    assert r.status_code == 204 and r["Upload-Offset"] == "1"


def test_discard_and_expiry(api, dataset, user, settings):
    files = _files(dataset)
    upload = _open(api, files).json()
    assert api.delete(f"{UPLOADS}/{upload['id']}").status_code == 204
    assert api.get(f"{UPLOADS}/{upload['id']}").status_code == 404
    assert not UploadFile.objects.exists()
    upload = _open(api, files).json()
    url = upload["files"][0]["url"]
    before = UploadSession.objects.get().expires_at
    assert _patch(api, url, dict(files)["2024/positions.bin"][:MIB], 0).status_code == 204
    assert UploadSession.objects.get().expires_at > before  # a piece extends the expiry
    UploadSession.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get(f"{UPLOADS}/{upload['id']}").status_code == 404
    assert api.head(url).status_code == 404
    assert api.get(UPLOADS).json() == []
    _open(api, [("new.csv", b"x")])  # opening another deletes the expired one
    assert list(UploadSession.objects.values_list("file_count", flat=True)) == [1]


def test_expiry_setting_and_header(api, settings):
    settings.DATAIP_UPLOAD_SESSION_HOURS = 5
    upload = _open(api, [("a.csv", b"abc")]).json()
    expires = datetime.datetime.fromisoformat(upload["expires_at"])
    hours = (expires - timezone.now()).total_seconds() / 3600
    assert 4.9 < hours <= 5
    head = api.head(upload["files"][0]["url"])
    assert head["Upload-Expires"].endswith(" GMT") and head["Upload-Length"] == "3"


def test_only_empty_files_are_complete_at_once(api, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "empty").write_bytes(b"")
    upload = _open(api, [("empty", b"")]).json()
    assert upload["complete"]
    r = api.post(f"{UPLOADS}/{upload['id']}/complete")
    assert r.status_code == 201
    assert r.json()["root"] == reference.digest(tmp_path / "d", "sm3").root.hex()


def test_an_upload_of_a_recorded_hash_gives_the_same_record(api, dataset):
    files = _files(dataset)
    first, second = _open(api, files).json(), _open(api, files).json()
    for upload in (first, second):
        _send(api, upload, files, 8 * MIB)
    one = api.post(f"{UPLOADS}/{first['id']}/complete")
    two = api.post(f"{UPLOADS}/{second['id']}/complete")
    assert (one.status_code, two.status_code) == (201, 200)
    assert one.json()["id"] == two.json()["id"] and Evidence.objects.count() == 1


def test_the_protocol_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json()
    operations = spec["paths"]["/api/v1/evidence/uploads/{upload_id}/files/{position}"]
    assert set(operations) >= {"head", "patch"}
    assert PIECE in operations["patch"]["requestBody"]["content"]
    assert {"post", "get"} <= set(spec["paths"]["/api/v1/evidence/uploads"])


def test_the_service_refuses_a_piece_at_a_stale_offset_in_memory(user):
    session = services.upload_open(owner=user, alg="sm3", label="", files=[("a", 2 * MIB, None)])
    file = UploadFile.objects.select_related("session").get(session=session)
    stale = UploadFile.objects.select_related("session").get(session=session)
    services.upload_piece(file=file, offset=0, length=MIB, stream=io.BytesIO(b"a" * MIB))
    # A second request that read the row before the first one wrote it.
    with pytest.raises(UploadConflict) as caught:
        services.upload_piece(file=stale, offset=0, length=MIB, stream=io.BytesIO(b"b" * MIB))
    assert caught.value.extra == {"offset": MIB}
    file.refresh_from_db()
    assert file.offset == MIB


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
def test_two_pieces_for_the_same_file_at_once_count_once(user, tmp_path):
    """Both requests read the file at offset 0 and hash their piece; one wins, one gets 409."""
    data = os.urandom(2 * MIB)
    session = services.upload_open(owner=user, alg="sm3", label="", files=[("a", len(data), None)])
    read_both = threading.Barrier(2)

    class Stream(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() == 0:
                read_both.wait(timeout=30)  # both have loaded the row at offset 0
            return super().read(size)

    results: list[Any] = [None, None]

    def send(i: int) -> None:
        try:
            file = UploadFile.objects.select_related("session").get(session=session)
            results[i] = services.upload_piece(
                file=file, offset=0, length=len(data), stream=Stream(data)
            )[0].offset
        except UploadError as e:
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(str(type(r).__name__) for r in results) == ["UploadConflict", "int"]
    evidence, created = services.upload_complete(session=session)
    assert created
    assert evidence.root == _reference_root(tmp_path, {"a": data})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_that_disconnects_mid_piece_resumes_from_the_kept_offset(
    live_server, user, tmp_path
):
    """A real server and socket: the client closes the connection 3.5 MiB into a 5 MiB piece."""
    data = os.urandom(5 * MIB + 333)
    session = services.upload_open(owner=user, alg="sm3", label="", files=[("a", len(data), None)])
    url = f"{UPLOADS}/{session.uuid}/files/0"
    _, token = accounts_services.api_token_create(actor=user, name="test")
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        head = (
            f"PATCH {url} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: {PIECE}\r\nUpload-Offset: 0\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        sock.sendall(head.encode() + data[: 3 * MIB + MIB // 2])
        sock.shutdown(socket.SHUT_WR)  # the client is gone: the body ends early
        sock.recv(1)
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        live_server.url + url, method="HEAD", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.headers["Upload-Offset"] == str(3 * MIB)
    file = UploadFile.objects.select_related("session").get(session=session)
    services.upload_piece(
        file=file, offset=3 * MIB, length=len(data) - 3 * MIB, stream=io.BytesIO(data[3 * MIB :])
    )
    evidence, _ = services.upload_complete(session=session)
    assert evidence.root == _reference_root(tmp_path, {"a": data})


def test_the_admin_lists_uploads_and_may_delete_them(client, user, django_user_model):
    session = services.upload_open(owner=user, alg="sm3", label="", files=[("a.csv", 3, None)])
    admin_user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    listing = client.get("/admin/evidence/uploadsession/")
    assert listing.status_code == 200 and str(session.uuid) in listing.content.decode()
    assert client.get("/admin/evidence/uploadsession/add/").status_code == 403
    delete = f"/admin/evidence/uploadsession/{session.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not UploadSession.objects.exists() and not UploadFile.objects.exists()


def test_a_declaration_over_the_body_limit_is_a_413_in_the_apis_form(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = _open(api, [(f"folder/{i:06d}.csv", b"x") for i in range(100)])
    assert r.status_code == 413 and r.json()["code"] == "request_too_large"
    assert "离线工具" in r.json()["detail"] and "0.001 MB" in r.json()["detail"]
    assert not UploadSession.objects.exists()
