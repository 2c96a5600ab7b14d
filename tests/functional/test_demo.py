"""``scripts/demo.py`` (what ``make run`` shows first), run whole through the real ``dataip``."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from django.contrib.auth.hashers import check_password

from dataip.registry.models import Status

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_sample_dataset_is_the_same_on_every_run(tmp_path):
    demo = load_demo()
    demo.generate_dataset(tmp_path / "a")
    demo.generate_dataset(tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert sorted(tree(tmp_path / "a")) == [
        "README.txt",
        "devices.csv",
        "operation/2026-01.csv",
        "operation/2026-02.csv",
        "strategy/tariff.csv",
    ]


def _logins(stdout):
    """(username, password) of each row of the printed table of demo logins."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("角色 / role"))
    rows = [re.split(r"\s{2,}", line) for line in lines[start + 1 :]]
    return [(row[1], row[2]) for row in rows if len(row) >= 3]


def test_the_demo_hashes_verifies_proves_catches_a_change_and_loads_the_registry(
    tmp_path, dataip_data_dir, settings
):
    # SQLite in the test's own data directory, whatever database the suite itself runs on.
    env = {**os.environ, "DATABASE_URL": ""}
    result = subprocess.run(
        [sys.executable, str(DEMO), "--no-serve", "--var", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "demo-evidence" / "manifest.json").read_text())
    assert manifest["file_count"] == 5
    for command in ("hash", "verify", "prove", "verify-proof", "manage registry_demo"):
        assert f"$ dataip {command} " in result.stdout
    assert manifest["root"] in result.stdout
    assert "operation/2026-02.csv" in result.stdout  # the changed file is named
    for status in Status.values:
        assert f" {status} " in result.stdout
    assert (tmp_path / "demo-evidence" / "gz-parking.manifest.json").is_file()

    logins = _logins(result.stdout)
    assert len(logins) == 7
    assert "http://127.0.0.1:8000/accounts/login/" in result.stdout
    database = sqlite3.connect(dataip_data_dir / "db.sqlite3")
    try:
        stored = dict(database.execute("SELECT username, password FROM accounts_user"))
    finally:
        database.close()
    # The demo hashes with the platform's own hasher, not the suite's fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    for username, password in logins:
        assert check_password(password, stored[username]), username
