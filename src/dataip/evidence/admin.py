"""Evidence records in the admin: read-only (records change only through the services).

Unfinished uploads are listed too; an administrator may delete one (it holds no file bytes).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dataip.evidence.models import Evidence, UploadSession


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["uuid", "owner", "alg", "root", "file_count", "total_bytes", "created_at"]
    list_filter = ["alg", "source"]
    search_fields = ["=uuid", "=root", "owner__username"]
    readonly_fields = [f.name for f in Evidence._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UploadSession)
class UploadSessionAdmin(admin.ModelAdmin):
    list_display = ["uuid", "owner", "alg", "file_count", "total_bytes", "created_at", "expires_at"]
    list_filter = ["alg"]
    search_fields = ["=uuid", "owner__username"]
    readonly_fields = [f.name for f in UploadSession._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
