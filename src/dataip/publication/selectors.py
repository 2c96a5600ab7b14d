"""What the public may see of the registry, and nothing more.

Every public page, feed and API answer is built from the projections here, never from model
instances, so that this module is the one place to audit for leaks. Before registration the
public sees only what publicity publishes (FAQ 六): application number, application date,
applicant, data name, data source, brief processing rules, application scenario, and the display
samples. A registration adds its dates and numbers and the industry (the announcement, FAQ 十).
Review samples, materials, summaries, contact details, objections and everything else of an
application stay private, whatever its state.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from dataip.registry.errors import NotFound
from dataip.registry.models import Application, IndustrySection, SamplePurpose, Status

#: The model fields read for publicity, and for the public record of a registration.
PUBLICITY_FIELDS = (
    "application_number",
    "submitted_at",
    "registrant__name",
    "data_name",
    "source_description",
    "processing_rules",
    "application_scenario",
    "publicity_started_at",
    "publicity_ends",
)
REGISTRATION_FIELDS = (
    *PUBLICITY_FIELDS,
    "registered_at",
    "registration_number",
    "certificate_number",
    "industry_division__code",
    "industry_division__name",
    "industry_division__section__code",
    "industry_division__section__name",
)


@dataclass(frozen=True)
class DisplaySample:
    columns: list[str]
    rows: list[list[str]]
    record_count: int


@dataclass(frozen=True)
class PublicityRecord:
    """One application in publicity, as the public sees it."""

    application_number: str
    application_date: datetime.date
    applicant: str
    data_name: str
    data_source: str
    processing_rules: str
    application_scenario: str
    publicity_start: datetime.date
    publicity_end: datetime.date
    display_sample: DisplaySample | None


@dataclass(frozen=True)
class RegisteredRecord:
    """A registration, as announced and kept in the public register."""

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
    display_sample: DisplaySample | None


def _date(value: datetime.datetime | None) -> datetime.date:
    assert value is not None  # noqa: S101 - set before an application becomes public
    return timezone.localdate(value)


def _samples(ids: list[int]) -> dict[int, DisplaySample]:
    from dataip.registry.models import Sample  # noqa: PLC0415

    rows = Sample.objects.filter(application_id__in=ids, purpose=SamplePurpose.DISPLAY).values(
        "application_id", "columns", "rows", "record_count"
    )
    return {
        r["application_id"]: DisplaySample(r["columns"], r["rows"], r["record_count"]) for r in rows
    }


def _publicity(row: dict[str, object], sample: DisplaySample | None) -> PublicityRecord:
    return PublicityRecord(
        application_number=str(row["application_number"]),
        application_date=_date(row["submitted_at"]),  # type: ignore[arg-type]
        applicant=str(row["registrant__name"]),
        data_name=str(row["data_name"]),
        data_source=str(row["source_description"]),
        processing_rules=str(row["processing_rules"]),
        application_scenario=str(row["application_scenario"]),
        publicity_start=_date(row["publicity_started_at"]),  # type: ignore[arg-type]
        publicity_end=row["publicity_ends"],  # type: ignore[arg-type]
        display_sample=sample,
    )


def _registered(row: dict[str, object], sample: DisplaySample | None) -> RegisteredRecord:
    section = f"{row['industry_division__section__code']} {row['industry_division__section__name']}"
    division = f"{row['industry_division__code']} {row['industry_division__name']}"
    return RegisteredRecord(
        application_number=str(row["application_number"]),
        application_date=_date(row["submitted_at"]),  # type: ignore[arg-type]
        registration_date=_date(row["registered_at"]),  # type: ignore[arg-type]
        registration_number=str(row["registration_number"]),
        certificate_number=str(row["certificate_number"]),
        applicant=str(row["registrant__name"]),
        data_name=str(row["data_name"]),
        data_source=str(row["source_description"]),
        processing_rules=str(row["processing_rules"]),
        application_scenario=str(row["application_scenario"]),
        industry_section=section if row["industry_division__code"] else "",
        industry_division=division if row["industry_division__code"] else "",
        display_sample=sample,
    )


def _in_publicity() -> QuerySet[Application]:
    return Application.objects.filter(status=Status.PUBLICITY)


def _registered_qs() -> QuerySet[Application]:
    return Application.objects.filter(status=Status.REGISTERED)


def publicity_list(*, limit: int = 200, offset: int = 0) -> list[PublicityRecord]:
    """Applications in publicity, the newest first."""
    rows = list(
        _in_publicity()
        .order_by("-publicity_started_at", "-id")
        .values("id", *PUBLICITY_FIELDS)[offset : offset + limit]
    )
    samples = _samples([r["id"] for r in rows])
    return [_publicity(r, samples.get(r["id"])) for r in rows]


def publicity_get(*, application_number: str) -> PublicityRecord:
    row = (
        _in_publicity()
        .filter(application_number=application_number)
        .values("id", *PUBLICITY_FIELDS)
        .first()
    )
    if row is None:
        raise NotFound("application_not_found")
    return _publicity(row, _samples([row["id"]]).get(row["id"]))


def publicity_application(*, application_number: str) -> Application:
    """The application behind a publicity record, for filing an objection against it."""
    application = _in_publicity().filter(application_number=application_number).first()
    if application is None:
        raise NotFound("application_not_found")
    return application


def announcement_list(*, limit: int = 200, offset: int = 0) -> list[RegisteredRecord]:
    """Registrations, the newest announcement first."""
    rows = list(
        _registered_qs()
        .order_by("-announcement__published_at", "-id")
        .values("id", *REGISTRATION_FIELDS)[offset : offset + limit]
    )
    samples = _samples([r["id"] for r in rows])
    return [_registered(r, samples.get(r["id"])) for r in rows]


def registration_get(
    *, registration_number: str = "", certificate_number: str = ""
) -> RegisteredRecord:
    """A registration by its registration number or certificate number."""
    queryset = _registered_qs()
    if registration_number:
        queryset = queryset.filter(registration_number=registration_number)
    elif certificate_number:
        queryset = queryset.filter(certificate_number=certificate_number)
    else:
        raise NotFound("application_not_found")
    row = queryset.values("id", *REGISTRATION_FIELDS).first()
    if row is None:
        raise NotFound("application_not_found")
    return _registered(row, _samples([row["id"]]).get(row["id"]))


def industries() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """GB/T 4754-2017: (section code, name, [(division code, name)]), for pickers."""
    return [
        (s.code, s.name, [(d.code, d.name) for d in s.divisions.all()])
        for s in IndustrySection.objects.prefetch_related("divisions")
    ]
