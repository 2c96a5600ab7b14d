"""The review desk's pages: who may open them, the queues, the review page, every decision.

Dates are computed by hand from the 2025 calendar (see tests/registry/factories.py): publicity
taken up on Monday 2025-03-03 ends on 2025-03-10, an amendment requested that day is due on
2025-03-17.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from tests.registry.factories import (
    AMENDMENT_DUE,
    PUBLICITY_END,
    T0,
    World,
    application_complete,
    at,
    evidence_make,
    pdf_bytes,
    user_make,
)

from dataip.accounts.models import Role
from dataip.registry import services
from dataip.registry.models import (
    Application,
    ApplicationEvent,
    Event,
    MaterialKind,
    Objection,
    ObjectionStatus,
    Status,
)
from dataip.transparency.models import LogEntry
from dataip.transparency.services import log_catch_up
from dataip.workdays.models import CalendarYear

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as clock:
        yield clock


def _html(response) -> str:
    return str(response.content.decode())


def _text(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(response)))


def _attachment_bytes(response) -> bytes:
    return bytes(b"".join(response.streaming_content))


# --- who may open what -----------------------------------------------------------------------

ROLES = ("anonymous", "applicant", "other", "public", "administrator", "examiner")
EXPECTED = {
    "anonymous": 302,
    "applicant": 403,
    "other": 403,
    "public": 403,
    "administrator": 403,
    "examiner": 200,
}


@pytest.fixture
def pages(world, frozen):
    """Every page of the desk, each on an application in a state where it can be shown."""
    submitted = world.application_in(Status.SUBMITTED)
    under_review = world.application_in(Status.UNDER_REVIEW)
    publicity = world.application_in(Status.PUBLICITY)
    objection = services.objection_file(
        actor=world.public,
        application=publicity,
        reasons="该数据来源于本人",
        files=[("proof.pdf", pdf_bytes("proof"))],
        now=T0,
    )
    material = under_review.materials.get(kind=MaterialKind.SOURCE_PROOF)
    return {
        "queue": "/review/",
        "queue-objections": "/review/?queue=objections",
        "detail": f"/review/{under_review.uuid}/",
        "start": f"/review/{submitted.uuid}/start/",
        "amendment": f"/review/{under_review.uuid}/amendment/",
        "publicity": f"/review/{under_review.uuid}/publicity/",
        "reject": f"/review/{under_review.uuid}/reject/",
        "resolve": f"/review/objections/{objection.uuid}/resolve/",
        "material": f"/review/{under_review.uuid}/materials/{material.pk}/",
        "sample": f"/review/{under_review.uuid}/samples/review/",
        "objection-file": f"/review/objections/{objection.uuid}/files/{objection.files.get().pk}/",
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_examiners_open_the_desk(client, world, pages, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    for name, url in pages.items():
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # the test client closes the file after
        assert response.status_code == EXPECTED[role], (name, role)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next="), name
        if role != "examiner":
            # Nothing private leaks: not the summary, not the samples, not the objection.
            body = _html(response) if not response.streaming else ""
            assert "120 个停车场" not in body and "粤A00000" not in body, name
            assert "该数据来源于本人" not in body, name


@pytest.mark.parametrize("page", ["start", "amendment", "publicity", "reject", "resolve"])
@pytest.mark.parametrize("role", ["anonymous", "applicant", "public", "administrator"])
def test_decisions_refuse_everyone_but_examiners(client, world, pages, page, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    before = sorted(Application.objects.values_list("uuid", "status", "version"))
    events = ApplicationEvent.objects.count()
    response = client.post(pages[page], {"step": "confirm"})
    assert response.status_code == EXPECTED[role]
    assert sorted(Application.objects.values_list("uuid", "status", "version")) == before
    assert ApplicationEvent.objects.count() == events


def test_a_draft_is_not_found(client, world, frozen):
    draft = world.application_in(Status.DRAFT)
    client.force_login(world.examiner)
    assert client.get(f"/review/{draft.uuid}/").status_code == 404
    material = draft.materials.first()
    assert client.get(f"/review/{draft.uuid}/materials/{material.pk}/").status_code == 404


def test_a_material_of_another_application_is_not_found(client, world, frozen):
    first = world.application_in(Status.SUBMITTED)
    second = world.application_in(Status.SUBMITTED)
    client.force_login(world.examiner)
    other = second.materials.first()
    assert client.get(f"/review/{first.uuid}/materials/{other.pk}/").status_code == 404


# --- the queues ------------------------------------------------------------------------------


def test_queues_with_counts_sorted_by_deadline(client, world):
    with time_machine.travel(T0, tick=False):
        submitted = [world.application_in(Status.SUBMITTED) for _ in range(2)]
        world.application_in(Status.UNDER_REVIEW)
        early = world.application_in(Status.AMENDMENT_REQUESTED)  # due 2025-03-17
    with time_machine.travel(at(2025, 3, 5), tick=False):
        late = world.application_in(Status.UNDER_REVIEW)
        # 10 working days after Wednesday 2025-03-05: 6, 7, 10, ..., 14, 17, 18, 19.
        services.application_request_amendment(
            actor=world.examiner,
            application=late,
            defects=[services.Defect(field="summary", message="过于简单")],
            now=at(2025, 3, 5),
        )
    with time_machine.travel(T0, tick=False):
        quiet = world.application_in(Status.PUBLICITY)
        objected = world.application_in(Status.PUBLICITY, objection=True)
        world.application_in(Status.REJECTED)
    client.force_login(world.examiner)
    with time_machine.travel(at(2025, 3, 13), tick=False):
        response = client.get("/review/?queue=amendment")
    assert response.status_code == 200
    tabs = dict(
        re.findall(r'\?queue=(\w+)" hx-get.*?<span class="count">(\d+)</span>', _html(response))
    )
    assert tabs == {
        "submitted": "2",
        "under_review": "1",
        "amendment": "2",
        "publicity": "2",
        "objections": "1",
    }
    text = _text(response)
    assert text.index(early.application_number) < text.index(late.application_number)
    # On Thursday 2025-03-13: 13, 14, 17 are left until the 17th; 13, 14, 17, 18, 19 until 19th.
    assert re.search(r"2025-03-17 \S*剩 3 个工作日", text)
    assert re.search(r"2025-03-19 \S*剩 5 个工作日", text)

    with time_machine.travel(T0, tick=False):
        html = _html(client.get("/review/?queue=objections"))
    assert objected.application_number in html and quiet.application_number not in html
    html = _html(client.get("/review/"))
    assert all(a.application_number in html for a in submitted)
    assert late.application_number not in html


def test_queue_in_english_and_unknown_queue(client, world, frozen):
    world.application_in(Status.SUBMITTED)
    client.force_login(world.examiner)
    response = client.get("/review/?queue=nonsense", headers=EN)
    assert response.status_code == 200
    assert "<h1>Review desk</h1>" in _html(response)
    assert 'aria-current="page">Submitted' in _html(response)


def test_queue_and_review_page_when_the_calendar_lacks_a_year(client, world, frozen):
    application = world.application_in(Status.PUBLICITY)
    # An administrator unticked 2025 as complete: its deadlines can no longer be counted.
    CalendarYear.objects.filter(year=2025).update(complete=False)
    client.force_login(world.examiner)
    response = client.get("/review/?queue=publicity")
    assert response.status_code == 200
    text = _text(response)
    assert "2025 年的节假日安排尚未录入" in text
    assert application.application_number in text and "2025-03-10" in text
    page = client.get(f"/review/{application.uuid}/")
    assert page.status_code == 200
    assert "2025 年的节假日安排尚未录入" in _text(page)


# --- the review page -------------------------------------------------------------------------


def test_review_page_shows_everything_side_by_side(client, world, frozen):
    application = world.application_in(Status.UNDER_REVIEW)
    log_catch_up()
    # Another registrant filed the same data (same hash value): a duplicate to check.
    other = application_complete(
        world.other,
        evidence=evidence_make(world.other, seed=str(application.uuid)),
    )
    other = services.application_submit(actor=world.other, application=other, now=T0)
    client.force_login(world.examiner)
    response = client.get(f"/review/{application.uuid}/")
    assert response.status_code == 200
    html, text = _html(response), _text(response)
    assert "<h1>广州市停车场出入与缴费记录数据集</h1>" in html
    for value in (
        "120 个停车场",  # the private summary
        "G 交通运输、仓储和邮政业 / 54 道路运输业",
        "12,345,678",
        "车牌号以 SM3 加盐哈希脱敏",
        "审核中",
    ):
        assert value in text, value
    # The samples as tables: the review sample's header and its first record.
    assert '<th scope="col">车牌号</th>' in html
    assert "<td>粤A00000</td>" in html
    assert "共 50 条记录" in text
    # Every material, downloadable through the desk.
    for material in application.materials.all():
        assert f'href="/review/{application.uuid}/materials/{material.pk}/"' in html
    # The evidence record and its place in the log.
    evidence = application.evidence
    assert evidence.root in html
    index = LogEntry.objects.get(leaf_hash=evidence.leaf_hash).index
    assert index == 0  # the first statement this test wrote
    assert f"叶序号 {index}" in text
    assert "已加盖时间戳的检查点" in text
    # The duplicate, linked.
    assert f'href="/review/{other.uuid}/">{other.application_number}</a>' in html
    # The timeline.
    assert text.index("提交申请") < text.index("开始审核")
    # The actions of this state, each leading to a confirmation.
    for action in ("publicity", "amendment", "reject"):
        assert f'href="/review/{application.uuid}/{action}/"' in html
    assert f"/review/{application.uuid}/start/" not in html


def test_review_page_in_english(client, world, frozen):
    application = world.application_in(Status.SUBMITTED)
    client.force_login(world.examiner)
    response = client.get(f"/review/{application.uuid}/", headers=EN)
    text = _text(response)
    assert "Take up the review" in text
    assert "data name" in text and "Evidence record" in text
    assert "not yet in the log" in text


def test_review_page_shows_objections_with_their_files(client, world, frozen):
    application = world.application_in(Status.PUBLICITY)
    objection = services.objection_file(
        actor=world.public,
        application=application,
        reasons="该数据来源于本人，见附件",
        files=[("合同.pdf", pdf_bytes("contract"))],
        now=T0,
    )
    client.force_login(world.examiner)
    html = _html(client.get(f"/review/{application.uuid}/"))
    assert "该数据来源于本人，见附件" in html
    item = objection.files.get()
    assert f'href="/review/objections/{objection.uuid}/files/{item.pk}/"' in html
    assert f'href="/review/objections/{objection.uuid}/resolve/"' in html


# --- downloads ------------------------------------------------------------------------------


def test_downloads_are_attachments(client, world, frozen):
    application = world.application_in(Status.PUBLICITY)
    objection = services.objection_file(
        actor=world.public,
        application=application,
        reasons="异议",
        files=[("合同.pdf", pdf_bytes("contract"))],
        now=T0,
    )
    client.force_login(world.examiner)
    material = application.materials.get(kind=MaterialKind.COMMITMENT_LETTER)
    response = client.get(f"/review/{application.uuid}/materials/{material.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="commitment_letter.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert _attachment_bytes(response) == pdf_bytes(MaterialKind.COMMITMENT_LETTER)

    response = client.get(f"/review/objections/{objection.uuid}/files/{objection.files.get().pk}/")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E5%90%88%E5%90%8C.pdf" in response["Content-Disposition"]  # 合同.pdf
    assert _attachment_bytes(response) == pdf_bytes("contract")

    response = client.get(f"/review/{application.uuid}/samples/review/")
    assert response["Content-Disposition"] == 'attachment; filename="review.csv"'
    assert _attachment_bytes(response).decode().startswith("车牌号,入场时间")
    assert client.get(f"/review/{application.uuid}/samples/other/").status_code == 404


# --- decisions -----------------------------------------------------------------------------


def test_take_up_is_confirmed_then_recorded(client, world, frozen):
    application = world.application_in(Status.SUBMITTED)
    client.force_login(world.examiner)
    url = f"/review/{application.uuid}/start/"
    page = client.get(url)
    assert "确认：开始审核" in _text(page)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/review/{application.uuid}/"
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert application.examiner == world.examiner
    assert "您已开始审核这件申请" in _text(client.get(response["Location"]))


def test_another_examiner_acted_first(client, world, frozen):
    application = world.application_in(Status.SUBMITTED)
    second = user_make("examiner2", role=Role.EXAMINER)
    client.force_login(world.examiner)
    page = client.get(f"/review/{application.uuid}/start/")
    assert page.status_code == 200
    services.application_start_review(actor=second, application=application)
    response = client.post(f"/review/{application.uuid}/start/")
    assert response.status_code == 409
    text = _text(response)
    assert "申请当前状态为“审核中”，不能开始审核" in text
    assert "可能已有其他人先处理了" in text
    application.refresh_from_db()
    assert application.examiner == second
    english = client.post(f"/review/{application.uuid}/start/", headers=EN)
    assert "the application is under review: taking up for review is not possible" in (
        _text(english)
    )


def test_publicity_shows_its_end_date_and_starts(client, world, frozen):
    application = world.application_in(Status.UNDER_REVIEW)
    client.force_login(world.examiner)
    url = f"/review/{application.uuid}/publicity/"
    page = client.get(url)
    assert page.status_code == 200
    assert f"公示期至 {PUBLICITY_END.isoformat()}" in _text(page)
    response = client.post(url)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY
    assert application.publicity_ends == PUBLICITY_END
    assert "2025-03-10" in _text(client.get(response["Location"]))


def test_publicity_when_the_calendar_does_not_know_the_year(client, world):
    with time_machine.travel(at(2026, 12, 28), tick=False):
        application = world.application_in(Status.UNDER_REVIEW)
        client.force_login(world.examiner)
        url = f"/review/{application.uuid}/publicity/"
        page = client.get(url)
        assert page.status_code == 409
        assert "2027 年的节假日安排尚未录入" in _text(page)
        assert "确认：进入公示" not in _text(page)
        response = client.post(url)
    assert response.status_code == 409
    assert "2027 年的节假日安排尚未录入" in _text(response)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def _amendment_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "checklist": ["summary_brief", "form_not_stamped"],
        "field_0": "record_count",
        "message_0": "数据量应为 12,345,678 条，与样例说明不符",
        "note": "请一并更新申请书",
    }
    data.update(extra)
    return data


def test_amendment_is_confirmed_with_its_due_date_then_recorded(client, world, frozen):
    application = world.application_in(Status.UNDER_REVIEW)
    client.force_login(world.examiner)
    url = f"/review/{application.uuid}/amendment/"
    form = client.get(url)
    assert form.status_code == 200
    assert "数据简介过于简单" in _text(form)
    check = client.post(url, _amendment_data(step="check"))
    assert check.status_code == 200
    text = _text(check)
    assert f"请在 {AMENDMENT_DUE.isoformat()} 前" in text
    assert "数据量（记录数） ：数据量应为 12,345,678 条" in text
    html = _html(check)
    assert 'type="hidden" name="checklist" value="summary_brief"' in html
    assert 'type="hidden" name="message_0" value="数据量应为 12,345,678 条，与样例说明不符"' in html
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW

    done = client.post(url, _amendment_data(step="confirm"))
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.AMENDMENT_REQUESTED
    assert application.amendment_due == AMENDMENT_DUE
    event = application.events.get(kind=Event.AMENDMENT_REQUESTED)
    assert event.actor == world.examiner
    assert event.reason == "请一并更新申请书"
    assert event.data["defects"] == [
        {"field": "summary", "message": "数据简介过于简单，请准确、具体地概述数据集合的组成和应用"},
        {
            "field": "application_form",
            "message": "申请书未盖章，或不是按当前填写内容下载的申请书，"
            "请重新下载、盖章后上传扫描件",
        },
        {"field": "record_count", "message": "数据量应为 12,345,678 条，与样例说明不符"},
    ]


def test_amendment_needs_a_defect_and_can_be_changed(client, world, frozen):
    application = world.application_in(Status.UNDER_REVIEW)
    client.force_login(world.examiner)
    url = f"/review/{application.uuid}/amendment/"
    empty = client.post(url, {"step": "check"})
    assert empty.status_code == 400
    assert "要求补正时须列出至少一项需修改的问题" in _text(empty)
    edit = client.post(url, _amendment_data(step="edit"))
    assert edit.status_code == 200
    assert re.search(r'value="summary_brief"[^>]*checked', _html(edit))
    assert "数据量应为 12,345,678 条" in _html(edit)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_amendment_of_an_application_not_under_review(client, world, frozen):
    application = world.application_in(Status.SUBMITTED)
    client.force_login(world.examiner)
    response = client.post(
        f"/review/{application.uuid}/amendment/", _amendment_data(step="confirm")
    )
    assert response.status_code == 409
    assert "申请当前状态为“待审核”，不能要求补正" in _text(response)


def test_reject_with_grounds_and_reasoning(client, world, frozen):
    application = world.application_in(Status.UNDER_REVIEW)
    client.force_login(world.examiner)
    url = f"/review/{application.uuid}/reject/"
    form = _text(client.get(url))
    assert "数据集合未进行脱敏处理的" in form
    data = {
        "grounds": ["not_desensitised", "false_material"],
        "reasoning": "审核样例中车牌号未脱敏",
    }
    check = client.post(url, {**data, "step": "check"})
    assert check.status_code == 200
    text = _text(check)
    assert "确认：驳回" in text
    assert "4. 数据集合未进行脱敏处理的" in text
    done = client.post(url, {**data, "step": "confirm"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert sorted(application.rejection_grounds.values_list("code", flat=True)) == sorted(
        data["grounds"]
    )
    assert application.rejection_reasoning == "审核样例中车牌号未脱敏"


def test_reject_needs_a_ground_and_reasoning(client, world, frozen):
    application = world.application_in(Status.UNDER_REVIEW)
    client.force_login(world.examiner)
    response = client.post(f"/review/{application.uuid}/reject/", {"step": "confirm"})
    assert response.status_code == 400
    text = _text(response)
    assert "请至少选择一项不予登记情形" in text and "请填写理由" in text
    unknown = client.post(
        f"/review/{application.uuid}/reject/",
        {"step": "confirm", "grounds": ["made_up"], "reasoning": "x"},
    )
    assert unknown.status_code == 400
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def _objected(world: World) -> tuple[Application, Objection]:
    application = world.application_in(Status.PUBLICITY)
    return application, world.objection(application)


def test_resolve_objection_not_established_then_registered_after_publicity(client, world):
    with time_machine.travel(T0, tick=False):
        application, objection = _objected(world)
    client.force_login(world.examiner)
    url = f"/review/objections/{objection.uuid}/resolve/"
    data = {"outcome": "not_established", "proof_kind": "none", "resolution": "异议人未提供证据"}
    with time_machine.travel(at(2025, 3, 12), tick=False):
        page = client.get(url)
        assert "该数据来源于本人" in _text(page)
        check = client.post(url, {**data, "step": "check"})
        assert "异议不成立：准予登记" in _text(check)
        done = client.post(url, {**data, "step": "confirm"})
    assert done.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.RESOLVED
    assert objection.resolved_by == world.examiner
    application.refresh_from_db()
    # Publicity ended on 2025-03-10 and no objection is open: registered at once.
    assert application.status == Status.REGISTERED
    again = client.get(url)
    assert "这项异议已经处理" in _text(again)


def test_resolve_objection_needs_proof_for_entitlement(client, world, frozen):
    application, objection = _objected(world)
    client.force_login(world.examiner)
    url = f"/review/objections/{objection.uuid}/resolve/"
    data = {"outcome": "not_entitled", "proof_kind": "none", "resolution": "双方调解"}
    response = client.post(url, {**data, "step": "confirm"})
    assert response.status_code == 400
    assert "认定申请人不享有权益须有协商协议、调解协议或法院判决等证明" in _text(response)
    check = client.post(url, {**data, "proof_kind": "judgment", "step": "check"})
    assert "将以“存在尚未处理完毕的纠纷”为由被驳回" in _text(check)
    done = client.post(url, {**data, "proof_kind": "judgment", "step": "confirm"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.REJECTED


def test_resolve_unknown_objection(client, world):
    client.force_login(world.examiner)
    url = "/review/objections/00000000-0000-0000-0000-000000000000/resolve/"
    assert client.get(url).status_code == 404
