"""``/api/v1/public/``: publicity, announcements, registrations, objections, reference data.

Reading needs no account; filing an objection needs a signed-in user. Answers are built from
``publication.selectors`` only.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from dataip.accounts.auth import api_auth
from dataip.accounts.models import User
from dataip.publication import selectors
from dataip.registry import services
from dataip.registry.api import read_upload
from dataip.registry.errors import RegistryError

router = Router(tags=["public"])

_MAX_OBJECTION_FILES = 10


class SampleOut(Schema):
    columns: list[str]
    rows: list[list[str]]
    record_count: int


class PublicityOut(Schema):
    application_number: str
    application_date: datetime.date
    applicant: str
    data_name: str
    data_source: str
    processing_rules: str
    application_scenario: str
    publicity_start: datetime.date
    publicity_end: datetime.date
    display_sample: SampleOut | None


class RegisteredOut(Schema):
    application_number: str
    application_date: datetime.date
    registration_date: datetime.date
    registration_number: str
    certificate_number: str
    applicant: str
    data_name: str
    data_source: str
    processing_rules: str
    application_scenario: str
    industry_section: str
    industry_division: str
    display_sample: SampleOut | None


class ObjectionFiledOut(Schema):
    id: uuid.UUID
    filed_at: datetime.datetime


class DivisionOut(Schema):
    code: str
    name: str


class SectionOut(Schema):
    code: str
    name: str
    divisions: list[DivisionOut]


def _plain(record: Any) -> dict[str, Any]:
    return dataclasses.asdict(record)


@router.get("/publicity", response=list[PublicityOut], summary="Applications in publicity")
def publicity_list(request: HttpRequest, offset: int = 0) -> list[dict[str, Any]]:
    return [_plain(r) for r in selectors.publicity_list(offset=max(offset, 0))]


@router.get("/publicity/{number}", response=PublicityOut, summary="One application in publicity")
def publicity_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _plain(selectors.publicity_get(application_number=number))


@router.post(
    "/publicity/{number}/objections",
    response={201: ObjectionFiledOut},
    auth=api_auth,
    summary="File an objection",
)
def objection_file(
    request: HttpRequest,
    number: str,
    reasons: Form[str],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[ObjectionFiledOut]:
    """With reasons and evidence files (PDF or scans), during the publicity period."""
    uploads = files or []
    if len(uploads) > _MAX_OBJECTION_FILES:
        raise RegistryError("too_many_files", limit=_MAX_OBJECTION_FILES)
    limit = settings.DATAIP_MATERIAL_MAX_BYTES
    data = [(u.name or "file", read_upload(u, limit)) for u in uploads]
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - api_auth lets only signed-in users in
    objection = services.objection_file(
        actor=user,
        application=selectors.publicity_application(application_number=number),
        reasons=reasons,
        files=data,
    )
    return Status(201, ObjectionFiledOut(id=objection.uuid, filed_at=objection.filed_at))


@router.get("/announcements", response=list[RegisteredOut], summary="Registration announcements")
def announcement_list(request: HttpRequest, offset: int = 0) -> list[dict[str, Any]]:
    return [_plain(r) for r in selectors.announcement_list(offset=max(offset, 0))]


@router.get(
    "/registrations/{number}", response=RegisteredOut, summary="A registration by its number"
)
def registration_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _plain(selectors.registration_get(registration_number=number))


@router.get("/certificates/{number}", response=RegisteredOut, summary="Verify a certificate number")
def certificate_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _plain(selectors.registration_get(certificate_number=number))


@router.get("/industries", response=list[SectionOut], summary="GB/T 4754-2017 sections")
def industries(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": c, "name": n, "divisions": [{"code": dc, "name": dn} for dc, dn in ds]}
        for c, n, ds in selectors.industries()
    ]
