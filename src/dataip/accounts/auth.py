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
