"""``/api/v1/evidence/``: the signed-in user's evidence records and their receipts.

Uploads of files to hash (``POST /api/v1/evidence/upload``) are a plain Django view
(``views.upload``): the files must be hashed while they stream, which needs the upload handler
installed before anything reads the request body, and django-ninja reads it first.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from dataip.accounts.auth import api_auth
from dataip.core.errors import InputError
from dataip.evidence import selectors, services
from dataip.evidence.models import Evidence

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
