"""``dataip manage evidence_add --user NAME MANIFEST...``: record evidence in bulk.

Every manifest is validated first; if any is bad, each problem is listed and nothing is
recorded. Then all records are created in one transaction (one batch in the log) and each
record's id and leaf index are printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dataip.core.errors import DataipError
from dataip.core.manifest import read_manifest
from dataip.evidence import selectors, services
from dataip.transparency.services import log_publish


class Command(BaseCommand):
    help = "Record one evidence record per manifest for a user, and print ids and leaf indices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the owner's username")
        parser.add_argument("--label", default="", help="a label for every record")
        parser.add_argument("manifests", nargs="+", type=Path, metavar="MANIFEST")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户 {options['user']} / no user {options['user']}") from None
        problems = []
        for path in options["manifests"]:
            try:
                read_manifest(path)
            except DataipError as e:
                problems.append(f"{path}: {e.message('both')}")
        if problems:
            raise CommandError("nothing recorded:\n" + "\n".join(problems))
        with transaction.atomic():
            records = []
            for path in options["manifests"]:
                with path.open("rb") as manifest:
                    records.append(
                        services.evidence_record_manifest(
                            owner=owner, manifest=manifest, label=options["label"]
                        )
                    )
        # Integrate now (it also runs after the commit above; a second call finds nothing).
        log_publish()
        for path, (evidence, created) in zip(options["manifests"], records, strict=True):
            index = selectors.evidence_log_index(evidence)
            where = "pending" if index is None else str(index)
            state = "recorded" if created else "already recorded"
            self.stdout.write(f"{evidence.uuid}\t{where}\t{state}\t{path}")
