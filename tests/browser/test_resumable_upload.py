"""A resumable upload in a real browser: the connection breaks, the page resumes it.

An applicant uploads a folder of two files (3.5 MiB of random bytes, and a small CSV with a
Chinese name) on the evidence page. Playwright lets the first ``PATCH`` through and aborts every
later one, as a broken connection would; the page retries (its back-off timers are run forward
with Playwright's clock, so the test does not wait 31 s) and then offers "继续上传". Once the
connection is back, "继续上传" finishes the upload and the record shows the hash value computed
independently over the same folder. Then a second upload breaks, the page is reloaded, the upload
is in the list of unfinished uploads (with the first MiB of its big file, which the test sends as
the platform keeps it of a piece cut short); a folder that is not the same one is refused with
the names that differ, and the same folder again continues it from there. Screenshots go to
``tests/browser/artifacts/resumable/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from tests.core import reference

from dataip.core.hashing import DatasetDigest, hash_dataset

from .conftest import Platform

try:
    from playwright.sync_api import Locator, Page, Route, expect
except ImportError:  # the fixtures skip (or fail on CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Playwright for Python is missing", allow_module_level=True)

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms
MIB = 1_048_576
PASSWORD = "harbour-Lantern-815"
#: More than the page's whole back-off (1 + 2 + 4 + 8 + 16 s) takes one step of.
BACK_OFF_STEP = 16_500
PIECES = "**/api/v1/evidence/uploads/*/files/*"
FOLDER_LABEL = "或选择一个文件夹（含其中全部文件）"


class Shots:
    """Numbered screenshots in their own directory (the story's fixture empties the top one)."""

    def __init__(self, page: Page, directory: Path) -> None:
        self.page = page
        self.directory = directory
        self.step = 0
        directory.mkdir(exist_ok=True)
        for old in directory.glob("*.png"):
            old.unlink()

    def __call__(self, name: str, *, phone: bool = False) -> None:
        self.step += 1
        path = str(self.directory / f"{self.step:02d}-{name}.png")
        if not phone:
            self.page.screenshot(path=path, full_page=True)
            return
        size = self.page.viewport_size
        assert size is not None
        self.page.set_viewport_size({"width": 390, "height": 844})
        try:
            self.page.screenshot(path=path, full_page=True)
        finally:
            self.page.set_viewport_size(size)


class Breaker:
    """Lets the first ``passes`` PATCHes of file bytes through and aborts every later one."""

    def __init__(self, passes: int = 1) -> None:
        self.passes = passes
        self.passed = 0
        self.aborted = 0

    def __call__(self, route: Route) -> None:
        if route.request.method != "PATCH":
            route.continue_()
        elif self.passed < self.passes:
            self.passed += 1
            route.continue_()
        else:
            self.aborted += 1
            route.abort("connectionreset")


def dataset(root: Path, folder: str, big: str, small: str) -> tuple[Path, DatasetDigest]:
    """``root/folder`` with two files; its digest as the browser's names give it (folder/...)."""
    data = root / folder
    data.mkdir(parents=True)
    (data / big).write_bytes(os.urandom(3 * MIB + MIB // 2))
    rows = "\n".join(f"{n},{n * 37 % 1000},2025-03-{n % 28 + 1:02d}" for n in range(1, 41))
    (data / small).write_text("编号,吨数,日期\n" + rows + "\n", encoding="utf-8")
    digest = hash_dataset(root)
    oracle = reference.digest(root, "sm3")
    assert (digest.root_hex, digest.file_count, digest.total_bytes) == (
        oracle.root.hex(),
        2,
        3 * MIB + MIB // 2 + len((data / small).read_bytes()),
    )
    assert digest.check_code == reference.check_code(
        "sm3", oracle.root.hex(), oracle.file_count, oracle.total_bytes
    )
    return data, digest


def sign_up(page: Page, base: str, username: str) -> None:
    page.goto(base + "/accounts/signup/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("heading", name="用户中心", level=1)).to_be_visible(timeout=WAIT)


def run_out_the_back_off(page: Page, resume: Locator) -> None:
    """Fire the page's retry timers one after the other until it gives up and offers Resume."""
    for _ in range(12):
        if resume.is_visible():
            return
        page.clock.fast_forward(BACK_OFF_STEP)
        try:
            expect(resume).to_be_visible(timeout=1_000)
        except AssertionError:
            continue
        return
    expect(resume).to_be_visible(timeout=1)


def recorded(page: Page, digest: DatasetDigest) -> None:
    """The record page of ``digest``: the hash value the independent computation gave."""
    expect(page.get_by_role("heading", level=1)).to_contain_text("存证记录", timeout=WAIT)
    main = page.get_by_role("main")
    expect(main).to_contain_text(digest.root_hex, timeout=WAIT)
    expect(main).to_contain_text(digest.check_code)
    expect(main).to_contain_text("上传文件")  # how it was recorded


def test_a_broken_upload_is_resumed(
    platform: Platform, browser_context: Any, artifacts: Path, tmp_path: Path
) -> None:
    page = browser_context.new_page()
    page.clock.install()  # the back-off timers run when the test says so
    shot = Shots(page, artifacts / "resumable")
    sign_up(page, platform.base, "li-hua")
    resumed_after_the_break(page, shot, platform.base, tmp_path / "one")
    folder, digest = broken_and_reloaded(page, shot, platform.base, tmp_path / "two")
    continued_from_the_list(page, shot, folder, digest, tmp_path / "wrong")
    page.goto(platform.base + "/evidence/new/")
    expect(page.locator("#unfinished-uploads")).to_have_count(0)
    page.goto(platform.base + "/evidence/")
    expect(page.get_by_role("main")).to_contain_text("港口吞吐量")
    expect(page.get_by_role("main")).to_contain_text("渔业捕捞")


def start_upload(page: Page, base: str, folder: Path, label: str) -> Locator:
    """The folder and label chosen on the evidence page; its upload section."""
    page.goto(base + "/evidence/new/")
    section = page.get_by_role("region", name="三、上传文件")
    section.get_by_label(FOLDER_LABEL).set_input_files(folder)
    section.get_by_label("数据名称（选填，仅自己可见）").fill(label)
    expect(section).to_contain_text("2 个文件，共 3.7 MB")
    return section


def resumed_after_the_break(page: Page, shot: Shots, base: str, root: Path) -> None:
    """The connection breaks; the page retries, gives up, and "继续上传" finishes the upload."""
    folder, digest = dataset(root, "港口吞吐量数据", "集装箱.bin", "说明-港口.csv")
    section = start_upload(page, base, folder, "港口吞吐量")
    status = section.get_by_role("status")
    breaker = Breaker()
    page.route(PIECES, breaker)
    with page.expect_response(lambda r: r.request.method == "PATCH") as first:
        section.get_by_role("button", name="上传并存证").click()
    assert first.value.status == 204, first.value.status
    expect(status).to_contain_text("网络连接中断", timeout=WAIT)
    expect(status).to_contain_text(re.compile(r"\d+ 秒后重试（第 \d 次，共 5 次）"))
    shot("retrying")
    resume = section.get_by_role("button", name="继续上传")
    run_out_the_back_off(page, resume)
    expect(status).to_contain_text("5 次重试都没有成功")
    expect(status).to_contain_text("已收到的部分会保留")
    assert breaker.passed == 1 and breaker.aborted >= 1 + 5, vars(breaker)
    # Mid-way: the platform has one file's bytes (whichever PATCH went first), not the other's.
    unfinished = page.request.get(base + "/api/v1/evidence/uploads").json()
    assert len(unfinished) == 1, unfinished
    assert 0 < unfinished[0]["received_bytes"] < digest.total_bytes, unfinished
    assert not unfinished[0]["complete"], unfinished
    expect(resume).to_be_focused()
    # Starting afresh would leave this upload behind: only "继续上传" is offered.
    expect(section.get_by_role("button", name="上传并存证")).to_be_disabled()
    shot("broken-resume-offered")
    page.unroute(PIECES)
    page.keyboard.press("Enter")  # the focused "继续上传"
    recorded(page, digest)
    shot("resumed-recorded")


def broken_and_reloaded(
    page: Page, shot: Shots, base: str, root: Path
) -> tuple[Path, DatasetDigest]:
    """Broken from the start, the page reloaded: the upload is in the list, 1 MiB received.

    The big file's piece was cut short after its first MiB, which the platform kept (as it keeps
    a cut piece's whole MiB): the test sends that MiB itself, so that the page must continue
    that file from its middle.
    """
    folder, digest = dataset(root, "渔业捕捞数据", "渔获.bin", "渔获-统计.csv")
    section = start_upload(page, base, folder, "渔业捕捞")
    breaker = Breaker(passes=0)
    page.route(PIECES, breaker)
    section.get_by_role("button", name="上传并存证").click()
    expect(section.get_by_role("status").first).to_contain_text("秒后重试", timeout=WAIT)
    page.reload()  # before unrouting: a retry due meanwhile would get through
    page.unroute(PIECES)
    assert breaker.passed == 0 and breaker.aborted >= 2, vars(breaker)
    (listed,) = page.request.get(base + "/api/v1/evidence/uploads").json()
    upload = page.request.get(f"{base}/api/v1/evidence/uploads/{listed['id']}").json()
    big = next(f for f in upload["files"] if f["name"] == "渔业捕捞数据/渔获.bin")
    assert upload["received_bytes"] == 0 and big["offset"] == 0, upload
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    cut = page.request.patch(
        base + big["url"],
        headers={
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
            "Tus-Resumable": "1.0.0",
            "X-CSRFToken": csrf,
        },
        data=(folder / "渔获.bin").read_bytes()[:MIB],
    )
    assert cut.status == 204 and cut.headers["upload-offset"] == str(MIB), cut.status
    page.reload()
    expect(page.locator("#unfinished-uploads").get_by_role("listitem")).to_have_count(1)
    card = page.locator("#unfinished-uploads").get_by_role("listitem").first
    expect(card.get_by_role("heading", name="渔业捕捞")).to_be_visible()
    expect(card).to_contain_text("SM3 · 2 个文件")
    expect(card).to_contain_text("已收到 1.0\xa0MB / 3.5\xa0MB（28%）")
    expect(page.get_by_role("main")).to_contain_text("您有 1 个未完成的上传")
    shot("unfinished-listed")
    shot("unfinished-phone", phone=True)
    return folder, digest


def continued_from_the_list(
    page: Page, shot: Shots, folder: Path, digest: DatasetDigest, other: Path
) -> None:
    """Another folder of the same name is refused, saying why; the same folder continues it."""
    wrong = other / folder.name
    wrong.mkdir(parents=True)
    big = wrong / "渔获.bin"
    big.write_bytes((folder / "渔获.bin").read_bytes())  # the same size, modified later
    mtime = (folder / "渔获.bin").stat().st_mtime + 3600
    os.utime(big, (mtime, mtime))
    (wrong / "备注.txt").write_text("不属于这次上传\n", encoding="utf-8")
    card = page.locator("#unfinished-uploads").get_by_role("listitem").first
    card.get_by_label("或相同的文件夹").set_input_files(wrong)
    card.get_by_role("button", name="继续这次上传").click()
    status = card.get_by_role("status")
    expect(status).to_contain_text("所选文件与这次上传的文件不一致，无法继续", timeout=WAIT)
    expect(status).to_contain_text("缺少：渔业捕捞数据/渔获-统计.csv")
    expect(status).to_contain_text("上传开始后已修改：渔业捕捞数据/渔获.bin")
    expect(status).to_contain_text("不属于这次上传：渔业捕捞数据/备注.txt")
    expect(status).to_contain_text("或者放弃这次上传，重新开始新的上传")
    shot("unfinished-wrong-folder")

    card.get_by_label("或相同的文件夹").set_input_files(folder)
    card.get_by_role("button", name="继续这次上传").click()
    recorded(page, digest)
    shot("continued-recorded")
