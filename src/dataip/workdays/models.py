"""The working-day calendar: which years are known, and the exceptions to the weekday rule.

A day of a complete year is a working day iff it is a weekday (Monday to Friday) that is not a
holiday, or it is an adjusted working day (调休上班, always a Saturday or a Sunday). Holidays and
adjusted working days come from the State Council's yearly notice (国务院办公厅关于 20XX 年部分
节假日安排的通知), loaded from the ``chinesecalendar`` package or entered by an administrator.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dataip.workdays.errors import WorkdaysError

#: The People's Republic's holiday rules date from 1949; years past 2999 are a typing error.
FIRST_YEAR = 1949
LAST_YEAR = 2999


class Source(models.TextChoices):
    PACKAGE = "package", _("chinesecalendar 软件包")
    ADMIN = "admin", _("管理员录入")


class Kind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CalendarYear(models.Model):
    """One year the calendar knows of; only a complete year is used to compute working days."""

    year = models.PositiveSmallIntegerField(
        primary_key=True,
        verbose_name=_("年份"),
        help_text=_("公历年份，如 2027。/ The Gregorian year, such as 2027."),
    )
    complete = models.BooleanField(
        default=False,
        verbose_name=_("已完整录入"),
        help_text=_(
            "该年的全部节假日和调休上班日均已按国务院办公厅通知录入；只有完整的年份才用于计算期限。"
            " / All holidays and adjusted working days of the year, as in the State Council's "
            "notice, are entered; only complete years are used for deadlines."
        ),
    )
    source = models.CharField(
        max_length=8,
        choices=Source.choices,
        default=Source.ADMIN,
        verbose_name=_("来源"),
        help_text=_(
            "chinesecalendar 软件包，或管理员录入（含修改过的软件包年份，workdays_load 不再覆盖）。"
            " / The chinesecalendar package, or an administrator (including package years "
            "edited since: workdays_load no longer overwrites them)."
        ),
    )
    note = models.TextField(
        blank=True,
        verbose_name=_("备注"),
        help_text=_(
            "如通知的文号和发布日期：国办发明电〔2023〕7号，2023 年 10 月 25 日。"
            " / Such as the notice's number and date of publication."
        ),
    )
    revision = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text=(
            "Raised by every change to the year or its days: processes cache a year's days under "
            "(revision, updated_at) and reload them when either differs."
        ),
    )
    updated_at = models.DateTimeField(
        editable=False,
        verbose_name=_("更新时间"),
        help_text="When the year or one of its days last changed.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("更新人"),
        help_text="The administrator who last changed the year; empty for the package.",
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("工作日历年份")
        verbose_name_plural = _("工作日历年份")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="workdays_year_range",
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="workdays_year_source_valid"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="workdays_revision_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class SpecialDay(models.Model):
    """An exception to the weekday rule: a holiday, or a weekend day worked instead (调休)."""

    calendar_year = models.ForeignKey(
        CalendarYear,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("年份"),
        help_text="The year the day belongs to (the day's own year).",
    )
    date = models.DateField(
        unique=True,
        verbose_name=_("日期"),
        help_text=_("放假或调休上班的日期。/ The date of the holiday or adjusted working day."),
    )
    kind = models.CharField(
        max_length=8,
        choices=Kind.choices,
        verbose_name=_("类型"),
        help_text=_(
            "放假（含假期中的周末），或调休上班（周六、周日上班）。"
            " / A holiday (weekend days inside a holiday included), or an adjusted working day "
            "(a Saturday or Sunday worked)."
        ),
    )
    name = models.CharField(
        max_length=64,
        verbose_name=_("名称"),
        help_text=_(
            "节日名称，如“春节”“国庆节”；调休上班日如“调休上班（春节）”。"
            " / The festival, such as 春节 or 国庆节; for an adjusted working day, "
            "such as 调休上班（春节）."
        ),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日或调休上班日")
        verbose_name_plural = _("节假日和调休上班日")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="workdays_special_day_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="workdays_special_day_named"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    def clean(self) -> None:
        if self.date is None or not self.kind:
            return  # the field itself is reported as missing
        year = self.calendar_year_id if self.calendar_year_id is not None else self.date.year
        problem = special_day_problem(day=self.date, kind=self.kind, name=self.name, year=year)
        if problem is not None:
            raise ValidationError(problem.message("zh"))


SATURDAY = 5  # date.weekday(): Monday is 0

_WEEKDAYS = [
    ("星期一", "Monday"),
    ("星期二", "Tuesday"),
    ("星期三", "Wednesday"),
    ("星期四", "Thursday"),
    ("星期五", "Friday"),
]


def special_day_problem(
    *, day: datetime.date, kind: str, name: str, year: int
) -> WorkdaysError | None:
    """What is wrong with a special day of ``year``, or None (shared by the admin and services)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return WorkdaysError("calendar_year_range", year=day.year, first=FIRST_YEAR, last=LAST_YEAR)
    if day.year != year:
        return WorkdaysError("special_day_wrong_year", day=day.isoformat(), year=year)
    if kind == Kind.WORKDAY and day.weekday() < SATURDAY:
        zh, en = _WEEKDAYS[day.weekday()]
        return WorkdaysError(
            "special_day_workday_weekday", day=day.isoformat(), weekday=zh, weekday_en=en
        )
    if not name.strip():
        return WorkdaysError("special_day_name_required", day=day.isoformat())
    return None
