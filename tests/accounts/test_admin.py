"""The Django admin: administrators only, in Chinese, roles changed through the service."""

from __future__ import annotations

import pytest

from dataip.accounts import services
from dataip.accounts.models import AccountEvent, AccountEventKind, ApiToken, Role, User

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/registrant/",
    "/admin/accounts/apitoken/",
    "/admin/accounts/registrantinvitation/",
    "/admin/accounts/accountevent/",
]


@pytest.mark.parametrize("path", PAGES)
def test_administrators_have_the_admin(client, administrator, member, path):
    client.force_login(administrator)
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.content.decode()


def test_the_admin_is_in_chinese(client, administrator):
    client.force_login(administrator)
    html = client.get("/admin/").content.decode()
    assert "用户与登记主体" in html
    assert "登记主体" in html and "API 令牌" in html


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.APPLICANT])
def test_examiners_and_applicants_have_no_admin(client, make_user, role):
    client.force_login(make_user(role=role))
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")


def test_a_demoted_administrator_loses_the_admin(client, administrator, make_user):
    other = make_user(role=Role.ADMINISTRATOR)
    services.user_set_role(actor=other, user=administrator, role=Role.EXAMINER)
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 302


def test_roles_change_through_the_admin_action(client, administrator, applicant):
    client.force_login(administrator)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "make_examiner", "_selected_action": [str(applicant.pk)]},
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.role == Role.EXAMINER
    event = AccountEvent.objects.get(kind=AccountEventKind.ROLE_CHANGED, user=applicant)
    assert event.actor == administrator


def test_the_role_action_reports_refusals(client, administrator, member):
    client.force_login(administrator)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "make_administrator", "_selected_action": [str(member.pk)]},
        follow=True,
    )
    assert "不能成为审查员或管理员" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.APPLICANT


def test_the_role_is_read_only_in_the_change_form(client, administrator, applicant):
    client.force_login(administrator)
    html = client.get(f"/admin/accounts/user/{applicant.pk}/change/").content.decode()
    assert 'name="real_name"' in html
    assert 'name="role"' not in html
    assert 'name="is_superuser"' not in html


def test_tokens_are_revoked_through_the_admin_action(client, administrator, applicant):
    token, _ = services.api_token_create(actor=applicant, name="laptop")
    client.force_login(administrator)
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "_revoke", "_selected_action": [str(token.pk)]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.count() == 1


def test_administrators_cannot_change_a_superuser(client, administrator):
    root = User.objects.get(username="root")  # made by the fixture to appoint the administrator
    client.force_login(administrator)
    assert client.get(f"/admin/accounts/user/{root.pk}/password/").status_code == 403
    response = client.post(
        f"/admin/accounts/user/{root.pk}/change/", {"username": "root", "real_name": "x"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.real_name == ""
