"""Working days of mainland China: is a day one, deadlines, countdowns.

A day is a working day iff it is Monday to Friday and not a holiday, or it is an adjusted
working day (调休上班). Only complete years are used: a computation that needs a day of any other
year raises ``CalendarUnknown`` naming the year, and never guesses from the weekday alone.

Each call costs one query (the known years' revisions) and, when a year changed since this
process last read it, one more for the days of the changed years. The days are cached per
process under (revision, updated_at), which every write raises (services.py), so an
administrator's edit is seen by every process on its next call.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from dataip.workdays.errors import CalendarUnknown
from dataip.workdays.models import SATURDAY, CalendarYear, Kind, SpecialDay

_Key = tuple[int, datetime.datetime]

#: Months in which the administrators are reminded to enter the next year (the notice usually
#: comes out between late October and early December).
REMINDER_MONTHS = (11, 12)


@dataclass(frozen=True)
class _YearDays:
    key: _Key
    holidays: frozenset[datetime.date]
    workdays: frozenset[datetime.date]


# year -> its special days as last read by this process.
_cache: dict[int, _YearDays] = {}


class _Calendar:
    """The complete years among those asked for, with their special days."""

    def __init__(self, years: dict[int, _YearDays]) -> None:
        self._years = years

    def is_working_day(self, day: datetime.date) -> bool:
        year = self._years.get(day.year)
        if year is None:
            raise CalendarUnknown(year=day.year)
        if day.weekday() < SATURDAY:
            return day not in year.holidays
        return day in year.workdays


def _calendar(first: int, last: int | None) -> _Calendar:
    """The complete years from ``first`` through ``last`` (None: all later years)."""
    rows = CalendarYear.objects.filter(complete=True, year__gte=first)
    if last is not None:
        rows = rows.filter(year__lte=last)
    keys: dict[int, _Key] = {
        year: (revision, updated_at)
        for year, revision, updated_at in rows.values_list("year", "revision", "updated_at")
    }
    stale = [year for year, key in keys.items() if year not in _cache or _cache[year].key != key]
    if stale:
        _load(stale, keys)
    return _Calendar({year: _cache[year] for year in keys})


def _load(years: list[int], keys: dict[int, _Key]) -> None:
    # Read after the keys: a write committed in between only makes the cached days newer than
    # their key, and the next call, seeing the new key, reads them again.
    holidays: dict[int, set[datetime.date]] = {year: set() for year in years}
    workdays: dict[int, set[datetime.date]] = {year: set() for year in years}
    for day, kind in SpecialDay.objects.filter(calendar_year_id__in=years).values_list(
        "date", "kind"
    ):
        (holidays if kind == Kind.HOLIDAY else workdays)[day.year].add(day)
    for year in years:
        _cache[year] = _YearDays(keys[year], frozenset(holidays[year]), frozenset(workdays[year]))


def is_working_day(*, day: datetime.date) -> bool:
    """Whether ``day`` is a working day in mainland China; ``CalendarUnknown`` if its year is not
    complete."""
    return _calendar(day.year, day.year).is_working_day(day)


def add_working_days(*, start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day strictly after ``start`` (``days`` >= 1).

    A period of N working days that starts on day D ends with ``add_working_days(start=D,
    days=N)``: D itself never counts, whether or not it is a working day.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    calendar = _calendar(start.year, None)
    day, left = start, days
    while left:
        day += datetime.timedelta(days=1)
        left -= calendar.is_working_day(day)
    return day


def working_days_left(*, today: datetime.date, due: datetime.date) -> int:
    """Working days from ``today`` (counted when it is one) through ``due``; 0 once ``due`` is
    past."""
    if due < today:
        return 0
    calendar = _calendar(today.year, due.year)
    return sum(calendar.is_working_day(day) for day in _days(today, due))


def known_years() -> list[int]:
    """The complete years, in order: those deadlines can be computed in."""
    return list(
        CalendarYear.objects.filter(complete=True).order_by("year").values_list("year", flat=True)
    )


@dataclass(frozen=True)
class CalendarStatus:
    """What the administrators need to see: which years are known, which are missing."""

    known: list[int]
    #: Years up to next year that are not complete, from the first known year (or this year).
    missing: list[int]
    #: Years entered but not yet marked complete.
    incomplete: list[int]
    #: Today is in November or December and next year is not complete yet.
    remind_next_year: bool


def calendar_status(*, today: datetime.date) -> CalendarStatus:
    rows = list(CalendarYear.objects.order_by("year").values_list("year", "complete"))
    known = [year for year, complete in rows if complete]
    first = min(known[0], today.year) if known else today.year
    missing = [year for year in range(first, today.year + 2) if year not in known]
    return CalendarStatus(
        known=known,
        missing=missing,
        incomplete=[year for year, complete in rows if not complete],
        remind_next_year=today.month in REMINDER_MONTHS and today.year + 1 not in known,
    )


def year_ranges(years: Iterable[int]) -> str:
    """``[2004, 2005, 2006, 2010]`` -> ``"2004–2006、2010"``, for the admin's summary."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _days(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    for offset in range((last - first).days + 1):
        yield first + datetime.timedelta(days=offset)
