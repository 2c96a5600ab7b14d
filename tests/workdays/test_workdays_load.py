"""``dataip manage workdays_load``: idempotent, and administrators' years stay as they are."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command

from dataip.workdays import services
from dataip.workdays.models import CalendarYear, Kind, Source, SpecialDay
from dataip.workdays.package import package_years

D = datetime.date


def _load() -> str:
    out = StringIO()
    call_command("workdays_load", stdout=out)
    return out.getvalue()


def test_a_seeded_calendar_is_left_alone_twice() -> None:
    before = list(CalendarYear.objects.values_list("year", "revision", "updated_at"))
    years = len(package_years())
    for _ in range(2):
        out = _load()
        assert f"载入 0 年，更新 0 年，未变 {years} 年，保留管理员录入 0 年" in out
        assert "complete years: 2004–" in out
    assert list(CalendarYear.objects.values_list("year", "revision", "updated_at")) == before


def test_an_empty_calendar_is_loaded() -> None:
    CalendarYear.objects.all().delete()
    out = _load()
    assert "2004: 已载入 / loaded" in out
    assert f"{len(package_years())} loaded, 0 updated" in out
    assert SpecialDay.objects.filter(date=D(2025, 2, 8), kind=Kind.WORKDAY).exists()


def test_administrators_edits_are_never_overwritten() -> None:
    services.special_day_remove(actor=None, day=D(2025, 2, 8))
    services.special_day_set(actor=None, day=D(2025, 3, 3), kind=Kind.HOLIDAY, name="测试假日")
    year = CalendarYear.objects.get(pk=2025)
    for _ in range(2):
        out = _load()
        assert "2025: 管理员录入，保留不变；与软件包有 2 天不同" in out
        assert "1 kept (edited by administrators)" in out
    assert CalendarYear.objects.get(pk=2025).revision == year.revision
    assert not SpecialDay.objects.filter(date=D(2025, 2, 8)).exists()
    assert SpecialDay.objects.filter(date=D(2025, 3, 3)).exists()


def test_a_year_the_package_now_says_otherwise_about_is_updated() -> None:
    # As left by an older package release: a day missing, a name different.
    SpecialDay.objects.filter(date=D(2024, 10, 12)).delete()
    SpecialDay.objects.filter(date=D(2024, 10, 1)).update(name="国庆")
    CalendarYear.objects.filter(pk=2024).update(complete=False)
    revision = CalendarYear.objects.get(pk=2024).revision
    out = _load()
    assert "2024: 已按软件包更新 2 天" in out
    year = CalendarYear.objects.get(pk=2024)
    assert (year.complete, year.source, year.revision) == (True, Source.PACKAGE, revision + 1)
    assert SpecialDay.objects.get(date=D(2024, 10, 12)).kind == Kind.WORKDAY
    assert SpecialDay.objects.get(date=D(2024, 10, 1)).name == "国庆节"


def test_a_year_only_administrators_know_is_kept() -> None:
    services.special_day_set(actor=None, day=D(2040, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    _load()
    assert CalendarYear.objects.filter(pk=2040, source=Source.ADMIN).exists()
