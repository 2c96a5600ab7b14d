"""Working days against the State Council's notices (notices.py), and deadlines across them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataip.workdays import selectors, services
from dataip.workdays.errors import CalendarUnknown
from dataip.workdays.models import CalendarYear, Kind
from dataip.workdays.selectors import add_working_days, is_working_day, working_days_left

from .notices import NOTICES, notice_working_day

D = datetime.date


def _year(year: int) -> list[datetime.date]:
    first = D(year, 1, 1)
    return [first + datetime.timedelta(days=i) for i in range((D(year + 1, 1, 1) - first).days)]


def test_the_transcribed_adjusted_working_days_are_weekends() -> None:
    # The notices name the weekday of every day worked; Python agrees with the transcription.
    for festivals in NOTICES.values():
        for festival in festivals:
            assert festival.first <= festival.last
            assert all(day.weekday() >= 5 for day in festival.worked), festival


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_every_day_of_a_year_matches_its_notice(year: int) -> None:
    wrong = [day for day in _year(year) if is_working_day(day=day) != notice_working_day(day)]
    assert wrong == []


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2024 春节: 2月10日至17日放假; 2月4日（星期日）、2月18日（星期日）上班.
        (D(2024, 2, 4), True),
        (D(2024, 2, 9), True),  # 除夕: rest only "encouraged", officially a working day
        (D(2024, 2, 10), False),
        (D(2024, 2, 14), False),  # a Wednesday
        (D(2024, 2, 17), False),
        (D(2024, 2, 18), True),
        (D(2024, 2, 24), False),  # an ordinary Saturday
        # 2024 国庆节: 10月1日至7日; 9月29日（星期日）、10月12日（星期六）上班.
        (D(2024, 9, 29), True),
        (D(2024, 10, 7), False),
        (D(2024, 10, 12), True),
        # 2025 春节: 1月28日至2月4日; 1月26日（周日）、2月8日（周六）上班.
        (D(2025, 1, 26), True),
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 8), True),
        # 2025 国庆节、中秋节: 10月1日至8日; 9月28日（周日）、10月11日（周六）上班.
        (D(2025, 9, 28), True),
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),
        (D(2025, 10, 12), False),
    ],
)
def test_working_days_of_the_big_holidays(day: datetime.date, working: bool) -> None:
    assert is_working_day(day=day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 2024 春节. From the Friday before (2/2): 2/4 (Sun, worked), 2/5-2/9, then 2/18 (Sun,
        # worked), 2/19, 2/20, 2/21.
        (D(2024, 2, 2), 10, D(2024, 2, 21)),
        # From 除夕 (2/9, the last working day before): the first is the worked Sunday 2/18.
        (D(2024, 2, 9), 1, D(2024, 2, 18)),
        (D(2024, 2, 9), 10, D(2024, 2, 29)),
        # Requested on a holiday: the same deadline as when requested on 除夕.
        (D(2024, 2, 12), 10, D(2024, 2, 29)),
        # 2024 国庆节. From the day before (9/30): 10/8-10/11, landing on Saturday 10/12.
        (D(2024, 9, 30), 5, D(2024, 10, 12)),
        # From Friday 9/27: Sunday 9/29 counts, Saturday 10/12 is not reached.
        (D(2024, 9, 27), 5, D(2024, 10, 10)),
        # ... and 10 count the worked Saturday 10/12 as the 7th and end on Wednesday 10/16.
        (D(2024, 9, 27), 10, D(2024, 10, 16)),
        # 2025 春节. From Friday 1/24: 1/26 (Sun, worked), 1/27, 2/5-2/7, 2/8 (Sat, worked),
        # 2/10-2/13.
        (D(2025, 1, 24), 10, D(2025, 2, 13)),
        (D(2025, 2, 4), 5, D(2025, 2, 10)),
        # 2025 国庆节、中秋节. From the day before (9/30): 10/9, 10/10, 10/11 (Sat, worked), ...
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        (D(2025, 9, 30), 5, D(2025, 10, 14)),
        (D(2025, 9, 26), 5, D(2025, 10, 10)),
        # Across New Year: 2025-01-01 is off (元旦); 2026-01-01..03 off and 01-04 (Sun) worked.
        (D(2024, 12, 31), 1, D(2025, 1, 2)),
        (D(2025, 12, 24), 10, D(2026, 1, 8)),
        # An ordinary fortnight: 10 working days from a Monday end on the Monday two weeks on.
        (D(2025, 3, 3), 10, D(2025, 3, 17)),
    ],
)
def test_add_working_days(start: datetime.date, days: int, due: datetime.date) -> None:
    assert add_working_days(start=start, days=days) == due


def test_add_working_days_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(start=D(2025, 3, 3), days=0)


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        # From a Monday to the 2024 Spring Festival deadline: 2/5-2/9, 2/18-2/21.
        (D(2024, 2, 5), D(2024, 2, 21), 9),
        # On a holiday: 10/9, 10/10, 10/11 (Sat, worked), 10/13, 10/14.
        (D(2025, 10, 1), D(2025, 10, 14), 5),
        # The last day itself, a worked Saturday, still counts.
        (D(2024, 10, 12), D(2024, 10, 12), 1),
        (D(2024, 10, 13), D(2024, 10, 12), 0),
        (D(2024, 10, 7), D(2024, 10, 7), 0),
        (D(2025, 9, 28), D(2025, 10, 13), 7),
    ],
)
def test_working_days_left(today: datetime.date, due: datetime.date, left: int) -> None:
    assert working_days_left(today=today, due=due) == left


def test_a_past_deadline_needs_no_calendar() -> None:
    assert working_days_left(today=D(2040, 1, 2), due=D(2039, 12, 31)) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_working_days(start=D(2026, 12, 25), days=10),
        lambda: is_working_day(day=D(2027, 1, 4)),
        lambda: working_days_left(today=D(2026, 12, 30), due=D(2027, 1, 5)),
    ],
)
def test_a_year_not_entered_is_an_error_naming_it(call: object) -> None:
    assert callable(call)
    with pytest.raises(CalendarUnknown) as raised:
        call()
    error = raised.value
    assert (error.code, error.status, error.year, error.extra) == (
        "calendar_unknown",
        409,
        2027,
        {"year": 2027},
    )
    assert error.message("zh") == ("2027 年的节假日安排尚未录入，请管理员在“工作日历”中录入后再试")
    assert "2027" in error.message("en")


def test_a_deadline_ending_in_the_last_known_year_is_computed() -> None:
    # 2026-12-25 is a Friday: four working days are left in 2026, the fifth is in 2027.
    assert add_working_days(start=D(2026, 12, 25), days=4) == D(2026, 12, 31)
    with pytest.raises(CalendarUnknown):
        add_working_days(start=D(2026, 12, 25), days=5)


def test_years_before_the_package_are_unknown() -> None:
    with pytest.raises(CalendarUnknown) as raised:
        is_working_day(day=D(2003, 6, 2))
    assert raised.value.year == 2003


def test_a_year_being_entered_is_unknown_until_complete(admin_user: object) -> None:
    services.special_day_set(actor=None, day=D(2027, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    with pytest.raises(CalendarUnknown):
        is_working_day(day=D(2027, 1, 1))
    services.calendar_year_complete(actor=None, year=2027)
    assert is_working_day(day=D(2027, 1, 1)) is False
    assert is_working_day(day=D(2027, 1, 4)) is True
    services.calendar_year_complete(actor=None, year=2027, complete=False)
    with pytest.raises(CalendarUnknown):
        is_working_day(day=D(2027, 1, 4))


def test_an_edit_is_seen_by_the_next_call() -> None:
    # Services never touch this process's cache: like a write from another process, the edit
    # is seen only through the year's (revision, updated_at), read on every call.
    monday = D(2025, 10, 13)
    assert is_working_day(day=monday) is True
    assert add_working_days(start=D(2025, 9, 30), days=5) == D(2025, 10, 14)
    services.special_day_set(actor=None, day=monday, kind=Kind.HOLIDAY, name="测试假日")
    assert is_working_day(day=monday) is False
    assert add_working_days(start=D(2025, 9, 30), days=5) == D(2025, 10, 15)
    services.special_day_remove(actor=None, day=monday)
    assert is_working_day(day=monday) is True


def test_an_edit_written_behind_the_services_back_with_a_new_revision_is_seen() -> None:
    # What another process's service leaves in the database: the day and a new year key.
    assert is_working_day(day=D(2025, 10, 13)) is True
    year = CalendarYear.objects.get(pk=2025)
    year.days.create(date=D(2025, 10, 13), kind=Kind.HOLIDAY, name="测试假日")
    assert is_working_day(day=D(2025, 10, 13)) is True  # no new key yet: the cache answers
    CalendarYear.objects.filter(pk=2025).update(revision=year.revision + 1)
    assert is_working_day(day=D(2025, 10, 13)) is False


def test_one_query_when_warm_two_at_most_when_cold() -> None:
    services.special_day_set(actor=None, day=D(2026, 3, 2), kind=Kind.HOLIDAY, name="测试假日")
    with CaptureQueriesContext(connection) as cold:
        assert add_working_days(start=D(2025, 12, 24), days=10) == D(2026, 1, 8)
    assert len(cold.captured_queries) == 2
    with CaptureQueriesContext(connection) as warm:
        assert add_working_days(start=D(2025, 12, 24), days=10) == D(2026, 1, 8)
        # today, a Wednesday, counts too
        assert working_days_left(today=D(2025, 12, 24), due=D(2026, 1, 8)) == 11
        assert is_working_day(day=D(2026, 3, 2)) is False
    assert len(warm.captured_queries) == 3


def test_known_years_are_the_complete_ones() -> None:
    known = selectors.known_years()
    assert known[0] == 2004
    assert known == list(range(2004, known[-1] + 1))
    assert known[-1] >= 2026
    services.special_day_set(actor=None, day=D(2030, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    assert 2030 not in selectors.known_years()


def test_calendar_status() -> None:
    services.special_day_set(actor=None, day=D(2030, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    last = selectors.known_years()[-1]
    november = selectors.calendar_status(today=D(last, 11, 20))
    assert november.missing == [last + 1]
    assert november.incomplete == [2030]
    assert november.remind_next_year is True
    assert selectors.calendar_status(today=D(last, 10, 31)).remind_next_year is False
    assert selectors.calendar_status(today=D(last - 1, 12, 1)).remind_next_year is False
    later = selectors.calendar_status(today=D(last + 2, 1, 5))
    assert later.missing == [last + 1, last + 2, last + 3]


def test_year_ranges() -> None:
    assert (
        selectors.year_ranges([2006, 2004, 2005, 2010, 2012, 2013]) == "2004–2006、2010、2012–2013"
    )
    assert selectors.year_ranges([]) == ""
