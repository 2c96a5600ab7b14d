"""The database refuses what the services would never write."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dataip.workdays.models import CalendarYear, Kind, SpecialDay


@pytest.mark.parametrize(
    "fields",
    [
        {"year": 1948},
        {"year": 3000},
        {"year": 2027, "source": "guess"},
        {"year": 2027, "revision": 0},
    ],
)
def test_year_constraints(fields: dict[str, object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarYear.objects.create(updated_at=timezone.now(), **fields)


@pytest.mark.parametrize(
    "fields",
    [{"kind": "weekend", "name": "x"}, {"kind": Kind.HOLIDAY, "name": ""}],
)
def test_day_constraints(fields: dict[str, object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialDay.objects.create(calendar_year_id=2025, date=datetime.date(2025, 3, 3), **fields)


def test_a_date_is_special_once() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialDay.objects.create(
            calendar_year_id=2025, date=datetime.date(2025, 1, 28), kind=Kind.HOLIDAY, name="x"
        )


def test_clean_checks_the_year_and_the_weekday() -> None:
    wrong_year = SpecialDay(
        calendar_year_id=2025, date=datetime.date(2026, 1, 1), kind=Kind.HOLIDAY, name="元旦"
    )
    with pytest.raises(ValidationError, match="不属于 2025 年"):
        wrong_year.clean()
    weekday = SpecialDay(
        calendar_year_id=2025, date=datetime.date(2025, 3, 3), kind=Kind.WORKDAY, name="上班"
    )
    with pytest.raises(ValidationError, match="星期一"):
        weekday.clean()
    SpecialDay(
        calendar_year_id=2025, date=datetime.date(2025, 3, 1), kind=Kind.WORKDAY, name="上班"
    ).clean()


def test_str() -> None:
    assert str(CalendarYear.objects.get(pk=2025)) == "2025"
    assert str(SpecialDay.objects.get(date=datetime.date(2025, 10, 6))) == "2025-10-06 中秋节"
