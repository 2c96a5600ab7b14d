"""The package's years, as loaded (its agreement with the notices: test_selectors.py)."""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from dataip.workdays.models import CalendarYear, Source, SpecialDay
from dataip.workdays.package import package_load, package_version, package_years

D = datetime.date


def test_the_package_covers_2004_through_at_least_2026() -> None:
    years = package_years()
    assert min(years) == 2004
    assert max(years) >= 2026
    assert list(years) == list(range(2004, max(years) + 1))
    assert package_version() >= "1.11"


def test_names_are_the_notices() -> None:
    days = {d.date: d for year in package_years().values() for d in year}
    assert (days[D(2025, 10, 6)].kind, days[D(2025, 10, 6)].name) == ("holiday", "中秋节")
    assert (days[D(2025, 10, 1)].kind, days[D(2025, 10, 1)].name) == ("holiday", "国庆节")
    assert (days[D(2024, 2, 4)].kind, days[D(2024, 2, 4)].name) == ("workday", "调休上班（春节）")
    assert days[D(2024, 4, 4)].name == "清明节"
    assert days[D(2024, 6, 10)].name == "端午节"


def test_the_migration_loads_an_empty_calendar_and_unloads_only_the_package() -> None:
    migration = importlib.import_module("dataip.workdays.migrations.0002_package_calendar")
    CalendarYear.objects.all().delete()
    migration.load(apps, None)
    years = CalendarYear.objects.order_by("year")
    assert [y.year for y in years] == list(package_years())
    assert all(y.complete and y.source == Source.PACKAGE and y.revision == 1 for y in years)
    assert SpecialDay.objects.filter(calendar_year_id=2025).count() == sum(
        1 for _ in package_years()[2025]
    )
    CalendarYear.objects.filter(pk=2025).update(source=Source.ADMIN)
    migration.unload(apps, None)
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2025]


def test_loading_twice_changes_nothing() -> None:
    before = list(CalendarYear.objects.values_list("year", "revision", "updated_at"))
    results = package_load(now=timezone.now())
    assert {r.outcome for r in results} == {"unchanged"}
    assert list(CalendarYear.objects.values_list("year", "revision", "updated_at")) == before
