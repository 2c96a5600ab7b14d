"""The log's read API, c2sp.org/tlog-tiles, under ``/log/``: plain bytes, public, cacheable."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_safe

from dataip.core.checkpoint import parse_tile_path
from dataip.core.errors import InputError
from dataip.transparency import selectors
from dataip.transparency.keys import log_signer, time_stamping

# Tiles never change once served (a partial tile of width W is a prefix of every later one).
IMMUTABLE = "public, max-age=31536000, immutable"


def _text(body: str, *, cache: str = "public, max-age=3600") -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint (404 while the log is empty)."""
    latest = selectors.checkpoint_latest()
    if latest is None:
        return HttpResponseNotFound("the log is empty\n", content_type="text/plain")
    return _text(latest.note, cache="no-cache")


@require_safe
def key(request: HttpRequest) -> HttpResponse:
    """The verifier key of the log, in note format."""
    return _text(log_signer().vkey + "\n")


@require_safe
def tsa_certificates(request: HttpRequest) -> HttpResponse:
    """The certificates that verify the log's RFC 3161 time stamps (PEM, TSA first)."""
    response = _text(time_stamping().chain_pem)
    response["Content-Type"] = "application/pem-certificate-chain"
    return response


@require_safe
def tile(request: HttpRequest, path: str) -> HttpResponse:
    """``/log/tile/<L>/<N>[.p/<W>]`` and ``/log/tile/entries/<N>[.p/<W>]``."""
    try:
        parsed = parse_tile_path("tile/" + path)
    except InputError:
        return HttpResponseNotFound("no such tile\n", content_type="text/plain")
    if parsed.level is None:
        data = selectors.entries_read(index=parsed.index, width=parsed.width)
    else:
        data = selectors.tile_read(level=parsed.level, index=parsed.index, width=parsed.width)
    if data is None:
        return HttpResponseNotFound("no such tile\n", content_type="text/plain")
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = IMMUTABLE
    response["Access-Control-Allow-Origin"] = "*"
    return response
