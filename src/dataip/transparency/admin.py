"""The log in the admin: read-only (the log is append-only; nothing here edits it)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

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
    list_display = ["size", "root", "published_at", "timestamped_at"]
    exclude = ["timestamp"]


@admin.register(LogEntry)
class LogEntryAdmin(_ReadOnly):
    list_display = ["index", "statement_type", "leaf_hash", "integrated_at"]
    list_filter = ["statement_type"]
    search_fields = ["=leaf_hash"]
