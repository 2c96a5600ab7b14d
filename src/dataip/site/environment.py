"""Configuration from environment variables, and the data directory that holds all state.

Everything an instance keeps lives under one data directory (``DATAIP_DATA_DIR``): the SQLite
database, uploaded files, keys and collected static files. A second instance is another
directory. Nothing secret is ever read from the repository: a missing secret key is generated
once into the data directory, readable by its owner only.

This module has no Django settings of its own, so that ``settings.py`` stays a flat list of
values and these helpers can be tested alone.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEFAULT_DATA_DIR = "var"
SECRET_KEY_FILE = "django-secret-key"  # noqa: S105  (a file name, not a secret)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def env_str(name: str, default: str) -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, *, default: bool) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off``, any case; anything else is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1 or 0")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    """A decimal integer not below ``minimum``; unset or empty gives ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list with blanks dropped; unset gives ``default``."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """``DATAIP_DATA_DIR`` (default ``./var``) as an absolute path, created (mode 0700) if missing.

    Resolved once, at start, against the current directory: later ``chdir`` calls (gunicorn's
    ``--chdir``, a test) do not move the instance's state. The database holds applicants'
    personal data, so a new data directory is its owner's alone.
    """
    return private_dir(Path(env_str("DATAIP_DATA_DIR", DEFAULT_DATA_DIR)).expanduser().resolve())


def private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700) if missing; an existing directory keeps its mode."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret_key(keys_dir: Path) -> str:
    """``DATAIP_SECRET_KEY``, else the key in ``keys_dir``, generated there on first start.

    The file is written whole to a temporary name and hard-linked into place, so that processes
    starting at the same moment (gunicorn workers, the task worker) agree on one key and none
    reads a half-written file. A key file that others may read is refused: the key signs
    sessions and password-reset links.
    """
    from_env = os.environ.get("DATAIP_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = private_dir(keys_dir) / SECRET_KEY_FILE
    if not path.exists():
        _create_secret_key_file(path)
    key = read_private_file(path, "secret key").decode("ascii").strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it to generate a new secret key")
    return key


def _create_secret_key_file(path: Path) -> None:
    create_private_file(path, (secrets.token_urlsafe(48) + "\n").encode("ascii"))


def create_private_file(path: Path, content: bytes) -> bool:
    """Write ``content`` to a new file ``path`` (mode 0600) unless it exists; True if written.

    The file is written whole to a temporary name and hard-linked into place, so processes that
    start at the same moment agree on one file and none reads a half-written one: if another
    process won the race, its file is the file.
    """
    # mkstemp creates the file with mode 0600.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(content)
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp_name)


def read_private_file(path: Path, what: str) -> bytes:
    """The content of a key file that only its owner may read (else ImproperlyConfigured)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"{path} has mode {mode:04o}: others may read the {what}; run chmod 600 {path}"
        )
    return path.read_bytes()
