"""``dataip manage workdays_load``: load the chinesecalendar package's years into the calendar.

Idempotent. A missing year is created complete; a year loaded from the package earlier is
updated when the installed package says otherwise; a year an administrator entered or edited is
kept as it is (and reported when the package disagrees with it). Run it after upgrading
``chinesecalendar``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dataip.workdays import selectors, services
from dataip.workdays.package import PACKAGE, package_version


class Command(BaseCommand):
    help = "Load the years of the chinesecalendar package; years edited by administrators stay."

    def handle(self, *args: Any, **options: Any) -> None:
        results = services.calendar_load_package()
        years = [r.year for r in results]
        self.stdout.write(
            f"{PACKAGE} {package_version()}：{years[0]}–{years[-1]} 年 / "
            f"covers {years[0]}–{years[-1]}"
        )
        for result in results:
            if result.outcome == "created":
                self.stdout.write(f"{result.year}: 已载入 / loaded")
            elif result.outcome == "updated":
                self.stdout.write(
                    f"{result.year}: 已按软件包更新 {result.differences} 天 / "
                    f"updated from the package ({result.differences} day(s) changed)"
                )
            elif result.outcome == "kept" and result.differences:
                self.stdout.write(
                    f"{result.year}: 管理员录入，保留不变；"
                    f"与软件包有 {result.differences} 天不同 / kept as entered by an "
                    f"administrator; differs from the package on {result.differences} day(s)"
                )
        counts = {
            outcome: sum(r.outcome == outcome for r in results)
            for outcome in ("created", "updated", "unchanged", "kept")
        }
        self.stdout.write(
            f"载入 {counts['created']} 年，更新 {counts['updated']} 年，"
            f"未变 {counts['unchanged']} 年，保留管理员录入 {counts['kept']} 年 / "
            f"{counts['created']} loaded, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['kept']} kept (edited by administrators)"
        )
        known = selectors.known_years()
        self.stdout.write(
            f"已完整录入的年份 / complete years: {selectors.year_ranges(known) or '—'}"
        )
