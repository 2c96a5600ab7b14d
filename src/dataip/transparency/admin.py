"""The log in the admin: read-only (the log is append-only; nothing here edits it)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from dataip.transparency.keys import log_signer, time_stamping
from dataip.transparency.models import Checkpoint, LogEntry


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Checkpoint)
class CheckpointAdmin(_ReadOnly):
    """The checkpoints, under the key ids administrators compare with what verifiers hold."""

    list_display = ["size", "root", "published_at", "timestamped_at"]
    exclude = ["timestamp"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        signer, stamping = log_signer(), time_stamping()
        keys = {
            "origin": signer.name,
            "key_id": signer.key_id.hex(),
            "vkey": signer.vkey,
            "tsa": stamping.url or "built-in / 内置",
            "certificates": [
                (c.subject.rfc4514_string(), c.fingerprint(hashes.SHA256()).hex())
                for c in stamping.certificates
            ],
        }
        return super().changelist_view(request, {**(extra_context or {}), "log_keys": keys})


@admin.register(LogEntry)
class LogEntryAdmin(_ReadOnly):
    list_display = ["index", "statement_type", "leaf_hash", "integrated_at"]
    list_filter = ["statement_type"]
    search_fields = ["=leaf_hash"]
