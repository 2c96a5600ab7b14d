"""The registry in the admin: rules and grounds are edited here; applications only read.

Applications change only through the workflow services (pages and API), so that every change is
checked, recorded as an event and logged; the admin shows them read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from dataip.registry.errors import RegistryError
from dataip.registry.models import (
    Application,
    ApplicationEvent,
    Ground,
    Jurisdiction,
    Objection,
)
from dataip.registry.numbers import APPLICATION, CERTIFICATE, REGISTRATION, layout_check


class JurisdictionForm(forms.ModelForm):
    class Meta:
        model = Jurisdiction
        exclude: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        probe = Jurisdiction(
            body_code=data.get("body_code") or "0000",
            application_prefix=data.get("application_prefix") or "X",
        )
        for kind, name in (
            (APPLICATION, "application_number_layout"),
            (REGISTRATION, "registration_number_layout"),
            (CERTIFICATE, "certificate_number_layout"),
        ):
            if data.get(name):
                try:
                    layout_check(kind, data[name], jurisdiction=probe)
                except RegistryError as e:
                    self.add_error(name, e.message("zh"))
        return data


class GroundInline(admin.TabularInline):
    model = Ground
    extra = 0
    fields = ["order", "code", "title", "title_en", "active"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    form = JurisdictionForm
    list_display = [
        "name",
        "code",
        "registration_body",
        "body_code",
        "publicity_days",
        "amendment_days",
        "is_default",
    ]
    inlines = [GroundInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # applications refer to it


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = (
        "created_at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "reason",
        "leaf_hash",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "application_number",
        "data_name",
        "registrant",
        "status",
        "submitted_at",
        "registration_number",
    ]
    list_filter = ["status", "jurisdiction"]
    search_fields = [
        "=application_number",
        "=registration_number",
        "=certificate_number",
        "data_name",
        "registrant__name",
    ]
    inlines = [EventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in Application._meta.get_fields() if f.concrete]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["application", "status", "outcome", "filed_at", "resolved_at"]
    list_filter = ["status", "outcome"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in Objection._meta.get_fields() if f.concrete]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
