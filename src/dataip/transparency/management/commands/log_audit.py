"""``dataip manage log_audit`` (``dataip log audit``): recompute the log, check its checkpoints."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dataip.transparency.keys import log_verifiers, time_stamping
from dataip.transparency.selectors import log_audit


class Command(BaseCommand):
    help = (
        "Recompute the Merkle tree from the stored statements, check every kept checkpoint "
        "(root, signature, time stamp) and every tile against it, and name what differs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = log_audit(verifiers=log_verifiers(), trusted=time_stamping().certificates[-1:])
        for problem in report.problems:
            self.stderr.write(problem)
        summary = (
            f"{report.leaves} leaves, {report.checkpoints} checkpoints, "
            f"{report.timestamps} time stamps checked"
        )
        if report.problems:
            raise CommandError(f"audit FAILED: {len(report.problems)} problem(s); {summary}")
        self.stdout.write(f"审计通过 / audit passed: {summary}")
