"""The pages at /accounts/: sign-in, sign-out, sign-up and the user centre."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from tests.accounts.conftest import CREDIT_CODE, OTHER_CREDIT_CODE, PASSWORD

from dataip.accounts.models import ApiToken, Registrant, RegistrantInvitation, User

pytestmark = pytest.mark.django_db


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[str] = []
        self.labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.inputs.append(a.get("id") or "")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")


def assert_every_field_labelled(html: str) -> None:
    fields = _Fields()
    fields.feed(html)
    assert fields.inputs, "no form fields"
    unlabelled = [i for i in fields.inputs if i not in fields.labels]
    assert not unlabelled, f"fields without a label: {unlabelled}"


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_pages_render_in_chinese_first_with_labels(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
    assert_every_field_labelled(html)


def test_pages_render_in_english(client):
    html = client.get("/accounts/login/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_sign_in_and_out(client, applicant):
    response = client.post("/accounts/login/", {"username": "applicant", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert "applicant" in response.content.decode()
    assert client.get("/api/v1/accounts/me").status_code == 200  # GET did not sign out
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_a_wrong_password_is_refused(client, applicant):
    response = client.post("/accounts/login/", {"username": "applicant", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_sign_up_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "zhao", "email": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert client.get("/api/v1/accounts/me").json()["username"] == "zhao"
    assert client.get("/accounts/signup/")["Location"] == "/accounts/profile/"


def test_sign_up_errors_are_shown(client, applicant):
    response = client.post(
        "/accounts/signup/",
        {"username": "applicant", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 400
    assert "用户名“applicant”已被使用" in response.content.decode()
    response = client.post(
        "/accounts/signup/", {"username": "zhao", "password1": PASSWORD, "password2": "other"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="zhao").exists()


def test_the_user_centre_needs_an_account(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_real_name_details_in_the_user_centre(client, applicant):
    client.force_login(applicant)
    html = client.get("/accounts/profile/").content.decode()
    assert_every_field_labelled(html)
    response = client.post(
        "/accounts/profile/",
        {
            "action": "real-name",
            "real_name": "王五",
            "phone": "13700137000",
            "registrant_kind": "legal_person",
            "registrant_name": "华为技术有限公司",
            "registrant_id_number": OTHER_CREDIT_CODE,
        },
    )
    assert response.status_code == 302
    html = client.get("/accounts/profile/").content.decode()
    assert "华为技术有限公司" in html and OTHER_CREDIT_CODE in html


def test_the_user_centre_shows_service_errors(client, member, applicant):
    client.force_login(applicant)
    response = client.post(
        "/accounts/profile/",
        {
            "action": "real-name",
            "real_name": "王五",
            "phone": "13700137000",
            "registrant_kind": "legal_person",
            "registrant_name": "百度",
            "registrant_id_number": CREDIT_CODE,
        },
    )
    assert response.status_code == 400
    assert "请向其已有用户索取邀请码" in response.content.decode()
    assert Registrant.objects.count() == 1


def test_inviting_and_joining_in_the_user_centre(client, member, applicant):
    client.force_login(member)
    response = client.post("/accounts/profile/", {"action": "invitation"})
    assert response.status_code == 200
    code = re.search(r"<code>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})</code>", response.content.decode())
    assert code
    assert RegistrantInvitation.objects.count() == 1

    client.force_login(applicant)
    response = client.post(
        "/accounts/profile/",
        {"action": "join", "code": code.group(1), "real_name": "赵六", "phone": "13600136000"},
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.registrant == member.registrant


def test_tokens_in_the_user_centre(client, applicant):
    client.force_login(applicant)
    response = client.post("/accounts/profile/", {"action": "token", "name": "laptop"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = re.search(r"<code>(dip_[^<]+)</code>", response.content.decode())
    assert secret and secret.group(1).startswith(token.prefix)
    response = client.post("/accounts/profile/", {"action": "revoke", "token": str(token.pk)})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.post("/accounts/profile/", {"action": "revoke", "token": "x"})
    assert response.status_code == 400
