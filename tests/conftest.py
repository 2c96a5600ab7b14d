"""Fixtures shared by the whole suite.

Django's settings are imported once, before any fixture runs (pytest-django loads them while
pytest starts), from the environment of the ``pytest`` process: the suite runs on SQLite (an
in-memory test database) unless ``DATABASE_URL`` names PostgreSQL, as ``make test-postgres``
does. The fixtures below keep each test's files apart from the real data directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings

from dataip.transparency.keys import clear_caches


@pytest.fixture(autouse=True)
def dataip_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``DATAIP_DATA_DIR`` of processes a test starts (``dataip serve``) is a fresh directory."""
    dataip_data_dir = tmp_path / "data"
    monkeypatch.setenv("DATAIP_DATA_DIR", str(dataip_data_dir))
    monkeypatch.delenv("DATAIP_SECRET_KEY", raising=False)
    return dataip_data_dir


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, tmp_path: Path) -> None:
    """In-process settings for tests: private media, plain static files, fast runs.

    - Uploads go to the test's own directory.
    - Static files are not collected in tests, so the manifest storage (which needs
      ``collectstatic``'s manifest) gives way to the plain one; ``tests/test_cli.py`` checks the
      real thing through ``dataip serve``.
    - Tasks run at once in the test's process (immediate backend), after their arguments went
      through the same JSON round trip as the database backend's; a service that enqueues in
      ``transaction.on_commit`` needs ``django_capture_on_commit_callbacks(execute=True)``.
    - Keys of the log and the TSA live in the test's own directory.
    - Passwords are hashed with MD5: Argon2 costs ~0.1 s per hash by design.
      ``tests/site/test_settings.py`` checks that production hashes with Argon2.
    """
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": settings.MEDIA_URL},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test has its own log and TSA keys, generated on first use.
    keys_dir = tmp_path / "keys"
    settings.DATAIP_KEYS_DIR = keys_dir
    settings.DATAIP_TSA_KEY_FILE = str(keys_dir / "tsa-key.pem")
    settings.DATAIP_TSA_CHAIN_FILE = str(keys_dir / "tsa-chain.pem")
    settings.DATAIP_TSA_URL = ""
    clear_caches()
