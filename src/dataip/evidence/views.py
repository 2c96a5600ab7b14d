"""``POST /api/v1/evidence/upload``: files hashed while they stream, then recorded.

Multipart form: one ``file`` part per file, its filename the file's path in the dataset,
percent-encoded UTF-8 (a browser sends ``encodeURIComponent(file.webkitRelativePath)``);
optional fields ``alg`` (sm3 or sha256, in the query string, since the fields arrive after the
files) and ``label``. Answers as ``POST /api/v1/evidence/digest`` does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from dataip.api.api import dataip_error
from dataip.core.errors import DataipError, UnsupportedAlgorithm
from dataip.core.hashing import ALGORITHMS, DEFAULT_ALG
from dataip.evidence import services
from dataip.evidence.api import evidence_out
from dataip.evidence.uploads import hash_upload


@csrf_exempt
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Checks sign-in before reading the body; CSRF once the hashing handler is installed."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "请先登录 / sign in first"}, status=401)
    alg = request.GET.get("alg", DEFAULT_ALG)
    try:
        if alg not in ALGORITHMS:
            raise UnsupportedAlgorithm("alg_unknown", alg=alg)
        uploaded = hash_upload(request, alg=alg)
    except DataipError as e:
        return dataip_error(request, e)
    return _record(request, uploaded)


@csrf_protect
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
