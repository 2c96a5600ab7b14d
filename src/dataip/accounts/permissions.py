"""Who may do what, by role: one place for the checks other apps make.

- The public reads publicity, announcements and certificates without an account, and needs a
  signed-in account to file an objection.
- Applicants act for the one registrant their real-name details name (FAQ 七(二)).
- Examiners work for the registration body; administrators for the administration, and they
  alone have the Django admin. Neither acts for a registrant.

Each function takes any ``request.user``, the anonymous user included, and is False for a
deactivated account.
"""

from __future__ import annotations

from typing import Any

from dataip.accounts.models import Registrant, Role


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def acts_for(user: Any, registrant: Registrant | None) -> bool:
    """True when ``user`` is an active applicant with complete real-name details for it."""
    return (
        registrant is not None
        and _active(user)
        and user.role == Role.APPLICANT
        and user.is_real_name_complete
        and user.registrant_id == registrant.pk
    )


def is_examiner(user: Any) -> bool:
    return _active(user) and user.role == Role.EXAMINER


def is_administrator(user: Any) -> bool:
    return _active(user) and user.role == Role.ADMINISTRATOR


def may_object(user: Any) -> bool:
    """Objections need a signed-in account; examiners and administrators decide them instead."""
    return _active(user) and user.role == Role.APPLICANT


def may_enrol_second_factor(user: Any) -> bool:
    """Examiners and administrators (and superusers) protect their accounts with a TOTP code."""
    return _active(user) and (
        user.role in (Role.EXAMINER, Role.ADMINISTRATOR) or user.is_staff or user.is_superuser
    )
