"""Sign-in throttling: failures per user name and per client address, kept in the database."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from tests.accounts.conftest import PASSWORD

from dataip.accounts import services
from dataip.accounts.errors import SignInThrottled
from dataip.accounts.models import Role, SignInFailure, SignInFailureKind
from dataip.accounts.selectors import sign_in_throttle

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
T0 = datetime.datetime(2025, 3, 3, 10, 0, 0, tzinfo=SHANGHAI)
IP_A = "203.0.113.7"
IP_B = "198.51.100.23"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def attempt(ip: str, username: str, password: str, path: str = "/accounts/login/", **headers):
    return Client(REMOTE_ADDR=ip).post(
        path, {"username": username, "password": password}, headers=headers
    )


def test_five_failures_for_a_user_name_pause_it_with_the_time_to_retry(applicant, clock):
    for minute in range(5):
        clock.move_to(T0 + datetime.timedelta(minutes=minute))
        response = attempt(IP_A, "applicant", "wrong")
    # The fifth failure says so at once: counted from the first, 10:00 + 15 minutes.
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多" in html
    assert "2025-03-03 10:15:00" in html
    clock.move_to(T0 + datetime.timedelta(minutes=6))
    refused = attempt(IP_A, "applicant", PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(9 * 60)
    # Another address is refused too: the limit is on the user name (names ignore case).
    assert attempt(IP_B, "APPLICANT", PASSWORD).status_code == 429

    english = attempt(IP_A, "applicant", PASSWORD, **{"Accept-Language": "en"})
    assert "too many failed sign-ins" in english.content.decode()
    assert "2025-03-03 10:15:00 (Beijing time)" in english.content.decode()

    # The window slides: at 10:15 the first failure ages out, four remain, one try is allowed.
    clock.move_to(T0 + datetime.timedelta(minutes=15, seconds=1))
    assert attempt(IP_A, "applicant", PASSWORD).status_code == 302


def test_fewer_failures_only_say_the_password_is_wrong(applicant):
    for _ in range(4):
        response = attempt(IP_A, "applicant", "wrong")
        assert response.status_code == 200
        assert "登录失败次数过多" not in response.content.decode()
    assert attempt(IP_A, "applicant", PASSWORD).status_code == 302


def test_a_sign_in_does_not_reset_another_addresses_failures(applicant):
    for _ in range(4):
        attempt(IP_B, "applicant", "wrong")  # someone guessing from B
    assert attempt(IP_A, "applicant", PASSWORD).status_code == 302  # the owner, at A
    assert SignInFailure.objects.filter(ip=IP_B).count() == 4
    # B's four failures still count: one more from B pauses the name.
    assert attempt(IP_B, "applicant", "wrong").status_code == 429


def test_a_sign_in_forgets_the_owners_own_mistakes(applicant):
    for _ in range(4):
        attempt(IP_A, "applicant", "wrong")
    assert attempt(IP_A, "applicant", PASSWORD).status_code == 302
    assert not SignInFailure.objects.exists()
    for _ in range(4):
        assert attempt(IP_A, "applicant", "wrong").status_code == 200


def test_twenty_failures_from_one_address_pause_it_for_every_name(make_user):
    make_user("zhang")
    for n in range(20):
        response = attempt(IP_A, f"guess{n}", "wrong")
    assert response.status_code == 429
    assert attempt(IP_A, "zhang", PASSWORD).status_code == 429
    assert attempt(IP_B, "zhang", PASSWORD).status_code == 302


def test_the_limits_are_settings(settings, applicant):
    settings.DATAIP_SIGNIN_FAILURES_PER_USER = 2
    settings.DATAIP_SIGNIN_WINDOW_MINUTES = 1
    attempt(IP_A, "applicant", "wrong")
    assert attempt(IP_A, "applicant", "wrong").status_code == 429
    with pytest.raises(SignInThrottled) as refused:
        sign_in_throttle(username="applicant", ip=IP_B)
    assert refused.value.message("zh").endswith("2025-03-03 10:01:00（北京时间）之后再试")


def test_old_failures_are_deleted_as_new_ones_come():
    services.sign_in_failure_record(username="a", ip=IP_A, kind=SignInFailureKind.PASSWORD)
    with time_machine.travel(T0 + datetime.timedelta(minutes=20), tick=False):
        services.sign_in_failure_record(username="b", ip=IP_B, kind=SignInFailureKind.PASSWORD)
    assert list(SignInFailure.objects.values_list("username", flat=True)) == ["b"]


def test_behind_a_proxy_the_forwarded_address_counts(settings, applicant):
    settings.DATAIP_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(5):
        # What the client put in X-Forwarded-For is ignored; the proxy's own entry is last.
        attempt(proxy, "applicant", "wrong", **{"X-Forwarded-For": f"1.2.3.{n}, {IP_A}"})
    assert set(SignInFailure.objects.values_list("ip", flat=True)) == {IP_A}


def test_without_a_proxy_setting_forwarded_headers_are_ignored(applicant):
    attempt(IP_B, "applicant", "wrong", **{"X-Forwarded-For": IP_A})
    assert list(SignInFailure.objects.values_list("ip", flat=True)) == [IP_B]


def test_the_admin_sign_in_page_is_throttled_too(make_user):
    make_user("wang.admin", role=Role.ADMINISTRATOR)
    for _ in range(5):
        response = attempt(IP_A, "wang.admin", "wrong", path="/admin/login/")
    assert "登录失败次数过多" in response.content.decode()
    assert attempt(IP_A, "wang.admin", PASSWORD, path="/admin/login/").status_code != 302
    assert attempt(IP_A, "wang.admin", PASSWORD).status_code == 429


def test_wrong_codes_count_like_wrong_passwords(make_user, clock):
    from tests.accounts.test_totp import independent_code

    examiner = make_user("li.examiner", role=Role.EXAMINER)
    factor = services.second_factor_begin(actor=examiner)
    services.second_factor_confirm(actor=examiner, code=independent_code(factor.secret, T0))
    client = Client(REMOTE_ADDR=IP_A)
    assert (
        client.post(
            "/accounts/login/", {"username": "li.examiner", "password": PASSWORD}
        ).status_code
        == 302
    )
    for _ in range(4):
        assert client.post("/accounts/login/code/", {"code": "000000"}).status_code == 400
    response = client.post("/accounts/login/code/", {"code": "000000"})
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "登录失败次数过多" in response.content.decode()
    # Throttled, the right code is refused as well, and nobody is signed in.
    clock.shift(datetime.timedelta(seconds=30))
    right = independent_code(factor.secret, T0 + datetime.timedelta(seconds=30))
    assert client.post("/accounts/login/code/", {"code": right}).status_code == 429
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert set(SignInFailure.objects.values_list("kind", flat=True)) == {SignInFailureKind.CODE}
