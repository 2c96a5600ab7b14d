"""The public pages: who may see them, what they show and never show, objections, open data."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.publication.conftest import ROLES, PublicWorld, client_as
from tests.registry.factories import PUBLICITY_END, World, at, pdf_bytes

from dataip.publication.views import _json_ld
from dataip.registry.models import Objection, Status

pytestmark = pytest.mark.django_db

#: Values of the factories' applications that are not public (FAQ 六): none may appear.
PRIVATE_VALUES = (
    "本数据集汇集广州市 120 个停车场",  # summary
    "车牌号以 SM3 加盐哈希脱敏",  # processing description
    "停车场道闸与收费终端",  # source process
    "出入记录表、缴费记录表",  # data composition
    "12345678",  # record count
    "13800138000",  # registrant's phone
    "contact@example.com",
    "粤A00049",  # the review sample's last row (the display sample has 3 rows)
    "该数据来源于本人",  # an objection's reasons
)


def _pages(pw: PublicWorld) -> list[str]:
    return [
        "/",
        "/publicity/",
        f"/publicity/{pw.publicity.application_number}/",
        "/announcements/",
        "/announcements/feed/",
        "/register/",
        "/register/?q=停车&section=G",
        "/register/statistics/",
        "/register/registrations.csv",
        "/register/registrations.json",
        f"/register/{pw.registered.registration_number}/",
        "/verify/",
        f"/verify/certificate/{pw.registered.certificate_number}/",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_public_page_is_open_to_every_role(public_world, role):
    client = client_as(public_world.world, role)
    for page in _pages(public_world):
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("role", ROLES)
def test_applications_not_public_have_no_public_page(public_world, role):
    client = client_as(public_world.world, role)
    private, publicity = public_world.private, public_world.publicity
    assert client.get(f"/publicity/{private.application_number}/").status_code == 404
    # In publicity an application has no registration yet: no register page, no certificate.
    assert (
        client.get(f"/publicity/{public_world.registered.application_number}/").status_code == 404
    )
    assert client.get(f"/register/{publicity.application_number}/").status_code == 404
    assert client.get("/verify/certificate/20250344000000099/").status_code == 404


def test_private_fields_never_appear_anywhere(public_world):
    pw = public_world
    pw.world.objection(pw.publicity)
    for role in ROLES:
        client = client_as(pw.world, role)
        for page in _pages(pw):
            response = client.get(page)
            body = (
                b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
            ).decode()
            for value in PRIVATE_VALUES:
                assert value not in body, (role, page, value)
            assert pw.publicity.evidence.root not in body
            assert pw.registered.evidence.root not in body


def test_publicity_detail_shows_the_public_fields_and_the_display_sample(public_world):
    application = public_world.publicity
    html = (
        client_as(public_world.world, "anonymous")
        .get(f"/publicity/{application.application_number}/")
        .content.decode()
    )
    assert "<h1>广州市停车场出入与缴费记录数据集</h1>" in html
    for value in (
        application.application_number,
        "广州市某某数据科技有限公司",
        "由本公司停车管理系统在日常运营中自行产生",
        "去重、车牌脱敏、时间对齐与异常值剔除",
        "用于停车需求预测、收费策略优化和城市交通规划研究。",
        "2025-03-03",  # application date and publicity start
        PUBLICITY_END.isoformat(),
        "粤A00000",
        "粤A00002",
        "样例数据（展示）",
    ):
        assert value in html, value
    assert "公示期已于 2025-03-10 结束，不能再提出异议。" in html  # today is after 2025-03-10


def test_anonymous_users_are_sent_to_sign_in_and_back(public_world):
    number = public_world.publicity.application_number
    client = client_as(public_world.world, "anonymous")
    with time_machine.travel(at(2025, 3, 5), tick=False):
        html = client.get(f"/publicity/{number}/").content.decode()
        assert f'href="/accounts/login/?next=/publicity/{number}/%23objection"' in html
        response = client.post(f"/publicity/{number}/", {"reasons": "数据是我的"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/publicity/{number}/"
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    ("role", "status", "filed"),
    [
        ("applicant", 403, False),  # the applicant's own registrant
        ("other", 302, True),
        ("public", 302, True),
        ("examiner", 403, False),
        ("administrator", 302, True),
    ],
)
def test_who_may_object(public_world, role, status, filed):
    number = public_world.publicity.application_number
    client = client_as(public_world.world, role)
    with time_machine.travel(at(2025, 3, 5), tick=False):
        response = client.post(
            f"/publicity/{number}/", {"reasons": "该数据集的处理规则为本公司所有"}
        )
    assert response.status_code == status
    assert Objection.objects.exists() is filed
    if role == "applicant":
        assert "不能对本登记主体自己的申请提出异议" in response.content.decode()


def test_objection_with_evidence_files_is_filed_and_confirmed(public_world):
    number = public_world.publicity.application_number
    client = client_as(public_world.world, "public")
    files = [
        SimpleUploadedFile("协议.pdf", pdf_bytes("agreement"), "application/pdf"),
        SimpleUploadedFile("判决书.pdf", pdf_bytes("judgment"), "application/pdf"),
    ]
    with time_machine.travel(at(2025, 3, 5), tick=False):
        html = client.get(f"/publicity/{number}/").content.decode()
        assert 'enctype="multipart/form-data"' in html and 'name="evidence_files"' in html
        assert re.search(r'<input[^>]*name="evidence_files"[^>]*multiple', html)
        response = client.post(
            f"/publicity/{number}/", {"reasons": "数据为本公司采集", "evidence_files": files}
        )
        assert response.status_code == 302
        assert response["Location"] == f"/publicity/{number}/"
        followed = client.get(response["Location"]).content.decode()
    assert "您的异议已提交" in followed
    objection = Objection.objects.get()
    assert objection.filed_by == public_world.world.public
    assert objection.reasons == "数据为本公司采集"
    assert sorted(f.original_name for f in objection.files.all()) == ["判决书.pdf", "协议.pdf"]
    # The objection stays private: the page shows nothing of it.
    assert "数据为本公司采集" not in followed


def test_objection_errors_are_shown_in_chinese_next_to_the_form(public_world):
    number = public_world.publicity.application_number
    client = client_as(public_world.world, "public")
    with time_machine.travel(at(2025, 3, 5), tick=False):
        empty = client.post(f"/publicity/{number}/", {"reasons": ""})
        text = SimpleUploadedFile("notes.txt", b"plain text", "text/plain")
        wrong_type = client.post(
            f"/publicity/{number}/", {"reasons": "理由", "evidence_files": [text]}
        )
    assert empty.status_code == 400
    assert "这个字段是必填项。" in empty.content.decode()
    assert 'aria-invalid="true"' in empty.content.decode()
    assert wrong_type.status_code == 400
    assert "notes.txt" in wrong_type.content.decode()
    with time_machine.travel(at(2025, 3, 11, 9), tick=False):  # after publicity, before the tick
        late = client.post(f"/publicity/{number}/", {"reasons": "理由"})
    assert late.status_code == 400
    assert "公示期已于 2025-03-10 结束，不能再提出异议" in late.content.decode()
    assert not Objection.objects.exists()


def test_objection_error_in_english(public_world):
    number = public_world.publicity.application_number
    client = client_as(public_world.world, "public")
    with time_machine.travel(at(2025, 3, 11, 9), tick=False):
        late = client.post(
            f"/publicity/{number}/", {"reasons": "x"}, headers={"accept-language": "en"}
        )
    assert (
        "publicity ended on 2025-03-10: objections can no longer be filed" in late.content.decode()
    )


def test_pages_are_chinese_first_with_english_available(public_world):
    client = client_as(public_world.world, "anonymous")
    zh = client.get("/publicity/")
    assert zh["Content-Language"] == "zh-hans"
    assert "<h1>公示中的申请</h1>" in zh.content.decode()
    en = client.get("/publicity/", headers={"accept-language": "en"})
    assert "<h1>Applications in publicity</h1>" in en.content.decode()
    assert "公示中的申请" not in en.content.decode()


def test_publicity_list_links_each_application_with_its_period(public_world):
    application = public_world.publicity
    html = client_as(public_world.world, "anonymous").get("/publicity/").content.decode()
    assert f'href="/publicity/{application.application_number}/"' in html
    assert "2025-03-03 – 2025-03-10" in html
    assert public_world.private.application_number not in html


def test_announcements_list_registrations(public_world):
    registered = public_world.registered
    html = client_as(public_world.world, "anonymous").get("/announcements/").content.decode()
    assert f'href="/register/{registered.registration_number}/"' in html
    for value in (registered.application_number, "2025-03-03", "2025-03-11"):
        assert value in html
    assert public_world.publicity.application_number not in html


def test_atom_feed_of_announcements(public_world):
    registered = public_world.registered
    response = client_as(public_world.world, "anonymous").get("/announcements/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert "<title>广州市停车场出入与缴费记录数据集</title>" in xml
    assert f"/register/{registered.registration_number}/" in xml
    assert f"申请号 {registered.application_number}" in xml
    assert xml.count("<entry>") == 1


def _search(client, **query):
    return client.get("/register/", query).content.decode()


def test_register_search_by_name_registrant_and_industry(public_world):
    client = client_as(public_world.world, "anonymous")
    link = f'href="/register/{public_world.registered.registration_number}/"'
    assert link in _search(client)
    assert link in _search(client, q="停车场出入")
    assert link in _search(client, q="某某数据科技")
    assert link in _search(client, section="G")
    assert link in _search(client, division="54")
    assert link in _search(client, section="A", division="54")  # the division decides
    for miss in ({"q": "热泵"}, {"section": "A"}, {"division": "53"}):
        html = _search(client, **miss)
        assert link not in html and "登记簿中没有符合条件的登记" in html
    # A section letter not in GB/T 4754-2017 is a form error, shown, with status 400.
    response = client.get("/register/", {"section": "Z"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_register_detail_has_dataset_json_ld(public_world):
    registered = public_world.registered
    html = (
        client_as(public_world.world, "anonymous")
        .get(f"/register/{registered.registration_number}/")
        .content.decode()
    )
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    data = json.loads(match.group(1))
    assert data["@type"] == "Dataset" and data["@context"] == "https://schema.org"
    assert data["name"] == "广州市停车场出入与缴费记录数据集"
    assert data["creator"] == {"@type": "Organization", "name": "广州市某某数据科技有限公司"}
    assert data["datePublished"] == "2025-03-11"
    assert {
        "@type": "PropertyValue",
        "propertyID": "certificate_number",
        "value": registered.certificate_number,
    } in data["identifier"]
    assert data["url"] == f"http://testserver/register/{registered.registration_number}/"


def test_json_ld_cannot_close_its_script_element():
    assert str(_json_ld({"name": "</script><!--&"})) == (
        '{"name": "\\u003C/script\\u003E\\u003C!--\\u0026"}'
    )


def test_certificate_verification(public_world):
    registered = public_world.registered
    client = client_as(public_world.world, "anonymous")
    response = client.get(f"/verify/certificate/{registered.certificate_number}/")
    html = response.content.decode()
    assert "该证书真实有效：已在登记簿中。" in html
    assert registered.registration_number in html and "广州市停车场出入与缴费记录数据集" in html
    unknown = client.get("/verify/certificate/20250344000000099/")
    assert unknown.status_code == 404
    assert "登记簿中没有证书编号为 20250344000000099 的登记。" in unknown.content.decode()
    lookup = client.get("/verify/", {"number": f" {registered.certificate_number} "})
    assert lookup.status_code == 302
    assert lookup["Location"] == f"/verify/certificate/{registered.certificate_number}/"
    assert client.get("/verify/", {"number": ""}).status_code == 400


def _expected_row(application) -> dict[str, str]:
    return {
        "registration_number": application.registration_number,
        "certificate_number": application.certificate_number,
        "application_number": application.application_number,
        "application_date": "2025-03-03",
        "registration_date": "2025-03-11",
        "applicant": "广州市某某数据科技有限公司",
        "data_name": "广州市停车场出入与缴费记录数据集",
        "data_source": "由本公司停车管理系统在日常运营中自行产生",
        "processing_rules": "去重、车牌脱敏、时间对齐与异常值剔除",
        "application_scenario": "用于停车需求预测、收费策略优化和城市交通规划研究。",
        "industry_section": "G 交通运输、仓储和邮政业",
        "industry_division": "54 道路运输业",
    }


def test_register_downloads_as_csv_and_json(public_world):
    client = client_as(public_world.world, "anonymous")
    response = client.get("/register/registrations.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="dataip-register-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert rows == [_expected_row(public_world.registered)]

    response = client.get("/register/registrations.json")
    assert response["Content-Disposition"].startswith("attachment; ")
    body = json.loads(response.content)
    assert body["count"] == 1
    assert body["registrations"] == [_expected_row(public_world.registered)]
    assert body["fields"] == list(_expected_row(public_world.registered))


def test_statistics_charts_are_svg_with_data_tables(db):
    world = World()
    assert world.application_in(Status.REGISTERED).status == Status.REGISTERED
    assert world.application_in(Status.REGISTERED).status == Status.REGISTERED
    html = client_as(world, "anonymous").get("/register/statistics/").content.decode()
    assert "登记簿中共有 2 项登记。" in html
    assert html.count('<svg class="bars"') == 3
    assert html.count('role="img"') == 3
    # Both registrations: March 2025, division 54, self-produced; the full bar is 320 units.
    for label in ("2025-03", "54 道路运输业", "自行生产"):
        assert f'<tr><th scope="row">{label}</th><td class="number">2</td></tr>' in html
        assert "<desc id=" in html and f"{label}: 2" in html
    assert html.count('width="320"') == 3


def test_statistics_in_english_translate_source_types(public_world):
    html = (
        client_as(public_world.world, "anonymous")
        .get("/register/statistics/", headers={"accept-language": "en"})
        .content.decode()
    )
    assert '<th scope="row">Self-produced</th>' in html
