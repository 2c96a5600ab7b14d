"""Security of the web platform: headers, the content security policy, CSRF, cookies."""

from __future__ import annotations

import importlib.util
import os
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from tests.accounts.conftest import PASSWORD

from dataip.accounts import services
from dataip.accounts.models import Role, User
from dataip.evidence.models import Evidence
from dataip.site.security import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY

pytestmark = pytest.mark.django_db

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
CSRF_MARKER = "csrf-refused"


@pytest.fixture(autouse=True)
def security_settings(settings):
    """The middleware of ``dataip.site.security`` in place (the lead adds it to settings.py)."""
    middleware = [m for m in settings.MIDDLEWARE if not m.startswith("dataip.site.security.")]
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    middleware.insert(auth + 1, "dataip.site.security.SecondFactorMiddleware")
    middleware.insert(0, "dataip.site.security.SecurityHeadersMiddleware")
    settings.MIDDLEWARE = middleware


@pytest.fixture
def administrator(db: None) -> User:
    root = User.objects.create_superuser("root", password=PASSWORD)
    user = services.user_register(username="wang.admin", password=PASSWORD)
    return services.user_set_role(actor=root, user=user, role=Role.ADMINISTRATOR)


# --- headers --------------------------------------------------------------------------------


def test_the_policy_is_the_one_the_issue_asks_for():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP
    assert "camera=()" in PERMISSIONS_POLICY
    assert "geolocation=()" in PERMISSIONS_POLICY


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/admin/login/", "/api/v1/openapi.json", "/no-such-page/"]
)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    # From Django's SecurityMiddleware and XFrameOptionsMiddleware (settings.py).
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    from dataip.site.security import SecurityHeadersMiddleware

    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "sandbox"
        return response

    assert SecurityHeadersMiddleware(view)(rf.get("/"))["Content-Security-Policy"] == "sandbox"


# --- pages stay within the policy ----------------------------------------------------------


class _InlineCode(HTMLParser):
    """Finds what a policy without 'unsafe-inline' blocks: inline scripts, style attributes
    and elements, event-handler attributes, javascript: URLs, and assets from other origins."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._script_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
            external = re.match(r"^(https?:)?//", value or "")
            if name in {"src", "href"} and tag in {"script", "link", "img"} and external:
                self.problems.append(f"<{tag}> from another origin: {value}")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            executable = a.get("type") in (None, "", "text/javascript", "module")
            self._script_inline = executable and not a.get("src")

    def handle_data(self, data: str) -> None:
        if self._script_inline and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_inline = False


def assert_within_policy(html: str) -> None:
    parser = _InlineCode()
    parser.feed(html)
    assert not parser.problems, parser.problems


def test_public_and_account_pages_need_nothing_inline(client):
    for path in ("/", "/accounts/login/", "/accounts/signup/"):
        response = client.get(path)
        assert response.status_code == 200
        assert_within_policy(response.content.decode())


def test_signed_in_pages_and_the_admin_need_nothing_inline(client, administrator):
    client.force_login(administrator)
    client.post("/accounts/second-factor/", {"action": "begin"})  # the page with the QR code
    paths = [
        "/accounts/profile/",
        "/accounts/second-factor/",
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{administrator.pk}/change/",
        "/admin/accounts/registrant/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_within_policy(response.content.decode())
    assert "<svg" in client.get("/accounts/second-factor/").content.decode()


def test_the_api_docs_load_swagger_ui_from_the_platform(client, settings):
    # With "ninja" among the installed apps, ninja renders its own template, which loads the
    # bundled Swagger UI from /static/ninja/ and configures it from a JSON block; without it
    # ninja falls back to a CDN, which the policy blocks (settings.py must list "ninja").
    if "ninja" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "ninja"]
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert_within_policy(html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui-init.js" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert response["Content-Security-Policy"] == EXPECTED_CSP


def test_settings_install_ninja_for_its_bundled_swagger_ui():
    from django.conf import settings

    assert "ninja" in settings.INSTALLED_APPS, "add 'ninja' to INSTALLED_APPS (no CDN)"


def test_settings_enable_the_security_middleware():
    spec = importlib.util.find_spec("dataip.site.settings")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    middleware = module.MIDDLEWARE
    assert "dataip.site.security.SecurityHeadersMiddleware" in middleware
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware.index("dataip.site.security.SecondFactorMiddleware") > auth


# --- CSRF ------------------------------------------------------------------------------------


def csrf_refused(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponseForbidden(f"{CSRF_MARKER}: {reason}")


_CONVERTER_VALUES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _routes(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every URL of the site with its parameters filled in, and the view it reaches."""
    found = []
    for pattern in patterns:
        text = str(pattern.pattern)
        if text.startswith("^") or "(?P" in text:
            # The admin's few regular-expression routes: their static forms suffice.
            text = re.sub(r"\(\?P<\w+>[^)]*\)", "accounts", text).strip("^$").replace("\\", "")
        route = re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: _CONVERTER_VALUES.get(m.group(1) or "str", "1"), text
        )
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            found.append(("/" + prefix + route, pattern.callback))
    return found


#: Views exempt from Django's CSRF middleware, with the check that replaces it.
CSRF_EXEMPT = {
    # Ninja's API: session-authenticated operations check the token themselves (django_auth
    # with csrf=True); bearer tokens are never sent by a browser on its own.
    "ninja.",
    # Checks the token itself after streaming the upload (dataip.evidence.uploads).
    "dataip.evidence.views.upload",
}


def _exempt(callback: Any) -> bool:
    name = f"{getattr(callback, '__module__', '')}.{getattr(callback, '__name__', '')}"
    return any(name.startswith(prefix) for prefix in CSRF_EXEMPT)


def test_every_post_without_the_csrf_token_is_refused(settings, administrator):
    settings.CSRF_FAILURE_VIEW = "tests.site.test_security.csrf_refused"
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(administrator)
    routes = _routes(get_resolver().url_patterns)
    assert len(routes) > 30
    checked, not_refused = [], []
    for url, callback in routes:
        try:
            match = resolve(url)
        except Exception:  # noqa: S112 - a placeholder that a converter rejects
            continue
        if _exempt(match.func) or _exempt(callback):
            continue
        response = client.post(url, {"username": "x", "password": "y", "action": "begin"})
        checked.append(url)
        if response.status_code != 403 or CSRF_MARKER not in response.content.decode():
            not_refused.append((url, response.status_code))
    assert not not_refused, not_refused
    for expected in (
        "/accounts/login/",
        "/accounts/second-factor/",
        "/admin/login/",
        "/i18n/setlang/",
    ):
        assert expected in checked


def test_the_same_posts_with_the_token_pass_the_csrf_check(settings, administrator):
    settings.CSRF_FAILURE_VIEW = "tests.site.test_security.csrf_refused"
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    client.get("/accounts/profile/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/second-factor/", {"action": "begin", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    response = client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_exempt_views_check_the_token_themselves(administrator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code in {401, 403}
    data = SimpleUploadedFile("data.csv", b"a,b\n1,2\n")
    response = client.post("/api/v1/evidence/upload", {"file": data})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


# --- cookies over HTTPS ------------------------------------------------------------------


def _settings_module(monkeypatch: pytest.MonkeyPatch, **env: str) -> Any:
    for name in list(os.environ):
        if name.startswith("DATAIP_") and name != "DATAIP_DATA_DIR":
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.find_spec("dataip.site.settings")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_production_over_https_marks_cookies_secure(monkeypatch):
    s = _settings_module(monkeypatch, DATAIP_HTTPS="1")
    assert s.SESSION_COOKIE_SECURE is True
    assert s.CSRF_COOKIE_SECURE is True
    assert s.SESSION_COOKIE_HTTPONLY is True
    assert s.SECURE_SSL_REDIRECT is True
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s.SECURE_HSTS_SECONDS == 31_536_000


@pytest.mark.parametrize("env", [{}, {"DATAIP_HTTPS": "1", "DATAIP_DEBUG": "1"}])
def test_plain_http_and_debug_leave_cookies_usable_without_tls(monkeypatch, env):
    s = _settings_module(monkeypatch, **env)
    assert not getattr(s, "SESSION_COOKIE_SECURE", False)
    assert not getattr(s, "CSRF_COOKIE_SECURE", False)


def test_the_session_cookie_is_secure_and_http_only_when_configured(settings, administrator):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "wang.admin", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
