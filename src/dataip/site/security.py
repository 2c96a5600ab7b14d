"""Security middleware of the platform: response headers, and the second factor on every page.

``SecurityHeadersMiddleware`` sends a content security policy (CSP Level 3, W3C) that allows
scripts, styles, fonts and frames from the platform's own origin only: no inline script, no
inline ``style`` attribute, no ``eval`` (htmx runs with ``allowEval`` off), images also as
``data:`` URIs, no plugins, no framing by other sites (``frame-ancestors``, the modern
X-Frame-Options), forms posting only to the platform. It also sends a Permissions-Policy that
turns off the browser features no page uses. Django's ``SecurityMiddleware`` already sends
X-Content-Type-Options (``SECURE_CONTENT_TYPE_NOSNIFF``), Referrer-Policy
(``SECURE_REFERRER_POLICY``) and Cross-Origin-Opener-Policy; this adds only what it lacks.
A view that needs another policy sets the header itself; it is then left alone.

``SecondFactorMiddleware`` sends a signed-in user who enrolled a second factor, but whose
session did not pass it (a session from before enrolment, or from the admin's own sign-in
page), to the code step before any page or the admin, and refuses the API to such a session.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from dataip.accounts.auth import second_factor_satisfied
from dataip.accounts.errors import AccountsError
from dataip.core.errors import register_messages

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

#: Features no page of the platform uses, off for it and for anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "xr-spatial-tracking",
    )
)

register_messages(
    {
        "second_factor_required": (
            "此账号已启用动态验证码，本会话尚未验证：请在网页上输入验证码，或改用 API 令牌",
            "this account uses a second factor that this session has not passed: enter the "
            "code on the web page, or use an API token",
        ),
    }
)

_Handler = Callable[[HttpRequest], HttpResponseBase]


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response without them."""

    def __init__(self, get_response: _Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class SecondFactorMiddleware:
    """Pages need the second factor of an enrolled user; after AuthenticationMiddleware."""

    def __init__(self, get_response: _Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Cheap check first: almost every request is satisfied (anonymous, or no second factor).
        if not second_factor_satisfied(request) and not self._exempt(request.path):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        # The code step itself, signing out, switching language, and static files.
        open_paths = (
            reverse("accounts:login-code"),
            reverse("accounts:logout"),
            reverse("admin:logout"),
            reverse("set_language"),
        )
        return path in open_paths or path.startswith("/static/")

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            # A bearer token is another way in; the session alone is not enough.
            language = "en" if (translation.get_language() or "").startswith("en") else "zh"
            error = AccountsError("second_factor_required")
            return JsonResponse({"code": error.code, "detail": error.message(language)}, status=403)
        target = reverse("accounts:login-code") + "?next=" + quote(request.get_full_path())
        return redirect(target)
