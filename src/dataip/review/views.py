"""Pages at ``/review/``: the examiners' queues, the review page and the decisions.

Examiners only: anyone else signed in gets 403, an anonymous visitor the sign-in page. Each
decision is a two-step form that works without JavaScript: the first POST checks the input and
shows what will happen (the publicity end, the amendment deadline, the grounds); the second,
``step=confirm``, calls the registry's service, which records it. The services' errors (another
examiner acted first: 409; a deadline in a year the calendar does not know: 409) are shown in
the examiner's language beside the form, with their status.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.accounts.models import User
from dataip.accounts.permissions import is_examiner
from dataip.core.errors import DataipError
from dataip.evidence.selectors import evidence_log_index
from dataip.registry import selectors, services
from dataip.registry.errors import RegistryError
from dataip.registry.files import attachment
from dataip.registry.models import (
    Application,
    Objection,
    ObjectionFile,
    ObjectionOutcome,
    ObjectionStatus,
    SamplePurpose,
    SourceType,
    Status,
)
from dataip.registry.naming import name_advice
from dataip.registry.services import FIELDS
from dataip.registry.workflow import STATUS_LABELS
from dataip.review import forms
from dataip.transparency import selectors as log
from dataip.workdays.errors import CalendarUnknown
from dataip.workdays.selectors import add_working_days

View = Callable[..., HttpResponseBase]

#: The queues: key -> (statuses, label); "objections" is publicity with an open objection.
QUEUES: dict[str, tuple[tuple[Status, ...], Any]] = {
    "submitted": ((Status.SUBMITTED,), gettext_lazy("Submitted")),
    "under_review": ((Status.UNDER_REVIEW,), gettext_lazy("Under review")),
    "amendment": ((Status.AMENDMENT_REQUESTED,), gettext_lazy("Amendment due")),
    "publicity": ((Status.PUBLICITY,), gettext_lazy("In publicity")),
    "objections": ((Status.PUBLICITY,), gettext_lazy("Open objections")),
}
#: Rows shown per queue; the oldest deadlines come first, so nothing urgent is cut off.
QUEUE_LIMIT = 200
#: Working days left at which an amendment deadline is flagged as close.
DUE_SOON = 3


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh"


def _status_label(status: str) -> str:
    return STATUS_LABELS[Status(status)][1 if _language() == "en" else 0]


def examiner_required(view: View) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_examiner(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _examiner(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - examiner_required let only examiners through
    return user


def _application(request: HttpRequest, application_id: uuid.UUID) -> Application:
    try:
        return selectors.application_get(user=request.user, application_id=application_id)
    except DataipError as error:
        raise Http404(error.message("en")) from error


def _objection(objection_id: uuid.UUID) -> Objection:
    try:
        return selectors.objection_get(objection_id=objection_id)
    except DataipError as error:
        raise Http404(error.message("en")) from error


def _error(error: DataipError) -> dict[str, Any]:
    return {"message": error.message(_language()), "code": error.code, "status": error.status}


# --- the queues -------------------------------------------------------------------------------


def _queue(key: str) -> QuerySet[Application]:
    statuses, _label = QUEUES[key]
    queryset = selectors.review_queue(status=statuses)
    if key == "objections":
        queryset = queryset.filter(Q(open_objections__gt=0))
    return queryset


@examiner_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("queue", "submitted")
    if key not in QUEUES:
        key = "submitted"
    today = timezone.localdate()
    rows = []
    calendar_error = None
    for application in _queue(key)[:QUEUE_LIMIT]:
        deadline, left = None, None
        try:
            found = selectors.application_deadline(application, today=today)
        except CalendarUnknown as error:
            calendar_error = _error(error)
            found = None
            deadline = application.amendment_due or application.publicity_ends
        if found is not None:
            _kind, deadline, left = found
        rows.append(
            {
                "application": application,
                "status_label": _status_label(application.status),
                "deadline": deadline,
                "left": left,
                "overdue": deadline is not None and deadline < today,
                "soon": left is not None and left <= DUE_SOON,
            }
        )
    counts = selectors.review_queue_counts()
    tabs = [
        {"key": k, "label": label, "count": counts[k], "current": k == key}
        for k, (_statuses, label) in QUEUES.items()
    ]
    context = {
        "tabs": tabs,
        "key": key,
        "label": QUEUES[key][1],
        "rows": rows,
        "limit": QUEUE_LIMIT,
        "calendar_error": calendar_error,
        "today": today,
    }
    return render(request, "review/queue.html", context)


# --- the review page -------------------------------------------------------------------------


def _industry(application: Application) -> str:
    division = application.industry_division
    if division is None:
        return "—"
    section = division.section
    return f"{section.code} {section.name} / {division.code} {division.name}"


def _source_type(application: Application) -> str:
    return application.get_source_type_display() if application.source_type else "—"


def _source_routes(application: Application) -> str:
    return "、".join(str(SourceType(r).label) for r in application.source_routes or []) or "—"


_SPECIAL: dict[str, Callable[[Application], str]] = {
    "industry_division": _industry,
    "source_type": _source_type,
    "source_routes": _source_routes,
}


def _display(application: Application, name: str) -> str:
    if name in _SPECIAL:
        return _SPECIAL[name](application)
    value = getattr(application, name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _fields(application: Application) -> list[dict[str, str]]:
    index = 1 if _language() == "en" else 0
    return [
        {"name": name, "label": field.label[index], "value": _display(application, name)}
        for name, field in FIELDS.items()
        if name != "evidence"
    ]


def _evidence(application: Application) -> dict[str, Any] | None:
    evidence = application.evidence
    if evidence is None:
        return None
    index = evidence_log_index(evidence)
    return {
        "record": evidence,
        "index": index,
        "checkpoint": log.checkpoint_covering(index) if index is not None else None,
    }


def _timeline(application: Application) -> list[dict[str, Any]]:
    events = selectors.application_events(application)
    indices = dict(log.leaf_indices(e.leaf_hash for e in events if e.leaf_hash))
    return [
        {
            "event": e,
            "from_label": _status_label(e.from_status),
            "to_label": _status_label(e.to_status),
            "defects": e.data.get("defects", []) if isinstance(e.data, dict) else [],
            "leaf_index": indices.get(e.leaf_hash),
        }
        for e in events
    ]


def _review_context(application: Application) -> dict[str, Any]:
    samples = {s.purpose: s for s in application.samples.all()}
    deadline, deadline_error = None, None
    try:
        deadline = selectors.application_deadline(application)
    except CalendarUnknown as error:
        deadline_error = _error(error)
    lang = 1 if _language() == "en" else 0
    status = application.status
    return {
        "application": application,
        "status_label": _status_label(status),
        "fields": _fields(application),
        "name_advice": [(a.zh, a.en)[lang] for a in name_advice(application.data_name)]
        if application.data_name
        else [],
        "evidence": _evidence(application),
        "duplicates": [
            {"application": d, "status_label": _status_label(d.status)}
            for d in selectors.duplicates_of(application)
        ],
        "review_sample": samples.get(SamplePurpose.REVIEW),
        "display_sample": samples.get(SamplePurpose.DISPLAY),
        "materials": list(application.materials.all()),
        "timeline": _timeline(application),
        "defects": selectors.application_defects(application),
        "objections": list(
            application.objections.select_related("filed_by", "resolved_by").prefetch_related(
                "files"
            )
        ),
        "grounds": list(application.rejection_grounds.all()),
        "deadline": deadline,
        "deadline_error": deadline_error,
        "may_start": status == Status.SUBMITTED,
        "may_decide": status == Status.UNDER_REVIEW,
        "may_resolve": status == Status.PUBLICITY,
    }


@examiner_required
@require_GET
def detail(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id)
    return render(request, "review/detail.html", _review_context(application))


# --- downloads --------------------------------------------------------------------------------


@examiner_required
@require_GET
def material(request: HttpRequest, application_id: uuid.UUID, material_id: int) -> FileResponse:
    try:
        found = selectors.material_get(
            user=request.user, application_id=application_id, material_id=material_id
        )
    except DataipError as error:
        raise Http404(error.message("en")) from error
    return attachment(found.file, found.original_name, found.content_type)


_SAMPLE_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@examiner_required
@require_GET
def sample(request: HttpRequest, application_id: uuid.UUID, purpose: str) -> FileResponse:
    application = _application(request, application_id)
    found = application.samples.filter(purpose=purpose).first()
    if found is None:
        raise Http404(purpose)
    return attachment(found.file, found.original_name, _SAMPLE_TYPES.get(found.format, ""))


@examiner_required
@require_GET
def objection_file(request: HttpRequest, objection_id: uuid.UUID, file_id: int) -> FileResponse:
    found: ObjectionFile | None = _objection(objection_id).files.filter(pk=file_id).first()
    if found is None:
        raise Http404(str(file_id))
    return attachment(found.file, found.original_name, found.content_type)


# --- decisions --------------------------------------------------------------------------------


def _done(request: HttpRequest, application: Application, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("review:detail", application_id=application.uuid)


def _page(
    request: HttpRequest,
    template: str,
    application: Application,
    *,
    error: DataipError | None = None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context.update(
        application=application,
        status_label=_status_label(application.status),
        error=_error(error) if error is not None else None,
    )
    return render(request, template, context, status=error.status if error is not None else status)


@examiner_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id)
    if request.method == "POST":
        try:
            services.application_start_review(actor=_examiner(request), application=application)
        except DataipError as error:
            return _page(request, "review/start.html", application, error=error)
        return _done(request, application, _("You have taken up the review."))
    return _page(request, "review/start.html", application)


def _working_days_from_today(days: int) -> datetime.date:
    return add_working_days(start=timezone.localdate(), days=days)


@examiner_required
@require_http_methods(["GET", "POST"])
def publicity(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id)
    template = "review/publicity.html"
    if request.method == "POST":
        try:
            application = services.application_start_publicity(
                actor=_examiner(request), application=application
            )
        except DataipError as error:
            return _page(request, template, application, error=error)
        return _done(
            request,
            application,
            _("The application is in publicity until %(end)s.")
            % {"end": application.publicity_ends},
        )
    try:
        end = _working_days_from_today(application.jurisdiction.publicity_days)
    except CalendarUnknown as error:
        return _page(request, template, application, error=error)
    return _page(request, template, application, end=end)


def _step(request: HttpRequest) -> str:
    return request.POST.get("step", "") if request.method == "POST" else ""


@examiner_required
@require_http_methods(["GET", "POST"])
def amendment(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id)
    template = "review/amendment.html"
    step = _step(request)
    form = forms.AmendmentForm(request.POST or None, language=_language())
    if not step or not form.is_valid():
        return _page(request, template, application, form=form, status=400 if step else 200)
    defects = form.defects()
    if step == "edit":
        return _page(request, template, application, form=form)
    try:
        if step == "confirm":
            services.application_request_amendment(
                actor=_examiner(request),
                application=application,
                defects=defects,
                reason=form.cleaned_data["note"],
            )
            return _done(request, application, _("The amendment request was sent."))
        if not defects:
            return _page(
                request,
                template,
                application,
                form=form,
                error=RegistryError("defects_required"),
            )
        due = _working_days_from_today(application.jurisdiction.amendment_days)
    except DataipError as error:
        return _page(request, template, application, form=form, error=error)
    labels = form.target_labels
    return _page(
        request,
        template,
        application,
        form=form,
        confirming=True,
        due=due,
        defects=[{"target": labels.get(d.field, d.field), "message": d.message} for d in defects],
    )


@examiner_required
@require_http_methods(["GET", "POST"])
def reject(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id)
    template = "review/reject.html"
    step = _step(request)
    form = forms.RejectForm(
        request.POST or None,
        grounds=selectors.grounds(application.jurisdiction),
        language=_language(),
    )
    if not step or not form.is_valid() or step == "edit":
        status = 400 if step and step != "edit" else 200
        return _page(request, template, application, form=form, status=status)
    if step == "confirm":
        try:
            services.application_reject(
                actor=_examiner(request),
                application=application,
                grounds=form.cleaned_data["grounds"],
                reasoning=form.cleaned_data["reasoning"],
            )
        except DataipError as error:
            return _page(request, template, application, form=form, error=error)
        return _done(request, application, _("The application was rejected."))
    return _page(request, template, application, form=form, confirming=True)


@examiner_required
@require_http_methods(["GET", "POST"])
def resolve(request: HttpRequest, objection_id: uuid.UUID) -> HttpResponse:
    objection = _objection(objection_id)
    application = objection.application
    template = "review/resolve.html"
    step = _step(request)
    form = forms.ResolveForm(request.POST or None)
    context: dict[str, Any] = {"objection": objection, "files": list(objection.files.all())}
    if objection.status != ObjectionStatus.OPEN and request.method == "GET":
        context["resolved"] = True
    if not step or not form.is_valid() or step == "edit":
        status = 400 if step and step != "edit" else 200
        return _page(request, template, application, form=form, status=status, **context)
    if step == "confirm":
        try:
            application = services.objection_resolve(
                actor=_examiner(request),
                objection=objection,
                outcome=form.cleaned_data["outcome"],
                proof_kind=form.cleaned_data["proof_kind"],
                resolution=form.cleaned_data["resolution"],
            )
        except DataipError as error:
            return _page(request, template, application, form=form, error=error, **context)
        return _done(request, application, _("The objection was decided."))
    outcome = form.cleaned_data["outcome"]
    return _page(
        request,
        template,
        application,
        form=form,
        confirming=True,
        rejects=outcome == ObjectionOutcome.NOT_ENTITLED,
        outcome_label=dict(forms.OUTCOMES)[outcome],
        proof_label=dict(forms.PROOFS)[form.cleaned_data["proof_kind"]],
        **context,
    )
