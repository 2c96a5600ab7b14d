"""The second factor: RFC 4226/6238 vectors, enrolment, sign-in with a code, the admin, reset."""

from __future__ import annotations

import base64
import datetime
import hmac
import re
import struct
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from tests.accounts.conftest import PASSWORD

from dataip.accounts import services, totp
from dataip.accounts.errors import Forbidden
from dataip.accounts.models import AccountEvent, AccountEventKind, Role, SecondFactor, User

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
T0 = datetime.datetime(2025, 3, 3, 10, 0, 0, tzinfo=SHANGHAI)
#: RFC 4226 Appendix D and RFC 6238 Appendix B: the ASCII key "12345678901234567890".
RFC_KEY = b"12345678901234567890"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    """Time stands still at T0 (sessions and codes share it); tests move it with ``shift``."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def now() -> datetime.datetime:
    return datetime.datetime.now(tz=SHANGHAI)


@pytest.fixture
def security_settings(settings):
    """The middleware of ``dataip.site.security`` in place (the lead adds it to settings.py)."""
    middleware = [m for m in settings.MIDDLEWARE if not m.startswith("dataip.site.security.")]
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    middleware.insert(auth + 1, "dataip.site.security.SecondFactorMiddleware")
    middleware.insert(0, "dataip.site.security.SecurityHeadersMiddleware")
    settings.MIDDLEWARE = middleware


def independent_code(secret_b32: str, when: datetime.datetime) -> str:
    """RFC 6238 written out again here, so that the tests do not trust the code under test."""
    counter = int(when.timestamp()) // 30
    mac = hmac.new(base64.b32decode(secret_b32), struct.pack(">Q", counter), "sha1").digest()
    offset = mac[19] & 15
    return f"{(struct.unpack('>I', mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# --- the algorithm --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counter", "expected"),
    list(
        enumerate(
            [
                "755224",
                "287082",
                "359152",
                "969429",
                "338314",
                "254676",
                "287922",
                "162583",
                "399871",
                "520489",
            ]
        )
    ),
)
def test_hotp_matches_rfc_4226_appendix_d(counter, expected):
    assert totp.hotp(RFC_KEY, counter) == expected


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238_appendix_b_sha1(unix_time, expected):
    assert totp.totp(RFC_KEY, unix_time, digits=8) == expected


def test_a_code_is_accepted_one_step_either_side_and_never_twice():
    secret = totp.secret_generate()
    now = T0.timestamp()
    step = int(now) // 30
    for drift in (-1, 0, 1):
        code = independent_code(secret, T0 + datetime.timedelta(seconds=30 * drift))
        assert totp.code_matches(secret, code, unix_time=now, last_step=None) == step + drift
    two_steps_ago = independent_code(secret, T0 - datetime.timedelta(seconds=60))
    assert totp.code_matches(secret, two_steps_ago, unix_time=now, last_step=None) is None
    current = independent_code(secret, T0)
    assert totp.code_matches(secret, current, unix_time=now, last_step=step) is None
    assert totp.code_matches(secret, current, unix_time=now, last_step=step - 1) == step


def test_codes_are_read_as_people_type_them():
    secret = totp.secret_generate()
    code = independent_code(secret, T0)
    full_width = "".join(chr(0xFF10 + int(c)) for c in code)
    for typed in (f"{code[:3]} {code[3:]}", full_width, f" {code}\n"):
        assert totp.code_matches(secret, typed, unix_time=T0.timestamp(), last_step=None)
    for wrong in ("", "12345", "1234567", "abcdef"):
        assert totp.code_matches(secret, wrong, unix_time=T0.timestamp(), last_step=None) is None


def test_secrets_are_160_random_bits_in_base32():
    secrets = {totp.secret_generate() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        assert len(base64.b32decode(secret)) == 20


def test_the_provisioning_uri_follows_the_key_uri_format():
    uri = totp.provisioning_uri(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account="li.examiner", issuer="dataip"
    )
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("otpauth", "totp", "/dataip:li.examiner")
    assert parse_qs(parts.query) == {
        "secret": ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"],
        "issuer": ["dataip"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }


def _finder_at(matrix: list[list[bool]], row: int, col: int) -> bool:
    # ISO/IEC 18004 finder pattern: dark 7x7 ring, light ring, dark 3x3 core.
    for r in range(7):
        for c in range(7):
            ring = r in (0, 6) or c in (0, 6)
            core = 2 <= r <= 4 and 2 <= c <= 4
            if matrix[row + r][col + c] != (ring or core):
                return False
    return True


def test_the_qr_code_is_a_qr_symbol_and_an_svg_without_styles_or_scripts():
    uri = totp.provisioning_uri(totp.secret_generate(), account="li.examiner", issuer="dataip")
    matrix = totp.qr_matrix(uri)
    size = len(matrix)
    # Version v has 17 + 4v modules a side; a ~120-byte URI at level M needs version 6 or so.
    assert (size - 17) % 4 == 0
    assert 5 <= (size - 17) // 4 <= 8
    assert _finder_at(matrix, 0, 0)
    assert _finder_at(matrix, 0, size - 7)
    assert _finder_at(matrix, size - 7, 0)
    assert not _finder_at(matrix, size - 7, size - 7)
    svg = totp.qr_svg(uri, title='Key <"x">', size=240)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'width="240"' in svg
    assert "style" not in svg
    assert "script" not in svg
    assert "<title>Key &lt;&quot;x&quot;&gt;</title>" in svg
    dark = sum(row.count(True) for row in matrix)
    # Every dark module is painted: the runs' widths add up to the dark modules.
    widths = [int(w) for w in re.findall(r"h(\d+)v1", svg)]
    assert sum(widths) == dark


# --- enrolment ------------------------------------------------------------------------------


def _sign_in(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def _enrol(client: Client, user: User) -> SecondFactor:
    assert client.post("/accounts/second-factor/", {"action": "begin"}).status_code == 302
    page = client.get("/accounts/second-factor/").content.decode()
    factor = SecondFactor.objects.get(user=user)
    assert "<svg" in page
    grouped = " ".join(factor.secret[i : i + 4] for i in range(0, 32, 4))
    assert grouped in page
    response = client.post(
        "/accounts/second-factor/",
        {"action": "confirm", "code": independent_code(factor.secret, now())},
    )
    assert response.status_code == 302
    factor.refresh_from_db()
    assert factor.confirmed_at is not None
    return factor


@pytest.fixture
def examiner(make_user):
    return make_user("li.examiner", role=Role.EXAMINER)


@pytest.fixture
def administrator(make_user):
    return make_user("wang.admin", role=Role.ADMINISTRATOR)


def test_an_examiner_enrols_and_then_signs_in_with_password_and_code(client, examiner):
    _sign_in(client, "li.examiner")
    factor = _enrol(client, examiner)
    page = client.get("/accounts/second-factor/").content.decode()
    assert factor.secret not in page  # the key is shown only while enrolling
    assert AccountEvent.objects.filter(
        kind=AccountEventKind.SECOND_FACTOR_ENROLLED, user=examiner
    ).exists()

    other = Client()
    later = T0 + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        response = other.post(
            "/accounts/login/?next=/accounts/profile/",
            {"username": "li.examiner", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/code/"
        # The password alone signs nobody in.
        assert other.get("/api/v1/accounts/me").status_code == 401
        page = other.get("/accounts/login/code/")
        assert page.status_code == 200
        assert "验证码" in page.content.decode()
        wrong = other.post("/accounts/login/code/", {"code": "000000"})
        assert wrong.status_code == 400
        assert "动态验证码错误" in wrong.content.decode()
        response = other.post(
            "/accounts/login/code/", {"code": independent_code(factor.secret, later)}
        )
        assert response.status_code == 302
        assert response["Location"] == "/accounts/profile/"
        assert other.get("/api/v1/accounts/me").json()["username"] == "li.examiner"

        # The same code, overheard, does not sign in a second time.
        third = Client()
        _sign_in(third, "li.examiner")
        replay = third.post(
            "/accounts/login/code/", {"code": independent_code(factor.secret, later)}
        )
        assert replay.status_code == 400
        assert third.get("/api/v1/accounts/me").status_code == 401


def test_the_code_step_times_out(client, examiner):
    _sign_in(client, "li.examiner")
    factor = _enrol(client, examiner)
    other = Client()
    with time_machine.travel(T0 + datetime.timedelta(minutes=10), tick=False):
        _sign_in(other, "li.examiner")
    late = T0 + datetime.timedelta(minutes=16)
    with time_machine.travel(late, tick=False):
        response = other.post(
            "/accounts/login/code/", {"code": independent_code(factor.secret, late)}
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert other.get("/api/v1/accounts/me").status_code == 401


def test_a_wrong_confirmation_code_leaves_the_factor_off(client, examiner):
    _sign_in(client, "li.examiner")
    with time_machine.travel(T0, tick=False):
        client.post("/accounts/second-factor/", {"action": "begin"})
        response = client.post("/accounts/second-factor/", {"action": "confirm", "code": "123456"})
    assert response.status_code == 400
    assert "动态验证码错误" in response.content.decode()
    assert SecondFactor.objects.get(user=examiner).confirmed_at is None
    # Unconfirmed, it is not asked for at sign-in.
    other = Client()
    response = other.post("/accounts/login/", {"username": "li.examiner", "password": PASSWORD})
    assert response["Location"] == "/accounts/profile/"


def test_an_enrolled_factor_is_not_replaced_without_a_reset(client, examiner):
    _sign_in(client, "li.examiner")
    factor = _enrol(client, examiner)
    response = client.post("/accounts/second-factor/", {"action": "begin"})
    assert response.status_code == 400
    assert "请联系管理员重置" in response.content.decode()
    assert SecondFactor.objects.get(user=examiner).secret == factor.secret


def test_applicants_cannot_enrol(client, applicant):
    _sign_in(client, "applicant")
    assert client.get("/accounts/second-factor/").status_code == 403
    assert client.post("/accounts/second-factor/", {"action": "begin"}).status_code == 403
    with pytest.raises(Forbidden):
        services.second_factor_begin(actor=applicant)
    assert not SecondFactor.objects.exists()


def test_the_pages_render_in_english(client, examiner):
    _sign_in(client, "li.examiner")
    client.post("/accounts/second-factor/", {"action": "begin"})
    html = client.get("/accounts/second-factor/", headers={"Accept-Language": "en"}).content
    assert b"Second factor" in html
    assert b"authenticator app" in html


# --- pages by role ----------------------------------------------------------------------------

ROLES = ["anonymous", "applicant", "other applicant", "public user", "examiner", "administrator"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("applicant", 403),
        ("other applicant", 403),
        ("public user", 403),
        ("examiner", 200),
        ("administrator", 200),
    ],
)
def test_who_may_open_the_enrolment_page(client, make_user, role, expected):
    if role != "anonymous":
        user_role = {"examiner": Role.EXAMINER, "administrator": Role.ADMINISTRATOR}.get(
            role, Role.APPLICANT
        )
        client.force_login(make_user(role.replace(" ", "-"), role=user_role))
    response = client.get("/accounts/second-factor/")
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ROLES)
def test_the_code_page_without_a_pending_sign_in_sends_to_sign_in(client, make_user, role):
    if role != "anonymous":
        user_role = {"examiner": Role.EXAMINER, "administrator": Role.ADMINISTRATOR}.get(
            role, Role.APPLICANT
        )
        client.force_login(make_user(role.replace(" ", "-"), role=user_role))
    response = client.get("/accounts/login/code/")
    # Nobody waiting for a code: anonymous to the sign-in page, users without a factor onwards.
    assert response.status_code == 302
    assert response["Location"] in {"/accounts/login/", "/accounts/profile/"}


# --- the admin and recovery ---------------------------------------------------------------


def _admin_enrolled(client: Client, administrator: User) -> SecondFactor:
    _sign_in(client, "wang.admin")
    return _enrol(client, administrator)


def test_the_admin_needs_the_second_factor_once_enrolled(client, administrator, security_settings):
    factor = _admin_enrolled(client, administrator)
    assert client.get("/admin/").status_code == 200  # the enrolling session passed it

    # The admin's own sign-in page refuses the account: it would skip the code.
    other = Client()
    response = other.post("/admin/login/", {"username": "wang.admin", "password": PASSWORD})
    assert response.status_code == 200
    assert "请通过平台登录页登录" in response.content.decode()
    assert other.get("/admin/").status_code == 302

    # A session that did not pass the code (force_login, as one from before enrolment) is sent
    # to the code step.
    stale = Client()
    stale.force_login(administrator)
    response = stale.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/?next=/admin/accounts/user/"
    assert stale.get("/api/v1/accounts/me").status_code == 403
    later = T0 + datetime.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        response = stale.post(
            "/accounts/login/code/?next=/admin/accounts/user/",
            {"code": independent_code(factor.secret, later)},
        )
    assert response["Location"] == "/admin/accounts/user/"
    assert stale.get("/admin/accounts/user/").status_code == 200


def test_an_administrator_resets_another_users_factor_in_the_admin(
    client, administrator, examiner, security_settings
):
    examiner_client = Client()
    _sign_in(examiner_client, "li.examiner")
    _enrol(examiner_client, examiner)
    client.force_login(administrator)
    changelist = client.get("/admin/accounts/user/")
    assert changelist.status_code == 200
    response = client.post(
        "/admin/accounts/user/",
        {"action": "_reset_second_factor", "_selected_action": [examiner.pk]},
    )
    assert response.status_code == 302
    assert not SecondFactor.objects.filter(user=examiner).exists()
    event = AccountEvent.objects.get(kind=AccountEventKind.SECOND_FACTOR_RESET)
    assert (event.actor, event.user) == (administrator, examiner)
    # The examiner signs in with the password alone again, and may enrol anew.
    fresh = Client()
    response = fresh.post("/accounts/login/", {"username": "li.examiner", "password": PASSWORD})
    assert response["Location"] == "/accounts/profile/"


def test_only_administrators_reset_factors(examiner, make_user):
    other = make_user("zhao.examiner", role=Role.EXAMINER)
    with pytest.raises(Forbidden):
        services.second_factor_reset(actor=other, user=examiner)


def test_the_operator_resets_a_factor_on_the_server(client, administrator):
    _admin_enrolled(client, administrator)
    call_command("second_factor_reset", "--user", "wang.admin")
    assert not SecondFactor.objects.filter(user=administrator).exists()
    event = AccountEvent.objects.get(kind=AccountEventKind.SECOND_FACTOR_RESET)
    assert event.actor is None
    with pytest.raises(CommandError, match="没有启用动态验证码"):
        call_command("second_factor_reset", "--user", "wang.admin")


def test_the_secret_is_not_in_the_admin(client, administrator, examiner, security_settings):
    examiner_client = Client()
    _sign_in(examiner_client, "li.examiner")
    factor = _enrol(examiner_client, examiner)
    client.force_login(administrator)
    for path in ("/admin/accounts/user/", f"/admin/accounts/user/{examiner.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 200
        assert factor.secret not in response.content.decode()
