"""Scratch databases for tests that start real processes (dataip serve, appenders)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from django.db import connection


@contextlib.contextmanager
def scratch_database(*, prefix: str, sqlite_path: Path) -> Iterator[str]:
    """A ``DATABASE_URL`` of a new, empty database of the suite's own kind, dropped afterwards.

    PostgreSQL when the suite runs on it (a database named ``<prefix>_<random>``), else a
    SQLite file at ``sqlite_path``.
    """
    if connection.vendor != "postgresql":
        yield f"sqlite:///{sqlite_path}"
        return
    params = connection.get_connection_params()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=params.get("host"),
        port=params.get("port"),
        user=params.get("user"),
        password=params.get("password"),
        dbname="postgres",
        autocommit=True,
    )
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        server = f"{params.get('host')}:{params.get('port') or 5432}"
        yield f"postgres://{params.get('user')}@{server}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
