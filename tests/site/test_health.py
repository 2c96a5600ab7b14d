"""``GET /api/v1/health`` and the API's published description."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection

import dataip

EXPECTED_VENDOR = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}[django_settings.DATABASES["default"]["ENGINE"]]


@pytest.mark.django_db
def test_health_reports_ok_version_and_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": dataip.__version__,
        "database": EXPECTED_VENDOR,
    }


@pytest.mark.django_db
def test_health_is_503_when_the_database_fails(client, monkeypatch, caplog):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "health check: database query failed" in caplog.text


def test_openapi_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "dataip"
    assert schema["info"]["version"] == dataip.__version__
    assert set(schema["paths"]["/api/v1/health"]) == {"get"}


@pytest.mark.django_db  # the page's template context reads the jurisdiction
def test_interactive_api_documentation(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content
