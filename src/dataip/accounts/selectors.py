"""Reads of accounts: a user's tokens, a registrant's users and invitations."""

from __future__ import annotations

from django.db.models import QuerySet

from dataip.accounts.errors import NotFound
from dataip.accounts.models import ApiToken, Registrant, RegistrantInvitation, User


def user_by_username(username: str) -> User:
    """The user of that name (any case), or :class:`NotFound`."""
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise NotFound("user_not_found", username=username)
    return user


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens not revoked, newest first (expired ones included, marked by the date)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def registrant_users(registrant: Registrant) -> QuerySet[User]:
    """The users acting for the registrant, by the time they joined."""
    return User.objects.filter(registrant=registrant).order_by("date_joined", "id")


def registrant_invitations(registrant: Registrant) -> QuerySet[RegistrantInvitation]:
    """The registrant's invitations, used and unused, newest first."""
    return RegistrantInvitation.objects.filter(registrant=registrant).select_related(
        "created_by", "used_by"
    )
