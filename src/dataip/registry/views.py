"""The applicant desk at ``/applications/``: my applications, the wizard, submission, actions.

Views parse, authorise, call one service or selector, and render; every rule is in
``registry.services`` and ``registry.completeness``. An application another registrant owns does
not exist here (404, as in the API). Errors of the services are shown next to the form they
concern, in the viewer's language, with the service's status (400/403/404/409/413).

HTMX requests (header ``HX-Request``) get fragments: a section's save answers with its status line
and, out of band, the new version and each field's message; a stale version answers with the
whole section as it is now, so that the applicant sees what changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dataip.accounts.models import User
from dataip.api.api import request_language
from dataip.core.errors import DataipError, Text
from dataip.publication.selectors import industries
from dataip.registry import forms, selectors, services
from dataip.registry.completeness import (
    DISPLAY_SAMPLE_MIN,
    REVIEW_SAMPLE_MIN,
    Missing,
    application_missing,
)
from dataip.registry.errors import NotFound, RegistryError, StaleUpdate, TooLarge
from dataip.registry.files import attachment
from dataip.registry.models import (
    Application,
    ApplicationEvent,
    MaterialKind,
    SamplePurpose,
    SourceType,
    Status,
)
from dataip.registry.naming import name_advice
from dataip.registry.services import FIELDS
from dataip.registry.workflow import TRANSITIONS, Action

#: Materials offered in the wizard, in the order of FAQ 七(四); the form has its own part.
MATERIAL_KINDS = (
    MaterialKind.SOURCE_STATEMENT,
    MaterialKind.STRUCTURE_DESCRIPTION,
    MaterialKind.COMMITMENT_LETTER,
    MaterialKind.SOURCE_PROOF,
    MaterialKind.AGREEMENT,
    MaterialKind.SAMPLE_ATTACHMENT,
    MaterialKind.COMPLIANCE_REPORT,
)
#: Templates the platform serves for some materials (registry.api).
MATERIAL_TEMPLATES = {
    MaterialKind.COMMITMENT_LETTER: "/api/v1/applications/templates/commitment-letter.pdf",
    MaterialKind.STRUCTURE_DESCRIPTION: (
        "/api/v1/applications/templates/structure-description.xlsx"
    ),
}
#: Material kinds that apply only to some source routes (FAQ 三1).
MATERIAL_ROUTES = {
    MaterialKind.SOURCE_PROOF: (SourceType.SELF_PRODUCED, SourceType.PUBLIC_COLLECTION),
    MaterialKind.AGREEMENT: (SourceType.AGREEMENT,),
}
_PREVIEW_ROWS = 10
_RECENT_EVENTS = 20


def _lang(request: HttpRequest) -> str:
    return request_language(request)


def _text(request: HttpRequest, text: Text) -> str:
    return text.en if _lang(request) == "en" else text.zh


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _applicant(request: HttpRequest) -> User:
    """The signed-in applicant; examiners and administrators do not file applications."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - behind login_required
    if user.is_examiner or user.is_administrator:
        raise PermissionDenied
    return user


def _get(request: HttpRequest, application_id: uuid.UUID) -> Application:
    try:
        return selectors.application_get(user=request.user, application_id=application_id)
    except NotFound as error:
        raise Http404(error.message(_lang(request))) from None


def _may(action: Action, application: Application) -> bool:
    return application.status in TRANSITIONS[action].sources


def _deadline(application: Application) -> dict[str, Any] | None:
    """The next deadline with its countdown; the date alone while the calendar lacks its year."""
    try:
        found = selectors.application_deadline(application)
    except DataipError:
        day = application.amendment_due or application.publicity_ends
        if day is None:
            return None
        return {"kind": "", "last_day": day, "left": None, "passed": day < timezone.localdate()}
    if found is None:
        return None
    kind, last_day, left = found
    return {
        "kind": kind,
        "last_day": last_day,
        "left": left,
        "passed": last_day < timezone.localdate(),
    }


# --- the desk ----------------------------------------------------------------------------------


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    applications = list(selectors.application_list(user=user)[:200])
    rows = [{"application": a, "deadline": _deadline(a)} for a in applications]
    events = selectors.registrant_events(user=user, limit=_RECENT_EVENTS)
    return render(
        request,
        "registry/desk.html",
        {
            "rows": rows,
            "events": [_event_view(request, e, e.application) for e in events],
            "may_start": user.is_real_name_complete,
        },
    )


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    try:
        application = services.application_create(
            actor=user, data_name=request.POST.get("data_name", "")
        )
    except DataipError as error:
        return render(
            request,
            "registry/desk.html",
            {
                "rows": [],
                "events": [],
                "may_start": user.is_real_name_complete,
                "error": error.message(_lang(request)),
            },
            status=error.status,
        )
    return redirect("registry:edit", application_id=application.uuid)


# --- the application's page --------------------------------------------------------------------


def _actor_name(request: HttpRequest, event: ApplicationEvent, application: Application) -> str:
    actor = event.actor
    if actor is None:
        return _("the platform")
    user = request.user
    # As in the API: the applicant's own side by name; examiners as the registration body.
    if getattr(user, "is_examiner", False) or actor.registrant_id == application.registrant_id:
        return actor.real_name or actor.get_username()
    return application.jurisdiction.registration_body


def _event_view(
    request: HttpRequest, event: ApplicationEvent, application: Application
) -> dict[str, Any]:
    return {
        "label": event.get_kind_display(),
        "kind": event.kind,
        "at": event.created_at,
        "actor": _actor_name(request, event, application),
        "from_label": Status(event.from_status).label,
        "to_label": Status(event.to_status).label,
        "changed": event.from_status != event.to_status,
        "reason": event.reason,
        "defects": event.data.get("defects", []) if isinstance(event.data, dict) else [],
        "application": application,
        "leaf_hash": event.leaf_hash,
    }


def _defects_view(request: HttpRequest, application: Application) -> list[dict[str, str]]:
    return [
        {
            "message": str(d.get("message", "")),
            "label": _field_label(request, str(d.get("field", ""))),
            "section": forms.section_of(str(d.get("field", ""))),
            "anchor": _anchor(str(d.get("field", ""))),
        }
        for d in selectors.application_defects(application)
    ]


def _anchor(field: str) -> str:
    return f"f-{field}" if field in FIELDS else f"section-{forms.section_of(field)}"


def _field_label(request: HttpRequest, name: str) -> str:
    """The label of a field an examiner named (a field, ``materials.x`` or ``samples.x``)."""
    spec = FIELDS.get(name)
    if spec is not None:
        return _text(request, spec.label)
    kind = name.split(".", 1)[-1]
    if kind in MaterialKind.values:
        return str(MaterialKind(kind).label)
    if kind in SamplePurpose.values:
        return str(SamplePurpose(kind).label)
    return name


@login_required
@require_GET
def detail(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _get(request, application_id)
    user = request.user
    is_applicant = getattr(user, "registrant_id", None) == application.registrant_id
    return render(
        request,
        "registry/detail.html",
        {
            "application": application,
            "deadline": _deadline(application),
            "defects": _defects_view(request, application),
            "events": [
                _event_view(request, e, application)
                for e in selectors.application_events(application)
            ],
            "materials": list(application.materials.all()),
            "samples": list(application.samples.all()),
            "is_applicant": is_applicant,
            "may_edit": is_applicant and _may(Action.EDIT, application),
            "may_submit": is_applicant and _may(Action.SUBMIT, application),
            "may_resubmit": is_applicant and _may(Action.RESUBMIT, application),
            "may_withdraw": is_applicant and _may(Action.WITHDRAW, application),
        },
    )


# --- the wizard --------------------------------------------------------------------------------


def _value(application: Application, name: str) -> Any:  # noqa: PLR0911 - one exit per kind
    value = getattr(application, name)
    kind = FIELDS[name].kind
    if kind == "division":
        return value.code if value is not None else ""
    if kind == "evidence":
        return str(value.uuid) if value is not None else ""
    if kind == "nbool":
        return {True: "yes", False: "no"}.get(value, "")
    if kind == "date":
        return value.isoformat() if value else ""
    if kind == "count":
        return "" if value is None else str(value)
    if kind == "routes":
        return list(value or [])
    return value


def error_field(error: DataipError) -> str | None:
    """The field a service error is about, to show it there."""
    if error.code in ("industry_unknown", "industry_mismatch"):
        return "industry_division"
    if error.code == "evidence_not_yours":
        return "evidence"
    if error.code == "refiling_justification_required":
        return "refiling_justification"
    label = error.params.get("label")
    for name, spec in FIELDS.items():
        if spec.label == label:
            return name
    return None


def _field_views(
    request: HttpRequest,
    application: Application,
    *,
    missing: list[Missing],
    errors: dict[str, str],
    posted: dict[str, object] | None = None,
    routes: list[str] | None = None,
) -> dict[str, dict[str, Any]]:
    lang = _lang(request)
    hints: dict[str, str] = {}
    for item in missing:
        hints.setdefault(item.field, item.en if lang == "en" else item.zh)
    views = {}
    for name, spec in FIELDS.items():
        value = _value(application, name)
        if posted is not None and name in posted and name in errors:
            # Keep what the applicant typed next to the error, not the stored value.
            raw = posted[name]
            value = "" if raw is None else raw
        needed = [str(r) for r in forms.ROUTE_FIELDS.get(name, ())]
        views[name] = {
            "name": name,
            "id": f"f-{name}",
            "label": spec.label.en if lang == "en" else spec.label.zh,
            "value": value,
            "error": errors.get(name, ""),
            "hint": hints.get(name, ""),
            "max_length": spec.max_length or None,
            "routes": needed,
            "shown": not needed or any(r in (routes or []) for r in needed),
        }
    return views


def _samples_view(application: Application) -> dict[str, dict[str, Any]]:
    by_purpose = {s.purpose: s for s in application.samples.all()}
    views = {}
    for purpose, minimum in (
        (SamplePurpose.REVIEW, REVIEW_SAMPLE_MIN),
        (SamplePurpose.DISPLAY, DISPLAY_SAMPLE_MIN),
    ):
        sample = by_purpose.get(purpose)
        views[purpose.value] = {
            "purpose": purpose.value,
            "label": purpose.label,
            "minimum": minimum,
            "sample": sample,
            "enough": sample is not None and sample.record_count >= minimum,
            "rows": sample.rows[:_PREVIEW_ROWS] if sample else [],
        }
    return views


def _materials_view(application: Application, routes: list[str]) -> list[dict[str, Any]]:
    materials = list(application.materials.all())
    views = []
    for kind in MATERIAL_KINDS:
        needed = [str(r) for r in MATERIAL_ROUTES.get(kind, ())]
        views.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "files": [m for m in materials if m.kind == kind],
                "template": MATERIAL_TEMPLATES.get(kind, ""),
                "routes": needed,
                "shown": not needed or any(r in routes for r in needed),
                "optional": kind
                in (MaterialKind.COMPLIANCE_REPORT, MaterialKind.SAMPLE_ATTACHMENT),
            }
        )
    return views


def _wizard_context(
    request: HttpRequest,
    application: Application,
    *,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    posted: dict[str, object] | None = None,
    status: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the wizard shows; ``section`` (with its ``status`` line) is the one answered."""
    user = _applicant(request)
    missing = application_missing(application)
    lang = _lang(request)
    materials = list(application.materials.all())
    routes = forms.active_routes(application.source_type, list(application.source_routes or []))
    fields = _field_views(
        request, application, missing=missing, errors=errors or {}, posted=posted, routes=routes
    )
    counts = _missing_by_section(missing)
    sections = [
        {
            "slug": s.slug,
            "title": s.title,
            "fields": s.fields,
            "status": status if s.slug == section else None,
            "missing": counts.get(s.slug, 0),
            "field_views": [fields[name] for name in s.fields],
        }
        for s in forms.SECTIONS
    ]
    return {
        "application": application,
        "sections": sections,
        "section": next((s for s in sections if s["slug"] == section), None),
        "f": fields,
        "advice": [(a.en if lang == "en" else a.zh) for a in name_advice(application.data_name)],
        "industries": industries(),
        "current_section": (
            application.industry_division.section_id if application.industry_division else ""
        ),
        "source_types": SourceType.choices,
        "route_choices": [(r.value, r.label) for r in forms.SOURCE_ROUTES],
        "active_routes": routes,
        "evidence_choices": selectors.evidence_choices(user=user, application=application),
        "samples": _samples_view(application),
        "materials": _materials_view(application, routes),
        "forms_uploaded": [m for m in materials if m.kind == MaterialKind.APPLICATION_FORM],
        "form_outdated": any(m.code == "form_outdated" for m in missing),
        "missing_count": len(missing),
        "defects": _defects_view(request, application),
        "deadline": _deadline(application),
        "sample_max": settings.DATAIP_SAMPLE_MAX_BYTES,
        "material_max": settings.DATAIP_MATERIAL_MAX_BYTES,
    }


def _missing_by_section(missing: list[Missing]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in missing:
        section = forms.section_of(item.field)
        counts[section] = counts.get(section, 0) + 1
    return counts


def _editable(request: HttpRequest, application_id: uuid.UUID) -> Application:
    _applicant(request)
    return _get(request, application_id)


@login_required
@require_GET
def edit(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _editable(request, application_id)
    if not _may(Action.EDIT, application):
        messages.info(request, _("This application can no longer be edited."))
        return redirect("registry:detail", application_id=application.uuid)
    return render(request, "registry/wizard.html", _wizard_context(request, application))


@login_required
@require_POST
def section_save(request: HttpRequest, application_id: uuid.UUID, section: str) -> HttpResponse:
    """Save one section's fields through ``application_update`` with the version edited."""
    if not forms.is_form_section(section):
        raise Http404(section)
    application = _editable(request, application_id)
    changes = forms.section_changes(section, request.POST)
    try:
        application = services.application_update(
            actor=_applicant(request),
            application=application,
            changes=changes,
            version=forms.parse_version(request.POST),
        )
    except StaleUpdate as error:
        # Someone saved meanwhile: show the section as it is now, with what happened.
        application.refresh_from_db()
        context = _wizard_context(
            request,
            application,
            section=section,
            status=("conflict", error.message(_lang(request)) + " " + _(CONFLICT_ADVICE)),
        )
        if not _htmx(request):
            return render(request, "registry/wizard.html", context, status=error.status)
        response = render(request, "registry/_section_response.html", context, status=error.status)
        response["HX-Retarget"] = f"#section-{section}"
        response["HX-Reswap"] = "outerHTML"
        return response
    except DataipError as error:
        message = error.message(_lang(request))
        field = error_field(error)
        application.refresh_from_db()
        context = _wizard_context(
            request,
            application,
            section=section,
            errors={field: message} if field else {},
            posted=changes,
            status=("error", message),
        )
        template = "registry/_saved.html" if _htmx(request) else "registry/wizard.html"
        return render(request, template, context, status=error.status)
    if not _htmx(request):
        messages.success(request, _("Saved."))
        return redirect(reverse("registry:edit", args=[application.uuid]) + f"#section-{section}")
    saved_at = timezone.localtime().strftime("%H:%M:%S")
    context = _wizard_context(
        request,
        application,
        section=section,
        status=("saved", _("Saved at %(time)s.") % {"time": saved_at}),
    )
    return render(request, "registry/_saved.html", context)


#: Said after a stale-version message: the section now shows the stored values.
CONFLICT_ADVICE = "The section now shows what is saved; check it and make your change again."


@login_required
@require_GET
def advice(request: HttpRequest) -> HttpResponse:
    """Live advice on a data name (pure text rules, never binding)."""
    _applicant(request)
    lang = _lang(request)
    name = request.GET.get("data_name", "")[:200]
    return render(
        request,
        "registry/_advice.html",
        {"advice": [(a.en if lang == "en" else a.zh) for a in name_advice(name)], "name": name},
    )


@login_required
@require_GET
def industry_options(request: HttpRequest) -> HttpResponse:
    """The division picker narrowed to a section and/or a search text (code or name)."""
    _applicant(request)
    section = request.GET.get("industry_section", "").strip().upper()[:1]
    query = request.GET.get("industry_q", "").strip()[:50]
    selected = request.GET.get("industry_division", "").strip()[:2]
    groups = []
    kept = False
    for code, name, divisions in industries():
        section_hit = bool(query) and query in name
        shown = [
            (d_code, d_name)
            for d_code, d_name in divisions
            if (
                (not section or code == section)
                and (not query or section_hit or query in d_name or d_code.startswith(query))
            )
            # The chosen division stays in the list, so that a filter never unsets it.
            or d_code == selected
        ]
        kept = kept or any(d == selected for d, _name in shown)
        if shown:
            groups.append((code, name, shown))
    return render(
        request,
        "registry/_divisions.html",
        {
            "groups": groups,
            "selected": selected if kept else "",
            "filtered": bool(section or query),
            "shown": sum(len(g[2]) for g in groups),
            "label": _text(request, FIELDS["industry_division"].label),
        },
    )


def _section_action(
    request: HttpRequest, application: Application, section: str, action: Callable[[], str]
) -> HttpResponse:
    """Run an upload or a removal of ``section``; answer with the section and its status line.

    ``action`` returns the success message; a :class:`DataipError` it raises is the error line
    (with its status). With htmx the section is swapped; without, a redirect (or, for an error,
    the whole wizard page).
    """
    try:
        status_line, http_status = ("saved", action()), 200
    except DataipError as error:
        status_line, http_status = ("error", error.message(_lang(request))), error.status
    application.refresh_from_db()
    context = _wizard_context(request, application, section=section, status=status_line)
    if _htmx(request):
        return render(request, "registry/_section_response.html", context, status=http_status)
    if http_status >= 400:  # noqa: PLR2004 - an error: show it in the page
        return render(request, "registry/wizard.html", context, status=http_status)
    messages.success(request, status_line[1])
    return redirect(reverse("registry:edit", args=[application.uuid]) + f"#section-{section}")


def _read(request: HttpRequest, limit: int) -> tuple[str, bytes]:
    upload = request.FILES.get("file")
    if upload is None:
        raise RegistryError(
            "field_invalid",
            label=Text("文件", "file"),
            problem=Text("请选择要上传的文件", "choose a file to upload"),
        )
    if upload.size is not None and upload.size > limit:
        raise TooLarge("file_too_large", name=upload.name or "", limit=limit)
    return upload.name or "file", bytes(upload.read())


@login_required
@require_POST
def sample_upload(request: HttpRequest, application_id: uuid.UUID, purpose: str) -> HttpResponse:
    application = _editable(request, application_id)

    def upload() -> str:
        name, data = _read(request, settings.DATAIP_SAMPLE_MAX_BYTES)
        sample = services.sample_upload(
            actor=_applicant(request),
            application=application,
            purpose=purpose,
            name=name,
            data=data,
        )
        return _("%(name)s uploaded: %(count)s records.") % {
            "name": sample.original_name,
            "count": sample.record_count,
        }

    return _section_action(request, application, "samples", upload)


@login_required
@require_POST
def material_upload(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _editable(request, application_id)

    def upload() -> str:
        name, data = _read(request, settings.DATAIP_MATERIAL_MAX_BYTES)
        material = services.material_upload(
            actor=_applicant(request),
            application=application,
            kind=request.POST.get("kind", ""),
            name=name,
            data=data,
        )
        return _("%(name)s uploaded.") % {"name": material.original_name}

    return _section_action(request, application, "materials", upload)


@login_required
@require_POST
def material_delete(
    request: HttpRequest, application_id: uuid.UUID, material_id: int
) -> HttpResponse:
    _applicant(request)
    try:
        material = selectors.material_get(
            user=request.user, application_id=application_id, material_id=material_id
        )
    except NotFound as error:
        raise Http404(error.message(_lang(request))) from None

    def remove() -> str:
        services.material_delete(actor=_applicant(request), material=material)
        return _("%(name)s removed.") % {"name": material.original_name}

    return _section_action(request, material.application, "materials", remove)


@login_required
@require_GET
def material_download(
    request: HttpRequest, application_id: uuid.UUID, material_id: int
) -> FileResponse:
    try:
        material = selectors.material_get(
            user=request.user, application_id=application_id, material_id=material_id
        )
    except NotFound as error:
        raise Http404(error.message(_lang(request))) from None
    return attachment(material.file, material.original_name, material.content_type)


@login_required
@require_GET
def form_pdf(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    from dataip.registry.documents import application_form_response  # noqa: PLC0415 - reportlab

    return application_form_response(_get(request, application_id))


# --- submission and the applicant's other actions -----------------------------------------------


def _missing_view(request: HttpRequest, application: Application) -> list[dict[str, str]]:
    lang = _lang(request)
    return [
        {
            "message": m.en if lang == "en" else m.zh,
            "field": m.field,
            "section": forms.section_of(m.field),
            "anchor": _anchor(m.field),
        }
        for m in application_missing(application)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """What is still missing, with links; submits (or resubmits, after amendment) when complete."""
    application = _editable(request, application_id)
    resubmit = application.status == Status.AMENDMENT_REQUESTED
    error = ""
    status = 200
    if request.method == "POST":
        action = services.application_resubmit if resubmit else services.application_submit
        try:
            application = action(
                actor=_applicant(request),
                application=application,
                version=forms.parse_version(request.POST),
            )
        except DataipError as failure:
            error = failure.message(_lang(request))
            status = failure.status
            application.refresh_from_db()
        else:
            messages.success(
                request,
                _("Submitted. Application number: %(number)s")
                % {"number": application.application_number},
            )
            return redirect("registry:detail", application_id=application.uuid)
    allowed = _may(Action.RESUBMIT if resubmit else Action.SUBMIT, application)
    return render(
        request,
        "registry/submit.html",
        {
            "application": application,
            "missing": _missing_view(request, application) if allowed else [],
            "allowed": allowed,
            "resubmit": resubmit,
            "error": error,
            "deadline": _deadline(application),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Withdraw with a reason, only while the application waits for review (待审核)."""
    application = _editable(request, application_id)
    error = ""
    status = 200
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            services.application_withdraw(
                actor=_applicant(request), application=application, reason=reason
            )
        except DataipError as failure:
            error = failure.message(_lang(request))
            status = failure.status
            application.refresh_from_db()
        else:
            messages.success(request, _("The application was withdrawn."))
            return redirect("registry:detail", application_id=application.uuid)
    return render(
        request,
        "registry/withdraw.html",
        {
            "application": application,
            "allowed": _may(Action.WITHDRAW, application),
            "reason": reason,
            "error": error,
        },
        status=status,
    )
