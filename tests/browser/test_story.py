"""The whole story in a real browser: from sign-up to a verifiable certificate.

Every step is done on the pages, clicking and typing as a person would, against a running
``dataip serve``; only the accounts no page creates (an administrator, an examiner) are seeded,
and the scheduler is run at a time after the publicity period, read from the page. Each step
leaves a screenshot in ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataip.accounts.validators import credit_code_check_character
from dataip.core.hashing import hash_dataset

from .conftest import EXAMINER_PASSWORD, SHANGHAI, Platform

try:
    from playwright.sync_api import Download, Locator, Page, expect
except ImportError:  # the fixtures skip (or fail on CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Playwright for Python is missing", allow_module_level=True)

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms: auto-waiting expectations; no step of the story takes that long
PASSWORD = "meadow-Falcon-294"
DATA_NAME = "深圳市城市停车场泊位实时状态数据集"
SUMMARY = (
    "本数据集汇集深圳市城市公共停车场各泊位的实时占用状态，时间范围为二〇二五年全年，每五分钟"
    "采集一次，含泊位编号、停车场编号、占用状态和采集时间四个字段，可用于停车诱导和交通规划。"
)
REGISTRANT = "深圳市泊车数据科技有限公司"


class Story:
    """The browser page of the story and its numbered screenshots."""

    def __init__(self, page: Page, base: str, artifacts: Path) -> None:
        self.page = page
        self.base = base
        self.artifacts = artifacts
        self.step = 0

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def shot(self, name: str, *, phone: bool = False) -> None:
        """The whole page; with ``phone``, what a 390 x 844 phone screen shows first."""
        self.step += 1
        path = self.artifacts / f"{self.step:02d}-{name}.png"
        if not phone:
            self.page.screenshot(path=str(path), full_page=True)
            return
        size = self.page.viewport_size
        assert size is not None
        self.page.set_viewport_size({"width": 390, "height": 844})
        try:
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)

    def heading(self, name: str | re.Pattern[str]) -> None:
        expect(self.page.get_by_role("heading", name=name, level=1)).to_be_visible(timeout=WAIT)

    def sign_in(self, username: str, password: str) -> None:
        self.go("/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("main").get_by_role("button", name="登录").click()
        expect(self.page.get_by_role("button", name="退出登录")).to_be_visible(timeout=WAIT)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="退出登录").click()
        expect(self.page.get_by_role("link", name="登录").first).to_be_visible(timeout=WAIT)

    def sign_up(self, username: str) -> None:
        self.go("/accounts/signup/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码", exact=True).fill(PASSWORD)
        self.page.get_by_label("再次输入密码").fill(PASSWORD)
        self.page.get_by_role("button", name="创建账号").click()
        self.heading("用户中心")


#: Counts htmx requests started and finished (response handled, swaps done) on each page.
HTMX_COUNTERS = """
window.__htmx = {started: 0, done: 0};
document.addEventListener("htmx:beforeRequest", () => { window.__htmx.started += 1; });
document.addEventListener("htmx:afterRequest", () => { window.__htmx.done += 1; });
"""


def autosaved(page: Page, title: str, slug: str, fill: Callable[[Locator], None]) -> None:
    """Fill a wizard section, leave its last text field, and wait until that save is shown.

    A section saves on each change and 2 s after the last keystroke (hx-trigger "change, input
    delay:2s", one request at a time); a change cancels a pending delayed save. So each
    ``fill`` ends in a text field, and leaving it (Tab) sends the save that holds everything.
    The next section is filled only when that save's answer is in the page (with the new
    version of the application that every section's next save must carry).
    """
    section = page.get_by_role("region", name=title, exact=True)
    fill(section)
    before = page.evaluate("window.__htmx.started")
    page.keyboard.press("Tab")
    page.wait_for_function(
        "n => window.__htmx.started > n && window.__htmx.started === window.__htmx.done",
        arg=before,
        timeout=WAIT,
    )
    expect(section.get_by_role("status").last).to_contain_text("已保存", timeout=WAIT)
    nav = page.get_by_role("navigation", name="申请的各个部分")
    item = nav.get_by_role("listitem").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(item).to_contain_text("已完善", timeout=WAIT)


def choose(select: Locator, text: str) -> None:
    """Choose the one option of a <select> whose text contains ``text``."""
    option = select.locator("option", has_text=text)
    expect(option).to_have_count(1, timeout=WAIT)
    value = option.get_attribute("value")
    assert value
    select.select_option(value)


class Case:
    """What one step of the story leaves for the next ones."""

    def __init__(self, *, platform: Platform, tmp: Path, files: Path) -> None:
        self.platform = platform
        self.tmp = tmp
        self.files = files
        self.rows: list[str] = []
        self.check_code = ""
        self.edit_url = ""
        self.number = ""
        self.review_url = ""
        self.publicity_end = datetime.date.min


def test_the_story_from_sign_up_to_certificate(
    platform: Platform, browser_context: Any, artifacts: Path, tmp_path: Path
) -> None:
    browser_context.add_init_script(HTMX_COUNTERS)
    story = Story(browser_context.new_page(), platform.base, artifacts)
    case = Case(platform=platform, tmp=tmp_path, files=tmp_path / "files")
    case.files.mkdir()
    applicant_signs_up(story, case)
    applicant_records_evidence(story, case)
    applicant_fills_the_wizard(story, case)
    applicant_uploads_and_submits(story, case)
    examiner_requests_amendment(story, case)
    applicant_amends_and_resubmits(story, case)
    examiner_passes_to_publicity(story, case)
    public_user_objects(story, case)
    examiner_dismisses_the_objection(story, case)
    certificate_is_public(story, case)


def applicant_signs_up(story: Story, case: Case) -> None:
    """The applicant signs up and completes the real-name details."""
    page = story.page
    story.sign_up("zhang-ming")
    story.shot("signup-done")
    real_name = page.get_by_role("region", name="完善实名信息")
    real_name.get_by_label("真实姓名").fill("张明")
    real_name.get_by_label("手机号码").fill("13800138000")
    real_name.get_by_label("登记主体类型").select_option(label="法人")
    real_name.get_by_label("登记主体名称").fill(REGISTRANT)
    first17 = "91440300MA5F3B7C0"
    real_name.get_by_label("居民身份证号码或统一社会信用代码").fill(
        first17 + credit_code_check_character(first17)
    )
    story.shot("real-name-form")
    real_name.get_by_role("button", name="保存实名信息").click()
    registrant = page.get_by_role("region", name="登记主体")
    expect(registrant).to_contain_text(REGISTRANT, timeout=WAIT)
    story.shot("real-name-complete")


def applicant_records_evidence(story: Story, case: Case) -> None:
    """Evidence: the hash value and check code of a dataset, as the offline tool prints them."""
    page = story.page
    dataset = case.tmp / "dataset"
    dataset.mkdir()
    case.rows = [f"{n},P{n:04d},{n % 2},2025-01-01T00:{n % 60:02d}:00" for n in range(1, 201)]
    (dataset / "berths.csv").write_text("id,berth,occupied,at\n" + "\n".join(case.rows) + "\n")
    digest = hash_dataset(dataset)
    case.check_code = digest.check_code
    story.go("/evidence/new/")
    story.heading("办理存证")
    paste = page.get_by_role("region", name="二、填写哈希值和哈希校验码")
    paste.get_by_label("算法").select_option(digest.alg)
    paste.get_by_label("哈希值").fill(digest.root_hex)
    paste.get_by_label("哈希校验码").fill(digest.check_code)
    paste.get_by_label("文件数").fill(str(digest.file_count))
    paste.get_by_label("总字节数").fill(str(digest.total_bytes))
    story.shot("evidence-form")
    paste.get_by_role("button", name="按哈希值存证").click()
    story.heading("存证记录")
    expect(page.get_by_role("main")).to_contain_text(digest.root_hex, timeout=WAIT)
    expect(page.get_by_role("main")).to_contain_text(digest.check_code)
    story.shot("evidence-recorded")


def applicant_fills_the_wizard(story: Story, case: Case) -> None:
    """The wizard."""
    page = story.page
    story.go("/applications/")
    story.heading("我的申请")
    page.get_by_label("数据名称（之后可以修改）").fill(DATA_NAME)
    story.shot("desk-empty")
    page.get_by_role("button", name="开始填写申请").click()
    story.heading("填写登记申请")
    case.edit_url = page.url

    def basic(section: Locator) -> None:
        section.get_by_label("门类").select_option(label="I 信息传输、软件和信息技术服务业")
        division = section.get_by_label("行业大类", exact=True)
        # The division list is replaced when the section is chosen: wait for the narrowed list.
        expect(division.locator("option", has_text="农业")).to_have_count(0, timeout=WAIT)
        choose(division, "软件和信息技术服务业")
        section.get_by_label("数据简介").fill(SUMMARY)

    autosaved(page, "数据名称、简介和所属行业", "basic", basic)

    def source(section: Locator) -> None:
        section.get_by_role("radio", name="自行生产").check()
        section.get_by_label("数据来源", exact=True).fill(
            "本公司运营的停车场泊位地磁传感器自动采集。"
        )
        section.get_by_label("数据生产过程").fill(
            "泊位地磁传感器每五分钟上报一次占用状态，经本公司停车管理平台接收、入库。"
        )
        section.get_by_label("数据构成").fill("一张泊位状态表：泊位编号、占用状态、采集时间。")

    autosaved(page, "数据来源及证明", "source", source)

    def processing(section: Locator) -> None:
        section.get_by_role("radio", name="否，数据不公开").check()
        section.get_by_role("checkbox", name="实质性加工").check()
        section.get_by_label("数据处理规则简要说明").fill(
            "清洗异常上报、按泊位去重、统一时间粒度。"
        )
        section.get_by_label("数据处理规则详细说明").fill(
            "剔除传感器离线期间的数据；同一泊位五分钟内的多次上报取最后一次；时间统一为北京时间。"
        )
        section.get_by_label("应用场景").fill("停车诱导屏实时显示空余泊位，减少寻找车位的绕行。")

    autosaved(page, "数据处理规则和应用场景", "processing", processing)

    def data(section: Locator) -> None:
        choose(section.get_by_label("存证记录"), case.check_code)
        section.get_by_label("数据量（记录数）").fill("200")

    autosaved(page, "数据量和存证", "data", data)
    story.shot("wizard-sections-filled")


def applicant_uploads_and_submits(story: Story, case: Case) -> None:
    """Samples and materials: files a person would have on their computer."""
    page = story.page
    review_rows = "\n".join(case.rows[:60])
    (case.files / "审核样例.csv").write_text("id,berth,occupied,at\n" + review_rows + "\n")
    (case.files / "展示样例.csv").write_text(
        "id,berth,occupied,at\n" + "\n".join(case.rows[:5]) + "\n"
    )
    upload_sample(page, "审核样例", case.files / "审核样例.csv", "60 条记录")
    upload_sample(page, "展示样例", case.files / "展示样例.csv", "5 条记录")
    for name, label in [
        ("数据来源说明.pdf", "数据来源说明"),
        ("数据结构说明.pdf", "数据结构说明"),
        ("承诺书.pdf", "承诺书"),
        ("来源证明材料.pdf", "来源证明材料"),
    ]:
        (case.files / name).write_bytes(pdf(name))
        upload_material(page, f"文件：{label}", case.files / name)
    story.shot("wizard-materials")

    form_pdf = download_form(page, case.files / "申请书-盖章.pdf")
    upload_material(page, "文件：盖章的申请书", form_pdf)
    nav = page.get_by_role("navigation", name="申请的各个部分")
    expect(nav).not_to_contain_text("缺", timeout=WAIT)
    story.shot("wizard-complete")
    story.shot("wizard-phone", phone=True)

    page.get_by_role("link", name="检查并提交").click()
    story.heading("检查并提交")
    story.shot("submit-check")
    page.get_by_role("button", name="提交申请").click()
    case.number = application_number(page)
    story.shot("submitted")
    story.go("/applications/")
    expect(page.get_by_role("main")).to_contain_text(case.number, timeout=WAIT)
    story.shot("desk-submitted")
    story.shot("desk-phone", phone=True)
    story.sign_out()


def examiner_requests_amendment(story: Story, case: Case) -> None:
    """The examiner requests an amendment."""
    page = story.page
    story.sign_in("examiner-browser", EXAMINER_PASSWORD)
    story.go("/review/")
    story.heading("审查工作台")
    story.shot("review-queue")
    story.shot("review-queue-phone", phone=True)
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("main")).to_contain_text(DATA_NAME, timeout=WAIT)
    case.review_url = page.url
    page.get_by_role("link", name="开始审核").click()
    page.get_by_role("button", name="确认：开始审核").click()
    expect(page.get_by_role("link", name="要求补正")).to_be_visible(timeout=WAIT)
    story.shot("review-started")
    page.get_by_role("link", name="要求补正").click()
    choose(page.get_by_label("问题 1：涉及"), "应用场景")
    page.get_by_label("问题 1：存在的问题及应如何补正").fill(
        "应用场景过于笼统：请写明使用数据的单位、解决的具体问题和取得的效果。"
    )
    story.shot("amendment-form")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认：发出补正要求").click()
    expect(page.get_by_role("main")).to_contain_text("应用场景过于笼统", timeout=WAIT)
    story.shot("amendment-requested")
    story.sign_out()


def applicant_amends_and_resubmits(story: Story, case: Case) -> None:
    """The applicant amends and resubmits."""
    page = story.page
    story.sign_in("zhang-ming", PASSWORD)
    story.go("/applications/")
    page.get_by_role("link", name=DATA_NAME).first.click()
    expect(page.get_by_role("main")).to_contain_text("应用场景过于笼统", timeout=WAIT)
    story.shot("applicant-sees-defects")
    page.goto(case.edit_url)
    story.heading("填写登记申请")

    def amended(section: Locator) -> None:
        section.get_by_label("应用场景").fill(
            "深圳市交通运输局和本公司的停车诱导屏按泊位实时显示空余车位，"
            "驾驶人找车位的平均绕行时间由约八分钟降至约三分钟。"
        )

    autosaved(page, "数据处理规则和应用场景", "processing", amended)
    # The data changed after the stamped form was generated: it must be stamped again. The
    # section list says so at once; the materials section tells why once the page is reloaded.
    materials = page.get_by_role("navigation", name="申请的各个部分").get_by_role("listitem")
    materials = materials.filter(has=page.get_by_role("link", name="申请材料", exact=True))
    expect(materials).to_contain_text("缺 1 项", timeout=WAIT)
    page.reload()
    outdated = page.get_by_role("alert").filter(has_text="请下载新的申请书")
    expect(outdated).to_be_visible(timeout=WAIT)
    story.shot("amend-form-outdated")
    form_pdf = download_form(page, case.files / "申请书-补正后盖章.pdf")
    upload_material(page, "文件：盖章的申请书", form_pdf)
    expect(outdated).to_have_count(0, timeout=WAIT)
    page.get_by_role("link", name=re.compile("检查并(重新)?提交")).click()
    story.heading("检查并重新提交")
    story.shot("resubmit-check")
    page.get_by_role("button", name="重新提交补正后的申请").click()
    expect(page.get_by_role("main")).to_contain_text("待审核", timeout=WAIT)
    story.shot("resubmitted")
    story.sign_out()


def examiner_passes_to_publicity(story: Story, case: Case) -> None:
    """The examiner passes it to publicity."""
    page = story.page
    story.sign_in("examiner-browser", EXAMINER_PASSWORD)
    page.goto(case.review_url)
    page.get_by_role("link", name="开始审核").click()
    page.get_by_role("button", name="确认：开始审核").click()
    page.get_by_role("link", name="审核通过，进入公示").click()
    story.shot("publicity-confirm")
    page.get_by_role("button", name="确认：进入公示").click()
    expect(page.get_by_role("term").filter(has_text="公示期至")).to_be_visible(timeout=WAIT)
    case.publicity_end = datetime.date.fromisoformat(
        re.search(r"\d{4}-\d{2}-\d{2}", definition_of(page, "公示期至")).group()  # type: ignore[union-attr]
    )
    story.shot("in-publicity")
    story.sign_out()


def public_user_objects(story: Story, case: Case) -> None:
    """A third person signs up and objects."""
    page = story.page
    story.go("/publicity/")
    story.heading("公示中的申请")
    expect(page.get_by_role("main")).to_contain_text(DATA_NAME, timeout=WAIT)
    story.shot("publicity-list")
    page.get_by_role("link", name=re.compile(DATA_NAME)).first.click()
    publicity_url = page.url
    story.sign_up("wang-fang")
    page.goto(publicity_url)
    objection = page.get_by_role("region", name="提出异议")
    objection.get_by_label("异议理由").fill(
        "该停车场的泊位传感器由本人所在单位安装并采集数据，申请人无权单独登记。"
    )
    story.shot("objection-form")
    objection.get_by_role("button", name="提交异议").click()
    expect(page.get_by_role("main")).to_contain_text("您的异议已提交", timeout=WAIT)
    story.shot("objection-filed")
    story.sign_out()


def examiner_dismisses_the_objection(story: Story, case: Case) -> None:
    """The examiner decides: not established."""
    page = story.page
    story.sign_in("examiner-browser", EXAMINER_PASSWORD)
    page.goto(case.review_url)
    page.get_by_role("link", name="处理这项异议").click()
    page.get_by_role("radio", name=re.compile("异议不成立：")).check()
    page.get_by_role("radio", name="无（异议不成立）").check()
    page.get_by_label("审查意见").fill("异议人未提供协商协议、调解协议或法院判决，异议不成立。")
    story.shot("objection-decision")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认处理结果").click()
    expect(page.get_by_role("main")).to_contain_text("异议不成立", timeout=WAIT)
    story.shot("objection-decided")
    story.sign_out()


def certificate_is_public(story: Story, case: Case) -> None:
    """Time passes: the scheduler runs after the publicity period."""
    page = story.page
    after = datetime.datetime.combine(
        case.publicity_end + datetime.timedelta(days=1), datetime.time(1, 0), tzinfo=SHANGHAI
    )
    case.platform.manage("registry_tick", "--now", after.isoformat())

    story.go("/announcements/")
    story.heading("登记公告")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=DATA_NAME))
    expect(row).to_contain_text(case.number, timeout=WAIT)
    expect(row).to_contain_text(after.date().isoformat())  # the registration date
    # Numbers as docs/registration.md lays them out, computed here: the 16-character
    # registration case.number ends in its ISO 7064 MOD 11-2 check character; the certificate
    # case.number is year, month, registration body (4400) and the month's first serial.
    registration = f"4400{after.year}{1:07d}"
    registration += iso7064_mod11_2(registration)
    expect(row).to_contain_text(registration)
    story.shot("announcement")
    row.get_by_role("link", name=DATA_NAME).click()
    expect(page.get_by_role("main")).to_contain_text(registration, timeout=WAIT)
    certificate = definition_of(page, "证书编号").strip()
    assert certificate == f"{after.year}{after.month:02d}4400{1:07d}"
    story.shot("register-record")
    story.go("/verify/")
    page.get_by_label("证书编号").fill(certificate)
    page.get_by_role("button", name="查验证书").click()
    expect(page).to_have_url(re.compile(f"/verify/certificate/{certificate}/$"), timeout=WAIT)
    expect(page.get_by_role("main")).to_contain_text(DATA_NAME, timeout=WAIT)
    expect(page.get_by_role("main")).to_contain_text(REGISTRANT)
    expect(page.get_by_role("main")).to_contain_text(certificate)
    story.shot("certificate")
    story.shot("certificate-phone", phone=True)


def iso7064_mod11_2(digits: str) -> str:
    """The check character of ISO 7064 MOD 11-2 (as in the resident ID number)."""
    p = 0
    for digit in digits:
        p = (p + int(digit)) * 2 % 11
    check = (12 - p) % 11
    return "X" if check == 10 else str(check)


def pdf(title: str) -> bytes:
    """A small, well-formed one-page PDF (ISO 32000-1), as a scanner would write."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%% " + title.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def upload_sample(page: Page, heading: str, path: Path, shown: str) -> None:
    sample = page.locator("div.sample").filter(has=page.get_by_role("heading", name=heading))
    sample.get_by_label("样例数据文件").set_input_files(path)
    sample.get_by_role("button", name="上传").click()
    again = page.locator("div.sample").filter(has=page.get_by_role("heading", name=heading))
    expect(again).to_contain_text(shown, timeout=WAIT)


def upload_material(page: Page, label: str, path: Path) -> None:
    form = page.locator("form").filter(has=page.get_by_label(label, exact=True))
    form.get_by_label(label, exact=True).set_input_files(path)
    form.get_by_role("button", name="上传").click()
    expect(page.get_by_role("link", name=path.name).last).to_be_visible(timeout=WAIT)


def download_form(page: Page, target: Path) -> Path:
    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("link", name="下载申请书（PDF）").first.click()
    download: Download = info.value
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    return target


def definition_of(page: Page, term: str) -> str:
    """The text of the <dd> after the <dt> ``term``."""
    dd = page.locator(f"xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]")
    expect(dd).to_be_visible(timeout=WAIT)
    return dd.inner_text()


def application_number(page: Page) -> str:
    main = page.get_by_role("main")
    expect(main).to_contain_text(re.compile(r"SJ\d{4}\d{4}\d{7}"), timeout=WAIT)
    found = re.search(r"SJ\d{15}", main.inner_text())
    assert found
    return found.group()
