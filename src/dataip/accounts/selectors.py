"""Reads of accounts: a user's tokens, a registrant's users and invitations, sign-in limits."""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from dataip.accounts.errors import NotFound, SignInThrottled
from dataip.accounts.models import (
    ApiToken,
    Registrant,
    RegistrantInvitation,
    SecondFactor,
    SignInFailure,
    User,
)

#: Defaults of the throttle (docs/accounts.md, "Sign-in throttling"); settings override them.
FAILURES_PER_USER = 5
FAILURES_PER_IP = 20
WINDOW_MINUTES = 15


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


def sign_in_limits() -> tuple[int, int, datetime.timedelta]:
    """(failures per user name, failures per client address, the sliding window)."""
    return (
        int(getattr(settings, "DATAIP_SIGNIN_FAILURES_PER_USER", FAILURES_PER_USER)),
        int(getattr(settings, "DATAIP_SIGNIN_FAILURES_PER_IP", FAILURES_PER_IP)),
        datetime.timedelta(
            minutes=int(getattr(settings, "DATAIP_SIGNIN_WINDOW_MINUTES", WINDOW_MINUTES))
        ),
    )


def normalised_username(username: str) -> str:
    return username.strip().lower()[:150]


def _retry_at(
    failures: QuerySet[SignInFailure], limit: int, window: datetime.timedelta
) -> datetime.datetime | None:
    # The window slides: attempts resume when enough of the oldest failures have aged out to
    # leave fewer than ``limit`` in it.
    times = list(failures.order_by("created_at").values_list("created_at", flat=True))
    if len(times) < limit:
        return None
    return times[len(times) - limit] + window


def sign_in_throttle(*, username: str, ip: str | None) -> None:
    """Raise :class:`SignInThrottled` while the user name or the address has too many failures.

    Counted over the last window across every server process (the rows are in the database).
    """
    per_user, per_ip, window = sign_in_limits()
    now = timezone.now()
    recent = SignInFailure.objects.filter(created_at__gt=now - window)
    candidates = [
        _retry_at(recent.filter(username=normalised_username(username)), per_user, window)
    ]
    if ip:
        candidates.append(_retry_at(recent.filter(ip=ip), per_ip, window))
    found = [t for t in candidates if t is not None and t > now]
    if found:
        retry_at = max(found)
        local = timezone.localtime(retry_at, timezone.get_fixed_timezone(8 * 60))
        raise SignInThrottled(
            retry_at=local.strftime("%Y-%m-%d %H:%M:%S"),
            retry_after=max(1, math.ceil((retry_at - now).total_seconds())),
        )


def second_factor_of(user: User) -> SecondFactor | None:
    """The user's confirmed second factor, if any (an unfinished enrolment is not one)."""
    if not user.pk:
        return None
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def second_factor_pending(user: User) -> SecondFactor | None:
    """The user's enrolment in progress (a key generated, not yet confirmed)."""
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).first()
