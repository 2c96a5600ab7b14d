"""The settings module read afresh under chosen environment variables."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

KEY_FILE = Path("keys") / "django-secret-key"


def load_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """Execute ``dataip.site.settings`` in a new module object, leaving Django's settings be."""
    for name in list(os.environ):
        if name == "DATABASE_URL" or (name.startswith("DATAIP_") and name != "DATAIP_DATA_DIR"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.find_spec("dataip.site.settings")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def test_all_state_lives_in_the_data_directory(monkeypatch, tmp_path):
    data = tmp_path / "instance"
    s = load_settings(monkeypatch, DATAIP_DATA_DIR=str(data))

    assert s["DATAIP_DATA_DIR"] == data
    assert s["DATABASES"]["default"]["NAME"] == data / "db.sqlite3"
    assert s["MEDIA_ROOT"] == data / "media"
    assert s["STATIC_ROOT"] == data / "static"
    assert s["STORAGES"]["default"]["OPTIONS"]["location"] == data / "media"
    assert (data / "media").is_dir()
    assert (data / "static").is_dir()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "keys").stat().st_mode) == 0o700


def test_a_relative_data_directory_is_resolved_once_at_start(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    s = load_settings(monkeypatch, DATAIP_DATA_DIR="relative/dir")
    assert s["DATAIP_DATA_DIR"] == tmp_path / "relative" / "dir"
    assert s["DATAIP_DATA_DIR"].is_absolute()


def test_the_default_data_directory_is_var(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATAIP_DATA_DIR")
    s = load_settings(monkeypatch)
    assert s["DATAIP_DATA_DIR"] == tmp_path / "var"


def test_the_secret_key_is_generated_once_private_and_reused(monkeypatch, tmp_path):
    first = load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path))
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first["SECRET_KEY"]) >= 50

    second = load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path))
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["django-secret-key"]

    other = load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path / "second-instance"))
    assert other["SECRET_KEY"] != first["SECRET_KEY"]


def test_the_secret_key_from_the_environment_wins_and_writes_nothing(monkeypatch, tmp_path):
    s = load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path), DATAIP_SECRET_KEY="k" * 60)
    assert s["SECRET_KEY"] == "k" * 60
    assert not (tmp_path / KEY_FILE).exists()


def test_a_key_file_others_can_read_is_refused(monkeypatch, tmp_path):
    load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path))
    (tmp_path / KEY_FILE).chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path))


def test_an_empty_key_file_is_refused(monkeypatch, tmp_path):
    load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path))
    (tmp_path / KEY_FILE).write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="is empty"):
        load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path))


def test_sqlite_is_the_default_and_waits_for_writers(monkeypatch):
    db = load_settings(monkeypatch)["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["ATOMIC_REQUESTS"] is False


def test_sqlite_connections_use_wal_and_a_busy_timeout(monkeypatch, tmp_path, django_db_blocker):
    db = load_settings(monkeypatch, DATAIP_DATA_DIR=str(tmp_path))["DATABASES"]["default"]
    probe = {**db, "NAME": tmp_path / "probe.sqlite3"}
    wrapper = DatabaseWrapper(connections.configure_settings({"default": probe})["default"])
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone() == ("wal",)
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone() == (db["OPTIONS"]["timeout"] * 1000,)
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone() == (1,)
        finally:
            wrapper.close()


def test_database_url_selects_postgresql(monkeypatch):
    url = "postgres://dataip:secret@db.example:5433/registry"
    db = load_settings(monkeypatch, DATABASE_URL=url)["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["HOST"], db["PORT"], db["USER"]) == (
        "registry",
        "db.example",
        5433,
        "dataip",
    )
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["ATOMIC_REQUESTS"] is False


def test_connection_age_is_configurable(monkeypatch):
    db = load_settings(
        monkeypatch, DATABASE_URL="postgres://localhost/x", DATAIP_DB_CONN_MAX_AGE="0"
    )["DATABASES"]["default"]
    assert db["CONN_MAX_AGE"] == 0


def test_a_sqlite_database_url_keeps_the_sqlite_options(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path}/elsewhere.sqlite3"
    db = load_settings(monkeypatch, DATABASE_URL=url)["DATABASES"]["default"]
    assert db["NAME"] == f"{tmp_path}/elsewhere.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_production_defaults(monkeypatch):
    s = load_settings(monkeypatch)
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert s["CSRF_TRUSTED_ORIGINS"] == []
    assert s["LANGUAGE_CODE"] == "zh-hans"
    assert [code for code, _ in s["LANGUAGES"]] == ["zh-hans", "en"]
    assert s["TIME_ZONE"] == "Asia/Shanghai"
    assert s["USE_TZ"] is True
    assert "django.middleware.locale.LocaleMiddleware" in s["MIDDLEWARE"]
    assert s["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert s["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert s["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in s["INSTALLED_APPS"]
    assert "SECURE_SSL_REDIRECT" not in s


def test_whitenoise_follows_the_security_middleware(monkeypatch):
    middleware = load_settings(monkeypatch)["MIDDLEWARE"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_hosts_and_origins_are_comma_lists(monkeypatch):
    s = load_settings(
        monkeypatch,
        DATAIP_ALLOWED_HOSTS="dataip.example, www.dataip.example,",
        DATAIP_CSRF_TRUSTED_ORIGINS="https://dataip.example",
    )
    assert s["ALLOWED_HOSTS"] == ["dataip.example", "www.dataip.example"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://dataip.example"]


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("0", False)])
def test_debug_switch(monkeypatch, raw, expected):
    assert load_settings(monkeypatch, DATAIP_DEBUG=raw)["DEBUG"] is expected


def test_a_switch_that_is_not_boolean_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DATAIP_DEBUG='maybe'"):
        load_settings(monkeypatch, DATAIP_DEBUG="maybe")


def test_a_connection_age_that_is_not_a_number_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DATAIP_DB_CONN_MAX_AGE"):
        load_settings(
            monkeypatch, DATABASE_URL="postgres://localhost/x", DATAIP_DB_CONN_MAX_AGE="soon"
        )


def test_https_turns_on_the_secure_settings(monkeypatch):
    s = load_settings(monkeypatch, DATAIP_HTTPS="1")
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31_536_000
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_only_local_file_storage_exists_yet(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DATAIP_STORAGE='s3'"):
        load_settings(monkeypatch, DATAIP_STORAGE="s3")


def test_argon2_is_installed_and_works(monkeypatch, settings):
    settings.PASSWORD_HASHERS = load_settings(monkeypatch)["PASSWORD_HASHERS"]
    encoded = make_password("correct horse", hasher="argon2")
    assert encoded.startswith("argon2$")
    assert check_password("correct horse", encoded)
    assert not check_password("wrong horse", encoded)
