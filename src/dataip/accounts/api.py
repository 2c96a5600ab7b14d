"""``/api/v1/accounts/``: the signed-in user's profile, real-name details, API tokens."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["accounts"])
