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
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count as Count_
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dataip.core import jcs
from dataip.core.merkle import leaf_hash
from dataip.core.receipt import EVIDENCE_STATEMENT, LOG_HASH, ReceiptCheck, verify_receipt
from dataip.registry.errors import NotFound
from dataip.registry.models import (
    Application,
    IndustrySection,
    SamplePurpose,
    SourceType,
    Status,
)
from dataip.transparency import selectors as log
from dataip.transparency.keys import log_verifiers, time_stamping
from dataip.transparency.models import LogEntry

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


# --- the public register: search, statistics, open data ---------------------------------------

#: Page size of searches and lists.
PAGE_SIZE = 50


@dataclass(frozen=True)
class RegisterPage:
    """One page of a search of the register, with the number of all matches."""

    records: list[RegisteredRecord]
    total: int


def _register_filtered(*, text: str, section: str, division: str) -> QuerySet[Application]:
    queryset = _registered_qs()
    text = text.strip()
    if text:
        queryset = queryset.filter(
            Q(data_name__icontains=text) | Q(registrant__name__icontains=text)
        )
    if division:
        queryset = queryset.filter(industry_division__code=division)
    elif section:
        queryset = queryset.filter(industry_division__section__code=section)
    return queryset


def registration_search(
    *,
    text: str = "",
    section: str = "",
    division: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> RegisterPage:
    """Registrations whose data name or registrant contains ``text``, in an industry; newest first.

    A division narrows more than its section, so a division given wins over the section.
    """
    queryset = _register_filtered(text=text, section=section, division=division)
    rows = list(
        queryset.order_by("-registered_at", "-id").values("id", *REGISTRATION_FIELDS)[
            offset : offset + limit
        ]
    )
    samples = _samples([r["id"] for r in rows])
    return RegisterPage([_registered(r, samples.get(r["id"])) for r in rows], queryset.count())


def registration_export() -> Iterator[RegisteredRecord]:
    """Every registration, oldest first, without display samples: the open-data download."""
    rows = _registered_qs().order_by("registered_at", "id").values(*REGISTRATION_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        yield _registered(row, None)


@dataclass(frozen=True)
class Count:
    """One bar of a statistics chart: what is counted, and how many registrations."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class RegisterStatistics:
    total: int
    by_month: list[Count]
    by_division: list[Count]
    by_source_type: list[Count]


def registration_statistics() -> RegisterStatistics:
    """Counts of registrations by month of registration, industry division and source type.

    Source types are shown only as counts over all registrations: an aggregate, not a field of
    any one public record.
    """
    registered = _registered_qs()
    months = (
        registered.annotate(month=TruncMonth("registered_at"))
        .values("month")
        .annotate(n=Count_("id"))
        .order_by("month")
    )
    by_month = [
        Count(m["month"].strftime("%Y-%m"), m["month"].strftime("%Y-%m"), m["n"]) for m in months
    ]
    divisions = (
        registered.filter(industry_division__isnull=False)
        .values("industry_division__code", "industry_division__name")
        .annotate(n=Count_("id"))
        .order_by("-n", "industry_division__code")
    )
    by_division = [
        Count(
            d["industry_division__code"],
            f"{d['industry_division__code']} {d['industry_division__name']}",
            d["n"],
        )
        for d in divisions
    ]
    labels = dict(SourceType.choices)
    sources = (
        registered.values("source_type").annotate(n=Count_("id")).order_by("-n", "source_type")
    )
    by_source = [
        Count(s["source_type"], str(labels.get(s["source_type"], s["source_type"])), s["n"])
        for s in sources
        if s["source_type"]
    ]
    return RegisterStatistics(registered.count(), by_month, by_division, by_source)


# --- evidence in the log ----------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedEvidence:
    """An evidence statement as the log holds it, and the checkpoint that covers it."""

    statement: dict[str, Any]
    index: int
    leaf_hash: str
    #: The newest time-stamped checkpoint containing the leaf (None: not yet time-stamped).
    checkpoint_size: int | None
    checkpoint_root: str
    timestamped_at: datetime.datetime | None


def _logged(entry: LogEntry) -> LoggedEvidence:
    checkpoint = log.checkpoint_covering(entry.index)
    return LoggedEvidence(
        statement=json.loads(entry.statement),
        index=entry.index,
        leaf_hash=entry.leaf_hash,
        checkpoint_size=checkpoint.size if checkpoint else None,
        checkpoint_root=checkpoint.root if checkpoint else "",
        timestamped_at=checkpoint.timestamped_at if checkpoint else None,
    )


def evidence_find(*, root: str) -> list[LoggedEvidence]:
    """The published evidence statements of the dataset hash ``root`` (lower-case hex).

    Read from the log's entries, not from evidence records: the statements are public by design
    (hash, counts, a random id, a time), the records and their owners are not. The statement is
    RFC 8785 canonical JSON, so the root appears exactly as ``"root":"<hex>"``.
    """
    entries = LogEntry.objects.filter(
        statement_type=EVIDENCE_STATEMENT,
        statement__contains=f'"root":"{root}"',
        index__lt=log.published_size(),
    ).order_by("index")[:20]
    return [_logged(e) for e in entries]


@dataclass(frozen=True)
class ReceiptResult:
    """A receipt checked against the platform's own log key and TSA certificates."""

    check: ReceiptCheck
    #: The log's own entry at the receipt's index, if it holds the receipt's statement.
    logged: LoggedEvidence | None


def receipt_verify(*, doc: object) -> ReceiptResult:
    """Verify a receipt completely, pinned to this platform's log keys and TSA certificates.

    Raises :class:`VerificationError` naming the part that failed (see ``core.receipt``).
    """
    given = doc.get("log_key") if isinstance(doc, dict) else None
    keys = [v.vkey for v in log_verifiers()]
    pinned = given if isinstance(given, str) and given.strip() in keys else keys[0]
    tsa = time_stamping().certificates
    check = verify_receipt(doc, log_key=pinned, tsa_roots=list(tsa[-1:]))
    entry = log.entry_at(check.index)
    leaf = leaf_hash(LOG_HASH, jcs.canonicalize(check.statement)).hex()
    logged = _logged(entry) if entry is not None and entry.leaf_hash == leaf else None
    return ReceiptResult(check, logged)
