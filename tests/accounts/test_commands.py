"""``dataip manage token_create``."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from dataip.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_working_token(applicant):
    out = io.StringIO()
    call_command("token_create", "--user", "Applicant", "--name", "cli", "--days", "30", stdout=out)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (applicant, "cli")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at is not None
    response = Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.json()["username"] == "applicant"


def test_token_create_for_an_unknown_user():
    with pytest.raises(CommandError, match="没有用户“nobody” / there is no user 'nobody'"):
        call_command("token_create", "--user", "nobody", "--name", "cli")


def test_token_create_needs_a_positive_lifetime(applicant):
    with pytest.raises(CommandError, match="--days"):
        call_command("token_create", "--user", "applicant", "--name", "cli", "--days", "0")
    assert not ApiToken.objects.exists()
