"""Django settings for the dataip platform, read from environment variables only.

See the README's table of variables. All state lives under ``DATAIP_DATA_DIR``:

    <data_dir>/db.sqlite3                 the SQLite database (unless DATABASE_URL is set)
    <data_dir>/media/                     uploaded files (evidence, materials)
    <data_dir>/keys/django-secret-key     generated on first start when DATAIP_SECRET_KEY is unset
    <data_dir>/static/                    collectstatic output, served by WhiteNoise
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dataip.site.environment import (
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    private_dir,
    secret_key,
)

SITE_DIR = Path(__file__).resolve().parent
# The source checkout's root: docs/ is served from there when present (see site/views.py).
REPO_DIR = SITE_DIR.parents[2]

DATAIP_DATA_DIR = data_dir()
DATAIP_KEYS_DIR = private_dir(DATAIP_DATA_DIR / "keys")
DATAIP_DOCS_DIR = Path(env_str("DATAIP_DOCS_DIR", str(REPO_DIR / "docs"))).resolve()

SECRET_KEY = secret_key(DATAIP_KEYS_DIR)
DEBUG = env_bool("DATAIP_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DATAIP_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DATAIP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so that runserver (DEBUG) serves static files as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Serves Swagger UI's files for /api/v1/docs from the platform (no CDN).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "dataip.accounts",
    "dataip.transparency",
    "dataip.evidence",
    "dataip.workdays",
    "dataip.registry",
    "dataip.publication",
    "dataip.review",
]

MIDDLEWARE = [
    # Content security policy and Permissions-Policy on every response.
    "dataip.site.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A user with a second factor who has not entered the code is not signed in yet.
    "dataip.site.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dataip.site.urls"
WSGI_APPLICATION = "dataip.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dataip.site.context.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user@host:5432/name); unset means SQLite in the
# data directory.
_SQLITE_OPTIONS = {
    # Writers wait for the lock instead of failing at once with "database is locked"...
    "timeout": 20,
    # ...and take it when their transaction starts (BEGIN IMMEDIATE), not on their first write,
    # so that a reader turning writer cannot deadlock against another writer.
    "transaction_mode": "IMMEDIATE",
    # WAL lets readers run beside the one writer; NORMAL sync is safe in WAL mode.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
}

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    _default_db: dict[str, Any] = dict(
        dj_database_url.parse(
            _database_url,
            # Reuse a connection for a minute, checked before reuse: cheap and survives restarts.
            conn_max_age=env_int("DATAIP_DB_CONN_MAX_AGE", default=60),
            conn_health_checks=True,
        )
    )
    if _default_db["ENGINE"] == "django.db.backends.sqlite3":
        _default_db.setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)
else:
    _default_db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATAIP_DATA_DIR / "db.sqlite3",
        "OPTIONS": dict(_SQLITE_OPTIONS),
    }
# Transactions are explicit, in the services (transaction.atomic), never one per request.
_default_db["ATOMIC_REQUESTS"] = False
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks -----------------------------------------------------------------------
# Tasks are rows in the database, run by `dataip manage db_worker` (started by `dataip serve`).
# The test suite swaps in the immediate backend (tests/conftest.py).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    },
}

# --- Files ----------------------------------------------------------------------------------
MEDIA_ROOT = DATAIP_DATA_DIR / "media"
# Uploads are evidence and application materials: private, never served at MEDIA_URL. Views
# hand them out after checking permissions.
MEDIA_URL = "/media/"
STATIC_ROOT = DATAIP_DATA_DIR / "static"
STATIC_URL = "/static/"
STATICFILES_DIRS = [SITE_DIR / "static"]

# DATAIP_STORAGE selects where uploaded files live. "local" (the only value today) keeps them
# under <data_dir>/media. An S3-compatible object store will be a second value here, filling
# STORAGES["default"] from its own DATAIP_S3_* variables; code must therefore reach files only
# through django.core.files.storage.default_storage, never through paths under MEDIA_ROOT.
DATAIP_STORAGE = env_str("DATAIP_STORAGE", "local")
if DATAIP_STORAGE != "local":
    raise ImproperlyConfigured(f"DATAIP_STORAGE={DATAIP_STORAGE!r} is not supported: use local")

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
for _directory in (MEDIA_ROOT, STATIC_ROOT):
    # Created up front: WhiteNoise warns about a missing STATIC_ROOT before collectstatic.
    _directory.mkdir(parents=True, exist_ok=True)

# --- Transparency log and time stamps ------------------------------------------------------
# The log's origin line, also the name of its signing key (c2sp.org/tlog-checkpoint): a
# schema-less URL naming this log. Changing it starts a new log (docs/transparency-log.md).
DATAIP_LOG_ORIGIN = env_str("DATAIP_LOG_ORIGIN", "dataip.localhost/log")
# The signing key: DATAIP_LOG_SIGNING_KEY (note "PRIVATE+KEY+..." format), else
# <keys>/log-signing-key, generated on first start.
# Verifier keys of earlier signing keys (comma-separated "name+id+key"): audits accept
# checkpoints they signed.
DATAIP_LOG_PREVIOUS_KEYS = env_list("DATAIP_LOG_PREVIOUS_KEYS", [])
# Checkpoints are published at most this often (milliseconds): an append integrates at once
# unless a checkpoint is younger than this; then the sequencer takes it within this interval.
# Each checkpoint costs a signature and an RFC 3161 token, so a busy log makes few.
DATAIP_LOG_INTERVAL_MS = env_int("DATAIP_LOG_INTERVAL_MS", default=200, minimum=1)
# Most statements folded into the tree by one integration (one transaction, one checkpoint).
DATAIP_LOG_BATCH = env_int("DATAIP_LOG_BATCH", default=4096, minimum=1)
# RFC 3161: an external TSA (DATAIP_TSA_URL, with DATAIP_TSA_CHAIN_FILE naming the certificates
# that verify its tokens), else the built-in TSA with DATAIP_TSA_KEY_FILE/DATAIP_TSA_CHAIN_FILE,
# by default <keys>/tsa-key.pem and <keys>/tsa-chain.pem, generated on first start.
DATAIP_TSA_URL = env_str("DATAIP_TSA_URL", "")
DATAIP_TSA_KEY_FILE = env_str("DATAIP_TSA_KEY_FILE", str(DATAIP_KEYS_DIR / "tsa-key.pem"))
DATAIP_TSA_CHAIN_FILE = env_str("DATAIP_TSA_CHAIN_FILE", str(DATAIP_KEYS_DIR / "tsa-chain.pem"))
DATAIP_TSA_NAME = env_str("DATAIP_TSA_NAME", "dataip Time-Stamping Authority")

# --- Evidence uploads -----------------------------------------------------------------------
# Files uploaded for evidence are hashed while they stream and not kept.
DATAIP_UPLOAD_MAX_BYTES = env_int("DATAIP_UPLOAD_MAX_BYTES", default=20 << 30, minimum=1)
DATAIP_UPLOAD_MAX_FILES = env_int("DATAIP_UPLOAD_MAX_FILES", default=100_000, minimum=1)
# Resumable uploads (/api/v1/evidence/uploads): kept this long after their last piece, then
# deleted; at most this many unfinished ones per user. They hold hash states, never file bytes.
DATAIP_UPLOAD_SESSION_HOURS = env_int("DATAIP_UPLOAD_SESSION_HOURS", default=72, minimum=1)
DATAIP_UPLOAD_SESSIONS_PER_USER = env_int("DATAIP_UPLOAD_SESSIONS_PER_USER", default=20, minimum=1)
# A manifest of many files is a large JSON document; beyond this it is refused.
# Django's own cap on files per request would apply before ours.
DATA_UPLOAD_MAX_NUMBER_FILES = None
DATAIP_MANIFEST_MAX_BYTES = env_int("DATAIP_MANIFEST_MAX_BYTES", default=256 << 20, minimum=1)

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
# Sign-in throttling (docs/accounts.md): failures counted in the database, per user name and
# per client address (behind DATAIP_PROXY_COUNT reverse proxies, from X-Forwarded-For).
DATAIP_PROXY_COUNT = env_int("DATAIP_PROXY_COUNT", default=0, minimum=0)
DATAIP_SIGNIN_FAILURES_PER_USER = env_int("DATAIP_SIGNIN_FAILURES_PER_USER", default=5, minimum=1)
DATAIP_SIGNIN_FAILURES_PER_IP = env_int("DATAIP_SIGNIN_FAILURES_PER_IP", default=20, minimum=1)
DATAIP_SIGNIN_WINDOW_MINUTES = env_int("DATAIP_SIGNIN_WINDOW_MINUTES", default=15, minimum=1)
# Sign-in through an OpenID Connect provider (in production the province's unified identity
# platform); off while the issuer or the client id is empty (docs/accounts.md).
DATAIP_OIDC_ISSUER = env_str("DATAIP_OIDC_ISSUER", "")
DATAIP_OIDC_DISCOVERY_URL = env_str("DATAIP_OIDC_DISCOVERY_URL", "")
DATAIP_OIDC_CLIENT_ID = env_str("DATAIP_OIDC_CLIENT_ID", "")
DATAIP_OIDC_CLIENT_SECRET = env_str("DATAIP_OIDC_CLIENT_SECRET", "")
DATAIP_OIDC_SCOPES = env_list("DATAIP_OIDC_SCOPES", ["openid", "profile", "phone"])
DATAIP_OIDC_TOKEN_AUTH_METHOD = env_str("DATAIP_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic")
DATAIP_OIDC_CLAIM_REAL_NAME = env_str("DATAIP_OIDC_CLAIM_REAL_NAME", "name")
DATAIP_OIDC_CLAIM_PHONE = env_str("DATAIP_OIDC_CLAIM_PHONE", "phone_number")
DATAIP_OIDC_REDIRECT_URI = env_str("DATAIP_OIDC_REDIRECT_URI", "")
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept to verify (and upgrade on sign-in) hashes made before Argon2 was first.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Registration workflow ------------------------------------------------------------------
# DATAIP_CLOCK_OVERRIDE=1 lets `dataip manage registry_tick --now ISO-TIME` act at another time
# (demonstrations and tests); never in production.
DATAIP_CLOCK_OVERRIDE = env_bool("DATAIP_CLOCK_OVERRIDE", default=False)
# Largest sample file (CSV, XLSX, JSON) and largest material file accepted.
DATAIP_SAMPLE_MAX_BYTES = env_int("DATAIP_SAMPLE_MAX_BYTES", default=20 << 20, minimum=1)
DATAIP_MATERIAL_MAX_BYTES = env_int("DATAIP_MATERIAL_MAX_BYTES", default=50 << 20, minimum=1)
# A request carrying a material upload is read into memory up to this size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Mail -----------------------------------------------------------------------------------
# Notifications of application events. DATAIP_SMTP_HOST set: SMTP; else each mail is written as
# a file under <data dir>/mail/ (so the demo shows them without a mail server).
DATAIP_SMTP_HOST = env_str("DATAIP_SMTP_HOST", "")
DEFAULT_FROM_EMAIL = env_str("DATAIP_MAIL_FROM", "dataip <noreply@dataip.localhost>")
if DATAIP_SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = DATAIP_SMTP_HOST
    EMAIL_PORT = env_int("DATAIP_SMTP_PORT", default=587)
    EMAIL_HOST_USER = env_str("DATAIP_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = env_str("DATAIP_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DATAIP_SMTP_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATAIP_DATA_DIR / "mail"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SITE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# DATAIP_HTTPS=1: the platform is reached over HTTPS only, through a reverse proxy that
# terminates TLS and sets X-Forwarded-Proto (gunicorn itself speaks plain HTTP).
DATAIP_HTTPS = env_bool("DATAIP_HTTPS", default=False)
if DATAIP_HTTPS and not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DATAIP_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s[%(process)d] %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stderr"], "level": env_str("DATAIP_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default handlers (console only in DEBUG, mail to ADMINS).
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
