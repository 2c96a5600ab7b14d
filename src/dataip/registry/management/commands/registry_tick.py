"""``dataip manage registry_tick [--now ISO-TIME]``: carry out the time-driven transitions.

Deems withdrawn the applications not amended in time and registers those whose publicity ended
with no open objection. Idempotent and safe to run concurrently (each transition locks its row
and checks again). ``dataip serve`` runs it every minute; ``--now`` is for demonstrations and
tests and is refused unless ``DATAIP_CLOCK_OVERRIDE=1``.
"""

from __future__ import annotations

import datetime
import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from dataip.registry.services import registry_tick


class Command(BaseCommand):
    help = "Carry out due deadlines: deemed withdrawals and registrations after publicity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="the time to act at, ISO 8601 (only with DATAIP_CLOCK_OVERRIDE=1)",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="run again every this many seconds until stopped (as under dataip serve)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            if not settings.DATAIP_CLOCK_OVERRIDE:
                raise CommandError(
                    "未开启时钟覆盖设置（DATAIP_CLOCK_OVERRIDE=1），不能指定 --now / "
                    "--now needs DATAIP_CLOCK_OVERRIDE=1"
                )
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now: not an ISO 8601 time: {options['now']!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        if options["every"] > 0:
            self._loop(options["every"])
            return
        self._tick(now)

    def _loop(self, every: float) -> None:
        stopping: list[int] = []

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            try:
                self._tick(None)
            except Exception as e:
                self.stderr.write(f"registry_tick: {e}")
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, every))

    def _tick(self, now: datetime.datetime | None) -> None:
        report = registry_tick(now=now)
        for number in report.deemed_withdrawn:
            self.stdout.write(f"deemed withdrawn: {number}")
        for number in report.registered:
            self.stdout.write(f"registered: {number}")
        self.stdout.write(
            f"{len(report.deemed_withdrawn)} deemed withdrawn, {len(report.registered)} registered"
        )
