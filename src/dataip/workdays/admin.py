"""The calendar in the admin: administrators enter a year's holidays and mark it complete.

Every save goes through the services, so each change raises the year's revision (the caches of
all processes reload it) and makes the year the administrators' (workdays_load keeps it).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dataip.accounts.models import User
from dataip.workdays import selectors, services
from dataip.workdays.errors import WorkdaysError
from dataip.workdays.models import CalendarYear, Kind, SpecialDay


def _today() -> datetime.date:
    return timezone.localdate()


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class SpecialDayFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if not self.instance.complete:
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not any(data.get("kind") == Kind.HOLIDAY for data in kept):
            error = WorkdaysError("calendar_year_empty", year=self.instance.year)
            raise ValidationError(error.message("zh"))


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    formset = SpecialDayFormSet
    fields = ["date", "kind", "name"]
    ordering = ["date"]
    extra = 3


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "complete",
        "source",
        "holiday_count",
        "workday_count",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["complete", "source"]
    fields = ["year", "complete", "note", "source", "updated_at", "updated_by"]
    inlines = [SpecialDayInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = ["source", "updated_at", "updated_by"]
        return ["year", *readonly] if obj is not None else readonly

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        queryset: QuerySet[CalendarYear] = super().get_queryset(request)
        return queryset.annotate(
            holiday_count=Count("days", filter=Q(days__kind=Kind.HOLIDAY)),
            workday_count=Count("days", filter=Q(days__kind=Kind.WORKDAY)),
        )

    @admin.display(description=_("放假天数"), ordering="holiday_count")
    def holiday_count(self, obj: Any) -> int:
        return int(obj.holiday_count)

    @admin.display(description=_("调休上班天数"), ordering="workday_count")
    def workday_count(self, obj: Any) -> int:
        return int(obj.workday_count)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only a year still being entered (say 2072 typed for 2027); a complete year is marked
        # incomplete instead, and there is no bulk deletion.
        return obj is not None and not obj.complete and super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        services.calendar_year_delete(actor=_actor(request), year=obj.year)

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: ModelForm, change: bool
    ) -> None:
        # `complete` waits for save_related: it is checked against the days saved there.
        services.calendar_year_save(actor=_actor(request), year=obj.year, note=obj.note)

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm,
        formsets: Any,
        change: bool,
    ) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        year = form.instance.year
        services.calendar_year_complete(
            actor=_actor(request), year=year, complete=form.cleaned_data["complete"]
        )
        form.instance.refresh_from_db()

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm,
        formset: Any,
        change: bool,
    ) -> None:
        actor = _actor(request)
        original: dict[int, datetime.date] = {
            f.instance.pk: f.initial["date"] for f in formset.initial_forms
        }
        formset.save(commit=False)
        for day in formset.deleted_objects:
            services.special_day_remove(actor=actor, day=original[day.pk])
        for day, changed in formset.changed_objects:
            if "date" in changed:
                services.special_day_remove(actor=actor, day=original[day.pk])
            services.special_day_set(actor=actor, day=day.date, kind=day.kind, name=day.name)
        for day in formset.new_objects:
            services.special_day_set(actor=actor, day=day.date, kind=day.kind, name=day.name)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        today = _today()
        status = selectors.calendar_status(today=today)
        if status.remind_next_year:
            messages.warning(
                request,
                f"{today.year + 1} 年的节假日安排尚未完整录入：国务院办公厅发布通知后，"
                f"请在此录入 {today.year + 1} 年的放假和调休上班日期，并勾选“已完整录入”，"
                f"否则跨入 {today.year + 1} 年的期限将无法计算。"
                f" / The holidays of {today.year + 1} are not complete yet: once the State "
                f"Council's notice is out, enter them here and tick “已完整录入” (complete); "
                f"until then no deadline reaching into {today.year + 1} can be computed.",
            )
        context = {
            "calendar_known": selectors.year_ranges(status.known) or "—",
            "calendar_missing": selectors.year_ranges(status.missing) or "—",
            "calendar_incomplete": selectors.year_ranges(status.incomplete) or "—",
        }
        return super().changelist_view(request, {**(extra_context or {}), **context})
