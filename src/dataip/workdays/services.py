"""Writes to the working-day calendar: administrators' edits and loading the package.

Every change to a year or to one of its days raises the year's ``revision`` and ``updated_at``
in the same transaction; that is what tells every process's cache (selectors.py) to reload the
year. An administrator's edit makes the year ``source=admin``, which ``workdays_load`` never
overwrites.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dataip.accounts.models import User
from dataip.workdays.errors import WorkdaysError
from dataip.workdays.models import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarYear,
    Kind,
    Source,
    SpecialDay,
    special_day_problem,
)
from dataip.workdays.package import LoadResult, package_load


def calendar_year_save(*, actor: User | None, year: int, note: str = "") -> CalendarYear:
    """Create the year (incomplete, entered by an administrator) or change its note."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise WorkdaysError("calendar_year_range", year=year, first=FIRST_YEAR, last=LAST_YEAR)
    note = note.strip()
    with transaction.atomic():
        locked = _year_for_update(year)
        if locked is None:
            return CalendarYear.objects.create(
                year=year,
                complete=False,
                source=Source.ADMIN,
                note=note,
                updated_at=timezone.now(),
                updated_by=actor,
            )
        if locked.note == note:
            return locked
        locked.note = note
        _touch(locked, actor=actor, extra=["note"])
        return locked


def calendar_year_complete(*, actor: User | None, year: int, complete: bool = True) -> CalendarYear:
    """Mark the year complete (used for deadlines from now on) or incomplete again.

    A complete year has at least one holiday: every notice has some, so none means nothing
    has been entered yet.
    """
    with transaction.atomic():
        locked = _year_for_update(year) or calendar_year_save(actor=actor, year=year)
        if locked.complete == complete:
            return locked
        if complete and not locked.days.filter(kind=Kind.HOLIDAY).exists():
            raise WorkdaysError("calendar_year_empty", year=year)
        locked.complete = complete
        _touch(locked, actor=actor, extra=["complete"])
        return locked


def special_day_set(
    *, actor: User | None, day: datetime.date, kind: Kind | str, name: str
) -> SpecialDay:
    """Make ``day`` a holiday or an adjusted working day (creating its year if need be)."""
    name = name.strip()
    kind = Kind(kind)
    problem = special_day_problem(day=day, kind=kind, name=name, year=day.year)
    if problem is not None:
        raise problem
    with transaction.atomic():
        locked = _year_for_update(day.year) or calendar_year_save(actor=actor, year=day.year)
        existing = SpecialDay.objects.filter(date=day).first()
        if existing is not None and (existing.kind, existing.name) == (kind, name):
            return existing
        if existing is None:
            existing = SpecialDay.objects.create(
                calendar_year=locked, date=day, kind=kind, name=name
            )
        else:
            existing.kind, existing.name = kind, name
            existing.save(update_fields=["kind", "name"])
        _touch(locked, actor=actor)
        return existing


def special_day_remove(*, actor: User | None, day: datetime.date) -> bool:
    """Make ``day`` follow the weekday rule again; False when it was no special day."""
    with transaction.atomic():
        locked = _year_for_update(day.year)
        if locked is None:
            return False
        deleted, _ = SpecialDay.objects.filter(date=day).delete()
        if not deleted:
            return False
        _touch(locked, actor=actor)
        return True


def calendar_year_delete(*, actor: User | None, year: int) -> bool:
    """Delete a year still being entered, with its days; a complete year cannot be deleted
    (mark it incomplete instead). False when there was no such year."""
    with transaction.atomic():
        locked = _year_for_update(year)
        if locked is None:
            return False
        if locked.complete:
            raise WorkdaysError("calendar_year_delete_complete", year=year)
        locked.delete()
        return True


def calendar_load_package() -> list[LoadResult]:
    """Load the years of the ``chinesecalendar`` package (see package.py); idempotent."""
    with transaction.atomic():
        return package_load(now=timezone.now())


def _year_for_update(year: int) -> CalendarYear | None:
    return CalendarYear.objects.select_for_update().filter(pk=year).first()


def _touch(year: CalendarYear, *, actor: User | None, extra: list[str] | None = None) -> None:
    """Record an administrator's change: new revision, and the year is theirs from now on."""
    year.revision += 1
    year.updated_at = timezone.now()
    year.updated_by = actor
    year.source = Source.ADMIN
    year.save(update_fields=["revision", "updated_at", "updated_by", "source", *(extra or [])])
