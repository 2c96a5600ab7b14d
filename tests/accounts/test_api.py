"""``/api/v1/accounts/``: each endpoint, with a session and with bearer tokens."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone
from tests.accounts.conftest import CREDIT_CODE, PASSWORD, RESIDENT_ID

from dataip.accounts import services
from dataip.accounts.models import ApiToken, Registrant, User

pytestmark = pytest.mark.django_db

BASE = "/api/v1/accounts"


@pytest.fixture
def api(client, applicant):
    client.force_login(applicant)
    return client


def _post(client, path, body=None, **headers):
    return client.post(BASE + path, body or {}, content_type="application/json", headers=headers)


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me"),
        ("post", "/real-name"),
        ("post", "/invitations"),
        ("post", "/join"),
        ("get", "/tokens"),
        ("post", "/tokens"),
        ("delete", "/tokens/1"),
    ],
)
def test_anonymous_requests_are_refused(client, method, path):
    response = getattr(client, method)(BASE + path, content_type="application/json")
    assert response.status_code == 401


def test_sign_up_needs_no_account(client):
    response = _post(client, "/signup", {"username": "zhao", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["role"], body["real_name_complete"]) == (
        "zhao",
        "applicant",
        False,
    )
    assert User.objects.get(username="zhao").check_password(PASSWORD)


def test_sign_up_errors_are_codes_and_messages(client, applicant):
    response = _post(client, "/signup", {"username": "APPLICANT", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json() == {"code": "username_taken", "detail": "用户名“APPLICANT”已被使用"}
    response = _post(
        client,
        "/signup",
        {"username": "APPLICANT", "password": PASSWORD},
        **{"Accept-Language": "en"},
    )
    assert response.json()["detail"] == "the username 'APPLICANT' is taken"


def test_me(api, applicant):
    body = api.get(BASE + "/me").json()
    assert body == {
        "id": applicant.pk,
        "username": "applicant",
        "email": "",
        "role": "applicant",
        "role_label": "申请人",
        "real_name": "",
        "phone": "",
        "real_name_complete": False,
        "registrant": None,
        "signed_in_with": "local",
    }


def test_real_name(api):
    response = _post(
        api,
        "/real-name",
        {
            "real_name": "张三",
            "phone": "13800138000",
            "registrant_kind": "natural_person",
            "registrant_id_number": RESIDENT_ID.lower(),
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["real_name_complete"] is True
    registrant = Registrant.objects.get()
    assert body["registrant"] == {
        "id": registrant.pk,
        "kind": "natural_person",
        "kind_label": "自然人",
        "name": "张三",
        "id_number": RESIDENT_ID,
    }


def test_real_name_with_a_wrong_check_character(api):
    response = _post(
        api,
        "/real-name",
        {
            "real_name": "李四",
            "phone": "13900139000",
            "registrant_kind": "legal_person",
            "registrant_name": "北京百度网讯科技有限公司",
            "registrant_id_number": "91110000802100433C",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "credit_code_check",
        "detail": "统一社会信用代码校验位错误：应为 B，实为 C",
    }


def test_invitations_and_join(client, member, applicant):
    client.force_login(member)
    response = _post(client, "/invitations")
    assert response.status_code == 201
    body = response.json()
    assert body["registrant"] == "北京百度网讯科技有限公司"
    code = body["code"]

    client.force_login(applicant)
    response = _post(client, "/join", {"code": code, "real_name": "赵六", "phone": "13600136000"})
    assert response.status_code == 200
    assert response.json()["registrant"]["id_number"] == CREDIT_CODE
    response = _post(client, "/join", {"code": code, "real_name": "赵六", "phone": "13600136000"})
    assert response.json()["code"] == "real_name_complete"


def test_examiners_get_403_for_applicant_actions(client, examiner):
    client.force_login(examiner)
    response = _post(client, "/invitations")
    assert response.status_code == 403
    assert response.json()["code"] == "account_applicant_only"


def test_tokens_work_as_bearer_until_revoked(api, applicant):
    response = _post(api, "/tokens", {"name": "laptop"})
    assert response.status_code == 201
    created = response.json()
    secret = created.pop("token")
    assert created["prefix"] == secret[:8]
    assert ApiToken.objects.get().digest == hashlib.sha256(secret.encode()).hexdigest()

    bearer = Client()
    response = bearer.get(BASE + "/me", headers=_bearer(secret))
    assert response.status_code == 200
    assert response.json()["username"] == "applicant"
    listed = bearer.get(BASE + "/tokens", headers=_bearer(secret)).json()
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]
    assert listed[0]["last_used_at"] is not None

    response = bearer.delete(f"{BASE}/tokens/{created['id']}", headers=_bearer(secret))
    assert response.status_code == 204
    assert bearer.get(BASE + "/me", headers=_bearer(secret)).status_code == 401
    assert api.get(BASE + "/tokens").json() == []


def test_a_wrong_or_expired_token_is_refused(client, applicant):
    _, secret = services.api_token_create(actor=applicant, name="laptop")
    assert client.get(BASE + "/me", headers=_bearer(secret + "x")).status_code == 401
    token, secret = services.api_token_create(
        actor=applicant, name="soon", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert client.get(BASE + "/me", headers=_bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert client.get(BASE + "/me", headers=_bearer(secret)).status_code == 401


def test_a_deactivated_users_token_is_refused(client, applicant):
    _, secret = services.api_token_create(actor=applicant, name="laptop")
    User.objects.filter(pk=applicant.pk).update(is_active=False)
    assert client.get(BASE + "/me", headers=_bearer(secret)).status_code == 401


def test_a_token_with_an_expiry(api):
    expires = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    response = _post(api, "/tokens", {"name": "ci", "expires_at": expires})
    assert response.status_code == 201
    assert response.json()["expires_at"] is not None
    response = _post(api, "/tokens", {"name": "old", "expires_at": "2000-01-01T00:00:00Z"})
    assert (response.status_code, response.json()["code"]) == (400, "token_expiry_past")


def test_another_users_token_is_404(api, make_user):
    other = make_user()
    token, secret = services.api_token_create(actor=other, name="theirs")
    response = api.delete(f"{BASE}/tokens/{token.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "token_not_found"
    assert Client().get(BASE + "/me", headers=_bearer(secret)).status_code == 200


def test_a_session_needs_the_csrf_token_for_writes(applicant):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    assert browser.get(BASE + "/me").status_code == 200
    response = browser.post(BASE + "/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
    browser.get("/accounts/login/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        BASE + "/tokens",
        {"name": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201


def test_a_bearer_token_needs_no_csrf_token(applicant):
    _, secret = services.api_token_create(actor=applicant, name="cli")
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        BASE + "/tokens", {"name": "y"}, content_type="application/json", headers=_bearer(secret)
    )
    assert response.status_code == 201
