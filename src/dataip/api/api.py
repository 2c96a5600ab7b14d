"""The one ``NinjaAPI`` of the platform, mounted at ``/api/v1/``.

Each domain app exposes a ``router`` in its ``api.py``; it is added here, under the app's name.
OpenAPI: ``/api/v1/openapi.json``; interactive documentation: ``/api/v1/docs``.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

import dataip
from dataip.accounts import api as accounts_api
from dataip.api import health
from dataip.core.errors import DataipError, register_messages
from dataip.evidence import api as evidence_api
from dataip.publication import api as publication_api
from dataip.registry import api as registry_api
from dataip.transparency import api as transparency_api

api = NinjaAPI(
    title="dataip",
    version=dataip.__version__,
    description="数据知识产权存证登记平台 / Data intellectual-property registration platform",
    urls_namespace="api",
)
api.add_router("/", health.router)
api.add_router("/accounts", accounts_api.router)
api.add_router("/log", transparency_api.router)
api.add_router("/evidence", evidence_api.router)
api.add_router("/applications", registry_api.router)
api.add_router("/review", registry_api.review_router)
api.add_router("/public", publication_api.router)

register_messages(
    {
        "request_too_large": (
            "请求数据超过 {limit_mb} MB 的上限（例如一次声明的文件太多）：文件很多的数据，"
            "请用离线工具计算哈希值",
            "the request is larger than the limit of {limit_mb} MB (for example, too many files "
            "declared at once): hash data of many files with the offline tool",
        ),
    }
)

#: Error codes answered with another status than the error class's own.
STATUS = {
    "request_too_large": 413,
    "upload_too_large": 413,
    "upload_too_many_files": 413,
    "manifest_too_large": 413,
    "evidence_receipt_not_ready": 409,
}


def request_language(request: HttpRequest) -> str:
    """``en`` when the request chose English (Accept-Language, the language cookie), else ``zh``."""
    return "en" if getattr(request, "LANGUAGE_CODE", "").startswith("en") else "zh"


@api.exception_handler(DataipError)
def dataip_error(request: HttpRequest, exc: DataipError) -> HttpResponse:
    """Bad input: a 4xx with the stable code and the message in the request's language."""
    body: dict[str, object] = {"code": exc.code, "detail": exc.message(request_language(request))}
    body.update(exc.extra)
    return api.create_response(request, body, status=STATUS.get(exc.code, exc.status))


@api.exception_handler(RequestDataTooBig)
def request_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 in the API's form, not an HTML 400."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return dataip_error(request, DataipError("request_too_large", limit_mb=f"{limit / 1e6:.3g}"))
