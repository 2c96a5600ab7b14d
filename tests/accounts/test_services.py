"""The accounts services: what each one writes, and every check of its actor."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone
from tests.accounts.conftest import CREDIT_CODE, OTHER_CREDIT_CODE, PASSWORD, RESIDENT_ID

from dataip.accounts import services
from dataip.accounts.errors import AccountsError, Forbidden, IdNumberError, NotFound, SignInError
from dataip.accounts.models import (
    AccountEvent,
    AccountEventKind,
    ApiToken,
    Registrant,
    RegistrantInvitation,
    RegistrantKind,
    Role,
    User,
)

pytestmark = pytest.mark.django_db


def _events(kind):
    return list(AccountEvent.objects.filter(kind=kind).order_by("id"))


def _complete(
    user, *, kind=RegistrantKind.LEGAL_PERSON, number=OTHER_CREDIT_CODE, name="华为技术有限公司"
):
    return services.user_complete_real_name(
        actor=user,
        real_name="王五",
        phone="13700137000",
        registrant_kind=kind,
        registrant_name=name,
        registrant_id_number=number,
    )


def _deactivate(user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False


# --- user_register --------------------------------------------------------------------------


def test_register_creates_an_applicant_with_a_password():
    user = services.user_register(username="zhao", password=PASSWORD, email="zhao@example.com")
    user.refresh_from_db()
    assert user.role == Role.APPLICANT
    assert not user.is_staff
    assert user.check_password(PASSWORD)
    assert not user.is_real_name_complete
    assert [e.user for e in _events(AccountEventKind.SIGNED_UP)] == [user]


def test_register_refuses_a_name_taken_in_any_case(make_user):
    make_user("Zhao")
    with pytest.raises(AccountsError) as raised:
        services.user_register(username="zhao", password=PASSWORD)
    assert raised.value.code == "username_taken"


@pytest.mark.parametrize("username", ["", "has space", "semi;colon", "x" * 151])
def test_register_refuses_bad_user_names(username):
    with pytest.raises(AccountsError) as raised:
        services.user_register(username=username, password=PASSWORD)
    assert raised.value.code == "username_invalid"


def test_register_refuses_a_bad_email():
    with pytest.raises(AccountsError) as raised:
        services.user_register(username="zhao", password=PASSWORD, email="not-an-address")
    assert raised.value.code == "email_invalid"


def test_register_refuses_weak_passwords_in_both_languages():
    with pytest.raises(AccountsError) as raised:
        services.user_register(username="zhao", password="12345")
    assert raised.value.code == "password_invalid"
    assert "8" in raised.value.message("zh") and "密码" in raised.value.message("zh")
    assert "too short" in raised.value.message("en")
    assert not User.objects.exists()


def test_register_refuses_a_password_like_the_user_name():
    with pytest.raises(AccountsError) as raised:
        services.user_register(username="lanternriver", password="lanternriver1")
    assert "similar" in raised.value.message("en")


# --- user_complete_real_name ----------------------------------------------------------------


def test_real_name_creates_the_registrant(applicant):
    user = services.user_complete_real_name(
        actor=applicant,
        real_name=" 李四 ",
        phone="+86 139 0013 9000",
        registrant_kind=RegistrantKind.LEGAL_PERSON,
        registrant_name="北京百度网讯科技有限公司",
        registrant_id_number=CREDIT_CODE.lower(),
    )
    registrant = Registrant.objects.get()
    assert registrant.id_number == CREDIT_CODE
    assert registrant.kind == RegistrantKind.LEGAL_PERSON
    assert registrant.contact_phone == "13900139000"
    user.refresh_from_db()
    assert (user.real_name, user.phone, user.registrant) == ("李四", "13900139000", registrant)
    assert user.is_real_name_complete
    assert applicant.is_real_name_complete  # the caller's instance sees it too
    [event] = _events(AccountEventKind.REAL_NAME_COMPLETED)
    assert (event.actor, event.user, event.registrant) == (applicant, applicant, registrant)


def test_a_natural_person_registrant_is_named_after_the_person(applicant):
    services.user_complete_real_name(
        actor=applicant,
        real_name="张三",
        phone="13800138000",
        registrant_kind=RegistrantKind.NATURAL_PERSON,
        registrant_name="",
        registrant_id_number=RESIDENT_ID.lower(),
    )
    registrant = Registrant.objects.get()
    assert (registrant.name, registrant.id_number) == ("张三", RESIDENT_ID)


def test_a_natural_person_registrant_under_another_name_is_refused(applicant):
    with pytest.raises(AccountsError) as raised:
        services.user_complete_real_name(
            actor=applicant,
            real_name="张三",
            phone="13800138000",
            registrant_kind=RegistrantKind.NATURAL_PERSON,
            registrant_name="李四",
            registrant_id_number=RESIDENT_ID,
        )
    assert raised.value.code == "registrant_name_mismatch"


def test_id_numbers_are_checked_by_kind(applicant):
    with pytest.raises(IdNumberError) as raised:
        _complete(applicant, kind=RegistrantKind.NATURAL_PERSON, number=CREDIT_CODE, name="")
    assert raised.value.code.startswith("resident_id_")
    with pytest.raises(IdNumberError) as raised:
        _complete(applicant, kind=RegistrantKind.UNINCORPORATED, number=RESIDENT_ID)
    assert raised.value.code.startswith("credit_code_")
    assert not Registrant.objects.exists()


def test_nobody_attaches_themselves_to_an_existing_registrant_by_its_code(member, applicant):
    with pytest.raises(AccountsError) as raised:
        _complete(applicant, number=CREDIT_CODE)
    assert raised.value.code == "registrant_exists"
    applicant.refresh_from_db()
    assert applicant.registrant is None
    assert Registrant.objects.get().users.get() == member


def test_real_name_details_are_completed_once(member):
    with pytest.raises(AccountsError) as raised:
        _complete(member)
    assert raised.value.code == "real_name_complete"
    assert Registrant.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("real_name", "  ", "field_required"),
        ("real_name", "名" * 101, "field_too_long"),
        ("phone", "12345", "phone_invalid"),
        ("phone", "", "field_required"),
        ("registrant_kind", "company", "registrant_kind_invalid"),
        ("registrant_name", "", "field_required"),
    ],
)
def test_real_name_details_are_validated(applicant, field, value, code):
    arguments = {
        "real_name": "王五",
        "phone": "13700137000",
        "registrant_kind": RegistrantKind.LEGAL_PERSON,
        "registrant_name": "华为技术有限公司",
        "registrant_id_number": OTHER_CREDIT_CODE,
        field: value,
    }
    with pytest.raises(AccountsError) as raised:
        services.user_complete_real_name(actor=applicant, **arguments)
    assert raised.value.code == code


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.ADMINISTRATOR])
def test_only_applicants_complete_real_name_details(make_user, role):
    with pytest.raises(Forbidden) as raised:
        _complete(make_user(role=role))
    assert raised.value.code == "account_applicant_only"
    assert raised.value.status == 403


def test_deactivated_accounts_complete_nothing(applicant):
    _deactivate(applicant)
    with pytest.raises(Forbidden) as raised:
        _complete(applicant)
    assert raised.value.code == "account_inactive"


# --- registrant_invitation_create and registrant_join ---------------------------------------


def test_a_member_invites_and_the_invited_user_joins(member, applicant):
    invitation, code = services.registrant_invitation_create(actor=member)
    assert len(code) == 19 and code.count("-") == 3
    normal = code.replace("-", "")
    assert invitation.digest == hashlib.sha256(normal.encode()).hexdigest()
    assert not RegistrantInvitation.objects.filter(digest__contains=normal).exists()
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - datetime.timedelta(days=7)) < datetime.timedelta(seconds=5)

    # Typed carelessly: lower case, spaces instead of hyphens, O for 0, I or L for 1.
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    user = services.registrant_join(
        actor=applicant, code=typed, real_name="赵六", phone="13600136000"
    )
    assert user.registrant == member.registrant
    assert user.is_real_name_complete
    invitation.refresh_from_db()
    assert invitation.used_by == applicant
    assert invitation.used_at is not None
    assert set(member.registrant.users.all()) == {member, applicant}
    [event] = _events(AccountEventKind.REGISTRANT_JOINED)
    assert (event.user, event.registrant) == (applicant, member.registrant)


def test_an_invitation_is_used_once(member, applicant, make_user):
    _, code = services.registrant_invitation_create(actor=member)
    services.registrant_join(actor=applicant, code=code, real_name="赵六", phone="13600136000")
    with pytest.raises(AccountsError) as raised:
        services.registrant_join(
            actor=make_user(), code=code, real_name="钱七", phone="13500135000"
        )
    assert raised.value.code == "invitation_used"


def test_an_invitation_expires_after_seven_days(member, applicant):
    invitation, code = services.registrant_invitation_create(actor=member)
    RegistrantInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(AccountsError) as raised:
        services.registrant_join(actor=applicant, code=code, real_name="赵六", phone="13600136000")
    assert raised.value.code == "invitation_expired"
    applicant.refresh_from_db()
    assert applicant.registrant is None


def test_an_unknown_code_is_refused(applicant):
    with pytest.raises(AccountsError) as raised:
        services.registrant_join(
            actor=applicant, code="ABCD-EFGH-JKMN-PQRS", real_name="赵六", phone="13600136000"
        )
    assert raised.value.code == "invitation_invalid"


def test_a_code_dies_with_its_makers_account(member, applicant):
    _, code = services.registrant_invitation_create(actor=member)
    _deactivate(member)
    with pytest.raises(AccountsError) as raised:
        services.registrant_join(actor=applicant, code=code, real_name="赵六", phone="13600136000")
    assert raised.value.code == "invitation_invalid"


def test_a_member_cannot_join_a_second_registrant(member, make_user):
    other = make_user()
    _complete(other)
    _, code = services.registrant_invitation_create(actor=other)
    with pytest.raises(AccountsError) as raised:
        services.registrant_join(actor=member, code=code, real_name="李四", phone="13900139000")
    assert raised.value.code == "real_name_complete"


def test_a_natural_person_registrant_has_exactly_one_user(applicant):
    services.user_complete_real_name(
        actor=applicant,
        real_name="张三",
        phone="13800138000",
        registrant_kind=RegistrantKind.NATURAL_PERSON,
        registrant_name="张三",
        registrant_id_number=RESIDENT_ID,
    )
    with pytest.raises(AccountsError) as raised:
        services.registrant_invitation_create(actor=applicant)
    assert raised.value.code == "invitation_natural_person"
    assert not RegistrantInvitation.objects.exists()


def test_inviting_needs_real_name_details(applicant):
    with pytest.raises(AccountsError) as raised:
        services.registrant_invitation_create(actor=applicant)
    assert raised.value.code == "real_name_incomplete"


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.ADMINISTRATOR])
def test_only_applicants_invite_and_join(member, make_user, role):
    _, code = services.registrant_invitation_create(actor=member)
    staff = make_user(role=role)
    with pytest.raises(Forbidden):
        services.registrant_invitation_create(actor=staff)
    with pytest.raises(Forbidden) as raised:
        services.registrant_join(actor=staff, code=code, real_name="赵六", phone="13600136000")
    assert raised.value.code == "account_applicant_only"


def test_deactivated_accounts_neither_invite_nor_join(member, applicant):
    _, code = services.registrant_invitation_create(actor=member)
    _deactivate(applicant)
    with pytest.raises(Forbidden):
        services.registrant_join(actor=applicant, code=code, real_name="赵六", phone="13600136000")
    _deactivate(member)
    with pytest.raises(Forbidden):
        services.registrant_invitation_create(actor=member)


# --- api_token_create and api_token_revoke --------------------------------------------------


def test_a_token_is_returned_once_and_stored_hashed(applicant):
    token, secret = services.api_token_create(actor=applicant, name=" laptop ")
    assert secret.startswith("dip_") and len(secret) == 4 + 43
    assert token.name == "laptop"
    assert token.prefix == secret[:8]
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in stored.values()}
    [event] = _events(AccountEventKind.TOKEN_CREATED)
    assert (event.user, event.new) == (applicant, token.prefix)


def test_token_names_and_expiry_are_checked(applicant):
    with pytest.raises(AccountsError) as raised:
        services.api_token_create(actor=applicant, name="")
    assert raised.value.code == "field_required"
    with pytest.raises(AccountsError) as raised:
        services.api_token_create(
            actor=applicant, name="old", expires_at=timezone.now() - datetime.timedelta(days=1)
        )
    assert raised.value.code == "token_expiry_past"


def test_deactivated_accounts_make_no_tokens(applicant):
    _deactivate(applicant)
    with pytest.raises(Forbidden):
        services.api_token_create(actor=applicant, name="laptop")


def test_owners_revoke_their_tokens_once(applicant):
    token, _ = services.api_token_create(actor=applicant, name="laptop")
    revoked = services.api_token_revoke(actor=applicant, token_id=token.pk)
    assert revoked.revoked_at is not None
    again = services.api_token_revoke(actor=applicant, token_id=token.pk)
    assert again.revoked_at == revoked.revoked_at
    assert len(_events(AccountEventKind.TOKEN_REVOKED)) == 1


def test_another_users_token_is_not_found(applicant, make_user, examiner):
    token, _ = services.api_token_create(actor=applicant, name="laptop")
    for actor in (make_user(), examiner):
        with pytest.raises(NotFound) as raised:
            services.api_token_revoke(actor=actor, token_id=token.pk)
        assert raised.value.status == 404
    with pytest.raises(NotFound):
        services.api_token_revoke(actor=applicant, token_id=token.pk + 1000)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_administrators_revoke_anyones_token(applicant, administrator):
    token, _ = services.api_token_create(actor=applicant, name="laptop")
    services.api_token_revoke(actor=administrator, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is not None
    [event] = _events(AccountEventKind.TOKEN_REVOKED)
    assert (event.actor, event.user) == (administrator, applicant)


def test_deactivated_accounts_revoke_nothing(applicant):
    token, _ = services.api_token_create(actor=applicant, name="laptop")
    _deactivate(applicant)
    with pytest.raises(Forbidden):
        services.api_token_revoke(actor=applicant, token_id=token.pk)


# --- user_set_role --------------------------------------------------------------------------


def test_administrators_set_roles_and_the_admin_follows(administrator, applicant):
    user = services.user_set_role(actor=administrator, user=applicant, role=Role.ADMINISTRATOR)
    assert (user.role, user.is_staff) == (Role.ADMINISTRATOR, True)
    user = services.user_set_role(actor=administrator, user=applicant, role=Role.EXAMINER)
    assert (user.role, user.is_staff) == (Role.EXAMINER, False)
    applicant.refresh_from_db()
    assert (applicant.role, applicant.is_staff) == (Role.EXAMINER, False)
    changes = [
        (e.old, e.new)
        for e in _events(AccountEventKind.ROLE_CHANGED)
        if e.user == applicant and e.actor == administrator
    ]
    assert changes == [
        (Role.APPLICANT, Role.ADMINISTRATOR),
        (Role.ADMINISTRATOR, Role.EXAMINER),
    ]


def test_setting_the_same_role_changes_nothing(administrator, examiner):
    before = AccountEvent.objects.count()
    services.user_set_role(actor=administrator, user=examiner, role=Role.EXAMINER)
    assert AccountEvent.objects.count() == before


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.EXAMINER])
def test_only_administrators_set_roles(make_user, applicant, role):
    actor = make_user(role=role)
    with pytest.raises(Forbidden) as raised:
        services.user_set_role(actor=actor, user=applicant, role=Role.ADMINISTRATOR)
    assert raised.value.code == "account_administrator_only"
    applicant.refresh_from_db()
    assert applicant.role == Role.APPLICANT


def test_a_deactivated_administrator_sets_no_roles(administrator, applicant):
    _deactivate(administrator)
    with pytest.raises(Forbidden):
        services.user_set_role(actor=administrator, user=applicant, role=Role.EXAMINER)


def test_a_superuser_appoints_the_first_administrator(applicant):
    root = User.objects.create_superuser("root", password=PASSWORD)
    user = services.user_set_role(actor=root, user=applicant, role=Role.ADMINISTRATOR)
    assert user.is_administrator and user.is_staff


def test_administrators_do_not_change_their_own_role(administrator):
    with pytest.raises(Forbidden) as raised:
        services.user_set_role(actor=administrator, user=administrator, role=Role.APPLICANT)
    assert raised.value.code == "role_self"


def test_users_acting_for_a_registrant_stay_applicants(administrator, member):
    with pytest.raises(AccountsError) as raised:
        services.user_set_role(actor=administrator, user=member, role=Role.EXAMINER)
    assert raised.value.code == "role_registrant"


def test_unknown_roles_are_refused(administrator, applicant):
    with pytest.raises(AccountsError) as raised:
        services.user_set_role(actor=administrator, user=applicant, role="superuser")
    assert raised.value.code == "role_invalid"


# --- user_sign_in_oidc ----------------------------------------------------------------------

ISSUER = "https://idp.example.gov.cn"


def test_a_first_oidc_sign_in_creates_an_applicant():
    user = services.user_sign_in_oidc(
        issuer=ISSUER,
        subject="abc",
        email="z@example.com",
        real_name="张三",
        phone="+8613800138000",
    )
    assert user.oidc_subject == f"{ISSUER} abc"
    assert user.role == Role.APPLICANT
    assert not user.has_usable_password()
    assert (user.real_name, user.phone, user.email) == ("张三", "13800138000", "z@example.com")
    assert services.user_sign_in_oidc(issuer=ISSUER, subject="abc") == user
    assert User.objects.count() == 1


def test_an_email_match_does_not_take_over_a_local_account(make_user):
    local = services.user_register(username="zhang", password=PASSWORD, email="z@example.com")
    user = services.user_sign_in_oidc(issuer=ISSUER, subject="abc", email="z@example.com")
    assert user != local
    local.refresh_from_db()
    assert local.oidc_subject is None
    assert local.check_password(PASSWORD)


def test_the_same_subject_at_another_issuer_is_another_user():
    first = services.user_sign_in_oidc(issuer=ISSUER, subject="abc")
    second = services.user_sign_in_oidc(issuer="https://other.example.com", subject="abc")
    assert first != second
    assert first.username != second.username


def test_provider_details_fill_only_empty_fields():
    user = services.user_sign_in_oidc(issuer=ISSUER, subject="abc", real_name="张三")
    User.objects.filter(pk=user.pk).update(real_name="张叁")
    user = services.user_sign_in_oidc(
        issuer=ISSUER, subject="abc", real_name="张三", phone="13800138000"
    )
    assert (user.real_name, user.phone) == ("张叁", "13800138000")


def test_unusable_provider_details_are_dropped():
    user = services.user_sign_in_oidc(issuer=ISSUER, subject="abc", email="nope", phone="12")
    assert (user.email, user.phone) == ("", "")


def test_a_deactivated_oidc_user_is_not_signed_in():
    user = services.user_sign_in_oidc(issuer=ISSUER, subject="abc")
    _deactivate(user)
    with pytest.raises(SignInError) as raised:
        services.user_sign_in_oidc(issuer=ISSUER, subject="abc")
    assert raised.value.code == "account_inactive"


def test_an_overlong_subject_is_refused():
    with pytest.raises(SignInError) as raised:
        services.user_sign_in_oidc(issuer=ISSUER, subject="s" * 250)
    assert raised.value.code == "oidc_subject_too_long"
