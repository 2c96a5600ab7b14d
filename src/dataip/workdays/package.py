"""The calendar transcribed by the ``chinesecalendar`` package, and loading it into the database.

``chinesecalendar`` (PyPI; imported as ``chinese_calendar``) transcribes the State Council's
yearly notices on holidays (国务院办公厅关于 20XX 年部分节假日安排的通知): version 1.11.0 covers
2004 to 2026, 2026 from the notice of 2025-11-04. A later release adds the next year some time
after its notice; until then an administrator enters it (docs/working-days.md).

Loaded by the data migration ``0002_package_calendar`` (historical models) and by
``dataip manage workdays_load`` (through ``services.calendar_load_package``), which is
idempotent and never changes a year an administrator has edited.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import chinese_calendar  # no stubs, no py.typed

PACKAGE = "chinesecalendar"

# The package's Chinese names are short forms; the notices say 清明节, 端午节, 中秋节.
_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}

Outcome = Literal["created", "updated", "unchanged", "kept"]


@dataclass(frozen=True)
class PackageDay:
    date: datetime.date
    kind: Literal["holiday", "workday"]
    name: str


@dataclass(frozen=True)
class LoadResult:
    """What loading did to one year; ``differences`` counts the days on which the database and
    the package disagree (before an update; for a kept year, the administrator's changes)."""

    year: int
    outcome: Outcome
    differences: int = 0


def package_version() -> str:
    return str(chinese_calendar.__version__)


def package_years() -> dict[int, list[PackageDay]]:
    """Year -> its holidays and adjusted working days, for every year the package covers."""
    festival = {h.value: _NAMES.get(h.chinese, h.chinese) for h in chinese_calendar.Holiday}
    holidays: dict[datetime.date, str] = chinese_calendar.holidays
    workdays: dict[datetime.date, str] = chinese_calendar.workdays
    # The package answers for every day from its first year to its last (utils._validate_date).
    first, last = min(holidays).year, max(holidays).year
    years: dict[int, list[PackageDay]] = {year: [] for year in range(first, last + 1)}
    for day, value in holidays.items():
        years[day.year].append(PackageDay(day, "holiday", festival[value]))
    for day, value in workdays.items():
        years[day.year].append(PackageDay(day, "workday", f"调休上班（{festival[value]}）"))
    for days in years.values():
        days.sort(key=lambda d: d.date)
    return years


def package_load(apps: Any = None, *, now: datetime.datetime) -> list[LoadResult]:
    """Bring the package's years into the database; return what happened to each year.

    A missing year is created complete; a year loaded from the package earlier is replaced when
    the package now says otherwise; a year an administrator entered or edited is kept as it is.
    ``apps`` is a migration's app registry (historical models) or None for the current models.
    Call it inside a transaction.
    """
    if apps is None:
        from django.apps import apps as current  # noqa: PLC0415

        apps = current
    year_model = apps.get_model("workdays", "CalendarYear")
    day_model = apps.get_model("workdays", "SpecialDay")
    note = f"{PACKAGE} {package_version()}"
    results = []
    for year, days in package_years().items():
        wanted = {d.date: (d.kind, d.name) for d in days}
        existing = year_model.objects.select_for_update().filter(pk=year).first()
        if existing is None:
            year_model.objects.create(
                year=year, complete=True, source="package", note=note, updated_at=now
            )
            _insert(day_model, year, wanted)
            results.append(LoadResult(year, "created"))
            continue
        stored = {
            day: (kind, name)
            for day, kind, name in day_model.objects.filter(calendar_year_id=year).values_list(
                "date", "kind", "name"
            )
        }
        differences = sum(stored.get(day) != wanted.get(day) for day in stored.keys() | wanted)
        if existing.source != "package":
            results.append(LoadResult(year, "kept", differences))
        elif differences == 0 and existing.complete:
            results.append(LoadResult(year, "unchanged"))
        else:
            day_model.objects.filter(calendar_year_id=year).delete()
            _insert(day_model, year, wanted)
            existing.complete = True
            existing.note = note
            existing.revision += 1
            existing.updated_at = now
            existing.save(update_fields=["complete", "note", "revision", "updated_at"])
            results.append(LoadResult(year, "updated", differences))
    return results


def _insert(day_model: Any, year: int, days: Mapping[datetime.date, tuple[str, str]]) -> None:
    day_model.objects.bulk_create(
        day_model(calendar_year_id=year, date=day, kind=kind, name=name)
        for day, (kind, name) in sorted(days.items())
    )
