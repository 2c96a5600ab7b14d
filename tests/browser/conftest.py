"""A real platform and a real browser for the story test.

``dataip serve`` runs as a subprocess on a free loopback port with a scratch data directory and
a database of the suite's own kind (a fresh PostgreSQL database when the suite runs on
PostgreSQL, a SQLite file otherwise), with ``DATAIP_CLOCK_OVERRIDE=1`` so that the test can run
the scheduler at a later time. Debian's ``chromium`` is driven by Playwright for Python
(``scripts/install-browser.sh`` installs the browser; Playwright never downloads one here).

Without chromium or Playwright the test is skipped, except when ``CI`` is set: there it fails.
Screenshots go to ``tests/browser/artifacts/`` (git-ignored); on a failure the page, its
accessibility tree and the server's output are saved there too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from tests.support.databases import scratch_database

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
DATAIP = str(Path(sys.executable).with_name("dataip"))
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Accounts no page creates: an administrator (createsuperuser's job) and an examiner (a role
#: only an administrator gives). Years the working-day calendar lacks get a minimal complete
#: calendar (New Year's Day), so that deadlines near the turn of a year are computable.
SEED = """
import datetime, zoneinfo
from django.db import transaction
from django.utils import timezone
from dataip.accounts import services as accounts
from dataip.accounts.models import Role, User
from dataip.workdays import services as workdays
from dataip.workdays.selectors import known_years

today = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
with transaction.atomic():
    admin = User.objects.create_superuser(
        "admin-browser", email="admin-browser@example.com", password={admin_password!r},
        role=Role.ADMINISTRATOR, real_name="刘管理",
    )
    examiner = accounts.user_register(
        username="examiner-browser", password={examiner_password!r},
        email="examiner-browser@example.com",
    )
    accounts.user_set_role(actor=admin, user=examiner, role=Role.EXAMINER)
    known = set(known_years())
    for year in sorted({{today.year, (today + datetime.timedelta(days=60)).year}} - known):
        workdays.special_day_set(
            actor=admin, day=datetime.date(year, 1, 1), kind="holiday", name="元旦"
        )
        workdays.calendar_year_complete(actor=admin, year=year)
        print("calendar entered for", year)
"""

ADMIN_PASSWORD = "lantern-Quartz-73"
EXAMINER_PASSWORD = "harbour-Kestrel-58"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (loopback http)
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Platform:
    """``dataip serve`` in the background, its output kept in files."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout = logs / "serve.out"
        self.stderr = logs / "serve.err"
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = subprocess.Popen(
                [DATAIP, "serve", "--addr", f"127.0.0.1:{self.port}", "--workers", "1"],
                stdout=out,
                stderr=err,
                env=env,
            )

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def wait_until_healthy(self) -> dict[str, str]:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"dataip serve exited:\n{self.output()}"
            try:
                status, body = _get(f"{self.base}/api/v1/health")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
                continue
            assert status == 200, body
            health: dict[str, str] = json.loads(body)
            return health
        pytest.fail(f"dataip serve did not answer within {START_TIMEOUT} s:\n{self.output()}")

    def manage(self, *args: str) -> str:
        """``dataip manage ...`` in the server's environment (database, data directory)."""
        result = subprocess.run(
            [DATAIP, "manage", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, f"dataip manage {args[0]}:\n{result.stdout}{result.stderr}"
        return result.stdout

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def chromium() -> str:
    """The path of Debian's chromium; without it a skip, or a failure when CI is set."""
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: run scripts/install-browser.sh"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def server_env(tmp_path: Path, dataip_data_dir: Path) -> Iterator[dict[str, str]]:
    """The server's environment, with an empty database of the suite's kind."""
    with scratch_database(prefix="dataip_browser", sqlite_path=tmp_path / "browser.sqlite3") as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATAIP_DATA_DIR": str(dataip_data_dir),
            "DATAIP_CLOCK_OVERRIDE": "1",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        yield env


@pytest.fixture
def platform(server_env: dict[str, str], tmp_path: Path, artifacts: Path) -> Iterator[Platform]:
    """The running platform, seeded with an administrator and an examiner."""
    running = Platform(server_env, tmp_path)
    try:
        health = running.wait_until_healthy()
        # The server runs on the suite's kind of database, not on a default it fell back to.
        assert health["status"] == "ok" and health["database"] == connection.vendor, health
        running.manage(
            "shell",
            "--no-imports",
            "--command",
            SEED.format(admin_password=ADMIN_PASSWORD, examiner_password=EXAMINER_PASSWORD),
        )
        yield running
    finally:
        running.stop()
        shutil.copy(running.stdout, artifacts / "serve.out")
        shutil.copy(running.stderr, artifacts / "serve.err")


@pytest.fixture
def artifacts() -> Path:
    """The screenshot directory, emptied of an earlier run's files."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.iterdir():
        if old.is_file() and old.name != ".gitignore":
            old.unlink()
    return ARTIFACTS


@pytest.fixture
def browser_context(chromium: str, artifacts: Path, tmp_path: Path, request: Any) -> Iterator[Any]:
    """A headless chromium with a new, empty profile, in Chinese (zh-CN)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright for Python is missing: pip install playwright==1.65.2"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                for number, page in enumerate(context.pages):
                    try:
                        page.screenshot(
                            path=str(artifacts / f"failure-{number}.png"), full_page=True
                        )
                        (artifacts / f"failure-{number}.txt").write_text(
                            page.url + "\n" + page.locator("body").aria_snapshot(timeout=5_000)
                        )
                    except Exception as error:
                        (artifacts / f"failure-{number}.txt").write_text(repr(error))
            context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, for the failure artifacts above."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
