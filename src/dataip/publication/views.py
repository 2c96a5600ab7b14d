"""The public pages: home, publicity and objections, announcements, the register, verification.

Every page is built from ``publication.selectors`` only (public projections); filing an
objection is the one write, through ``registry.services.objection_file``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from dataip.accounts.models import User
from dataip.core.errors import DataipError
from dataip.publication import forms, selectors
from dataip.registry import services
from dataip.registry.errors import NotFound

#: Fields of a registration in the open-data downloads, in order (the public record's fields).
EXPORT_FIELDS = (
    "registration_number",
    "certificate_number",
    "application_number",
    "application_date",
    "registration_date",
    "applicant",
    "data_name",
    "data_source",
    "processing_rules",
    "application_scenario",
    "industry_section",
    "industry_division",
)
_MAX_PAGE = 10_000


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh"


def _page(request: HttpRequest) -> int:
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(page, 1), _MAX_PAGE)


def _pager(request: HttpRequest, page: int, has_next: bool) -> dict[str, Any]:
    """Links to the previous and next page, keeping the other query parameters."""
    links: dict[str, Any] = {"page": page}
    for name, target in (("previous", page - 1), ("next", page + 1)):
        if (name == "previous" and page > 1) or (name == "next" and has_next):
            query = request.GET.copy()
            query["page"] = str(target)
            links[name] = "?" + query.urlencode()
    return links


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "announcements": selectors.announcement_list(limit=5),
        "publicity": selectors.publicity_list(limit=5),
    }
    return render(request, "home.html", context)


@require_GET
def publicity(request: HttpRequest) -> HttpResponse:
    page = _page(request)
    size = selectors.PAGE_SIZE
    records = selectors.publicity_list(limit=size + 1, offset=(page - 1) * size)
    context = {
        "records": records[:size],
        "pager": _pager(request, page, len(records) > size),
        "today": timezone.localdate(),
    }
    return render(request, "publication/publicity_list.html", context)


@require_http_methods(["GET", "POST"])
def publicity_detail(request: HttpRequest, number: str) -> HttpResponseBase:
    """One application in publicity; signed-in users may object to it here."""
    try:
        record = selectors.publicity_get(application_number=number)
    except NotFound:
        raise Http404(number) from None
    user = request.user
    form = forms.ObjectionForm()
    status = 200
    if request.method == "POST":
        if not isinstance(user, User):
            return redirect_to_login(request.get_full_path())
        form = forms.ObjectionForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                services.objection_file(
                    actor=user,
                    application=selectors.publicity_application(application_number=number),
                    reasons=form.cleaned_data["reasons"],
                    files=[
                        (f.name or "file", f.read()) for f in form.cleaned_data["evidence_files"]
                    ],
                )
            except DataipError as error:
                form.add_error(None, error.message(_language()))
                status = error.status
            else:
                messages.success(
                    request,
                    _(
                        "Your objection was filed. The examiners will review it and write to "
                        "you about their decision."
                    ),
                )
                return redirect("publication:publicity-detail", number=number)
    context = {
        "record": record,
        "form": form,
        "open": timezone.localdate() <= record.publicity_end,
    }
    return render(request, "publication/publicity_detail.html", context, status=status)


@require_GET
def announcements(request: HttpRequest) -> HttpResponse:
    page = _page(request)
    size = selectors.PAGE_SIZE
    records = selectors.announcement_list(limit=size + 1, offset=(page - 1) * size)
    context = {"records": records[:size], "pager": _pager(request, page, len(records) > size)}
    return render(request, "publication/announcements.html", context)


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The open register: search by data name, registrant and industry."""
    form = forms.RegisterSearchForm(request.GET or None, industries=selectors.industries())
    criteria = {"text": "", "section": "", "division": ""}
    if form.is_bound and form.is_valid():
        criteria = {
            "text": form.cleaned_data["q"],
            "section": form.cleaned_data["section"],
            "division": form.cleaned_data["division"],
        }
    page = _page(request)
    size = selectors.PAGE_SIZE
    result = selectors.registration_search(**criteria, offset=(page - 1) * size, limit=size)
    context = {
        "form": form,
        "result": result,
        "searched": any(criteria.values()),
        "pager": _pager(request, page, page * size < result.total),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "publication/register.html", context, status=status)


def _json_ld(value: object) -> SafeString:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>``, ``&`` escaped.

    As Django's ``json_script``: no string in the data can close the element or open a comment.
    """
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


def _dataset(request: HttpRequest, record: selectors.RegisteredRecord) -> dict[str, Any]:
    """schema.org ``Dataset`` of a registration: its public fields only."""
    url = request.build_absolute_uri(
        reverse("publication:register-detail", args=[record.registration_number])
    )
    dataset: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": record.data_name,
        "description": record.application_scenario,
        "identifier": [
            {"@type": "PropertyValue", "propertyID": key, "value": value}
            for key, value in (
                ("registration_number", record.registration_number),
                ("certificate_number", record.certificate_number),
                ("application_number", record.application_number),
            )
        ],
        "creator": {"@type": "Organization", "name": record.applicant},
        "datePublished": record.registration_date.isoformat(),
        "inLanguage": "zh-CN",
    }
    if record.industry_division:
        dataset["keywords"] = [record.industry_section, record.industry_division]
    return dataset


def _registration_page(
    request: HttpRequest, record: selectors.RegisteredRecord, *, certificate: bool
) -> HttpResponse:
    context = {
        "record": record,
        "json_ld": _json_ld(_dataset(request, record)),
        "certificate_check": certificate,
    }
    return render(request, "publication/register_detail.html", context)


@require_GET
def register_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        record = selectors.registration_get(registration_number=number)
    except NotFound:
        raise Http404(number) from None
    return _registration_page(request, record, certificate=False)


@require_GET
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    """The target of a certificate's QR code: is this certificate number in the register?"""
    try:
        record = selectors.registration_get(certificate_number=number)
    except NotFound:
        context = {
            "number": number,
            "form": forms.CertificateLookupForm(initial={"number": number}),
        }
        return render(request, "publication/certificate_unknown.html", context, status=404)
    return _registration_page(request, record, certificate=True)


_SOURCE_LABELS = {
    "self_produced": gettext_noop("Self-produced"),
    "public_collection": gettext_noop("Public collection"),
    "agreement": gettext_noop("Obtained by agreement"),
    "other": gettext_noop("Other lawful sources"),
}
#: Geometry of the bar charts (SVG user units): a label line above each bar.
_CHART_WIDTH = 400
_BAR_MAX = 320
_ROW = 44


def _chart(counts: Sequence[selectors.Count]) -> dict[str, Any]:
    top = max((c.count for c in counts), default=0)
    rows = []
    for i, item in enumerate(counts):
        # At least 1 unit, so that a count of one among thousands still shows; "320", not "320.0".
        width = max(round(_BAR_MAX * item.count / top, 1), 1.0) if top else 1.0
        y = i * _ROW
        rows.append(
            {
                "label": item.label,
                "count": item.count,
                "label_y": y + 14,
                "bar_y": y + 20,
                "width": f"{width:g}",
                "count_x": f"{width + 6:g}",
                "count_y": y + 34,
            }
        )
    return {"rows": rows, "width": _CHART_WIDTH, "height": max(len(rows) * _ROW, _ROW)}


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Registrations by month, industry division and source type: SVG bars and their tables."""
    stats = selectors.registration_statistics()
    by_source = [
        selectors.Count(c.key, _(_SOURCE_LABELS.get(c.key, c.label)), c.count)
        for c in stats.by_source_type
    ]
    charts = [
        ("month", _("Registrations by month"), _("Month"), stats.by_month),
        (
            "division",
            _("Registrations by industry division"),
            _("Industry division"),
            stats.by_division,
        ),
        ("source", _("Registrations by source type"), _("Source type"), by_source),
    ]
    context = {
        "total": stats.total,
        "charts": [
            {"id": key, "title": title, "column": column, "chart": _chart(counts)}
            for key, title, column, counts in charts
        ],
    }
    return render(request, "publication/statistics.html", context)


def _export_rows() -> Iterator[dict[str, str]]:
    for record in selectors.registration_export():
        data = asdict(record)
        yield {name: str(data[name]) for name in EXPORT_FIELDS}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _download_name(extension: str) -> str:
    return f"dataip-register-{timezone.localdate().isoformat()}.{extension}"


@require_GET
def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The register as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read it)."""
    writer = csv.DictWriter(_Echo(), fieldnames=EXPORT_FIELDS)

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writeheader()
        for row in _export_rows():
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name("csv")}"'
    return response


@require_GET
def register_json(request: HttpRequest) -> JsonResponse:
    """The register as JSON: ``{"generated_at", "count", "registrations": [...]}``."""
    rows = list(_export_rows())
    body = {
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
        "count": len(rows),
        "fields": list(EXPORT_FIELDS),
        "registrations": rows,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{_download_name("json")}"'
    return response


def _verify_result(form: forms.EvidenceVerifyForm) -> dict[str, Any]:
    """What the log says about the hash value, manifest or receipt of a valid form."""
    data = form.cleaned_data
    if data.get("receipt") is not None:
        try:
            result = selectors.receipt_verify(doc=data["receipt"][0])
        except DataipError as error:
            return {"kind": "receipt", "failure": error.message(_language()), "code": error.code}
        return {"kind": "receipt", "receipt": result, "root": result.check.statement["root"]}
    if data.get("manifest") is not None:
        manifest = data["manifest"]
        root = manifest.root_hex
        found = selectors.evidence_find(root=root)
        return {"kind": "manifest", "manifest": manifest, "root": root, "found": found}
    root = data["root"]
    return {"kind": "root", "root": root, "found": selectors.evidence_find(root=root)}


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponseBase:
    """Verify a certificate number, or evidence: a hash value, a manifest or a receipt."""
    certificate_form = forms.CertificateLookupForm(request.GET if "number" in request.GET else None)
    if certificate_form.is_bound and certificate_form.is_valid():
        return redirect("publication:certificate", number=certificate_form.cleaned_data["number"])
    evidence_form = forms.EvidenceVerifyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result: dict[str, Any] | None = None
    status = 400 if certificate_form.is_bound else 200
    if evidence_form.is_bound:
        if evidence_form.is_valid():
            result = _verify_result(evidence_form)
            status = 200
        else:
            status = 400
    context = {
        "certificate_form": certificate_form,
        "evidence_form": evidence_form,
        "result": result,
    }
    return render(request, "publication/verify.html", context, status=status)
