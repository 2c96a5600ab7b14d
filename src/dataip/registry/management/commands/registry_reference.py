"""``dataip manage registry_reference``: add missing reference data (industries, rules, grounds)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from dataip.registry.reference import reference_load


class Command(BaseCommand):
    help = "Load GB/T 4754-2017 and the default jurisdiction's rules and grounds (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            added = reference_load()
        self.stdout.write(", ".join(f"{name}: {count} added" for name, count in added.items()))
