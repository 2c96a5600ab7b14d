"""``/api/v1/evidence/``: the signed-in user's evidence records and their receipts.

Uploads of files to hash in one request (``POST /api/v1/evidence/upload``) are a plain Django
view (``views.upload``): the files must be hashed while they stream, which needs the upload
handler installed before anything reads the request body, and django-ninja reads it first.

Resumable uploads (``/api/v1/evidence/uploads``): open one with the list of files, send each
file's bytes with ``PATCH`` requests as in the tus 1.0.0 core protocol (``Upload-Offset``,
``application/offset+octet-stream``, ``HEAD`` for the offset to resume from), then ``complete``
it to record the evidence. Each file of an upload is a tus upload resource, so a tus client
given its URL can send it. django-ninja leaves a ``PATCH`` body unread (only ``POST`` forms are
parsed), so the piece streams from the request into the hash.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from dataip.accounts.auth import api_auth
from dataip.core.errors import DataipError, InputError
from dataip.evidence import selectors, services
from dataip.evidence.errors import (
    LengthRequired,
    PreconditionFailed,
    UnsupportedMediaType,
    UploadNotFound,
)
from dataip.evidence.models import Evidence, UploadFile, UploadSession

router = Router(tags=["evidence"], auth=api_auth)

_NOT_FOUND = "没有这条存证记录 / no such evidence record"
#: Counts are 64-bit in the database and in format v1.
MAX_COUNT = 2**63 - 1


class LogPosition(Schema):
    index: int = Field(description="Leaf index in the transparency log")


class EvidenceOut(Schema):
    id: uuid.UUID = Field(description="The record's identifier (the statement's evidence_id)")
    label: str
    alg: str
    root: str = Field(description="Dataset hash value (哈希值), hex")
    check_code: str = Field(description="Hash check code (哈希校验码)")
    file_count: int
    total_bytes: int
    source: str
    created_at: datetime
    statement: dict[str, Any] = Field(description="The statement recorded in the log")
    leaf_hash: str
    log: LogPosition | None = Field(description="Null until the log has integrated it")
    has_manifest: bool


class DigestIn(Schema):
    alg: str = Field("sm3", description="sm3 or sha256")
    root: str = Field(description="Dataset hash value, 64 hex digits")
    check_code: str = Field(description="Hash check code, 12 hex digits")
    file_count: int = Field(le=MAX_COUNT)
    total_bytes: int = Field(le=MAX_COUNT)
    label: str = Field("", max_length=200)


def evidence_out(evidence: Evidence, index: int | None = None) -> EvidenceOut:
    if index is None:
        index = selectors.evidence_log_index(evidence)
    return EvidenceOut(
        id=evidence.uuid,
        label=evidence.label,
        alg=evidence.alg,
        root=evidence.root,
        check_code=evidence.check_code,
        file_count=evidence.file_count,
        total_bytes=evidence.total_bytes,
        source=evidence.source,
        created_at=evidence.created_at,
        statement=json.loads(evidence.statement),
        leaf_hash=evidence.leaf_hash,
        log=None if index is None else LogPosition(index=index),
        has_manifest=bool(evidence.manifest),
    )


def _created(result: tuple[Evidence, bool]) -> Status[EvidenceOut]:
    evidence, created = result
    return Status(201 if created else 200, evidence_out(evidence))


@router.get("", response=list[EvidenceOut], summary="My evidence records")
def evidence_list(request: HttpRequest) -> list[EvidenceOut]:
    records = list(selectors.evidence_list(user=request.user)[:500])
    indices = selectors.evidence_log_indices(records)
    return [evidence_out(e, indices.get(e.pk)) for e in records]


@router.post(
    "/digest", response={200: EvidenceOut, 201: EvidenceOut}, summary="Record a hash value"
)
def record_digest(request: HttpRequest, body: DigestIn) -> Status[EvidenceOut]:
    """From the hash value, check code, file count and total bytes printed by the offline tool.

    201 for a new record, 200 when the same hash value was recorded before (the same record).
    """
    return _created(
        services.evidence_record_digest(
            owner=request.user,  # type: ignore[arg-type]
            alg=body.alg,
            root=body.root,
            check_code_text=body.check_code,
            file_count=body.file_count,
            total_bytes=body.total_bytes,
            label=body.label,
        )
    )


@router.post(
    "/manifest", response={200: EvidenceOut, 201: EvidenceOut}, summary="Record a manifest"
)
def record_manifest(
    request: HttpRequest, manifest: File[UploadedFile], label: Form[str] = ""
) -> Status[EvidenceOut]:
    """From the manifest file written by ``dataip hash --manifest`` (fully validated)."""
    return _created(
        services.evidence_record_manifest(
            owner=request.user,  # type: ignore[arg-type]
            manifest=manifest,
            label=label,
        )
    )


@router.get("/{uuid:evidence_id}", response=EvidenceOut, summary="One evidence record")
def evidence_detail(request: HttpRequest, evidence_id: uuid.UUID) -> EvidenceOut:
    evidence = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    if evidence is None:
        raise HttpError(404, _NOT_FOUND)
    return evidence_out(evidence)


@router.get("/{uuid:evidence_id}/receipt", summary="Download the receipt (存证凭证)")
def evidence_receipt(request: HttpRequest, evidence_id: uuid.UUID) -> HttpResponse:
    """The receipt as a JSON file; check it offline with ``dataip receipt verify``.

    409 while the record is still being logged and time-stamped (a second or so).
    """
    evidence = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    if evidence is None:
        raise HttpError(404, _NOT_FOUND)
    receipt = selectors.evidence_receipt(evidence)
    if receipt is None:
        raise InputError("evidence_receipt_not_ready")
    body = json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="receipt-{evidence.uuid}.json"'
    return response


@router.get("/{uuid:evidence_id}/manifest", summary="Download the manifest")
def evidence_manifest(request: HttpRequest, evidence_id: uuid.UUID) -> FileResponse:
    evidence = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    if evidence is None or not evidence.manifest:
        raise HttpError(404, _NOT_FOUND)
    return FileResponse(
        evidence.manifest.open("rb"),
        as_attachment=True,
        filename=f"manifest-{evidence.uuid}.json",
        content_type="application/json; charset=utf-8",
    )


# --- resumable uploads -------------------------------------------------------------------------

TUS_VERSION = "1.0.0"
PIECE_TYPE = "application/offset+octet-stream"


class UploadFileIn(Schema):
    name: str = Field(description="The file's path in the dataset, '/' between folders")
    size: int = Field(ge=0, le=MAX_COUNT, description="Its size in bytes")
    last_modified: int | None = Field(
        None, description="Its modification time in ms (File.lastModified), to match on resume"
    )


class UploadIn(Schema):
    alg: str = Field("sm3", description="sm3 or sha256")
    label: str = Field("", max_length=200)
    files: list[UploadFileIn] = Field(description="Every file of the dataset")


class UploadFileOut(Schema):
    position: int = Field(description="Its place in the declared list, from 0")
    name: str = Field(description="Its path in the dataset, NFC")
    size: int
    offset: int = Field(description="Bytes received and hashed: send the rest from here")
    complete: bool
    last_modified: int | None
    url: str = Field(description="Where to send its bytes (PATCH) and ask its offset (HEAD)")


class UploadOut(Schema):
    id: uuid.UUID
    alg: str
    label: str
    created_at: datetime
    expires_at: datetime = Field(description="Deleted after this unless a piece arrives")
    file_count: int
    total_bytes: int
    received_bytes: int
    complete: bool = Field(description="Every file fully received")
    evidence_id: uuid.UUID | None = Field(description="The record made from it, once complete")
    files: list[UploadFileOut] | None = Field(description="Null in the list of uploads")


def _file_url(session: UploadSession, position: int) -> str:
    return reverse(
        "api:evidence_upload_file", kwargs={"upload_id": session.uuid, "position": position}
    )


def upload_out(session: UploadSession, *, with_files: bool = True) -> UploadOut:
    recorded = session.evidence is not None
    received = session.total_bytes if recorded else int(getattr(session, "received_bytes", 0))
    files = None
    if with_files:
        files = [
            UploadFileOut(
                position=f.position,
                name=f.name,
                size=f.size,
                offset=f.offset,
                complete=f.complete,
                last_modified=f.last_modified,
                url=_file_url(session, f.position),
            )
            for f in selectors.upload_files(session)
        ]
    return UploadOut(
        id=session.uuid,
        alg=session.alg,
        label=session.label,
        created_at=session.created_at,
        expires_at=session.expires_at,
        file_count=session.file_count,
        total_bytes=session.total_bytes,
        received_bytes=received,
        complete=recorded or received == session.total_bytes,
        evidence_id=session.evidence.uuid if session.evidence is not None else None,
        files=files,
    )


def _session(request: HttpRequest, upload_id: uuid.UUID) -> UploadSession:
    session = selectors.upload_get(user=request.user, upload_id=upload_id)
    if session is None:
        raise UploadNotFound("upload_not_found")
    return session


@router.post("/uploads", response={201: UploadOut}, summary="Open a resumable upload")
def upload_open(request: HttpRequest, body: UploadIn) -> Status[UploadOut]:
    """Declare the files of a dataset; then send each file's bytes to its ``url`` (``PATCH``).

    Names and limits are checked here, before any byte is sent. Empty files are complete at once.
    """
    session = services.upload_open(
        owner=request.user,  # type: ignore[arg-type]
        alg=body.alg,
        label=body.label,
        files=[(f.name, f.size, f.last_modified) for f in body.files],
    )
    found = selectors.upload_get(user=request.user, upload_id=session.uuid)
    assert found is not None  # noqa: S101 - just created
    return Status(201, upload_out(found))


@router.get("/uploads", response=list[UploadOut], summary="My unfinished uploads")
def uploads_open(request: HttpRequest) -> list[UploadOut]:
    return [
        upload_out(s, with_files=False)
        for s in selectors.uploads_open(user=request.user).select_related("evidence")[:100]
    ]


@router.get("/uploads/{uuid:upload_id}", response=UploadOut, summary="One upload and its files")
def upload_detail(request: HttpRequest, upload_id: uuid.UUID) -> UploadOut:
    """Each file's offset: after a break, send each incomplete file's bytes from there."""
    return upload_out(_session(request, upload_id))


@router.delete("/uploads/{uuid:upload_id}", response={204: None}, summary="Discard an upload")
def upload_discard(request: HttpRequest, upload_id: uuid.UUID) -> Status[None]:
    services.upload_cancel(session=_session(request, upload_id))
    return Status(204, None)


@router.post(
    "/uploads/{uuid:upload_id}/complete",
    response={200: EvidenceOut, 201: EvidenceOut},
    summary="Record the evidence of a fully received upload",
)
def upload_complete(request: HttpRequest, upload_id: uuid.UUID) -> Status[EvidenceOut]:
    """201 for a new record, 200 when the same hash value was recorded before.

    409 ``upload_incomplete`` (with ``missing``, the names) while a file is incomplete.
    """
    return _created(services.upload_complete(session=_session(request, upload_id)))


_PIECE_BODY = {
    "requestBody": {
        "required": True,
        "content": {PIECE_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
    "parameters": [
        {
            "in": "header",
            "name": "Upload-Offset",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
            "description": "The file's current offset (HEAD tells it)",
        }
    ],
}


@router.api_operation(
    ["HEAD", "PATCH", "OPTIONS"],
    "/uploads/{uuid:upload_id}/files/{int:position}",
    url_name="evidence_upload_file",
    summary="Send a file's bytes (PATCH), or ask its offset (HEAD), as in tus 1.0.0",
    openapi_extra=_PIECE_BODY,
)
def upload_file(request: HttpRequest, upload_id: uuid.UUID, position: int) -> HttpResponse:
    """tus 1.0.0 core: ``PATCH`` with ``Upload-Offset`` and ``application/offset+octet-stream``.

    The answer is 204 with the new ``Upload-Offset``. The offset advances by whole MiB
    (1,048,576 bytes) or to the file's end: send pieces of whole MiB, and always continue from
    the offset answered. A piece cut short keeps what arrived up to the last whole MiB. 409
    ``upload_offset_mismatch`` (with ``offset``) when ``Upload-Offset`` is not the file's
    offset; 413 ``upload_past_end`` for a piece longer than the rest of the file.
    """
    if request.method == "OPTIONS":
        return _tus(HttpResponse(status=204), None)
    file = None
    try:
        version = request.headers.get("Tus-Resumable")
        if version is not None and version != TUS_VERSION:
            raise PreconditionFailed("upload_tus_version", version=version)
        file = selectors.upload_file_get(user=request.user, upload_id=upload_id, position=position)
        if file is None:
            if selectors.upload_get(user=request.user, upload_id=upload_id) is None:
                raise UploadNotFound("upload_not_found")
            raise UploadNotFound("upload_file_not_found", position=position)
        if request.method == "HEAD":
            response = HttpResponse(status=200)
            response["Cache-Control"] = "no-store"
            return _tus(response, file)
        file, interrupted = _piece(request, file)
    except DataipError as error:
        return _tus(_error(request, error), file)
    if interrupted is not None:
        return _tus(_error(request, interrupted), file)
    return _tus(HttpResponse(status=204), file)


def _piece(request: HttpRequest, file: UploadFile) -> tuple[UploadFile, DataipError | None]:
    content_type = request.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() != PIECE_TYPE:
        raise UnsupportedMediaType("upload_content_type", content_type=content_type)
    offset = _header_int(request, "Upload-Offset")
    if offset is None:
        raise InputError("upload_offset_missing")
    length = _header_int(request, "Content-Length")
    if length is None:
        raise LengthRequired("upload_piece_no_length")
    return services.upload_piece(file=file, offset=offset, length=length, stream=request)


def _header_int(request: HttpRequest, name: str) -> int | None:
    value = request.headers.get(name, "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise InputError("upload_malformed", reason=f"{name} {value!r}")
    return int(value)


def _error(request: HttpRequest, error: DataipError) -> HttpResponse:
    from dataip.api.api import dataip_error  # noqa: PLC0415 - the API module imports this one

    return dataip_error(request, error)


def _tus(response: HttpResponse, file: UploadFile | None) -> HttpResponse:
    """The tus headers: the protocol version, and the file's offset, length and expiry."""
    response["Tus-Resumable"] = TUS_VERSION
    response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = "expiration"
    response["Tus-Max-Size"] = str(settings.DATAIP_UPLOAD_MAX_BYTES)
    if file is not None:
        response["Upload-Offset"] = str(file.offset)
        response["Upload-Length"] = str(file.size)
        response["Upload-Expires"] = http_date(file.session.expires_at.timestamp())
    return response
