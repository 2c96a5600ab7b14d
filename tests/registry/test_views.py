"""The applicant desk at /applications/: who sees which page, the wizard, submission, actions."""

from __future__ import annotations

import re
import uuid

import pytest
import time_machine
from tests.accounts.test_views import assert_every_field_labelled
from tests.registry.factories import (
    AMENDMENT_DUE,
    FIELDS,
    T0,
    World,
    application_complete,
    csv_sample,
    evidence_make,
    pdf_bytes,
    user_make,
)

from dataip.evidence.models import Evidence
from dataip.registry import services
from dataip.registry.models import Application, Material, MaterialKind, Status

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world() -> World:
    return World()


def _signed_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _pages(application: Application, material: Material) -> dict[str, str]:
    base = f"/applications/{application.uuid}"
    return {
        "desk": "/applications/",
        "detail": f"{base}/",
        "edit": f"{base}/edit/",
        "submit": f"{base}/submit/",
        "withdraw": f"{base}/withdraw/",
        "form": f"{base}/form.pdf",
        "material": f"{base}/materials/{material.pk}/",
        "advice": "/applications/name-advice/?data_name=数据集",
        "industries": "/applications/industries/?industry_section=I",
    }


# Expected status per role and page: 200 allowed, 302 to sign-in, 403 forbidden, 404 not found.
# Applications of another registrant do not exist for a user (404, as in the API); examiners see
# an application but file none; administrators act for no registrant.
EXPECTED = {
    "anonymous": dict.fromkeys(
        ("desk", "detail", "edit", "submit", "withdraw", "form", "material"), 302
    )
    | {"advice": 302, "industries": 302},
    # Submitted: no more editing, the wizard sends the applicant to the application's page.
    "applicant": dict.fromkeys(
        ("desk", "detail", "submit", "withdraw", "form", "material", "advice"), 200
    )
    | {"industries": 200, "edit": 302},
    "other": {"desk": 200, "advice": 200, "industries": 200}
    | dict.fromkeys(("detail", "edit", "submit", "withdraw", "form", "material"), 404),
    "public": {"desk": 200, "advice": 200, "industries": 200}
    | dict.fromkeys(("detail", "edit", "submit", "withdraw", "form", "material"), 404),
    "examiner": {"detail": 200, "form": 200, "material": 200}
    | dict.fromkeys(("desk", "edit", "submit", "withdraw", "advice", "industries"), 403),
    "administrator": {"detail": 404, "form": 404, "material": 404}
    | dict.fromkeys(("desk", "edit", "submit", "withdraw", "advice", "industries"), 403),
}


def _close_file(response) -> None:
    # Reading a download to its end closes its file (the test client closes it without
    # signalling the end of a request, which would close the test's database connection).
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_page_role_table(client, world, role):
    application = world.application_in(Status.SUBMITTED)
    material = application.materials.first()
    user = None if role == "anonymous" else getattr(world, role)
    client = _signed_in(client, user)
    for page, url in _pages(application, material).items():
        response = client.get(url)
        _close_file(response)
        expected = EXPECTED[role][page]
        assert response.status_code == expected, (role, page, response.status_code)
        if expected == 302 and role == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next="), page
        elif expected == 302:
            assert response["Location"] == f"/applications/{application.uuid}/"
        if expected != 200:
            # Nothing of the application leaks into a refusal.
            body = response.content.decode(errors="replace")
            assert application.data_name not in body, (role, page)
            assert application.evidence.root not in body, (role, page)


def test_the_desk_is_chinese_first_and_english_on_request(client, world):
    application = world.application_in(Status.SUBMITTED)
    client.force_login(world.applicant)
    html = client.get("/applications/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "开始新的登记申请" in html and "待审核" in html
    assert application.application_number in html
    assert "提交申请" in html  # the notification of the submission
    html = client.get("/applications/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="en">' in html
    assert "Start a new application" in html and "Submitted" in html


def test_the_desk_sends_a_user_without_real_name_to_the_user_centre(client):
    user = user_make("newcomer")
    client.force_login(user)
    html = client.get("/applications/").content.decode()
    assert 'href="/accounts/profile/"' in html and "实名" in html
    assert 'action="/applications/new/"' not in html
    response = client.post("/applications/new/", {"data_name": "某数据集"})
    assert response.status_code == 400
    assert "请先在用户中心完善实名信息和登记主体" in response.content.decode()
    assert not Application.objects.exists()


def test_start_then_the_wizard_in_faq_order_with_every_field_labelled(client, world):
    client.force_login(world.applicant)
    response = client.post("/applications/new/", {"data_name": "停车数据集"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.uuid}/edit/"
    html = client.get(response["Location"]).content.decode()
    assert_every_field_labelled(html)
    order = [
        html.index(f'id="section-{slug}"')
        for slug in ("basic", "source", "processing", "data", "samples", "materials")
    ]
    assert order == sorted(order)
    # What is missing is shown under the field it concerns (the completeness check's words).
    assert "数据简介" in html and "请填写数据简介" in html.replace("“", "").replace("”", "")
    assert "/api/v1/applications/templates/commitment-letter.pdf" in html
    assert "/api/v1/applications/templates/structure-description.xlsx" in html
    assert f"/applications/{application.uuid}/form.pdf" in html
    assert 'src="/static/registry/js/wizard.js"' in html
    assert "style=" not in html and "hx-on" not in html and "<script>" not in html


def _draft(world: World) -> Application:
    return services.application_create(actor=world.applicant, data_name="停车数据集")


def _basic(version: int, **changes: str) -> dict[str, str]:
    return {
        "version": str(version),
        "data_name": "广州市停车场出入与缴费记录数据集",
        "summary": str(FIELDS["summary"]),
        "industry_division": "54",
    } | changes


def test_autosave_saves_a_section_and_updates_every_version(client, world):
    application = _draft(world)
    client.force_login(world.applicant)
    url = f"/applications/{application.uuid}/edit/basic/"
    response = client.post(url, _basic(application.version), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    application.refresh_from_db()
    assert application.data_name == "广州市停车场出入与缴费记录数据集"
    assert application.industry_division_id == "54"
    assert "已保存" in html
    for slug in ("basic", "source", "processing", "data"):
        assert f'value="{application.version}" id="version-{slug}" hx-swap-oob="true"' in html, slug
    # The saved fields have no message left; the nav counts what is still missing.
    assert '<div id="msg-summary" class="field-msg" hx-swap-oob="true"></div>' in html
    assert 'id="wizard-nav"' in html


def test_a_stale_version_reloads_the_section_with_a_conflict_message(client, world):
    application = _draft(world)
    old = application.version
    services.application_update(
        actor=world.applicant,
        application=application,
        changes={"summary": "另一位同事写的简介"},
        version=old,
    )
    client.force_login(world.applicant)
    response = client.post(
        f"/applications/{application.uuid}/edit/basic/",
        _basic(old, summary="我写的简介"),
        headers=HTMX,
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#section-basic"
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert f"申请已被他人修改（当前版本 {old + 1}，您提交的是版本 {old}）" in html
    assert "另一位同事写的简介" in html and "我写的简介" not in html
    application.refresh_from_db()
    assert application.summary == "另一位同事写的简介"


def test_an_invalid_value_is_shown_at_its_field_with_the_service_message(client, world):
    application = _draft(world)
    client.force_login(world.applicant)
    response = client.post(
        f"/applications/{application.uuid}/edit/data/",
        {"version": str(application.version), "record_count": "一百万"},
        headers=HTMX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = "“数据量（记录数）”填写有误：应为正整数"
    assert re.search(
        rf'<div id="msg-record_count" class="field-msg" hx-swap-oob="true">'
        rf'<p class="field-error" role="alert">{message}</p>',
        html,
    )
    assert 'role="alert">' + message in html
    application.refresh_from_db()
    assert application.record_count is None


def test_without_htmx_a_save_redirects_and_an_error_renders_the_page(client, world):
    application = _draft(world)
    client.force_login(world.applicant)
    url = f"/applications/{application.uuid}/edit/processing/"
    response = client.post(
        url,
        {
            "version": str(application.version),
            "is_public_data": "no",
            "substantive_processing": "on",
            "processing_rules": "去重、脱敏",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.uuid}/edit/#section-processing"
    application.refresh_from_db()
    assert application.is_public_data is False
    assert application.substantive_processing is True and application.innovative_labour is False
    response = client.post(
        f"/applications/{application.uuid}/edit/source/",
        {"version": str(application.version), "agreement_valid_until": "2028-13-01"},
    )
    assert response.status_code == 400
    assert "“协议有效期至”填写有误：日期格式应为 YYYY-MM-DD" in response.content.decode()
    assert client.post(f"/applications/{application.uuid}/edit/samples/").status_code == 404


def test_only_the_fields_of_the_chosen_source_route_are_shown(client, world):
    application = _draft(world)
    services.application_update(
        actor=world.applicant,
        application=application,
        changes={"source_type": "agreement"},
        version=None,
    )
    client.force_login(world.applicant)
    html = client.get(f"/applications/{application.uuid}/edit/").content.decode()

    def shown(marker: str) -> bool:
        tag = re.search(
            rf'<div class="[a-z]+" (?:id="[^"]+" )?data-routes="[^"]*"[^>]*>\s*'
            rf"(?:<label for=\"{marker}\"|<h3>)",
            html,
        )
        assert tag, marker
        return " hidden" not in tag.group(0)

    assert shown("f-agreement_holder") and shown("f-agreement_valid_until")
    assert not shown("f-source_process") and not shown("f-collection_method")
    assert re.search(r'id="material-agreement" data-routes="agreement">', html)
    assert re.search(r'id="material-source_proof" data-routes="[^"]+" hidden>', html)
    assert re.search(r'<fieldset id="f-source_routes" data-source-other hidden>', html)


def test_name_advice_is_live(client, world):
    client.force_login(world.applicant)
    html = client.get("/applications/name-advice/", {"data_name": "某某有限公司的数据"}).content
    text = html.decode()
    assert "<li>" in text and "像是企业或登记主体的名称" in text
    html = client.get(
        "/applications/name-advice/",
        {"data_name": "热泵行业低碳节能与储能策略数据集"},
        headers={"Accept-Language": "en"},
    ).content.decode()
    assert "<li>" not in html and "follows the naming advice" in html


def test_the_industry_picker_filters_by_section_and_by_search(client, world):
    client.force_login(world.applicant)
    # GB/T 4754-2017: section I holds divisions 63-65, 65 is 软件和信息技术服务业.
    html = client.get("/applications/industries/", {"industry_section": "I"}).content.decode()
    assert re.findall(r'<option value="(\d\d)"', html) == ["63", "64", "65"]
    assert "65 软件和信息技术服务业" in html
    html = client.get("/applications/industries/", {"industry_q": "互联网"}).content.decode()
    assert re.findall(r'<option value="(\d\d)"', html) == ["64"]
    html = client.get("/applications/industries/", {"industry_q": "65"}).content.decode()
    assert re.findall(r'<option value="(\d\d)"', html) == ["65"]
    # A word of the section's name finds all its divisions.
    html = client.get("/applications/industries/", {"industry_q": "软件"}).content.decode()
    assert re.findall(r'<option value="(\d\d)"', html) == ["63", "64", "65"]
    # The chosen division stays, so that filtering never unsets it.
    html = client.get(
        "/applications/industries/", {"industry_section": "I", "industry_division": "54"}
    ).content.decode()
    assert '<option value="54" selected>' in html


def test_sample_upload_previews_and_checks_the_count(client, world):
    application = _draft(world)
    client.force_login(world.applicant)
    url = f"/applications/{application.uuid}/samples/review/"
    response = client.post(url, {"file": _file("review.csv", csv_sample(12))}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<section id="section-samples"' in html
    assert '<th scope="col">车牌号</th>' in html and "<td>粤A00000</td>" in html
    assert "12 条记录" in html and "记录数不够" in html
    response = client.post(url, {"file": _file("review.csv", csv_sample(50))}, headers=HTMX)
    html = response.content.decode()
    assert '<span class="badge ok">50 条记录</span>' in html
    response = client.post(
        f"/applications/{application.uuid}/samples/display/",
        {"file": _file("display.txt", b"\x00\x01")},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert 'class="save-status error" role="alert"' in response.content.decode()


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_materials_upload_download_as_attachment_and_remove(client, world):
    application = _draft(world)
    client.force_login(world.applicant)
    response = client.post(
        f"/applications/{application.uuid}/materials/",
        {"kind": MaterialKind.COMMITMENT_LETTER, "file": _file("承诺书.pdf", pdf_bytes())},
        headers=HTMX,
    )
    assert response.status_code == 200
    material = Material.objects.get()
    download = client.get(f"/applications/{application.uuid}/materials/{material.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == pdf_bytes()
    _close_file(download)
    client.force_login(world.other)
    assert (
        client.get(f"/applications/{application.uuid}/materials/{material.pk}/").status_code == 404
    )
    assert (
        client.post(f"/applications/{application.uuid}/materials/{material.pk}/delete/").status_code
        == 404
    )
    client.force_login(world.applicant)
    response = client.post(f"/applications/{application.uuid}/materials/{material.pk}/delete/")
    assert response.status_code == 302
    assert not Material.objects.exists()
    form = client.get(f"/applications/{application.uuid}/form.pdf")
    assert form["Content-Disposition"].startswith("attachment;")
    assert form.content.startswith(b"%PDF")


def test_the_submit_page_lists_what_is_missing_with_links(client, world):
    application = _draft(world)
    client.force_login(world.applicant)
    html = client.get(f"/applications/{application.uuid}/submit/").content.decode()
    edit = f"/applications/{application.uuid}/edit/"
    assert f'href="{edit}#f-summary"' in html
    assert f'href="{edit}#f-industry_division"' in html
    assert f'href="{edit}#section-samples"' in html
    assert f'href="{edit}#section-materials"' in html
    assert "提交申请</button>" not in html
    response = client.post(f"/applications/{application.uuid}/submit/", {})
    assert response.status_code == 400
    assert "申请尚不完整" in response.content.decode()


def test_submit_a_complete_application(client, world):
    application = world.application_in(Status.DRAFT)
    client.force_login(world.applicant)
    html = client.get(f"/applications/{application.uuid}/submit/").content.decode()
    assert "提交申请</button>" in html
    response = client.post(
        f"/applications/{application.uuid}/submit/", {"version": str(application.version)}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    html = client.get(response["Location"]).content.decode()
    assert application.application_number in html and "待审核" in html
    # Editing is over: the wizard sends the applicant to the application's page.
    response = client.get(f"/applications/{application.uuid}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.uuid}/"


def test_the_application_page_shows_defects_deadline_and_timeline(client, world):
    application = world.application_in(Status.AMENDMENT_REQUESTED)
    client.force_login(world.applicant)
    with time_machine.travel(T0, tick=False):
        html = client.get(f"/applications/{application.uuid}/").content.decode()
    assert "请补充数据采集时间范围" in html and "/edit/#f-summary" in html
    assert AMENDMENT_DUE.isoformat() in html
    # Mon 3 March 2025 counted, through Mon 17 March: 3-7, 10-14, 17 = 11 working days.
    assert "还剩 11 个工作日" in html
    # The examiner appears as the registration body, never by name.
    assert world.examiner.username not in html
    assert application.jurisdiction.registration_body in html
    for label in ("创建草稿", "提交申请", "开始审核", "要求补正"):
        assert label in html
    assert f'href="/applications/{application.uuid}/withdraw/"' not in html
    assert f'href="/applications/{application.uuid}/submit/"' in html


def test_resubmit_after_amendment(client, world):
    application = world.application_in(Status.AMENDMENT_REQUESTED)
    client.force_login(world.applicant)
    with time_machine.travel(T0, tick=False):
        html = client.get(f"/applications/{application.uuid}/submit/").content.decode()
        assert "重新提交补正后的申请" in html
        response = client.post(
            f"/applications/{application.uuid}/submit/", {"version": str(application.version)}
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_withdraw_only_while_submitted_and_with_a_reason(client, world):
    application = world.application_in(Status.SUBMITTED)
    client.force_login(world.applicant)
    html = client.get(f"/applications/{application.uuid}/").content.decode()
    assert f'href="/applications/{application.uuid}/withdraw/"' in html
    url = f"/applications/{application.uuid}/withdraw/"
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "请填写撤回理由" in response.content.decode()
    response = client.post(url, {"reason": "数据需重新整理"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    html = client.get(f"/applications/{application.uuid}/").content.decode()
    assert "数据需重新整理" in html and "撤回申请" in html


def test_no_withdrawal_once_under_review(client, world):
    application = world.application_in(Status.UNDER_REVIEW)
    client.force_login(world.applicant)
    html = client.get(f"/applications/{application.uuid}/").content.decode()
    assert "/withdraw/" not in html and "/edit/" not in html
    url = f"/applications/{application.uuid}/withdraw/"
    assert "<textarea" not in client.get(url).content.decode()
    response = client.post(url, {"reason": "不想等了"})
    assert response.status_code == 409
    assert "申请当前状态为“审核中”，不能撤回" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_an_unknown_application_is_not_found(client, world):
    client.force_login(world.applicant)
    assert client.get(f"/applications/{uuid.uuid4()}/").status_code == 404


def test_a_change_after_the_stamped_form_warns_at_once_on_the_materials_section(client, world):
    """The notice is swapped in with the autosave answer, not only after a reload."""
    application = application_complete(world.applicant)
    client.force_login(world.applicant)
    page = client.get(f"/applications/{application.uuid}/edit/").content.decode()
    assert '<div id="form-outdated"></div>' in page
    url = f"/applications/{application.uuid}/edit/basic/"
    changed = _basic(application.version, data_name="广州市停车场出入记录数据集")
    html = client.post(url, changed, headers=HTMX).content.decode()
    assert '<div id="form-outdated" hx-swap-oob="true"><p class="notice" role="alert">' in html
    assert "已上传的申请书生成后，填写内容又有修改" in html
    # Answered by the materials section itself, the notice is in the section, not twice.
    materials = client.get(f"/applications/{application.uuid}/edit/").content.decode()
    assert materials.count('id="form-outdated"') == 1


def test_the_evidence_picker_names_a_colleagues_record_but_not_its_private_label(client, world):
    application = _draft(world)
    colleague = user_make("colleague", registrant=world.registrant)
    theirs = evidence_make(colleague, seed="theirs")
    Evidence.objects.filter(pk=theirs.pk).update(label="同事的私人备注")
    client.force_login(world.applicant)
    html = client.get(f"/applications/{application.uuid}/edit/").content.decode()
    assert f'<option value="{theirs.uuid}">同事 ' in html
    assert "同事的私人备注" not in html
