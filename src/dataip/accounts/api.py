"""``/api/v1/accounts/``: the signed-in user's profile, real-name details, API tokens.

Every endpoint but sign-up needs a signed-in user (``api_auth``: a bearer API token, or the
browser session with its CSRF token). Refusals are ``DataipError``s: JSON ``{"code", "detail"}``.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from dataip.accounts import selectors, services
from dataip.accounts.auth import api_auth
from dataip.accounts.models import ApiToken, Registrant, RegistrantInvitation, User

router = Router(tags=["accounts"], auth=api_auth)


class RegistrantOut(Schema):
    id: int
    kind: str = Field(description="natural_person, legal_person or unincorporated")
    kind_label: str
    name: str
    id_number: str = Field(description="Resident ID number or unified social credit code")


class ProfileOut(Schema):
    id: int
    username: str
    email: str
    role: str = Field(description="applicant, examiner or administrator")
    role_label: str
    real_name: str
    phone: str
    real_name_complete: bool = Field(description="True once the user acts for a registrant")
    registrant: RegistrantOut | None
    signed_in_with: str = Field(description="local (a password) or oidc (the identity provider)")


class SignUpIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=1024)
    email: str = Field("", max_length=254)


class RealNameIn(Schema):
    real_name: str = Field(max_length=200)
    phone: str = Field(max_length=64)
    registrant_kind: str = Field(description="natural_person, legal_person or unincorporated")
    registrant_name: str = Field(
        "", max_length=400, description="A natural person's may be empty (the real name)"
    )
    registrant_id_number: str = Field(max_length=64)


class JoinIn(Schema):
    code: str = Field(max_length=64, description="The invitation code, e.g. ABCD-EFGH-JKMN-PQRS")
    real_name: str = Field(max_length=200)
    phone: str = Field(max_length=64)


class InvitationOut(Schema):
    code: str = Field(description="Shown only in this response; give it to the user to invite")
    registrant: str
    expires_at: datetime


class TokenIn(Schema):
    name: str = Field(max_length=200)
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret: shown only in this response")


def _registrant_out(registrant: Registrant | None) -> RegistrantOut | None:
    if registrant is None:
        return None
    return RegistrantOut(
        id=registrant.pk,
        kind=registrant.kind,
        kind_label=str(registrant.get_kind_display()),
        name=registrant.name,
        id_number=registrant.id_number,
    )


def _profile_out(user: User) -> ProfileOut:
    return ProfileOut(
        id=user.pk,
        username=user.username,
        email=user.email,
        role=user.role,
        role_label=str(user.get_role_display()),
        real_name=user.real_name,
        phone=user.phone,
        real_name_complete=user.is_real_name_complete,
        registrant=_registrant_out(user.registrant),
        signed_in_with="oidc" if user.oidc_subject else "local",
    )


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
    )


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101 - api_auth returns users
    return user


@router.post("/signup", auth=None, response={201: ProfileOut})
def sign_up(request: HttpRequest, body: SignUpIn) -> Status[ProfileOut]:
    """Create an applicant account (no sign-in: use the password at /accounts/login/)."""
    user = services.user_register(username=body.username, password=body.password, email=body.email)
    return Status(201, _profile_out(user))


@router.get("/me", response=ProfileOut)
def me(request: HttpRequest) -> ProfileOut:
    """The signed-in user: role, registrant and whether real-name details are complete."""
    return _profile_out(_user(request))


@router.post("/real-name", response=ProfileOut)
def real_name(request: HttpRequest, body: RealNameIn) -> ProfileOut:
    """Complete real-name details, creating the registrant the user acts for (FAQ 七(二))."""
    user = services.user_complete_real_name(actor=_user(request), **body.model_dump())
    return _profile_out(user)


@router.post("/invitations", response={201: InvitationOut})
def invitation_create(request: HttpRequest) -> Status[InvitationOut]:
    """A single-use code (valid 7 days) with which one more user joins the user's registrant."""
    invitation, code = services.registrant_invitation_create(actor=_user(request))
    return Status(201, _invitation_out(invitation, code))


def _invitation_out(invitation: RegistrantInvitation, code: str) -> InvitationOut:
    return InvitationOut(
        code=code, registrant=invitation.registrant.name, expires_at=invitation.expires_at
    )


@router.post("/join", response=ProfileOut)
def join(request: HttpRequest, body: JoinIn) -> ProfileOut:
    """Complete real-name details by joining a registrant with an invitation code."""
    user = services.registrant_join(actor=_user(request), **body.model_dump())
    return _profile_out(user)


@router.get("/tokens", response=list[TokenOut])
def tokens(request: HttpRequest) -> list[TokenOut]:
    """The user's API tokens that are not revoked (never their secrets)."""
    return [_token_out(t) for t in selectors.api_tokens_of(_user(request))]


@router.post("/tokens", response={201: NewTokenOut})
def token_create(request: HttpRequest, body: TokenIn) -> Status[NewTokenOut]:
    """A new API token; its secret is in this response only."""
    token, secret = services.api_token_create(
        actor=_user(request), name=body.name, expires_at=body.expires_at
    )
    return Status(201, NewTokenOut(**_token_out(token).model_dump(), token=secret))


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of the user's tokens: requests with it are refused from now on."""
    services.api_token_revoke(actor=_user(request), token_id=token_id)
    return Status(204, None)
