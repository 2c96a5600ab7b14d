"""Errors of the working-day calendar, with their messages in Chinese and English."""

from __future__ import annotations

from dataip.core.errors import DataipError, register_messages

register_messages(
    {
        "calendar_unknown": (
            "{year} 年的节假日安排尚未录入，请管理员在“工作日历”中录入后再试",
            "the holidays of {year} have not been entered yet: an administrator must enter "
            "them under “Working-day calendar” (工作日历) first",
        ),
        "calendar_year_range": (
            "年份 {year} 超出范围（应在 {first} 至 {last} 之间）",
            "the year {year} is out of range (it must be from {first} to {last})",
        ),
        "calendar_year_empty": (
            "{year} 年尚未录入任何节假日，不能标记为已完整录入",
            "no holiday of {year} has been entered: the year cannot be marked complete",
        ),
        "calendar_year_delete_complete": (
            "{year} 年已标记为完整录入，不能删除；如需修改，请先取消“已完整录入”",
            "{year} is marked complete and cannot be deleted: untick complete first",
        ),
        "special_day_wrong_year": (
            "{day} 不属于 {year} 年，请在 {day} 所在的年份下录入",
            "{day} is not in {year}: enter it under its own year",
        ),
        "special_day_workday_weekday": (
            "{day} 是{weekday}，本来就是工作日：调休上班日应为周六或周日",
            "{day} is a {weekday_en}, a working day anyway: an adjusted working day is a "
            "Saturday or a Sunday",
        ),
        "special_day_name_required": (
            "请填写 {day} 的名称（如“春节”“国庆节”“调休上班”）",
            "give {day} a name (such as 春节, 国庆节, 调休上班)",
        ),
    }
)


class WorkdaysError(DataipError):
    """A calendar request that cannot be carried out; nothing was changed."""


class CalendarUnknown(WorkdaysError):
    """A computation needs a day of a year whose holidays are not (completely) entered.

    Deadlines are never guessed: the caller shows this message until an administrator has
    entered the year (HTTP 409: the request is fine, the platform's calendar is not ready).
    """

    status = 409

    def __init__(self, *, year: int) -> None:
        super().__init__("calendar_unknown", year=year)
        self.year = year
        self.extra = {"year": year}
