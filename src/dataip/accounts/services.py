"""Writes of accounts: sign-up, real-name details, invitations, API tokens, roles, OIDC sign-in,
sign-in failures (the throttle) and second factors (TOTP).

Every service checks its actor, runs in one transaction, locks the rows it changes and appends
one :class:`AccountEvent` per change. Nobody attaches themselves to an existing registrant by
typing its code: the first user creates it (``user_complete_real_name``); later users join with a
single-use invitation code from a member (``registrant_join``); a natural person has one user.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import unicodedata

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from dataip.accounts import totp
from dataip.accounts.errors import AccountsError, Forbidden, NotFound, SignInError
from dataip.accounts.models import (
    AccountEvent,
    AccountEventKind,
    ApiToken,
    Registrant,
    RegistrantInvitation,
    RegistrantKind,
    Role,
    SecondFactor,
    SignInFailure,
    SignInFailureKind,
    User,
)
from dataip.accounts.permissions import may_enrol_second_factor
from dataip.accounts.selectors import normalised_username, sign_in_limits, sign_in_throttle
from dataip.accounts.validators import validate_credit_code, validate_phone, validate_resident_id
from dataip.core.errors import Text

INVITATION_LIFETIME = datetime.timedelta(days=7)
#: Invitation codes: 16 characters of Crockford's base32 (80 bits), shown in groups of four.
_INVITATION_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INVITATION_LENGTH = 16
#: Letters people mistake for the digits Crockford's alphabet keeps.
_INVITATION_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: API tokens: a recognisable prefix, then 256 random bits (base64url).
TOKEN_PREFIX = "dip_"  # noqa: S105 - not a secret: marks tokens for secret scanners
_TOKEN_DISPLAY_LENGTH = 8
_USERNAME_MAX = 150
#: ``User.oidc_subject``'s length.
_OIDC_SUBJECT_MAX = 255

_REAL_NAME = Text("真实姓名", "the real name")
_PHONE = Text("手机号码", "the mobile number")
_REGISTRANT_NAME = Text("登记主体名称", "the registrant's name")
_TOKEN_NAME = Text("令牌名称", "the token's name")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _event(
    kind: AccountEventKind,
    *,
    actor: User | None,
    user: User,
    registrant: Registrant | None = None,
    old: str = "",
    new: str = "",
) -> None:
    AccountEvent.objects.create(
        kind=kind, actor=actor, user=user, registrant=registrant, old=old, new=new
    )


def _require_active(actor: User) -> None:
    if not actor.is_active:
        raise Forbidden("account_inactive")


def _require_applicant(actor: User, action: Text) -> None:
    _require_active(actor)
    if actor.role != Role.APPLICANT:
        raise Forbidden("account_applicant_only", action=action)


def _required_text(value: str, *, field: Text, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise AccountsError("field_required", field=field)
    if len(text) > limit:
        raise AccountsError("field_too_long", field=field, limit=limit, length=len(text))
    return text


def _password_problems(password: str, user: User) -> Text | None:
    """Django's password validators' complaints, in Chinese and in English, or None."""
    problems = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            try:
                password_validation.validate_password(password, user=user)
            except ValidationError as error:
                problems.append(" ".join(error.messages))
            else:
                return None
    return Text(*problems)


def user_register(*, username: str, password: str, email: str = "") -> User:
    """Create an applicant account with a local password (sign-up; the actor is anonymous).

    User names are unique regardless of case, so that nobody can pose as "Admin" beside "admin".
    """
    username = unicodedata.normalize("NFKC", username.strip())
    if not username or len(username) > _USERNAME_MAX:
        raise AccountsError("username_invalid", username=username)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise AccountsError("username_invalid", username=username) from None
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise AccountsError("email_invalid", email=email) from None
    problems = _password_problems(password, User(username=username, email=email))
    if problems is not None:
        raise AccountsError("password_invalid", problems=problems)
    if User.objects.filter(username__iexact=username).exists():
        raise AccountsError("username_taken", username=username)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username, email=email, password=password)
            _event(AccountEventKind.SIGNED_UP, actor=user, user=user)
    except IntegrityError:  # a concurrent sign-up took the name
        raise AccountsError("username_taken", username=username) from None
    return user


def _validated_registrant(kind: str, name: str, id_number: str, real_name: str) -> tuple[str, str]:
    if kind not in RegistrantKind.values:
        raise AccountsError("registrant_kind_invalid", kind=kind)
    if kind == RegistrantKind.NATURAL_PERSON:
        number = validate_resident_id(id_number)
        name = " ".join(name.split()) or real_name
        if name != real_name:
            raise AccountsError("registrant_name_mismatch", real_name=real_name, name=name)
    else:
        number = validate_credit_code(id_number)
    return _required_text(name, field=_REGISTRANT_NAME, limit=200), number


def _copy_to(actor: User, user: User) -> None:
    """Let the caller's instance (often ``request.user``) see what the service saved."""
    actor.real_name, actor.phone, actor.registrant = user.real_name, user.phone, user.registrant


def user_complete_real_name(
    *,
    actor: User,
    real_name: str,
    phone: str,
    registrant_kind: str,
    registrant_name: str,
    registrant_id_number: str,
) -> User:
    """Record the applicant's real name and phone, and create the registrant they act for.

    Refused when the registrant exists already (join it with an invitation code instead) and
    when the applicant acts for a registrant already (only an administrator changes that).
    """
    _require_applicant(actor, Text("完善实名信息", "complete real-name details"))
    real_name = _required_text(real_name, field=_REAL_NAME, limit=100)
    phone = validate_phone(_required_text(phone, field=_PHONE, limit=32))
    name, number = _validated_registrant(
        registrant_kind, registrant_name, registrant_id_number, real_name
    )
    with transaction.atomic():
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("registrant")
            .get(pk=actor.pk)
        )
        if user.registrant is not None:
            raise AccountsError("real_name_complete", registrant=user.registrant.name)
        if Registrant.objects.filter(id_number=number).exists():
            raise AccountsError("registrant_exists")
        try:
            with transaction.atomic():
                registrant = Registrant.objects.create(
                    kind=registrant_kind, name=name, id_number=number, contact_phone=phone
                )
        except IntegrityError:  # created meanwhile by someone else
            raise AccountsError("registrant_exists") from None
        user.real_name, user.phone, user.registrant = real_name, phone, registrant
        user.save(update_fields=["real_name", "phone", "registrant"])
        _event(AccountEventKind.REAL_NAME_COMPLETED, actor=actor, user=user, registrant=registrant)
    _copy_to(actor, user)
    return user


def _invitation_code() -> str:
    raw = "".join(secrets.choice(_INVITATION_ALPHABET) for _ in range(_INVITATION_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _INVITATION_LENGTH, 4))


def _invitation_digest(code: str) -> str:
    normal = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", code).upper())
    return _sha256(normal.translate(_INVITATION_CONFUSABLES))


def registrant_invitation_create(*, actor: User) -> tuple[RegistrantInvitation, str]:
    """A single-use code, valid for 7 days, with which one more user joins the actor's registrant.

    Returns the invitation and the code; the code is not stored and cannot be shown again.
    """
    _require_applicant(actor, Text("邀请他人加入登记主体", "invite users to a registrant"))
    registrant = actor.registrant
    if registrant is None or not actor.real_name:
        raise AccountsError("real_name_incomplete")
    if registrant.kind == RegistrantKind.NATURAL_PERSON:
        raise AccountsError("invitation_natural_person")
    code = _invitation_code()
    with transaction.atomic():
        invitation = RegistrantInvitation.objects.create(
            registrant=registrant,
            created_by=actor,
            digest=_invitation_digest(code),
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        _event(AccountEventKind.INVITATION_CREATED, actor=actor, user=actor, registrant=registrant)
    return invitation, code


def registrant_join(*, actor: User, code: str, real_name: str, phone: str) -> User:
    """Record the applicant's real name and phone and let them act for the inviting registrant."""
    _require_applicant(actor, Text("加入登记主体", "join a registrant"))
    real_name = _required_text(real_name, field=_REAL_NAME, limit=100)
    phone = validate_phone(_required_text(phone, field=_PHONE, limit=32))
    digest = _invitation_digest(code)
    with transaction.atomic():
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("registrant")
            .get(pk=actor.pk)
        )
        if user.registrant is not None:
            raise AccountsError("real_name_complete", registrant=user.registrant.name)
        invitation = (
            RegistrantInvitation.objects.select_for_update(of=("self",))
            .select_related("registrant", "created_by")
            .filter(digest=digest)
            .first()
        )
        if invitation is None:
            raise AccountsError("invitation_invalid")
        if invitation.used_at is not None:
            raise AccountsError("invitation_used")
        now = timezone.now()
        if invitation.expires_at <= now:
            expired = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
            raise AccountsError("invitation_expired", expired=expired)
        inviter = invitation.created_by
        # A code outlives neither its maker's membership nor their account.
        if not inviter.is_active or inviter.registrant_id != invitation.registrant_id:
            raise AccountsError("invitation_invalid")
        registrant = invitation.registrant
        if registrant.kind == RegistrantKind.NATURAL_PERSON:
            raise AccountsError("invitation_natural_person")
        invitation.used_by, invitation.used_at = user, now
        invitation.save(update_fields=["used_by", "used_at"])
        user.real_name, user.phone, user.registrant = real_name, phone, registrant
        user.save(update_fields=["real_name", "phone", "registrant"])
        _event(AccountEventKind.REGISTRANT_JOINED, actor=actor, user=user, registrant=registrant)
    _copy_to(actor, user)
    return user


def api_token_create(
    *, actor: User, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new API token of the actor; returns it with the secret, which is stored only hashed."""
    _require_active(actor)
    name = _required_text(name, field=_TOKEN_NAME, limit=100)
    if expires_at is not None and expires_at <= timezone.now():
        raise AccountsError("token_expiry_past", expires=expires_at.isoformat())
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=secret[:_TOKEN_DISPLAY_LENGTH],
            digest=_sha256(secret),
            expires_at=expires_at,
        )
        _event(AccountEventKind.TOKEN_CREATED, actor=actor, user=actor, new=token.prefix)
    return token, secret


def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke a token of the actor's own (administrators: anyone's); revoking twice is no-op."""
    _require_active(actor)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        # Another user's token is "not found", so that ids do not tell whose tokens exist.
        if token is None or (token.user_id != actor.pk and not actor.is_administrator):
            raise NotFound("token_not_found")
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _event(AccountEventKind.TOKEN_REVOKED, actor=actor, user=token.user, new=token.prefix)
    return token


def user_set_role(*, actor: User, user: User, role: str) -> User:
    """Make ``user`` an applicant, examiner or administrator; only administrators may.

    Administrators get the Django admin (``is_staff``); examiners and applicants do not. A
    superuser (from ``createsuperuser``) may set roles too, to appoint the first administrator.
    """
    _require_active(actor)
    if not (actor.is_administrator or actor.is_superuser):
        raise Forbidden("account_administrator_only", action=Text("更改用户角色", "change roles"))
    if role not in Role.values:
        raise AccountsError("role_invalid", role=role)
    with transaction.atomic():
        target = (
            User.objects.select_for_update(of=("self",))
            .select_related("registrant")
            .get(pk=user.pk)
        )
        if target.role == role:
            return target
        if target.pk == actor.pk:
            raise Forbidden("role_self")
        if role != Role.APPLICANT and target.registrant is not None:
            raise AccountsError(
                "role_registrant", username=target.username, registrant=target.registrant.name
            )
        old = target.role
        target.role = role
        target.is_staff = role == Role.ADMINISTRATOR or target.is_superuser
        target.save(update_fields=["role", "is_staff"])
        _event(AccountEventKind.ROLE_CHANGED, actor=actor, user=target, old=old, new=role)
    user.role, user.is_staff = target.role, target.is_staff
    return target


def oidc_subject_key(issuer: str, subject: str) -> str:
    """What ``User.oidc_subject`` holds: the issuer, a space (never in an issuer URL), ``sub``."""
    return f"{issuer} {subject}"


def _oidc_username(key: str) -> str:
    digest = _sha256(key)
    for length in (10, 16, 32, 64):
        candidate = f"oidc-{digest[:length]}"
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    raise AccountsError("username_taken", username=f"oidc-{digest}")  # pragma: no cover


def user_sign_in_oidc(
    *, issuer: str, subject: str, email: str = "", real_name: str = "", phone: str = ""
) -> User:
    """The user bound to (issuer, subject), created as an applicant on the first sign-in.

    Users are found by (issuer, subject) only: an e-mail address the provider shares with a
    local account does not sign anyone into that account. The provider's real name and phone
    fill the account's empty fields; what the user entered stays.
    """
    key = oidc_subject_key(issuer, subject)
    if len(key) > _OIDC_SUBJECT_MAX:
        raise SignInError("oidc_subject_too_long", length=len(subject))
    real_name = " ".join(real_name.split())[:100]
    try:
        phone = validate_phone(phone) if phone else ""
    except AccountsError:
        phone = ""  # the provider's format is not ours; the user enters it with real-name details
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(oidc_subject=key).first()
        if user is not None:
            if not user.is_active:
                raise SignInError("account_inactive")
            changed = []
            if real_name and not user.real_name:
                user.real_name = real_name
                changed.append("real_name")
            if phone and not user.phone:
                user.phone = phone
                changed.append("phone")
            if changed:
                user.save(update_fields=changed)
            return user
        user = User(username=_oidc_username(key), email=email, oidc_subject=key)
        user.real_name, user.phone = real_name, phone
        user.set_unusable_password()
        user.save()
        _event(AccountEventKind.OIDC_LINKED, actor=user, user=user, new=issuer[:200])
    return user


# --- Sign-in throttling -----------------------------------------------------------------------


def sign_in_failure_record(*, username: str, ip: str | None, kind: SignInFailureKind) -> None:
    """Count one failed attempt against the user name and the address; forget expired ones."""
    now = timezone.now()
    _, _, window = sign_in_limits()
    with transaction.atomic():
        SignInFailure.objects.filter(created_at__lte=now - window).delete()
        SignInFailure.objects.create(
            username=normalised_username(username), ip=ip or None, kind=kind, created_at=now
        )


def sign_in_failures_clear(*, username: str, ip: str | None) -> None:
    """After a complete sign-in: forget this user name's failures from this address only.

    Failures from other addresses stay counted: someone guessing elsewhere is not let off
    because the owner signed in.
    """
    SignInFailure.objects.filter(username=normalised_username(username), ip=ip or None).delete()


# --- Second factor (TOTP, RFC 6238) -------------------------------------------------------------

#: The issuer shown in authenticator apps beside the account name.
TOTP_ISSUER = "dataip"


def second_factor_begin(*, actor: User) -> SecondFactor:
    """Generate a new key for the actor's enrolment, replacing an unfinished one.

    Only examiners and administrators; a confirmed factor is replaced only after a reset.
    """
    _require_active(actor)
    if not may_enrol_second_factor(actor):
        raise Forbidden("second_factor_not_allowed")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        factor = SecondFactor.objects.filter(user=actor).first()
        if factor is not None and factor.confirmed_at is not None:
            raise AccountsError(
                "second_factor_enrolled", date=f"{timezone.localtime(factor.confirmed_at):%Y-%m-%d}"
            )
        if factor is None:
            factor = SecondFactor(user=actor)
        factor.secret = totp.secret_generate()
        factor.save()
    return factor


def second_factor_uri(factor: SecondFactor) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code)."""
    return totp.provisioning_uri(factor.secret, account=factor.user.username, issuer=TOTP_ISSUER)


def second_factor_confirm(*, actor: User, code: str) -> SecondFactor:
    """Finish enrolment with a code the app shows: from now on sign-in asks for a code."""
    _require_active(actor)
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=actor).first()
        if factor is None:
            raise AccountsError("second_factor_not_begun")
        if factor.confirmed_at is not None:
            raise AccountsError(
                "second_factor_enrolled", date=f"{timezone.localtime(factor.confirmed_at):%Y-%m-%d}"
            )
        step = totp.code_matches(
            factor.secret, code, unix_time=timezone.now().timestamp(), last_step=None
        )
        if step is None:
            raise AccountsError("second_factor_code_invalid")
        factor.confirmed_at = timezone.now()
        factor.last_step = step
        factor.save(update_fields=["confirmed_at", "last_step"])
        _event(AccountEventKind.SECOND_FACTOR_ENROLLED, actor=actor, user=actor)
    return factor


def second_factor_verify(*, user: User, code: str, ip: str | None) -> SecondFactor:
    """Check a sign-in code of ``user`` (whose password was right); throttled like passwords.

    A code is accepted once: its step becomes ``last_step``. A wrong code counts as a failure.
    """
    sign_in_throttle(username=user.username, ip=ip)
    with transaction.atomic():
        factor = (
            SecondFactor.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if factor is None:
            raise NotFound("second_factor_none", username=user.username)
        step = totp.code_matches(
            factor.secret, code, unix_time=timezone.now().timestamp(), last_step=factor.last_step
        )
        if step is not None:
            factor.last_step = step
            factor.save(update_fields=["last_step"])
            return factor
    # Recorded outside the transaction above, which only read.
    sign_in_failure_record(username=user.username, ip=ip, kind=SignInFailureKind.CODE)
    sign_in_throttle(username=user.username, ip=ip)
    raise AccountsError("second_factor_code_invalid")


def second_factor_reset(*, actor: User | None, user: User) -> None:
    """Remove ``user``'s second factor (a lost phone): administrators, or the server operator.

    ``actor`` None is an operator's command on the server. A superuser's factor is reset only by
    a superuser, as the admin keeps a superuser's details for superusers.
    """
    if actor is not None:
        _require_active(actor)
        if not (actor.is_administrator or actor.is_superuser):
            raise Forbidden(
                "account_administrator_only",
                action=Text("重置动态验证码", "reset a second factor"),
            )
        if user.is_superuser and not actor.is_superuser:
            raise Forbidden(
                "account_administrator_only",
                action=Text("重置超级用户的动态验证码", "reset a superuser's second factor"),
            )
    with transaction.atomic():
        deleted, _ = SecondFactor.objects.filter(user=user).delete()
        if not deleted:
            raise NotFound("second_factor_none", username=user.username)
        _event(AccountEventKind.SECOND_FACTOR_RESET, actor=actor, user=user)
