"""Authentication of API requests: a bearer API token, or the browser session (with CSRF).

``api_auth`` is what every router that needs a signed-in user passes as ``auth=``: the first
scheme that recognises the request wins. The session scheme checks Django's CSRF token, so that
another site cannot make a signed-in browser call the API; a bearer token is never sent by a
browser on its own, so it needs no CSRF token.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from dataip.accounts.models import ApiToken

#: ``last_used_at`` is written at most this often per token: one write per request is waste.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; only the token's SHA-256 is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        digest = hashlib.sha256(token.encode()).hexdigest()
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest, revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.expires_at is not None and found.expires_at <= now:
            return None
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


#: ``auth=`` for every router that needs a signed-in user.
api_auth = [TokenAuth(), django_auth]


#: Session key holding the id of the second factor this session's sign-in was confirmed with.
SECOND_FACTOR_SESSION_KEY = "dataip_second_factor"


def second_factor_satisfied(request: HttpRequest) -> bool:
    """True unless the signed-in user has a confirmed second factor this session did not pass.

    A session made before enrolment, or through a path that skipped the code, fails this; a
    reset and re-enrolment (a new factor id) fails it too.
    """
    from dataip.accounts.selectors import second_factor_of  # noqa: PLC0415 - models at call time

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return True
    factor = second_factor_of(user)
    return factor is None or request.session.get(SECOND_FACTOR_SESSION_KEY) == factor.pk
