"""``dataip manage log_keys``: the log's verifier key and the TSA certificates (made if absent)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from django.core.management.base import BaseCommand

from dataip.transparency.keys import log_signer, time_stamping


class Command(BaseCommand):
    help = "Show the log's verifier key and key id, and the TSA certificates' fingerprints."

    def handle(self, *args: Any, **options: Any) -> None:
        signer = log_signer()
        self.stdout.write(f"log origin:        {signer.name}")
        self.stdout.write(f"log key id:        {signer.key_id.hex()}")
        self.stdout.write(f"log verifier key:  {signer.vkey}")
        stamping = time_stamping()
        source = stamping.url or "built-in"
        self.stdout.write(f"time-stamping:     {source}")
        for cert in stamping.certificates:
            fingerprint = cert.fingerprint(hashes.SHA256()).hex()
            self.stdout.write(f"  certificate:     {cert.subject.rfc4514_string()}")
            self.stdout.write(f"    SHA-256:       {fingerprint}")
