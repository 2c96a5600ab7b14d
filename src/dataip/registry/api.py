"""``/api/v1/applications/`` (applicants) and ``/api/v1/review/`` (examiners).

Handlers parse, authorise, call one service or selector, and shape the answer. Errors are JSON
``{"code", "detail"}``; an action the current state does not allow is 409 with ``state``; an
update of an older ``version`` is 409 with the current ``version``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from dataip.accounts.auth import api_auth
from dataip.accounts.models import User
from dataip.core.errors import Text
from dataip.registry import selectors, services
from dataip.registry.errors import Forbidden, TooLarge
from dataip.registry.files import attachment
from dataip.registry.models import Application, Material, Sample
from dataip.registry.naming import name_advice
from dataip.registry.services import FIELDS, Defect

router = Router(tags=["applications"], auth=api_auth)
review_router = Router(tags=["review"], auth=api_auth)


# --- schemas -----------------------------------------------------------------------------------


class MaterialOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime


class SampleOut(Schema):
    purpose: str
    name: str
    format: str
    record_count: int
    columns: list[str]
    rows: list[list[str]] = Field(description="The first records")


class MissingOut(Schema):
    code: str
    field: str
    message: str


class AdviceOut(Schema):
    code: str
    message: str


class DeadlineOut(Schema):
    kind: str = Field(description="amendment or publicity")
    last_day: datetime.date
    working_days_left: int


class ApplicationOut(Schema):
    id: uuid.UUID
    status: str
    status_label: str
    version: int = Field(description="Send it back with an update; a stale one is refused")
    registrant: str
    application_number: str | None
    submitted_at: datetime.datetime | None
    fields: dict[str, Any] = Field(description="Every field the applicant fills in")
    name_advice: list[AdviceOut] = Field(description="Advice on the data name (never binding)")
    industry_section: str | None
    evidence: dict[str, Any] | None
    materials: list[MaterialOut]
    samples: list[SampleOut]
    amendment_due: datetime.date | None
    defects: list[dict[str, str]]
    publicity_ends: datetime.date | None
    registered_at: datetime.datetime | None
    registration_number: str | None
    certificate_number: str | None
    rejection_grounds: list[str]
    rejection_reasoning: str
    deadline: DeadlineOut | None


class EventOut(Schema):
    kind: str
    label: str
    actor: str | None
    from_status: str
    to_status: str
    reason: str
    data: dict[str, Any]
    at: datetime.datetime
    leaf_hash: str


class CreateIn(Schema):
    data_name: str = Field("", max_length=100)


class UpdateIn(Schema):
    version: int | None = Field(None, description="The version you edited (recommended)")
    fields: dict[str, Any] = Field(description="Field name -> new value")


class VersionIn(Schema):
    version: int | None = None


class ReasonIn(Schema):
    reason: str = Field(max_length=5000)


class DefectIn(Schema):
    field: str = Field("", max_length=64)
    message: str = Field(max_length=2000)


class AmendmentIn(Schema):
    defects: list[DefectIn] = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=5000)


class RejectIn(Schema):
    grounds: list[str] = Field(min_length=1, max_length=20)
    reasoning: str = Field(max_length=5000)


class ResolveIn(Schema):
    outcome: str = Field(description="entitled, not_entitled or not_established")
    proof_kind: str = Field(description="negotiation, mediation, judgment or none")
    resolution: str = Field(max_length=5000)


class ObjectionOut(Schema):
    id: uuid.UUID
    status: str
    reasons: str
    filed_at: datetime.datetime
    files: list[str]
    outcome: str
    proof_kind: str
    resolution: str


class QueueItemOut(Schema):
    id: uuid.UUID
    application_number: str | None
    data_name: str
    registrant: str
    status: str
    submitted_at: datetime.datetime | None
    amendment_due: datetime.date | None
    publicity_ends: datetime.date | None
    open_objections: int


class ReviewOut(Schema):
    application: ApplicationOut
    duplicates: list[QueueItemOut]
    objections: list[ObjectionOut]
    review_sample: SampleOut | None


class GroundOut(Schema):
    code: str
    order: int
    title: str
    title_en: str


def _lang(request: HttpRequest) -> int:
    return 1 if getattr(request, "LANGUAGE_CODE", "").startswith("en") else 0


def _field_value(application: Application, name: str) -> Any:
    value = getattr(application, name)
    if name == "industry_division":
        return value.code if value is not None else None
    if name == "evidence":
        return str(value.uuid) if value is not None else None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _material_out(material: Material) -> MaterialOut:
    return MaterialOut(
        id=material.pk,
        kind=material.kind,
        name=material.original_name,
        content_type=material.content_type,
        size=material.size,
        sha256=material.sha256,
        uploaded_at=material.uploaded_at,
    )


def _sample_out(sample: Sample) -> SampleOut:
    return SampleOut(
        purpose=sample.purpose,
        name=sample.original_name,
        format=sample.format,
        record_count=sample.record_count,
        columns=sample.columns,
        rows=sample.rows,
    )


def application_out(request: HttpRequest, application: Application) -> ApplicationOut:
    deadline = selectors.application_deadline(application)
    evidence = application.evidence
    return ApplicationOut(
        id=application.uuid,
        status=application.status,
        status_label=application.get_status_display(),
        version=application.version,
        registrant=application.registrant.name,
        application_number=application.application_number,
        submitted_at=application.submitted_at,
        fields={name: _field_value(application, name) for name in FIELDS},
        name_advice=[
            AdviceOut(code=a.code, message=(a.zh, a.en)[_lang(request)])
            for a in name_advice(application.data_name)
        ]
        if application.data_name
        else [],
        industry_section=(
            application.industry_division.section_id if application.industry_division else None
        ),
        evidence=None
        if evidence is None
        else {
            "id": str(evidence.uuid),
            "alg": evidence.alg,
            "root": evidence.root,
            "check_code": evidence.check_code,
            "file_count": evidence.file_count,
            "total_bytes": evidence.total_bytes,
        },
        materials=[_material_out(m) for m in application.materials.all()],
        samples=[_sample_out(s) for s in application.samples.all()],
        amendment_due=application.amendment_due,
        defects=selectors.application_defects(application),
        publicity_ends=application.publicity_ends,
        registered_at=application.registered_at,
        registration_number=application.registration_number,
        certificate_number=application.certificate_number,
        rejection_grounds=[g.code for g in application.rejection_grounds.all()],
        rejection_reasoning=application.rejection_reasoning,
        deadline=None
        if deadline is None
        else DeadlineOut(kind=deadline[0], last_day=deadline[1], working_days_left=deadline[2]),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - api_auth only lets signed-in users through
    return user


def _get(request: HttpRequest, application_id: uuid.UUID) -> Application:
    return selectors.application_get(user=request.user, application_id=application_id)


def read_upload(upload: UploadedFile, limit: int) -> bytes:
    """The upload's bytes, refused (413) before reading when it is over ``limit``."""
    if upload.size is not None and upload.size > limit:
        raise TooLarge("file_too_large", name=upload.name or "", limit=limit)
    return bytes(upload.read())


# --- applicants --------------------------------------------------------------------------------


@router.get("", response=list[ApplicationOut], summary="My registrant's applications")
def application_list(request: HttpRequest) -> list[ApplicationOut]:
    applications = selectors.application_list(user=request.user).prefetch_related(
        "materials", "samples", "rejection_grounds"
    )[:200]
    return [application_out(request, a) for a in applications]


@router.post("", response={201: ApplicationOut}, summary="Start a draft")
def application_create(request: HttpRequest, body: CreateIn) -> Status[ApplicationOut]:
    application = services.application_create(actor=_user(request), data_name=body.data_name)
    return Status(201, application_out(request, application))


@router.get("/{uuid:application_id}", response=ApplicationOut, summary="One application")
def application_detail(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    return application_out(request, _get(request, application_id))


@router.patch("/{uuid:application_id}", response=ApplicationOut, summary="Edit fields")
def application_update(
    request: HttpRequest, application_id: uuid.UUID, body: UpdateIn
) -> ApplicationOut:
    """Change any of the fields (see ``fields`` of the answer); 409 if ``version`` is stale."""
    application = services.application_update(
        actor=_user(request),
        application=_get(request, application_id),
        changes=body.fields,
        version=body.version,
    )
    return application_out(request, application)


@router.get(
    "/{uuid:application_id}/missing", response=list[MissingOut], summary="What stops submission"
)
def application_missing(request: HttpRequest, application_id: uuid.UUID) -> list[MissingOut]:
    from dataip.registry.completeness import application_missing as missing  # noqa: PLC0415

    lang = _lang(request)
    return [
        MissingOut(code=m.code, field=m.field, message=(m.zh, m.en)[lang])
        for m in missing(_get(request, application_id))
    ]


@router.post(
    "/{uuid:application_id}/materials", response={201: MaterialOut}, summary="Upload a material"
)
def material_upload(
    request: HttpRequest,
    application_id: uuid.UUID,
    kind: Form[str],
    file: File[UploadedFile],
) -> Status[MaterialOut]:
    material = services.material_upload(
        actor=_user(request),
        application=_get(request, application_id),
        kind=kind,
        name=file.name or "file",
        data=read_upload(file, settings.DATAIP_MATERIAL_MAX_BYTES),
    )
    return Status(201, _material_out(material))


@router.get("/{uuid:application_id}/materials/{int:material_id}", summary="Download a material")
def material_download(
    request: HttpRequest, application_id: uuid.UUID, material_id: int
) -> FileResponse:
    material = selectors.material_get(
        user=request.user, application_id=application_id, material_id=material_id
    )
    return attachment(material.file, material.original_name, material.content_type)


@router.delete(
    "/{uuid:application_id}/materials/{int:material_id}",
    response={204: None},
    summary="Remove a material",
)
def material_delete(
    request: HttpRequest, application_id: uuid.UUID, material_id: int
) -> Status[None]:
    material = selectors.material_get(
        user=request.user, application_id=application_id, material_id=material_id
    )
    services.material_delete(actor=_user(request), material=material)
    return Status(204, None)


@router.post(
    "/{uuid:application_id}/samples/{purpose}",
    response={201: SampleOut},
    summary="Upload the review or display sample",
)
def sample_upload(
    request: HttpRequest, application_id: uuid.UUID, purpose: str, file: File[UploadedFile]
) -> Status[SampleOut]:
    """CSV, XLSX or JSON; review needs >= 50 records, display >= 3 (purpose: review, display)."""
    sample = services.sample_upload(
        actor=_user(request),
        application=_get(request, application_id),
        purpose=purpose,
        name=file.name or "sample",
        data=read_upload(file, settings.DATAIP_SAMPLE_MAX_BYTES),
    )
    return Status(201, _sample_out(sample))


@router.get("/{uuid:application_id}/form.pdf", summary="The application form to stamp")
def application_form(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    from dataip.registry.documents import application_form_response  # noqa: PLC0415 - reportlab

    return application_form_response(_get(request, application_id))


@router.post("/{uuid:application_id}/submit", response=ApplicationOut, summary="Submit")
def application_submit(
    request: HttpRequest, application_id: uuid.UUID, body: VersionIn
) -> ApplicationOut:
    """Refused with the complete list of what is missing; else 待审核 with its number."""
    application = services.application_submit(
        actor=_user(request), application=_get(request, application_id), version=body.version
    )
    return application_out(request, application)


@router.post("/{uuid:application_id}/resubmit", response=ApplicationOut, summary="Resubmit")
def application_resubmit(
    request: HttpRequest, application_id: uuid.UUID, body: VersionIn
) -> ApplicationOut:
    application = services.application_resubmit(
        actor=_user(request), application=_get(request, application_id), version=body.version
    )
    return application_out(request, application)


@router.post("/{uuid:application_id}/withdraw", response=ApplicationOut, summary="Withdraw")
def application_withdraw(
    request: HttpRequest, application_id: uuid.UUID, body: ReasonIn
) -> ApplicationOut:
    """Only while 待审核 (submitted), with a reason; never once under review."""
    application = services.application_withdraw(
        actor=_user(request), application=_get(request, application_id), reason=body.reason
    )
    return application_out(request, application)


@router.get("/{uuid:application_id}/events", response=list[EventOut], summary="Timeline")
def application_events(request: HttpRequest, application_id: uuid.UUID) -> list[EventOut]:
    application = _get(request, application_id)
    user = _user(request)
    return [
        EventOut(
            kind=e.kind,
            label=e.get_kind_display(),
            # Applicants see who acted on their own side; examiners are "the registration body".
            actor=(
                None
                if e.actor is None
                else e.actor.get_username()
                if user.is_examiner or e.actor.registrant_id == application.registrant_id
                else application.jurisdiction.registration_body
            ),
            from_status=e.from_status,
            to_status=e.to_status,
            reason=e.reason,
            data=e.data,
            at=e.created_at,
            leaf_hash=e.leaf_hash,
        )
        for e in selectors.application_events(application)
    ]


@router.get("/templates/commitment-letter.pdf", summary="Commitment letter template", auth=None)
def commitment_letter(request: HttpRequest) -> HttpResponse:
    from dataip.registry.documents import commitment_letter_template  # noqa: PLC0415

    response = HttpResponse(commitment_letter_template(), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="commitment-letter.pdf"'
    return response


@router.get(
    "/templates/structure-description.xlsx",
    summary="Data structure description template",
    auth=None,
)
def structure_description(request: HttpRequest) -> HttpResponse:
    from dataip.registry.documents import structure_description_template  # noqa: PLC0415

    response = HttpResponse(
        structure_description_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="structure-description.xlsx"'
    return response


# --- examiners ---------------------------------------------------------------------------------


def _examiner(request: HttpRequest) -> User:
    user = _user(request)
    if not user.is_examiner:
        raise Forbidden("application_forbidden", action=Text("审查", "review"))
    return user


def _queue_item(application: Application) -> QueueItemOut:
    return QueueItemOut(
        id=application.uuid,
        application_number=application.application_number,
        data_name=application.data_name,
        registrant=application.registrant.name,
        status=application.status,
        submitted_at=application.submitted_at,
        amendment_due=application.amendment_due,
        publicity_ends=application.publicity_ends,
        open_objections=getattr(application, "open_objections", 0),
    )


@review_router.get("/queue", response=list[QueueItemOut], summary="Applications to act on")
def review_queue(request: HttpRequest, status: str = "") -> list[QueueItemOut]:
    """By state (comma-separated, default all but drafts), the nearest deadline first."""
    _examiner(request)
    statuses = [s for s in status.split(",") if s] or None
    return [_queue_item(a) for a in selectors.review_queue(status=statuses)[:500]]


@review_router.get("/grounds", response=list[GroundOut], summary="Grounds for refusal")
def review_grounds(request: HttpRequest) -> list[GroundOut]:
    _examiner(request)
    return [
        GroundOut(code=g.code, order=g.order, title=g.title, title_en=g.title_en)
        for g in selectors.grounds()
    ]


@review_router.get("/{uuid:application_id}", response=ReviewOut, summary="Everything to review")
def review_detail(request: HttpRequest, application_id: uuid.UUID) -> ReviewOut:
    _examiner(request)
    application = _get(request, application_id)
    review_sample = application.samples.filter(purpose="review").first()
    return ReviewOut(
        application=application_out(request, application),
        duplicates=[_queue_item(a) for a in selectors.duplicates_of(application)],
        objections=[
            ObjectionOut(
                id=o.uuid,
                status=o.status,
                reasons=o.reasons,
                filed_at=o.filed_at,
                files=[f.original_name for f in o.files.all()],
                outcome=o.outcome,
                proof_kind=o.proof_kind,
                resolution=o.resolution,
            )
            for o in application.objections.prefetch_related("files")
        ],
        review_sample=_sample_out(review_sample) if review_sample else None,
    )


@review_router.post("/{uuid:application_id}/start", response=ApplicationOut, summary="Take up")
def review_start(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    application = services.application_start_review(
        actor=_examiner(request), application=_get(request, application_id)
    )
    return application_out(request, application)


@review_router.post(
    "/{uuid:application_id}/amendment", response=ApplicationOut, summary="Request amendment"
)
def review_amendment(
    request: HttpRequest, application_id: uuid.UUID, body: AmendmentIn
) -> ApplicationOut:
    application = services.application_request_amendment(
        actor=_examiner(request),
        application=_get(request, application_id),
        defects=[Defect(field=d.field, message=d.message) for d in body.defects],
        reason=body.note,
    )
    return application_out(request, application)


@review_router.post(
    "/{uuid:application_id}/publicity", response=ApplicationOut, summary="Pass to publicity"
)
def review_publicity(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    application = services.application_start_publicity(
        actor=_examiner(request), application=_get(request, application_id)
    )
    return application_out(request, application)


@review_router.post("/{uuid:application_id}/reject", response=ApplicationOut, summary="Reject")
def review_reject(
    request: HttpRequest, application_id: uuid.UUID, body: RejectIn
) -> ApplicationOut:
    application = services.application_reject(
        actor=_examiner(request),
        application=_get(request, application_id),
        grounds=body.grounds,
        reasoning=body.reasoning,
    )
    return application_out(request, application)


@review_router.post(
    "/objections/{uuid:objection_id}/resolve",
    response=ApplicationOut,
    summary="Decide an objection",
)
def review_resolve(
    request: HttpRequest, objection_id: uuid.UUID, body: ResolveIn
) -> ApplicationOut:
    examiner = _examiner(request)
    application = services.objection_resolve(
        actor=examiner,
        objection=selectors.objection_get(objection_id=objection_id),
        outcome=body.outcome,
        proof_kind=body.proof_kind,
        resolution=body.resolution,
    )
    return application_out(request, application)
