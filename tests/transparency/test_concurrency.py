"""Several processes appending at once, and a process killed during integration.

Each test runs real processes against a fresh database of the suite's own kind: a new
PostgreSQL database when the suite runs on PostgreSQL, a SQLite file otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from tests.support.databases import scratch_database

APPEND = """
import os, sys, django
django.setup()
from django.db import transaction
from dataip.transparency.services import statement_append
worker, count, batch = map(int, sys.argv[1:4])
for i in range(0, count, batch):
    with transaction.atomic():
        statement_append(statements=[
            {"type": "test/v1", "worker": worker, "n": i + j} for j in range(batch)
        ])
"""

STALL = """
import os, sys, time, django
django.setup()
from django.db import transaction
from dataip.transparency import services
from dataip.transparency.models import Checkpoint

create = Checkpoint.objects.create
def stall(**kwargs):
    create(**kwargs)  # inside the integration's transaction, not committed
    open(sys.argv[1], "w").close()
    time.sleep(60)
Checkpoint.objects.create = stall
with transaction.atomic():
    services.statement_append(statements=[{"type": "test/v1", "n": n} for n in range(1000, 1010)])
services.log_publish()  # if the commit did not publish (a recent checkpoint), publish now
"""

SUMMARY = """
import json, django
django.setup()
from dataip.transparency.models import Checkpoint, LogEntry, PendingStatement
print(json.dumps({
    "entries": LogEntry.objects.count(),
    "max_index": max(LogEntry.objects.values_list("index", flat=True), default=-1),
    "statements": sorted(LogEntry.objects.values_list("statement", flat=True)),
    "pending": PendingStatement.objects.count(),
    "checkpoints": list(Checkpoint.objects.order_by("size").values_list("size", "root")),
}))
"""


@pytest.fixture
def fresh_database(tmp_path, dataip_data_dir):
    """A DATABASE_URL of an empty, migrated database that subprocesses share."""
    with scratch_database(prefix="dataip_conc", sqlite_path=tmp_path / "log.sqlite3") as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "dataip.site.settings",
            "DATAIP_DATA_DIR": str(dataip_data_dir),
        }
        run([sys.executable, "-m", "dataip", "manage", "migrate", "-v0"], env)
        yield env


def run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def summary(env) -> dict:
    result: dict = json.loads(run([sys.executable, "-c", SUMMARY], env))
    return result


def audit(env) -> str:
    return run([sys.executable, "-m", "dataip", "log", "audit"], env)


def test_concurrent_appenders_never_fork_or_share_an_index(fresh_database):
    env = fresh_database
    workers, count, batch = 4, 60, 3
    # As under `dataip serve`: appends between checkpoints are the sequencer's.
    sequencer = subprocess.Popen(
        [sys.executable, "-m", "dataip", "manage", "log_sequencer"], env=env
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND, str(w), str(count), str(batch)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    total = workers * count
    deadline = time.monotonic() + 10
    while (s := summary(env))["pending"] and time.monotonic() < deadline:
        time.sleep(0.1)
    sequencer.send_signal(signal.SIGTERM)
    assert sequencer.wait(timeout=30) == 0
    assert s["entries"] == total and s["max_index"] == total - 1 and s["pending"] == 0
    expected = sorted(
        json.dumps({"n": n, "type": "test/v1", "worker": w}, separators=(",", ":"))
        for w in range(workers)
        for n in range(count)
    )
    assert s["statements"] == expected
    sizes = [size for size, _ in s["checkpoints"]]
    assert sizes == sorted(set(sizes)) and sizes[-1] == total
    # Batching: never more checkpoints than appends.
    assert len(sizes) <= total // batch
    # The audit recomputes the one tree from the entries: every checkpoint is a prefix of it.
    assert "audit passed" in audit(env)


def test_a_process_killed_during_integration(fresh_database, tmp_path):
    env = fresh_database
    run([sys.executable, "-c", APPEND, "0", "6", "3"], env)
    run([sys.executable, "-m", "dataip", "manage", "log_sequencer", "--once"], env)
    before = summary(env)["checkpoints"]
    marker = tmp_path / "inside"
    stalled = subprocess.Popen([sys.executable, "-c", STALL, str(marker)], env=env)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert stalled.poll() is None, "the stalled integration exited early"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stalled.send_signal(signal.SIGKILL)
    stalled.wait()
    s = summary(env)
    assert s["checkpoints"] == before and s["pending"] == 10 and s["entries"] == 6
    run([sys.executable, "-m", "dataip", "manage", "log_sequencer", "--once"], env)
    s = summary(env)
    assert s["entries"] == 16 and s["pending"] == 0
    assert s["checkpoints"][: len(before)] == before
    assert "audit passed" in audit(env)
