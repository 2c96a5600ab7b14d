"""Writes to applications: drafts, files, and every workflow transition.

Each transition (STYLE.md rule 4) runs in one transaction: lock the application row, reload it,
check the role and state against ``workflow.TRANSITIONS`` (and the version, for clients that
send one), change only what the action changes, write one append-only ``ApplicationEvent``,
queue the event's statement for the transparency log, and notify the people concerned after
commit. Nothing else changes ``Application.status``.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dataip.accounts.models import User
from dataip.core.errors import Text
from dataip.evidence.models import Evidence
from dataip.registry import numbers
from dataip.registry.errors import (
    Forbidden,
    NotFound,
    RegistryError,
    StaleUpdate,
    StateConflict,
)
from dataip.registry.models import (
    SOURCE_ROUTES,
    Announcement,
    Application,
    ApplicationEvent,
    Event,
    Ground,
    IndustryDivision,
    Jurisdiction,
    Material,
    MaterialKind,
    Objection,
    ObjectionFile,
    ObjectionOutcome,
    ObjectionStatus,
    ProofKind,
    Sample,
    SamplePurpose,
    SourceType,
    Status,
)
from dataip.registry.workflow import (
    LOGGED_EVENTS,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    Role,
)
from dataip.transparency.services import statement_append
from dataip.workdays.selectors import add_working_days

APPLICATION_STATEMENT = "dataip/application/v1"


def role_of(user: User | None, application: Application) -> Role | None:
    """The user's role towards ``application``; None for an anonymous or inactive user."""
    if user is None:
        return Role.SYSTEM
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_examiner:
        return Role.EXAMINER
    if user.registrant_id is not None and user.registrant_id == application.registrant_id:
        return Role.APPLICANT
    return Role.PUBLIC


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


@dataclass
class _Change:
    """What an action did, for its event row and statement."""

    fields: set[str] = field(default_factory=set)
    to_status: Status | None = None
    data: dict[str, Any] = field(default_factory=dict)
    #: A further event that the state change itself makes (an objection decided against the
    #: applicant rejects the application): recorded and logged after the action's own event.
    then: Event | None = None


def _transition(
    *,
    action: Action,
    actor: User | None,
    application: Application,
    version: int | None = None,
    reason: str = "",
    now: datetime.datetime | None = None,
    apply: Callable[[Application, datetime.datetime], _Change] | None = None,
) -> Application:
    """Carry out ``action`` on ``application`` under a row lock; see the module docstring."""
    rule = TRANSITIONS[action]
    moment = _now(now)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("jurisdiction", "registrant")
            .filter(pk=application.pk)
            .first()
        )
        if locked is None:
            raise NotFound("application_not_found")
        role = role_of(actor, locked)
        if role in (None, Role.PUBLIC) and locked.status != Status.PUBLICITY:
            # Outsiders learn nothing of an application that is not public, not even its state.
            raise NotFound("application_not_found")
        if role is None or role not in rule.roles:
            raise Forbidden("application_forbidden", action=rule.label)
        if locked.status not in rule.sources:
            raise StateConflict(
                state=locked.status,
                state_label=STATUS_LABELS[Status(locked.status)],
                action=rule.label,
            )
        if version is not None and version != locked.version:
            raise StaleUpdate(current=locked.version, given=version)
        from_status = locked.status
        change = apply(locked, moment) if apply is not None else _Change()
        target = change.to_status or rule.target
        if target is not None and target != locked.status:
            locked.status = target
            change.fields.add("status")
            if target in (
                Status.REGISTERED,
                Status.REJECTED,
                Status.WITHDRAWN,
                Status.DEEMED_WITHDRAWN,
            ):
                locked.decided_at = moment
                change.fields.add("decided_at")
        locked.version += 1
        locked.save(update_fields=sorted(change.fields | {"version", "updated_at"}))
        events = [(rule.event, from_status, from_status if change.then else locked.status)]
        if change.then is not None:
            events.append((change.then, from_status, locked.status))
        for kind, before, after in events:
            if kind is not None:
                _event_record(
                    application=locked,
                    kind=kind,
                    actor=actor,
                    from_status=before,
                    to_status=after,
                    reason=reason,
                    data=change.data,
                    at=moment,
                )
    application.refresh_from_db()
    return application


def _event_record(
    *,
    application: Application,
    kind: Event,
    actor: User | None,
    from_status: str,
    to_status: str,
    reason: str,
    data: Mapping[str, Any],
    at: datetime.datetime,
) -> ApplicationEvent:
    event = ApplicationEvent(
        application=application,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=dict(data),
        created_at=at,
    )
    if kind in LOGGED_EVENTS:
        (event.leaf_hash,) = statement_append(statements=[_statement(application, kind, at)])
    event.save()
    event_id = event.pk
    transaction.on_commit(lambda: _notify(event_id))
    return event


def _statement(application: Application, kind: Event, at: datetime.datetime) -> dict[str, object]:
    """The log statement of an event: identifiers and numbers only, never personal data.

    Before publicity only the application's random id is logged: the application number and
    what it names are not public yet.
    """
    statement: dict[str, object] = {
        "type": APPLICATION_STATEMENT,
        "event": LOGGED_EVENTS[kind],
        "application_id": str(application.uuid),
        "at": at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if kind in (Event.SUBMITTED, Event.RESUBMITTED) and application.evidence_id is not None:
        statement["evidence_id"] = str(application.evidence.uuid)  # type: ignore[union-attr]
    if application.status in (Status.PUBLICITY, Status.REGISTERED):
        statement["application_number"] = application.application_number
    if kind == Event.REGISTERED:
        statement["registration_number"] = application.registration_number
        statement["certificate_number"] = application.certificate_number
    return statement


def _notify(event_id: int) -> None:
    from dataip.registry.tasks import application_event_notify  # noqa: PLC0415 - tasks import us

    application_event_notify.enqueue(event_id=event_id)


# --- drafts ------------------------------------------------------------------------------------


def default_jurisdiction() -> Jurisdiction:
    return Jurisdiction.objects.get(is_default=True)


def application_create(
    *, actor: User, data_name: str = "", now: datetime.datetime | None = None
) -> Application:
    """Start a draft for the registrant the applicant acts for."""
    if actor.is_examiner or actor.is_administrator:
        raise Forbidden("application_forbidden", action=Text("申请登记", "an application"))
    if not actor.is_real_name_complete:
        raise RegistryError("real_name_required")
    assert actor.registrant is not None  # noqa: S101 - implied by is_real_name_complete
    with transaction.atomic():
        application = Application.objects.create(
            jurisdiction=default_jurisdiction(),
            registrant=actor.registrant,
            created_by=actor,
            data_name=_text("data_name", data_name),
        )
        ApplicationEvent.objects.create(
            application=application,
            kind=Event.CREATED,
            actor=actor,
            from_status=Status.DRAFT,
            to_status=Status.DRAFT,
            created_at=_now(now),
        )
    return application


@dataclass(frozen=True)
class _Field:
    label: Text
    kind: str  # text, bool, nbool, count, date, choice, routes, division, evidence
    max_length: int = 0


def _t(zh: str, en: str, kind: str = "text", max_length: int = 0) -> _Field:
    return _Field(Text(zh, en), kind, max_length)


#: Every field an applicant fills in, with its label and how it is checked.
FIELDS: dict[str, _Field] = {
    "data_name": _t("数据名称", "data name", max_length=100),
    "summary": _t("数据简介", "summary", max_length=5000),
    "industry_division": _t("行业大类", "industry division", "division"),
    "source_type": _t("数据来源类型", "source type", "choice"),
    "source_routes": _t("数据来源途径", "source routes", "routes"),
    "source_description": _t("数据来源", "data source", max_length=2000),
    "source_process": _t("数据生产过程", "production process", max_length=5000),
    "collection_method": _t("采集方式", "collection method", max_length=5000),
    "agreement_holder": _t("原数据持有人", "original holder", max_length=200),
    "agreement_scope": _t("协议使用范围", "scope of use", max_length=2000),
    "agreement_valid_until": _t("协议有效期至", "agreement valid until", "date"),
    "data_composition": _t("数据构成", "data composition", max_length=5000),
    "is_public_data": _t("数据是否公开", "whether the data is public", "nbool"),
    "substantive_processing": _t("实质性加工", "substantive processing", "bool"),
    "innovative_labour": _t("创新性劳动", "innovative labour", "bool"),
    "processing_rules": _t("数据处理规则简要说明", "processing rules (brief)", max_length=2000),
    "processing_description": _t(
        "数据处理规则详细说明", "processing rules (full)", max_length=10000
    ),
    "application_scenario": _t("应用场景", "application scenario", max_length=5000),
    "record_count": _t("数据量（记录数）", "record count", "count"),
    "evidence": _t("存证记录", "evidence record", "evidence"),
    "refiling_justification": _t("重新申请理由", "justification for refiling", max_length=2000),
}
_MAX_COUNT = 2**63 - 1


def _invalid(name: str, zh: str, en: str) -> RegistryError:
    return RegistryError("field_invalid", label=FIELDS[name].label, problem=Text(zh, en))


def _text(name: str, value: object, application: Application | None = None) -> str:
    if not isinstance(value, str):
        raise _invalid(name, "应为文本", "must be text")
    text = value.replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise _invalid(name, "含有不允许的控制字符", "contains a control character")
    limit = FIELDS[name].max_length
    if len(text) > limit:
        raise _invalid(
            name,
            f"最多 {limit} 个字符，现有 {len(text)} 个",
            f"at most {limit} characters, {len(text)} given",
        )
    return text


def _bool(name: str, value: object, application: Application) -> bool | None:
    if value is None and FIELDS[name].kind == "nbool":
        return None
    if not isinstance(value, bool):
        raise _invalid(name, "应为“是”或“否”", "must be true or false")
    return value


def _count(name: str, value: object, application: Application) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_COUNT:
        raise _invalid(name, "应为正整数", "must be a positive whole number")
    return value


def _date(name: str, value: object, application: Application) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise _invalid(name, "日期格式应为 YYYY-MM-DD", "must be a date, YYYY-MM-DD") from None


def _choice(name: str, value: object, application: Application) -> str:
    if value not in ("", *SourceType.values):
        raise _invalid(
            name,
            f"应为 {'、'.join(SourceType.values)} 之一",
            f"must be one of {', '.join(SourceType.values)}",
        )
    return str(value)


def _routes(name: str, value: object, application: Application) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(name, "应为来源途径的列表", "must be a list of routes")
    allowed = [str(route) for route in SOURCE_ROUTES]
    if any(v not in allowed for v in value) or len(set(value)) != len(value):
        raise _invalid(
            name, f"只能从 {'、'.join(allowed)} 中各选一次", f"choose among {allowed}, once each"
        )
    return [route for route in allowed if route in value]


def _clean(name: str, value: object, *, application: Application) -> object:
    spec = FIELDS.get(name)
    if spec is None:
        raise RegistryError("field_unknown", field=name)
    return _CLEANERS[spec.kind](name, value, application)


def _division(name: str, value: object, application: Application) -> IndustryDivision | None:
    if value in (None, ""):
        return None
    section = None
    code = value
    if isinstance(value, Mapping):
        section, code = value.get("section"), value.get("division")
    division = IndustryDivision.objects.select_related("section").filter(pk=str(code)).first()
    if division is None:
        raise RegistryError("industry_unknown", value=str(code))
    if section not in (None, "") and division.section_id != section:
        raise RegistryError(
            "industry_mismatch", division=division.code, section=section, actual=division.section_id
        )
    return division


def _evidence(name: str, value: object, application: Application) -> Evidence | None:
    if value in (None, ""):
        return None
    try:
        evidence_id = uuid.UUID(str(value))
    except ValueError:
        raise RegistryError("evidence_not_yours") from None
    evidence = (
        Evidence.objects.filter(uuid=evidence_id, owner__registrant_id=application.registrant_id)
        .select_related("owner")
        .first()
    )
    if evidence is None:
        raise RegistryError("evidence_not_yours")
    return evidence


_CLEANERS: dict[str, Callable[[str, object, Application], object]] = {
    "text": _text,
    "bool": _bool,
    "nbool": _bool,
    "count": _count,
    "date": _date,
    "choice": _choice,
    "routes": _routes,
    "division": _division,
    "evidence": _evidence,
}


def application_update(
    *, actor: User, application: Application, changes: Mapping[str, object], version: int | None
) -> Application:
    """Change fields of a draft (or of an application sent back for amendment)."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        change = _Change()
        for name, value in changes.items():
            cleaned = _clean(name, value, application=locked)
            if getattr(locked, name) != cleaned:
                setattr(locked, name, cleaned)
                change.fields.add(name)
        return change

    return _transition(
        action=Action.EDIT, actor=actor, application=application, version=version, apply=apply
    )


def _save_with_file(row: Any, *, name: str, data: bytes, written: list[Any]) -> None:
    """Write the row's file, then the row; the caller removes ``written`` files on rollback."""
    row.file.save(name, ContentFile(data), save=False)
    written.append(row)
    row.save()


@contextlib.contextmanager
def _files_removed_on_error(rows: list[Any]) -> Iterator[None]:
    """Files are written before their rows commit; a rolled-back transaction removes them."""
    try:
        yield
    except BaseException:
        for row in rows:
            row.file.delete(save=False)
        raise


def material_upload(
    *, actor: User, application: Application, kind: str, name: str, data: bytes
) -> Material:
    """Add a material file (type checked by content); an application form records the data."""
    from dataip.registry import documents, files  # noqa: PLC0415 - heavy imports (PDF)

    if kind not in MaterialKind.values:
        raise _invalid_kind(kind)
    content_type = files.check_upload(kind=kind, name=name, data=data)
    created: list[Material] = []

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        material = Material(
            application=locked,
            kind=kind,
            original_name=_file_name(name),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
            form_fingerprint=(
                documents.form_fingerprint(locked) if kind == MaterialKind.APPLICATION_FORM else ""
            ),
        )
        _save_with_file(material, name=name, data=data, written=created)
        return _Change()

    with _files_removed_on_error(created):
        _transition(action=Action.EDIT, actor=actor, application=application, apply=apply)
    return created[0]


def _invalid_kind(kind: str) -> RegistryError:
    return RegistryError(
        "field_invalid",
        label=Text("材料类型", "material kind"),
        problem=Text(f"未知的材料类型“{kind}”", f"unknown material kind '{kind}'"),
    )


def _file_name(name: str) -> str:
    # Keep the last path component only; the name is shown, never used as a path.
    return (name.replace("\\", "/").rsplit("/", 1)[-1] or "file")[:255]


def material_delete(*, actor: User, material: Material) -> None:
    """Remove a material while the application may still be edited."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        deleted = Material.objects.filter(pk=material.pk, application=locked).first()
        if deleted is None:
            raise NotFound("application_not_found")
        deleted.delete()
        transaction.on_commit(functools.partial(deleted.file.delete, save=False))
        return _Change()

    _transition(action=Action.EDIT, actor=actor, application=material.application, apply=apply)


def sample_upload(
    *, actor: User, application: Application, purpose: str, name: str, data: bytes
) -> Sample:
    """Replace the review or display sample with a parsed CSV, XLSX or JSON file."""
    from dataip.registry import samples  # noqa: PLC0415 - openpyxl is heavy

    if purpose not in SamplePurpose.values:
        raise RegistryError(
            "field_invalid",
            label=Text("样例用途", "sample purpose"),
            problem=Text("应为 review 或 display", "must be review or display"),
        )
    parsed = samples.parse_sample(name=name, data=data)
    created: list[Sample] = []

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        old = list(Sample.objects.filter(application=locked, purpose=purpose))
        for replaced in old:
            replaced.delete()
            transaction.on_commit(functools.partial(replaced.file.delete, save=False))
        sample = Sample(
            application=locked,
            purpose=purpose,
            original_name=_file_name(name),
            format=parsed.format,
            sha256=hashlib.sha256(data).hexdigest(),
            record_count=parsed.record_count,
            columns=parsed.columns,
            rows=parsed.rows,
        )
        _save_with_file(sample, name=name, data=data, written=created)
        return _Change()

    with _files_removed_on_error(created):
        _transition(action=Action.EDIT, actor=actor, application=application, apply=apply)
    return created[0]


# --- the applicant's transitions -------------------------------------------------------------


def _require_complete(application: Application) -> None:
    from dataip.registry.completeness import application_missing  # noqa: PLC0415

    missing = application_missing(application)
    if missing:
        raise RegistryError(
            "application_incomplete",
            count=len(missing),
            items=Text("；".join(m.zh for m in missing), "; ".join(m.en for m in missing)),
        )


def _require_refiling_justification(application: Application) -> None:
    """Data this registrant withdrew may be filed again only with a stated reason (FAQ 九)."""
    if application.evidence_id is None or application.refiling_justification:
        return
    evidence = application.evidence
    assert evidence is not None  # noqa: S101 - narrowed for the type checker
    withdrawn = (
        Application.objects.filter(
            registrant_id=application.registrant_id,
            status__in=(Status.WITHDRAWN, Status.DEEMED_WITHDRAWN),
            evidence__alg=evidence.alg,
            evidence__root=evidence.root,
        )
        .exclude(pk=application.pk)
        .values_list("application_number", flat=True)
        .first()
    )
    if withdrawn is not None:
        raise RegistryError("refiling_justification_required", number=withdrawn)


def application_submit(
    *,
    actor: User,
    application: Application,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """File a complete draft: it gets its application number and date, and waits for review."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        _require_complete(locked)
        _require_refiling_justification(locked)
        locked.application_number = numbers.number_take(
            kind=numbers.APPLICATION,
            jurisdiction=locked.jurisdiction,
            day=timezone.localdate(moment),
        )
        locked.submitted_at = moment
        return _Change(
            fields={"application_number", "submitted_at"},
            data={"application_number": locked.application_number},
        )

    return _transition(
        action=Action.SUBMIT,
        actor=actor,
        application=application,
        version=version,
        now=now,
        apply=apply,
    )


def application_resubmit(
    *,
    actor: User,
    application: Application,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """File the amended application again, within the amendment period."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        due = locked.amendment_due
        if due is not None and timezone.localdate(moment) > due:
            raise RegistryError("amendment_overdue", due=due.isoformat())
        _require_complete(locked)
        _require_refiling_justification(locked)
        locked.amendment_due = None
        return _Change(fields={"amendment_due"})

    return _transition(
        action=Action.RESUBMIT,
        actor=actor,
        application=application,
        version=version,
        now=now,
        apply=apply,
    )


def application_withdraw(
    *, actor: User, application: Application, reason: str, now: datetime.datetime | None = None
) -> Application:
    """Withdraw an application still waiting for review (never once under review)."""
    reason = _reason(reason, Text("撤回理由", "the reason for withdrawal"))
    return _transition(
        action=Action.WITHDRAW, actor=actor, application=application, reason=reason, now=now
    )


def _reason(text: str, what: Text, *, limit: int = 5000) -> str:
    text = (text or "").strip()
    if not text:
        raise RegistryError("reason_required", what=what)
    if len(text) > limit or "\x00" in text:
        raise RegistryError(
            "field_invalid",
            label=what,
            problem=Text(f"最多 {limit} 个字符", f"at most {limit} characters"),
        )
    return text


# --- the examiner's transitions ---------------------------------------------------------------


def application_start_review(
    *, actor: User, application: Application, now: datetime.datetime | None = None
) -> Application:
    """Take up a submitted application for formal review."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        locked.examiner = actor
        return _Change(fields={"examiner"})

    return _transition(
        action=Action.START_REVIEW, actor=actor, application=application, now=now, apply=apply
    )


@dataclass(frozen=True)
class Defect:
    """One thing the applicant must correct: the field (or material) and what is wrong."""

    field: str
    message: str


def application_request_amendment(
    *,
    actor: User,
    application: Application,
    defects: Sequence[Defect],
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Send the application back with its defects; due within the amendment period."""
    cleaned = [
        {"field": d.field.strip()[:64], "message": d.message.strip()[:2000]}
        for d in defects
        if d.message.strip()
    ]
    if not cleaned:
        raise RegistryError("defects_required")

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        due = add_working_days(
            start=timezone.localdate(moment), days=locked.jurisdiction.amendment_days
        )
        locked.amendment_due = due
        return _Change(fields={"amendment_due"}, data={"defects": cleaned, "due": due.isoformat()})

    return _transition(
        action=Action.REQUEST_AMENDMENT,
        actor=actor,
        application=application,
        reason=reason.strip(),
        now=now,
        apply=apply,
    )


def application_start_publicity(
    *, actor: User, application: Application, now: datetime.datetime | None = None
) -> Application:
    """Formal review passed: publish the public fields for the publicity period."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        end = add_working_days(
            start=timezone.localdate(moment), days=locked.jurisdiction.publicity_days
        )
        locked.publicity_started_at = moment
        locked.publicity_ends = end
        return _Change(
            fields={"publicity_started_at", "publicity_ends"}, data={"ends": end.isoformat()}
        )

    return _transition(
        action=Action.START_PUBLICITY, actor=actor, application=application, now=now, apply=apply
    )


def _grounds(jurisdiction: Jurisdiction, codes: Iterable[str]) -> list[Ground]:
    codes = list(dict.fromkeys(codes))
    if not codes:
        raise RegistryError("grounds_required")
    found = {g.code: g for g in Ground.objects.filter(jurisdiction=jurisdiction, code__in=codes)}
    for code in codes:
        if code not in found or not found[code].active:
            raise RegistryError("ground_unknown", value=code)
    return [found[code] for code in codes]


def _reject(locked: Application, *, grounds: Sequence[Ground], reasoning: str) -> _Change:
    locked.rejection_reasoning = reasoning
    locked.rejection_grounds.set(grounds)
    return _Change(
        fields={"rejection_reasoning"},
        to_status=Status.REJECTED,
        data={"grounds": [g.code for g in grounds]},
    )


def application_reject(
    *,
    actor: User,
    application: Application,
    grounds: Sequence[str],
    reasoning: str,
    now: datetime.datetime | None = None,
) -> Application:
    """Refuse registration on one or more grounds, with the examiner's reasoning."""
    reasoning = _reason(reasoning, Text("驳回理由", "the reasoning"))

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        return _reject(locked, grounds=_grounds(locked.jurisdiction, grounds), reasoning=reasoning)

    return _transition(
        action=Action.REJECT,
        actor=actor,
        application=application,
        reason=reasoning,
        now=now,
        apply=apply,
    )


# --- objections --------------------------------------------------------------------------------


def objection_file(
    *,
    actor: User,
    application: Application,
    reasons: str,
    files: Sequence[tuple[str, bytes]] = (),
    now: datetime.datetime | None = None,
) -> Objection:
    """Object to an application in publicity, with reasons and evidence files."""
    from dataip.registry import files as file_checks  # noqa: PLC0415

    reasons = _reason(reasons, Text("异议理由", "the reasons"))
    checked = [
        (name, data, file_checks.check_upload(kind="source_proof", name=name, data=data))
        for name, data in files
    ]
    created: list[Objection] = []
    written: list[ObjectionFile] = []

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        assert locked.publicity_ends is not None  # noqa: S101 - set when publicity starts
        if timezone.localdate(moment) > locked.publicity_ends:
            raise RegistryError("objection_period_over", end=locked.publicity_ends.isoformat())
        objection = Objection.objects.create(
            application=locked, filed_by=actor, reasons=reasons, filed_at=moment
        )
        for name, data, content_type in checked:
            item = ObjectionFile(
                objection=objection,
                original_name=_file_name(name),
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
            _save_with_file(item, name=name, data=data, written=written)
        created.append(objection)
        return _Change(data={"objection": str(objection.uuid)})

    if role_of(actor, application) == Role.APPLICANT:
        raise Forbidden("objection_own_application")
    with _files_removed_on_error(written):
        _transition(
            action=Action.FILE_OBJECTION,
            actor=actor,
            application=application,
            now=now,
            apply=apply,
        )
    return created[0]


def objection_resolve(
    *,
    actor: User,
    objection: Objection,
    outcome: str,
    proof_kind: str,
    resolution: str,
    now: datetime.datetime | None = None,
) -> Application:
    """Decide an objection on the proof filed; may register or reject the application.

    Entitled or not established: the objection no longer holds the application, which is
    registered once publicity has ended and no other objection is open. Not entitled: rejected,
    on the ground ``dispute`` of the jurisdiction's list.
    """
    if outcome not in ObjectionOutcome.values:
        raise RegistryError(
            "field_invalid",
            label=Text("处理结果", "outcome"),
            problem=Text("未知的处理结果", "unknown outcome"),
        )
    if proof_kind not in ProofKind.values:
        raise RegistryError(
            "field_invalid",
            label=Text("证明材料类型", "proof kind"),
            problem=Text("未知的证明类型", "unknown proof kind"),
        )
    if outcome != ObjectionOutcome.NOT_ESTABLISHED and proof_kind == ProofKind.NONE:
        raise RegistryError(
            "objection_proof_required",
            outcome=Text(
                "享有权益" if outcome == ObjectionOutcome.ENTITLED else "不享有权益",
                "is entitled" if outcome == ObjectionOutcome.ENTITLED else "is not entitled",
            ),
        )
    resolution = _reason(resolution, Text("处理意见", "the reasoning"))

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        held = Objection.objects.select_for_update().filter(pk=objection.pk, application=locked)
        current = held.first()
        if current is None:
            raise NotFound("objection_not_found")
        if current.status != ObjectionStatus.OPEN:
            raise RegistryError("objection_resolved")
        current.status = ObjectionStatus.RESOLVED
        current.outcome = outcome
        current.proof_kind = proof_kind
        current.resolution = resolution
        current.resolved_by = actor
        current.resolved_at = moment
        current.save(
            update_fields=[
                "status",
                "outcome",
                "proof_kind",
                "resolution",
                "resolved_by",
                "resolved_at",
            ]
        )
        data = {"objection": str(current.uuid), "outcome": outcome, "proof": proof_kind}
        if outcome == ObjectionOutcome.NOT_ENTITLED:
            ground = Ground.objects.filter(jurisdiction=locked.jurisdiction, code="dispute").first()
            change = _reject(locked, grounds=[ground] if ground else [], reasoning=resolution)
            change.data.update(data)
            change.then = Event.REJECTED
            return change
        return _Change(data=data)

    application = _transition(
        action=Action.RESOLVE_OBJECTION,
        actor=actor,
        application=objection.application,
        reason=resolution,
        now=now,
        apply=apply,
    )
    if application.status == Status.PUBLICITY and application_register(
        application=application, now=_now(now)
    ):
        application.refresh_from_db()
    return application


# --- the scheduler's transitions ---------------------------------------------------------------


def application_deem_withdrawn(*, application: Application, now: datetime.datetime) -> bool:
    """Deem withdrawn an application not amended in time; False if not (or no longer) due."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        if locked.amendment_due is None or timezone.localdate(moment) <= locked.amendment_due:
            raise _NotDue
        return _Change(data={"due": locked.amendment_due.isoformat()})

    try:
        _transition(
            action=Action.DEEM_WITHDRAWN, actor=None, application=application, now=now, apply=apply
        )
    except (_NotDue, StateConflict):
        return False
    return True


class _NotDue(Exception):
    """Raised inside a scheduled transition that another process made unnecessary."""


def application_register(*, application: Application, now: datetime.datetime) -> bool:
    """Register an application whose publicity ended with no open objection; False if not due."""

    def apply(locked: Application, moment: datetime.datetime) -> _Change:
        if locked.publicity_ends is None or timezone.localdate(moment) <= locked.publicity_ends:
            raise _NotDue
        if locked.objections.filter(status=ObjectionStatus.OPEN).exists():
            raise _NotDue
        day = timezone.localdate(moment)
        locked.registered_at = moment
        locked.registration_number = numbers.number_take(
            kind=numbers.REGISTRATION, jurisdiction=locked.jurisdiction, day=day
        )
        locked.certificate_number = numbers.number_take(
            kind=numbers.CERTIFICATE, jurisdiction=locked.jurisdiction, day=day
        )
        Announcement.objects.create(application=locked, published_at=moment)
        return _Change(
            fields={"registered_at", "registration_number", "certificate_number"},
            to_status=Status.REGISTERED,
            data={
                "registration_number": locked.registration_number,
                "certificate_number": locked.certificate_number,
            },
        )

    try:
        _transition(
            action=Action.REGISTER, actor=None, application=application, now=now, apply=apply
        )
    except (_NotDue, StateConflict):
        return False
    return True


@dataclass
class TickReport:
    deemed_withdrawn: list[str] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)


def registry_tick(*, now: datetime.datetime | None = None) -> TickReport:
    """Carry out every time-driven transition that is due; safe to run concurrently and again."""
    moment = _now(now)
    today = timezone.localdate(moment)
    report = TickReport()
    overdue = Application.objects.filter(
        status=Status.AMENDMENT_REQUESTED, amendment_due__lt=today
    ).order_by("amendment_due", "pk")
    for application in overdue:
        if application_deem_withdrawn(application=application, now=moment):
            report.deemed_withdrawn.append(str(application.application_number))
    ended = (
        Application.objects.filter(status=Status.PUBLICITY, publicity_ends__lt=today)
        .exclude(objections__status=ObjectionStatus.OPEN)
        .order_by("publicity_ends", "pk")
    )
    for application in ended:
        if application_register(application=application, now=moment):
            report.registered.append(str(application.application_number))
    return report


# --- notifications ----------------------------------------------------------------------------

_MAIL_SUBJECTS = {
    Event.SUBMITTED: ("登记申请已提交", "Application submitted"),
    Event.WITHDRAWN: ("登记申请已撤回", "Application withdrawn"),
    Event.REVIEW_STARTED: ("登记申请开始审核", "Review started"),
    Event.AMENDMENT_REQUESTED: ("登记申请需要补正", "Amendment requested"),
    Event.RESUBMITTED: ("补正后的申请已提交", "Amended application submitted"),
    Event.DEEMED_WITHDRAWN: ("登记申请视为撤回", "Application deemed withdrawn"),
    Event.PUBLICISED: ("登记申请进入公示", "Application in publicity"),
    Event.OBJECTION_FILED: ("登记申请收到异议", "Objection filed"),
    Event.OBJECTION_RESOLVED: ("异议处理完毕", "Objection decided"),
    Event.REGISTERED: ("数据知识产权核准登记", "Data IP registered"),
    Event.REJECTED: ("登记申请被驳回", "Application rejected"),
}


def application_event_notify(*, event_id: int) -> int:
    """Mail the people concerned by an event (the registrant's users, an objector); the count."""
    from django.core.mail import send_mass_mail  # noqa: PLC0415

    event = (
        ApplicationEvent.objects.select_related("application", "application__registrant")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.kind not in _MAIL_SUBJECTS:
        return 0
    application = event.application
    recipients = set(
        User.objects.filter(registrant_id=application.registrant_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    objection_id = event.data.get("objection") if isinstance(event.data, dict) else None
    if objection_id:
        objector = Objection.objects.filter(uuid=objection_id).values_list(
            "filed_by__email", flat=True
        )
        recipients.update(e for e in objector if e)
    if not recipients:
        return 0
    zh, en = _MAIL_SUBJECTS[Event(event.kind)]
    name = application.data_name or str(application.uuid)
    number = application.application_number or ""
    subject = f"[{number}] {zh} / {en}" if number else f"{zh} / {en}"
    lines = [f"{zh}：{name}", f"{en}: {name}"]
    if event.kind == Event.AMENDMENT_REQUESTED:
        lines.append(f"补正期限 / due by: {application.amendment_due}")
        lines += [f"- {d.get('field', '')}: {d.get('message', '')}" for d in event.data["defects"]]
    if event.kind == Event.PUBLICISED:
        lines.append(f"公示期至 / publicity until: {application.publicity_ends}")
    if event.kind == Event.REGISTERED:
        lines.append(f"登记号 / registration number: {application.registration_number}")
        lines.append(f"证书编号 / certificate number: {application.certificate_number}")
    body = "\n".join(lines) + "\n"
    messages = [(subject, body, None, [recipient]) for recipient in sorted(recipients)]
    return send_mass_mail(messages, fail_silently=False)
