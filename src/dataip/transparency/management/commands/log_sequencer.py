"""``dataip manage log_sequencer``: integrate and time-stamp in a loop (run by ``dataip serve``).

Appends integrate right after their commit unless a checkpoint is younger than
``DATAIP_LOG_INTERVAL_MS``; this loop publishes those within that interval, as well as what a
crashed process left pending, and stamps checkpoints whose time stamp failed (an external TSA
that was down).
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from dataip.transparency.services import log_catch_up


class Command(BaseCommand):
    help = "Integrate pending log statements and time-stamp checkpoints, every --interval seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between rounds (default: DATAIP_LOG_INTERVAL_MS)",
        )
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping: list[int] = []
        interval = options["interval"] or settings.DATAIP_LOG_INTERVAL_MS / 1000

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            try:
                log_catch_up()
            except Exception as e:
                self.stderr.write(f"log_sequencer: {e}")
            if options["once"]:
                break
            time.sleep(interval)
