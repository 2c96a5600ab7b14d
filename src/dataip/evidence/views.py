"""``POST /api/v1/evidence/upload``, and the evidence pages at ``/evidence/``.

``upload``: files hashed while they stream, then recorded.

Multipart form: one ``file`` part per file, its filename the file's path in the dataset,
percent-encoded UTF-8 (a browser sends ``encodeURIComponent(file.webkitRelativePath)``);
optional fields ``alg`` (sm3 or sha256, in the query string, since the fields arrive after the
files) and ``label``. Answers as ``POST /api/v1/evidence/digest`` does.

The pages list the signed-in user's evidence records with their place in the log, create records
from a manifest, from a pasted hash value and check code, or from files uploaded with a progress
bar (``static/evidence/js/upload.js`` against the resumable uploads of ``/api/v1/evidence/uploads``,
which also continues the unfinished uploads listed on the page), discard an unfinished upload
(a plain form), and offer the offline tool.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

import dataip
from dataip import toolbuild
from dataip.accounts.auth import TokenAuth
from dataip.accounts.models import User
from dataip.api.api import STATUS, dataip_error, request_language
from dataip.core.errors import DataipError, UnsupportedAlgorithm
from dataip.core.hashing import ALGORITHMS, DEFAULT_ALG
from dataip.evidence import selectors, services
from dataip.evidence.api import evidence_out
from dataip.evidence.models import Algorithm, Evidence
from dataip.evidence.uploads import hash_upload
from dataip.transparency import selectors as log
from dataip.transparency.models import Checkpoint


@csrf_exempt
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Checks sign-in before reading the body; CSRF once the hashing handler is installed.

    An API token (``Authorization: Bearer``) or the browser session, as the rest of the API; a
    token is never sent by a browser on its own, so only the session needs the CSRF token.
    """
    token_user = TokenAuth()(request) if "Authorization" in request.headers else None
    if token_user is None and (
        "Authorization" in request.headers or not request.user.is_authenticated
    ):
        return JsonResponse({"detail": "请先登录 / sign in first"}, status=401)
    alg = request.GET.get("alg", DEFAULT_ALG)
    try:
        if alg not in ALGORITHMS:
            raise UnsupportedAlgorithm("alg_unknown", alg=alg)
        uploaded = hash_upload(request, alg=alg)
    except DataipError as e:
        return dataip_error(request, e)
    if token_user is not None:
        return _record(request, uploaded)
    return _record_in_session(request, uploaded)


@csrf_protect
def _record_in_session(request: HttpRequest, uploaded: object) -> HttpResponse:
    return _record(request, uploaded)


def _record(request: HttpRequest, uploaded: object) -> HttpResponse:
    try:
        evidence, created = services.evidence_record_upload(
            owner=request.user,  # type: ignore[arg-type]
            uploaded=uploaded,  # type: ignore[arg-type]
            label=request.POST.get("label", ""),
        )
    except DataipError as e:
        return dataip_error(request, e)
    return JsonResponse(
        evidence_out(evidence).model_dump(mode="json"), status=201 if created else 200
    )


# --- pages at /evidence/ -----------------------------------------------------------------------
# (the upload endpoint above is the API's; the pages below are for people)

#: Data larger than this is better hashed with the offline tool (FAQ 七(三)6).
OFFLINE_THRESHOLD = 100 * 1000 * 1000
_TOOL_NAME = "dataip-tool.pyz"
_MAX_COUNT = 2**63 - 1
#: More unfinished uploads than a user may have (DATAIP_UPLOAD_SESSIONS_PER_USER) are not shown.
_UPLOADS_SHOWN = 100


def _lang(request: HttpRequest) -> str:
    return request_language(request)


class DigestForm(forms.Form):
    """The four values the offline tool prints, and the owner's own label."""

    alg = forms.ChoiceField(
        label=gettext_lazy("Algorithm"),
        choices=[(a.value, a.label) for a in Algorithm],
        initial=DEFAULT_ALG,
        help_text=gettext_lazy(
            "As shown under “alg” in the tool's output (SM3 unless you chose SHA-256)."
        ),
    )
    root = forms.CharField(
        label=gettext_lazy("Hash value"),
        max_length=200,
        help_text=gettext_lazy("64 characters 0-9 and a-f, copied whole."),
    )
    check_code = forms.CharField(
        label=gettext_lazy("Hash check code"),
        max_length=40,
        help_text=gettext_lazy("12 characters, printed next to the hash value."),
    )
    file_count = forms.IntegerField(
        label=gettext_lazy("Number of files"), min_value=1, max_value=_MAX_COUNT
    )
    total_bytes = forms.IntegerField(
        label=gettext_lazy("Total bytes"), min_value=0, max_value=_MAX_COUNT
    )
    label = forms.CharField(
        label=gettext_lazy("Your name for the data (optional, private)"),
        max_length=200,
        required=False,
    )


class ManifestForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: it shares the field "label" with the hash-value form on the same page.
        kwargs.setdefault("auto_id", "manifest_%s")
        super().__init__(*args, **kwargs)

    manifest = forms.FileField(
        label=gettext_lazy("Manifest file"),
        help_text=gettext_lazy(
            "The manifest written by the offline tool with --manifest (a JSON file)."
        ),
    )
    label = forms.CharField(
        label=gettext_lazy("Your name for the data (optional, private)"),
        max_length=200,
        required=False,
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - behind login_required
    return user


def _log_state(
    indices: dict[int, int], evidence: Evidence, stamped: Checkpoint | None
) -> dict[str, Any]:
    """Where the record is in the log: its leaf index and the checkpoint covering it."""
    index = indices.get(evidence.pk)
    covered = stamped is not None and index is not None and index < stamped.size
    return {
        "index": index,
        "checkpoint": stamped if covered else None,
        "receipt_ready": covered,
    }


@login_required
@require_GET
def evidence_list(request: HttpRequest) -> HttpResponse:
    records = list(selectors.evidence_list(user=request.user)[:500])
    indices = selectors.evidence_log_indices(records)
    # The newest time-stamped checkpoint covers every integrated leaf below its size.
    stamped = log.checkpoint_covering(0)
    return render(
        request,
        "evidence/list.html",
        {"rows": [(e, _log_state(indices, e, stamped)) for e in records]},
    )


@login_required
@require_GET
def evidence_detail(request: HttpRequest, evidence_id: uuid.UUID) -> HttpResponse:
    evidence = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    if evidence is None:
        raise Http404(evidence_id)
    index = selectors.evidence_log_index(evidence)
    checkpoint = log.checkpoint_covering(index) if index is not None else None
    return render(
        request,
        "evidence/detail.html",
        {
            "evidence": evidence,
            "log": {
                "index": index,
                "checkpoint": checkpoint,
                "receipt_ready": checkpoint is not None,
            },
            "statement": json.dumps(json.loads(evidence.statement), ensure_ascii=False, indent=2),
        },
    )


def _new_page(
    request: HttpRequest,
    *,
    digest_form: DigestForm | None = None,
    manifest_form: ManifestForm | None = None,
    error: tuple[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "evidence/new.html",
        {
            "digest_form": digest_form or DigestForm(),
            "manifest_form": manifest_form or ManifestForm(),
            "error_for": error[0] if error else "",
            "error": error[1] if error else "",
            "threshold": OFFLINE_THRESHOLD,
            "upload_limit": settings.DATAIP_UPLOAD_MAX_BYTES,
            "upload_max_files": settings.DATAIP_UPLOAD_MAX_FILES,
            # The list of files is one JSON request body (Django's limit on a body read whole).
            "upload_max_body": settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0,
            "uploads_api": reverse("api:api-root") + "evidence/uploads",
            "uploads": [
                (u, _percent(u.received_bytes, u.total_bytes))  # type: ignore[attr-defined]
                for u in selectors.uploads_open(user=request.user)[:_UPLOADS_SHOWN]
            ],
            "algorithms": [(a.value, a.label) for a in Algorithm],
        },
        status=status,
    )


def _percent(received: int, total: int) -> int:
    """Whole percent received, rounded down: 100 only when everything has arrived."""
    return received * 100 // total if total else 100


@login_required
@require_GET
def evidence_new(request: HttpRequest) -> HttpResponse:
    return _new_page(request)


@login_required
@require_POST
def upload_discard(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    """Discard an unfinished upload (a form, so that it works without JavaScript)."""
    session = selectors.upload_get(user=request.user, upload_id=upload_id)
    if session is None or session.evidence_id is not None:
        raise Http404(upload_id)
    services.upload_cancel(session=session)
    messages.success(request, _("The unfinished upload was discarded."))
    return redirect("evidence:new")


def _recorded(request: HttpRequest, evidence: Evidence, created: bool) -> HttpResponse:
    messages.success(
        request,
        _("The evidence record was created.")
        if created
        else _("This hash value was recorded before: here is the same record."),
    )
    return redirect("evidence:detail", evidence_id=evidence.uuid)


@login_required
@require_POST
def evidence_new_digest(request: HttpRequest) -> HttpResponse:
    form = DigestForm(request.POST)
    if not form.is_valid():
        return _new_page(request, digest_form=form, status=400)
    data = form.cleaned_data
    try:
        evidence, created = services.evidence_record_digest(
            owner=_user(request),
            alg=data["alg"],
            root=data["root"],
            check_code_text=data["check_code"],
            file_count=data["file_count"],
            total_bytes=data["total_bytes"],
            label=data["label"],
        )
    except DataipError as error:
        return _new_page(
            request,
            digest_form=form,
            error=("digest", error.message(_lang(request))),
            status=STATUS.get(error.code, error.status),
        )
    return _recorded(request, evidence, created)


@login_required
@require_POST
def evidence_new_manifest(request: HttpRequest) -> HttpResponse:
    form = ManifestForm(request.POST, request.FILES)
    if not form.is_valid():
        return _new_page(request, manifest_form=form, status=400)
    try:
        evidence, created = services.evidence_record_manifest(
            owner=_user(request),
            manifest=form.cleaned_data["manifest"],
            label=form.cleaned_data["label"],
        )
    except DataipError as error:
        return _new_page(
            request,
            manifest_form=form,
            error=("manifest", error.message(_lang(request))),
            status=STATUS.get(error.code, error.status),
        )
    return _recorded(request, evidence, created)


# --- the offline tool --------------------------------------------------------------------------


def _sources_digest() -> str:
    """A digest of the sources that go into the archive: a cached build is of these sources."""
    package = Path(dataip.__file__).resolve().parent
    digest = hashlib.sha256()
    for item in toolbuild.INCLUDED:
        path = package / item
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
    return digest.hexdigest()


def tool_path() -> Path:
    """``build/dataip-tool.pyz`` when it was built (``make tool``), else a cached build."""
    built = Path(settings.REPO_DIR) / "build" / _TOOL_NAME
    if built.is_file():
        return built
    cached = Path(settings.DATAIP_DATA_DIR) / "cache" / f"dataip-tool-{_sources_digest()[:16]}.pyz"
    if not cached.is_file():
        toolbuild.build_pyz(cached)  # atomic: concurrent first downloads each write a whole file
    return cached


@require_GET
def tool(request: HttpRequest) -> HttpResponse:
    """The offline tool's page: what it is for, its SHA-256, how to use it, the download."""
    path = tool_path()
    return render(
        request,
        "evidence/tool.html",
        {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "size": path.stat().st_size,
            "threshold": OFFLINE_THRESHOLD,
        },
    )


@require_GET
def tool_download(request: HttpRequest) -> FileResponse:
    return FileResponse(
        tool_path().open("rb"),
        as_attachment=True,
        filename=_TOOL_NAME,
        content_type="application/zip",
    )
