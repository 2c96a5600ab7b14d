"""Writes: each raises the year's revision and makes it the administrators'."""

from __future__ import annotations

import datetime

import pytest

from dataip.accounts.models import User
from dataip.workdays import services
from dataip.workdays.errors import WorkdaysError
from dataip.workdays.models import CalendarYear, Kind, Source, SpecialDay

D = datetime.date


def _year(year: int) -> CalendarYear:
    return CalendarYear.objects.get(pk=year)


def test_setting_a_day_of_a_package_year_makes_it_the_administrators(admin_user: User) -> None:
    before = _year(2025)
    assert before.source == Source.PACKAGE
    day = services.special_day_set(
        actor=admin_user, day=D(2025, 10, 13), kind=Kind.HOLIDAY, name=" 测试假日 "
    )
    assert (day.calendar_year_id, day.kind, day.name) == (2025, Kind.HOLIDAY, "测试假日")
    after = _year(2025)
    assert after.source == Source.ADMIN
    assert after.revision == before.revision + 1
    assert after.updated_at > before.updated_at
    assert after.updated_by == admin_user
    assert after.complete is True


def test_changing_a_day_and_setting_it_unchanged(admin_user: User) -> None:
    services.special_day_set(
        actor=admin_user, day=D(2025, 2, 8), kind=Kind.WORKDAY, name="调休上班（春节）"
    )
    assert _year(2025).revision == 1  # the package's own value: nothing changed
    services.special_day_set(actor=admin_user, day=D(2025, 2, 8), kind=Kind.WORKDAY, name="上班")
    assert SpecialDay.objects.get(date=D(2025, 2, 8)).name == "上班"
    assert _year(2025).revision == 2
    services.special_day_set(actor=admin_user, day=D(2025, 2, 8), kind=Kind.HOLIDAY, name="春节")
    assert SpecialDay.objects.get(date=D(2025, 2, 8)).kind == Kind.HOLIDAY
    assert _year(2025).revision == 3


def test_a_day_of_a_new_year_creates_the_year_incomplete(admin_user: User) -> None:
    services.special_day_set(actor=admin_user, day=D(2027, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    year = _year(2027)
    assert (year.complete, year.source, year.updated_by) == (False, Source.ADMIN, admin_user)


def test_an_adjusted_working_day_is_a_weekend_day() -> None:
    with pytest.raises(WorkdaysError) as raised:
        services.special_day_set(actor=None, day=D(2027, 1, 4), kind=Kind.WORKDAY, name="上班")
    assert raised.value.code == "special_day_workday_weekday"
    assert raised.value.message("zh") == (
        "2027-01-04 是星期一，本来就是工作日：调休上班日应为周六或周日"
    )
    assert "Monday" in raised.value.message("en")
    assert not CalendarYear.objects.filter(pk=2027).exists()


def test_a_holiday_may_fall_on_a_weekend() -> None:
    # Weekend days inside a holiday are entered with it (2027-01-02 is a Saturday).
    services.special_day_set(actor=None, day=D(2027, 1, 2), kind=Kind.HOLIDAY, name="元旦")
    assert SpecialDay.objects.filter(date=D(2027, 1, 2)).exists()


def test_a_day_needs_a_name() -> None:
    with pytest.raises(WorkdaysError) as raised:
        services.special_day_set(actor=None, day=D(2027, 1, 1), kind=Kind.HOLIDAY, name="  ")
    assert raised.value.code == "special_day_name_required"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="weekend"):
        services.special_day_set(actor=None, day=D(2027, 1, 1), kind="weekend", name="x")


@pytest.mark.parametrize("year", [1948, 3000])
def test_years_out_of_range(year: int) -> None:
    with pytest.raises(WorkdaysError) as raised:
        services.calendar_year_save(actor=None, year=year)
    assert raised.value.code == "calendar_year_range"
    with pytest.raises(WorkdaysError):
        services.special_day_set(actor=None, day=D(year, 1, 1), kind=Kind.HOLIDAY, name="元旦")


def test_removing_a_day() -> None:
    revision = _year(2024).revision
    assert services.special_day_remove(actor=None, day=D(2024, 2, 18)) is True
    assert not SpecialDay.objects.filter(date=D(2024, 2, 18)).exists()
    assert _year(2024).revision == revision + 1
    assert services.special_day_remove(actor=None, day=D(2024, 2, 18)) is False
    assert services.special_day_remove(actor=None, day=D(2040, 1, 1)) is False
    assert _year(2024).revision == revision + 1


def test_completing_a_year_needs_a_holiday(admin_user: User) -> None:
    services.calendar_year_save(actor=admin_user, year=2027, note="国务院办公厅通知")
    with pytest.raises(WorkdaysError) as raised:
        services.calendar_year_complete(actor=admin_user, year=2027)
    assert raised.value.code == "calendar_year_empty"
    services.special_day_set(actor=admin_user, day=D(2027, 1, 2), kind=Kind.WORKDAY, name="上班")
    with pytest.raises(WorkdaysError):
        services.calendar_year_complete(actor=admin_user, year=2027)
    services.special_day_set(actor=admin_user, day=D(2027, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    year = services.calendar_year_complete(actor=admin_user, year=2027)
    assert year.complete is True
    assert _year(2027).note == "国务院办公厅通知"


def test_completing_twice_changes_nothing() -> None:
    revision = _year(2024).revision
    services.calendar_year_complete(actor=None, year=2024)
    assert (_year(2024).revision, _year(2024).source) == (revision, Source.PACKAGE)
    services.calendar_year_complete(actor=None, year=2024, complete=False)
    assert (_year(2024).revision, _year(2024).complete) == (revision + 1, False)


def test_saving_a_note() -> None:
    revision = _year(2024).revision
    services.calendar_year_save(actor=None, year=2024, note="国办发明电〔2023〕7号")
    services.calendar_year_save(actor=None, year=2024, note="国办发明电〔2023〕7号 ")
    year = _year(2024)
    assert (year.note, year.revision, year.source) == (
        "国办发明电〔2023〕7号",
        revision + 1,
        Source.ADMIN,
    )


def test_deleting_a_year_being_entered() -> None:
    services.special_day_set(actor=None, day=D(2072, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    assert services.calendar_year_delete(actor=None, year=2072) is True
    assert not SpecialDay.objects.filter(date=D(2072, 1, 1)).exists()
    assert services.calendar_year_delete(actor=None, year=2072) is False


def test_a_complete_year_cannot_be_deleted() -> None:
    with pytest.raises(WorkdaysError) as raised:
        services.calendar_year_delete(actor=None, year=2024)
    assert raised.value.code == "calendar_year_delete_complete"
    assert CalendarYear.objects.filter(pk=2024).exists()
