"""Sign-in through a real OpenID Connect provider on loopback (panva/oidc-provider under node).

Our side is driven with Django's test client; the user's browser at the provider (the login
form) with plain HTTP requests from urllib, cookies kept, redirects followed by hand until the
provider sends the browser back to us. Nothing is mocked: tokens come from the provider's token
endpoint, signed with its key, and are checked against its JWKS.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.test import Client
from tests.accounts.conftest import PASSWORD, REDIRECT_URI

from dataip.accounts import services
from dataip.accounts.models import AccountEvent, AccountEventKind, Role, User

pytestmark = pytest.mark.django_db

LOGIN, LOGIN_PASSWORD = "zhangsan", "correct horse battery staple"
SUBJECT = "zhangsan-0001"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx surfaces as an HTTPError, whose Location we follow by hand


class ProviderBrowser:
    """The user's browser, as far as the provider sees it."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(CookieJar()),
            _NoRedirects(),
        )

    def request(self, url: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=15) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                location = error.headers.get("Location", "")
                return error.code, urllib.parse.urljoin(url, location), error.read().decode()

    def sign_in(
        self, authorize_url: str, login: str = LOGIN, password: str = LOGIN_PASSWORD
    ) -> str:
        """Follow the provider's pages from the authorization URL; the URL it sends us back to."""
        url, form = authorize_url, None
        for _ in range(10):
            status, location, body = self.request(url, form)
            form = None
            if location.startswith(REDIRECT_URI):
                return location
            if 300 <= status < 400:
                url = location
                continue
            action = re.search(r'<form method="post" action="([^"]+)"', body)
            assert status == 200 and action, f"unexpected page {status}: {body[:500]}"
            url = urllib.parse.urljoin(url, html.unescape(action.group(1)))
            form = {"login": login, "password": password}
        raise AssertionError("the provider never sent the browser back")


def _start(client: Client) -> str:
    response = client.get("/accounts/oidc/login/")
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def _sign_in(client: Client) -> str:
    """The whole round trip up to the callback URL (not yet followed)."""
    return ProviderBrowser().sign_in(_start(client))


def _error_code(response) -> str:
    found = re.search(r'data-code="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


def test_the_authorization_request_uses_pkce_state_and_nonce(client, oidc_settings, oidc_issuer):
    url = urllib.parse.urlsplit(_start(client))
    query = urllib.parse.parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == oidc_issuer
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["dataip"]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert "openid" in query["scope"][0].split()


def test_a_first_sign_in_creates_an_applicant_bound_to_the_subject(
    client, oidc_settings, oidc_issuer
):
    # A local account with the provider's e-mail address must not be taken over.
    local = services.user_register(
        username="zhang", password=PASSWORD, email="zhangsan@example.com"
    )

    response = client.get(_sign_in(client))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/accounts/profile/"

    user = User.objects.get(oidc_subject=f"{oidc_issuer} {SUBJECT}")
    assert user != local
    assert user.role == Role.APPLICANT
    assert not user.has_usable_password()
    # From the provider's userinfo endpoint (its ID token carries only the subject).
    assert (user.real_name, user.phone, user.email) == (
        "张三",
        "13800138000",
        "zhangsan@example.com",
    )
    me = client.get("/api/v1/accounts/me").json()
    assert (me["username"], me["signed_in_with"]) == (user.username, "oidc")
    local.refresh_from_db()
    assert local.oidc_subject is None
    assert [e.user for e in AccountEvent.objects.filter(kind=AccountEventKind.OIDC_LINKED)] == [
        user
    ]

    # Signing in again, from a fresh browser, finds the same user.
    other = Client()
    assert other.get(_sign_in(other)).status_code == 302
    assert other.get("/api/v1/accounts/me").json()["id"] == user.pk
    assert User.objects.filter(oidc_subject__isnull=False).count() == 1


def test_the_next_page_survives_the_round_trip(client, oidc_settings):
    response = client.get("/accounts/oidc/login/", {"next": "/docs/offline-tool/"})
    callback = ProviderBrowser().sign_in(response["Location"])
    assert client.get(callback)["Location"] == "/docs/offline-tool/"


def test_a_wrong_state_is_rejected(client, oidc_settings):
    callback = _sign_in(client)
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    response = client.get(forged)
    assert response.status_code == 400
    assert _error_code(response) == "oidc_state"
    assert "state" in response.content.decode()
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert not User.objects.exists()


def test_a_callback_in_another_browser_is_rejected(client, oidc_settings):
    # Login CSRF: an attacker's callback URL, opened in the victim's browser, signs nobody in.
    callback = _sign_in(client)
    victim = Client()
    response = victim.get(callback)
    assert response.status_code == 400
    assert _error_code(response) == "oidc_state"
    assert not User.objects.exists()


def test_a_callback_is_used_once(client, oidc_settings):
    callback = _sign_in(client)
    assert client.get(callback).status_code == 302
    client.post("/accounts/logout/")
    response = client.get(callback)
    assert response.status_code == 400
    assert _error_code(response) == "oidc_state"


def test_a_tampered_id_token_is_rejected(client, oidc_settings):
    oidc_settings("dataip-tamper")
    response = client.get(_sign_in(client))
    assert response.status_code == 400
    assert _error_code(response) == "oidc_id_token"
    assert "签名验证失败" in response.content.decode()
    assert not User.objects.exists()
    assert client.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.parametrize(
    ("client_id", "reason"),
    [
        ("dataip-wrong-aud", "受众（aud）不是本平台"),
        ("dataip-wrong-iss", "签发者（iss）不是所配置的身份认证平台"),
    ],
)
def test_an_id_token_for_another_audience_or_from_another_issuer_is_rejected(
    client, oidc_settings, client_id, reason
):
    # Signed with the provider's own key: only the claims give it away.
    oidc_settings(client_id)
    response = client.get(_sign_in(client))
    assert response.status_code == 400
    assert _error_code(response) == "oidc_id_token"
    assert reason in response.content.decode()
    assert not User.objects.exists()


def test_an_error_from_the_provider_is_shown(client, oidc_settings):
    _start(client)
    response = client.get(
        "/accounts/oidc/callback/", {"error": "access_denied", "error_description": "cancelled"}
    )
    assert response.status_code == 400
    assert _error_code(response) == "oidc_denied"


def test_a_mixed_up_issuer_is_rejected(client, oidc_settings):
    # RFC 9207: the response names the provider that issued the code.
    callback = _sign_in(client)
    mixed = re.sub(
        r"iss=[^&]+", "iss=" + urllib.parse.quote("https://evil.example", safe=""), callback
    )
    assert mixed != callback
    response = client.get(mixed)
    assert response.status_code == 400
    assert _error_code(response) == "oidc_issuer_mismatch"


def test_a_wrong_password_at_the_provider_gets_no_code(client, oidc_settings):
    with pytest.raises(AssertionError, match="unexpected page 401"):
        ProviderBrowser().sign_in(_start(client), password="wrong")


def test_the_login_page_offers_the_provider_when_configured(client, oidc_settings):
    assert "/accounts/oidc/login/" in client.get("/accounts/login/").content.decode()


def test_sign_in_through_a_provider_is_off_unless_configured(client, settings):
    settings.DATAIP_OIDC_ISSUER = ""
    assert "/accounts/oidc/login/" not in client.get("/accounts/login/").content.decode()
    response = client.get("/accounts/oidc/login/")
    assert response.status_code == 404
    assert _error_code(response) == "oidc_not_configured"
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404


def test_an_unreachable_provider_is_reported(client, settings):
    settings.DATAIP_OIDC_ISSUER = "http://127.0.0.1:9"
    settings.DATAIP_OIDC_CLIENT_ID = "dataip"
    response = client.get("/accounts/oidc/login/")
    assert response.status_code == 400
    assert _error_code(response) == "oidc_unreachable"


def test_a_discovery_document_of_another_issuer_is_refused(client, settings, oidc_issuer):
    # The configured issuer differs from what the provider's discovery document says.
    settings.DATAIP_OIDC_ISSUER = oidc_issuer + "/"
    settings.DATAIP_OIDC_DISCOVERY_URL = oidc_issuer + "/.well-known/openid-configuration"
    settings.DATAIP_OIDC_CLIENT_ID = "dataip"
    response = client.get("/accounts/oidc/login/")
    assert response.status_code == 400
    assert _error_code(response) == "oidc_issuer_mismatch"
