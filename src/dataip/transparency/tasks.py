"""Background work of the log; each task calls one service."""

from __future__ import annotations

from django_tasks import task

from dataip.transparency import services


@task()
def log_catch_up() -> int:
    """Integrate pending statements and stamp checkpoints without a token."""
    return services.log_catch_up()
