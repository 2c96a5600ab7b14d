"""Tasks for tests that run a real task worker (``dataip serve``)."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task


@task()
def touch(path: str) -> None:
    """Create the file ``path``: proof that a worker ran the task."""
    Path(path).write_text("ran\n", encoding="utf-8")
