"""The calendar in the admin: overview, the reminder, entering a year, editing one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from dataip.accounts.models import User
from dataip.workdays import admin as workdays_admin
from dataip.workdays import services
from dataip.workdays.models import CalendarYear, Kind, Source, SpecialDay
from dataip.workdays.selectors import add_working_days, is_working_day

D = datetime.date
LIST = "/admin/workdays/calendaryear/"


def _formset(days: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "days-TOTAL_FORMS": str(len(days)),
        "days-INITIAL_FORMS": str(initial),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, day in enumerate(days):
        for key, value in day.items():
            data[f"days-{i}-{key}"] = value
    return data


def _existing(year: int) -> list[dict[str, Any]]:
    return [
        {
            "id": d.pk,
            "calendar_year": year,
            "date": d.date.isoformat(),
            "kind": d.kind,
            "name": d.name,
        }
        for d in SpecialDay.objects.filter(calendar_year_id=year).order_by("date")
    ]


def _today(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    monkeypatch.setattr(workdays_admin, "_today", lambda: day)


def test_the_list_shows_known_and_missing_years(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _today(monkeypatch, D(2026, 6, 1))
    page = admin_client.get(LIST)
    text = page.content.decode()
    assert page.status_code == 200
    assert "工作日历概况" in text
    assert "2004–2026" in text
    assert "<td>2027</td>" in text
    assert "尚未完整录入" not in text


def test_the_reminder_in_november_and_december(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _today(monkeypatch, D(2026, 11, 5))
    text = admin_client.get(LIST).content.decode()
    assert "2027 年的节假日安排尚未完整录入" in text
    assert "The holidays of 2027 are not complete yet" in text
    _today(monkeypatch, D(2025, 12, 28))  # 2026 is complete
    assert "尚未完整录入" not in admin_client.get(LIST).content.decode()


def test_entering_a_new_year(
    admin_client: Client, admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = admin_client.get(f"{LIST}add/")
    assert form.status_code == 200
    assert "已完整录入" in form.content.decode()
    # Test entries, not a claim about 2027's notice.
    data = {"year": "2027", "note": "测试录入", "complete": "on"} | _formset(
        [
            {"date": "2027-01-01", "kind": Kind.HOLIDAY, "name": "元旦"},
            {"date": "2027-01-02", "kind": Kind.HOLIDAY, "name": "元旦"},
            {"date": "2027-01-03", "kind": Kind.HOLIDAY, "name": "元旦"},
            {"date": "2027-01-09", "kind": Kind.WORKDAY, "name": "调休上班（元旦）"},
        ]
    )
    response = admin_client.post(f"{LIST}add/", data)
    assert response.status_code == 302, response.content.decode()
    year = CalendarYear.objects.get(pk=2027)
    assert (year.complete, year.source, year.note, year.updated_by) == (
        True,
        Source.ADMIN,
        "测试录入",
        admin_user,
    )
    assert year.days.count() == 4
    assert is_working_day(day=D(2027, 1, 9)) is True
    assert add_working_days(start=D(2026, 12, 31), days=1) == D(2027, 1, 4)
    _today(monkeypatch, D(2026, 11, 5))
    assert "尚未完整录入" not in admin_client.get(LIST).content.decode()


def test_a_year_without_holidays_cannot_be_complete(admin_client: Client) -> None:
    data = {"year": "2027", "note": "", "complete": "on"} | _formset(
        [{"date": "2027-01-09", "kind": Kind.WORKDAY, "name": "调休上班"}]
    )
    response = admin_client.post(f"{LIST}add/", data)
    assert response.status_code == 200
    assert "2027 年尚未录入任何节假日，不能标记为已完整录入" in response.content.decode()
    assert not CalendarYear.objects.filter(pk=2027).exists()


def test_mistakes_in_a_day_are_shown(admin_client: Client) -> None:
    data = {"year": "2027", "note": ""} | _formset(
        [
            {"date": "2027-01-04", "kind": Kind.WORKDAY, "name": "调休上班"},
            {"date": "2028-01-01", "kind": Kind.HOLIDAY, "name": "元旦"},
        ]
    )
    response = admin_client.post(f"{LIST}add/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "2027-01-04 是星期一，本来就是工作日" in text
    assert "2028-01-01 不属于 2027 年" in text
    assert not CalendarYear.objects.filter(pk=2027).exists()


def test_editing_a_package_year(admin_client: Client, admin_user: User) -> None:
    url = f"{LIST}2025/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "调休上班（春节）" in page.content.decode()
    assert add_working_days(start=D(2025, 9, 30), days=5) == D(2025, 10, 14)
    days = _existing(2025)
    initial = len(days)
    worked_saturday = next(d for d in days if d["date"] == "2025-10-11")
    worked_saturday["DELETE"] = "on"
    moved = next(d for d in days if d["date"] == "2025-10-08")
    moved["date"] = "2025-10-09"
    data = {"note": "管理员修改", "complete": "on"} | _formset(days, initial=initial)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    year = CalendarYear.objects.get(pk=2025)
    assert (year.source, year.updated_by, year.note) == (Source.ADMIN, admin_user, "管理员修改")
    assert not SpecialDay.objects.filter(date=D(2025, 10, 11)).exists()
    assert not SpecialDay.objects.filter(date=D(2025, 10, 8)).exists()
    assert SpecialDay.objects.get(date=D(2025, 10, 9)).kind == Kind.HOLIDAY
    # 10/8 worked, 10/9 off, 10/11 an ordinary Saturday again: 10/8, 10/10, 10/13, 10/14, 10/15.
    assert add_working_days(start=D(2025, 9, 30), days=5) == D(2025, 10, 15)


def test_marking_a_year_incomplete(admin_client: Client) -> None:
    data = {"note": ""} | _formset(_existing(2026), initial=len(_existing(2026)))
    response = admin_client.post(f"{LIST}2026/change/", data)
    assert response.status_code == 302, response.content.decode()
    assert CalendarYear.objects.get(pk=2026).complete is False


def test_only_a_year_being_entered_can_be_deleted(admin_client: Client) -> None:
    assert admin_client.get(f"{LIST}2024/delete/").status_code == 403
    services.special_day_set(actor=None, day=D(2072, 1, 1), kind=Kind.HOLIDAY, name="元旦")
    assert admin_client.get(f"{LIST}2072/delete/").status_code == 200
    response = admin_client.post(f"{LIST}2072/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarYear.objects.filter(pk=2072).exists()
    assert not SpecialDay.objects.filter(date=D(2072, 1, 1)).exists()
