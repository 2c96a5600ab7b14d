"""``dataip manage registry_demo [--url URL] [--evidence-dir DIR]``: load the demo registry.

What ``make run`` shows a newcomer: accounts, registrants and applications in every state (see
``dataip.registry.demo``). Idempotent: once the demo's accounts exist, a second run changes
nothing and says so. Either way it ends with one line per application and the demo logins.
The applications' history ends before the command runs: it is moved back by whole weeks when
needed (``demo.timeline_shift``), and the first line says until when it goes.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dataip.core.errors import DataipError
from dataip.registry import demo
from dataip.registry.models import Status


def _width(text: str) -> int:
    """Columns the text takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    # Two spaces between columns: single spaces occur inside cells ("审查员 examiner").
    return [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _history(report: demo.DemoReport) -> tuple[str, str]:
    """Until when the applications' history goes, in Chinese and in English."""
    assert report.history_end is not None  # noqa: S101 - set when loaded
    end = timezone.localtime(report.history_end).strftime("%Y-%m-%d %H:%M")
    weeks = report.shift // demo.WEEK
    if not weeks:
        return f"办理经过截至 {end}", f"history up to {end}"
    return (
        f"办理经过截至 {end}（按载入时间整体提前 {weeks} 周）",
        f"history up to {end} (moved back {weeks} weeks to end before now)",
    )


class Command(BaseCommand):
    help = "Load the demo registry (accounts and applications in every state); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="the platform's address, for the sign-in links printed (default: %(default)s)",
        )
        parser.add_argument(
            "--evidence-dir",
            type=Path,
            default=None,
            help="where the demo datasets are written and hashed (default: DATA_DIR/demo-evidence)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["evidence_dir"] or Path(settings.DATAIP_DATA_DIR) / "demo-evidence"
        try:
            report = demo.demo_load(evidence_dir=directory)
        except demo.DemoConflict as conflict:
            raise CommandError(
                f"用户名已被占用：{', '.join(conflict.taken)}；"
                "演示数据只能载入不含这些账号的数据库 / "
                f"user names taken: {', '.join(conflict.taken)}; the demo loads only into a "
                "database without them"
            ) from None
        except DataipError as error:
            raise CommandError(
                f"演示数据未载入 / demo not loaded: {error.message('both')}"
            ) from None
        if report.loaded:
            zh, en = _history(report)
            self.stdout.write(
                f"已载入演示数据：{len(report.applications)} 件登记申请，{zh}，数据集见 "
                f"{directory} / demo registry loaded: {len(report.applications)} applications, "
                f"{en}, datasets in {directory}"
            )
        else:
            self.stdout.write(
                "演示数据此前已载入，本次未作任何更改 / the demo registry is loaded already: "
                "nothing changed"
            )
        self._applications(report.applications)
        self._logins(options["url"].rstrip("/"))

    def _applications(self, applications: list[demo.DemoApplication]) -> None:
        rows = [["申请号 / number", "状态 / state", "数据名称 / data name"]]
        rows += [
            [a.number or "（草稿无申请号）", f"{Status(a.status).label} {a.status}", a.data_name]
            for a in applications
        ]
        self.stdout.write("")
        for line in _table(rows):
            self.stdout.write(line)

    def _logins(self, url: str) -> None:
        self.stdout.write("")
        self.stdout.write(
            "演示账号（密码仅供演示，正式使用前请删除这些账号） / "
            "Demo logins (for trying out only: delete them before real use)"
        )
        self.stdout.write(f"  登录 / sign in:      {url}{demo.SIGN_IN}")
        self.stdout.write(f"  管理后台 / admin:    {url}{demo.ADMIN_SIGN_IN}")
        self.stdout.write(f"  接口文档 / API docs: {url}{demo.API_DOCS}")
        self.stdout.write("")
        rows = [
            [
                "角色 / role",
                "用户名 / username",
                "密码 / password",
                "登录 / sign in at",
                "代表 / acts for",
            ]
        ]
        rows += [
            [
                f"{login.role_zh} {login.role_en}",
                login.username,
                login.password,
                f"{url}{login.sign_in}",
                login.acts_for or "—",
            ]
            for login in demo.LOGINS
        ]
        for line in _table(rows):
            self.stdout.write(line)
