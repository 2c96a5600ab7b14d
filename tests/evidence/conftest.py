"""Fixtures of the evidence tests: a signed-in applicant."""

from __future__ import annotations

import pytest


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("applicant", password="x")


@pytest.fixture
def api(client, user):
    """The test client, signed in as ``user`` (a browser session)."""
    client.force_login(user)
    return client
