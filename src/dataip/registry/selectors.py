"""Reads of applications for the people allowed to see them: applicants and examiners.

What the public may see is decided in ``publication.selectors`` alone. Here, an application is
visible to the users of its registrant and to examiners; to anyone else it does not exist (the
API answers 404, never 403, so that its existence leaks nothing).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dataip.accounts.models import User
from dataip.evidence.models import Evidence
from dataip.registry.errors import NotFound
from dataip.registry.models import (
    Application,
    ApplicationEvent,
    Event,
    Ground,
    Jurisdiction,
    Material,
    Objection,
    ObjectionStatus,
    Status,
)

#: Statuses in which an application counts as pending (for duplicate checks).
PENDING = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.AMENDMENT_REQUESTED, Status.PUBLICITY)


def _base() -> QuerySet[Application]:
    return Application.objects.select_related(
        "registrant", "jurisdiction", "industry_division__section", "evidence", "examiner"
    )


def application_list(*, user: User | AnonymousUser) -> QuerySet[Application]:
    """The applications of the user's registrant (all of them for an examiner), newest first."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    assert isinstance(user, User)  # noqa: S101 - narrowed for the type checker
    if user.is_examiner:
        return _base().exclude(status=Status.DRAFT)
    if user.registrant_id is None:
        return Application.objects.none()
    return _base().filter(registrant_id=user.registrant_id)


def application_get(*, user: User | AnonymousUser, application_id: uuid.UUID) -> Application:
    """One application the user may see; ``NotFound`` otherwise."""
    found = application_list(user=user).filter(uuid=application_id).first()
    if found is None:
        raise NotFound("application_not_found")
    return found


def material_get(
    *, user: User | AnonymousUser, application_id: uuid.UUID, material_id: int
) -> Material:
    application = application_get(user=user, application_id=application_id)
    material = Material.objects.filter(application=application, pk=material_id).first()
    if material is None:
        raise NotFound("application_not_found")
    return material


def application_events(application: Application) -> list[ApplicationEvent]:
    return list(application.events.select_related("actor").order_by("created_at", "id"))


def registrant_events(*, user: User, limit: int) -> list[ApplicationEvent]:
    """The desk's notifications: the latest events of any application of the user's registrant."""
    if user.registrant_id is None:
        return []
    return list(
        ApplicationEvent.objects.filter(application__registrant_id=user.registrant_id)
        .select_related("application", "actor")
        .order_by("-created_at", "-id")[:limit]
    )


def application_defects(application: Application) -> list[dict[str, str]]:
    """The defects of the latest amendment request, while the amendment is due."""
    if application.status != Status.AMENDMENT_REQUESTED:
        return []
    event = (
        application.events.filter(kind=Event.AMENDMENT_REQUESTED)
        .order_by("-created_at", "-id")
        .first()
    )
    return list(event.data.get("defects", [])) if event is not None else []


def application_deadline(
    application: Application, *, today: datetime.date | None = None
) -> tuple[str, datetime.date, int] | None:
    """The next deadline: (what, last day, working days left), or None.

    Raises ``CalendarUnknown`` when the countdown needs a year not yet in the calendar.
    """
    from dataip.workdays.selectors import working_days_left  # noqa: PLC0415

    today = today or timezone.localdate()
    if application.status == Status.AMENDMENT_REQUESTED and application.amendment_due:
        due = application.amendment_due
        return "amendment", due, working_days_left(today=today, due=due)
    if application.status == Status.PUBLICITY and application.publicity_ends:
        end = application.publicity_ends
        return "publicity", end, working_days_left(today=today, due=end)
    return None


def duplicates_of(application: Application) -> list[Application]:
    """Registered or pending applications of the same data (same evidence hash value)."""
    evidence = application.evidence
    if evidence is None:
        return []
    return list(
        Application.objects.filter(
            Q(status=Status.REGISTERED) | Q(status__in=PENDING),
            evidence__alg=evidence.alg,
            evidence__root=evidence.root,
        )
        .exclude(pk=application.pk)
        .select_related("registrant")
        .order_by("submitted_at", "id")
    )


def review_queue(*, status: Iterable[str] | None = None) -> QuerySet[Application]:
    """Applications for examiners, the most urgent first.

    Ordered by the deadline that applies (amendment due, publicity end), then by the date of
    application, oldest first; ``open_objections`` is annotated.
    """
    statuses = list(status) if status else [s for s in Status.values if s != Status.DRAFT]
    return (
        _base()
        .filter(status__in=statuses)
        .annotate(
            open_objections=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN))
        )
        .order_by("publicity_ends", "amendment_due", "submitted_at", "id")
    )


def review_queue_counts() -> dict[str, int]:
    """How many applications each examiner queue holds, in one query.

    Keys: the statuses a queue shows, and ``objections`` (in publicity with an open objection).
    """
    queues = {
        "submitted": Q(status=Status.SUBMITTED),
        "under_review": Q(status=Status.UNDER_REVIEW),
        "amendment": Q(status=Status.AMENDMENT_REQUESTED),
        "publicity": Q(status=Status.PUBLICITY),
        "objections": Q(status=Status.PUBLICITY, objections__status=ObjectionStatus.OPEN),
    }
    # Distinct: the join with objections repeats an application once per objection.
    counts = Application.objects.aggregate(
        **{key: Count("pk", filter=condition, distinct=True) for key, condition in queues.items()}
    )
    return {key: int(value or 0) for key, value in counts.items()}


def objection_get(*, objection_id: uuid.UUID) -> Objection:
    found = Objection.objects.select_related("application", "filed_by").filter(uuid=objection_id)
    objection = found.first()
    if objection is None:
        raise NotFound("objection_not_found")
    return objection


def grounds(jurisdiction: Jurisdiction | None = None) -> QuerySet[Ground]:
    """The active grounds for refusal of the jurisdiction (the default one when None)."""
    queryset = Ground.objects.filter(active=True)
    if jurisdiction is None:
        return queryset.filter(jurisdiction__is_default=True)
    return queryset.filter(jurisdiction=jurisdiction)


#: Evidence records offered in the wizard, at most (the newest).
EVIDENCE_CHOICES = 200


@dataclass(frozen=True)
class EvidenceChoice:
    """An evidence record the applicant may choose; ``label`` only for the user's own."""

    uuid: uuid.UUID
    alg: str
    root: str
    check_code: str
    created_at: datetime.datetime
    label: str  # the owner's private name for it: "" for a colleague's record
    colleague: str  # the colleague who recorded it, "" for the user's own


def evidence_choices(*, user: User, application: Application) -> list[EvidenceChoice]:
    """The records the application may use: the user's own, then colleagues' of its registrant.

    The services accept any record of a user of the application's registrant; a colleague's
    label is private to that colleague, so it is not shown. The record chosen already is
    included even when it is not among the newest.
    """
    records = list(
        Evidence.objects.filter(owner__registrant_id=application.registrant_id)
        .select_related("owner")
        .order_by("-created_at", "-id")[:EVIDENCE_CHOICES]
    )
    current = application.evidence
    if current is not None and all(e.pk != current.pk for e in records):
        records.insert(0, current)
    records.sort(key=lambda e: e.owner_id != user.pk)  # stable: newest first in each group
    return [
        EvidenceChoice(
            uuid=e.uuid,
            alg=e.alg,
            root=e.root,
            check_code=e.check_code,
            created_at=e.created_at,
            label=e.label if e.owner_id == user.pk else "",
            colleague="" if e.owner_id == user.pk else (e.owner.real_name or e.owner.username),
        )
        for e in records
    ]
