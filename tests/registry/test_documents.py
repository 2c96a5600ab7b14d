"""The application form PDF, its fingerprint, and the downloadable templates."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
import rfc8785
from django.contrib.staticfiles import finders
from tests.core import reference
from tests.registry.factories import credit_code

from dataip.accounts.models import Registrant, RegistrantKind, Role
from dataip.evidence.models import Evidence
from dataip.evidence.services import evidence_record_digest
from dataip.registry import documents
from dataip.registry.models import (
    Application,
    Jurisdiction,
    Material,
    MaterialKind,
    Sample,
    SamplePurpose,
    SourceType,
    Status,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = credit_code("91440101MA5C00002")
FIELDS: dict[str, Any] = {
    "data_name": "广州市停车场出入与缴费记录数据集",
    "summary": "本数据集汇集广州市一百二十个停车场的车辆出入记录与缴费记录，"
    "经清洗、脱敏和时间对齐。\n\n第二段：用于停车需求预测与收费策略优化。",
    "industry_division_id": "54",
    "source_type": SourceType.OTHER,
    "source_routes": ["self_produced", "agreement"],
    "source_description": "自有停车管理系统产生，并经协议取得市交通部门的泊位数据",
    "source_process": "停车场道闸与收费终端在车辆出入和缴费时实时写入运营数据库",
    "collection_method": "",
    "agreement_holder": "某某市交通运输局",
    "agreement_scope": "停车需求研究与商业分析",
    "agreement_valid_until": datetime.date(2027, 6, 30),
    "data_composition": "出入记录表、缴费记录表、停车场信息表",
    "is_public_data": False,
    "substantive_processing": True,
    "innovative_labour": False,
    "processing_rules": "去重、车牌脱敏、时间对齐与异常值剔除",
    "processing_description": "车牌号以 SM3 加盐哈希脱敏；出入时间对齐到分钟。",
    "application_scenario": "用于停车需求预测、收费策略优化和城市交通规划研究。",
    "record_count": 12_345_678,
    "refiling_justification": "",
}


@pytest.fixture
def registrant() -> Registrant:
    return Registrant.objects.create(
        kind=RegistrantKind.LEGAL_PERSON, name="广州市某某数据科技有限公司", id_number=ID_NUMBER
    )


@pytest.fixture
def user(django_user_model, registrant):
    return django_user_model.objects.create_user(
        "applicant", password="x", role=Role.APPLICANT, registrant=registrant, real_name="张三"
    )


@pytest.fixture
def evidence(user, tmp_path) -> Evidence:
    data = tmp_path / "停车记录"
    data.mkdir()
    (data / "01.csv").write_text("plate,in\n粤A12345,08:00\n", encoding="utf-8")
    (data / "02.csv").write_text("plate,in\n粤B54321,09:00\n", encoding="utf-8")
    d = reference.digest(data, "sm3")
    record, _ = evidence_record_digest(
        owner=user,
        alg="sm3",
        root=d.root.hex(),
        check_code_text=reference.check_code("sm3", d.root.hex(), d.file_count, d.total_bytes),
        file_count=d.file_count,
        total_bytes=d.total_bytes,
    )
    return record


@pytest.fixture
def application(user, evidence) -> Application:
    application = Application.objects.create(
        jurisdiction=Jurisdiction.objects.get(is_default=True),
        registrant=user.registrant,
        created_by=user,
        evidence=evidence,
        **FIELDS,
    )
    for purpose, count in ((SamplePurpose.REVIEW, 50), (SamplePurpose.DISPLAY, 3)):
        Sample.objects.create(
            application=application,
            purpose=purpose,
            file=f"registry/test/{purpose}",
            original_name=f"{purpose}-样例.csv",
            format="csv",
            sha256=hashlib.sha256(purpose.encode()).hexdigest(),
            record_count=count,
            columns=["车牌号"],
            rows=[["粤A00001"]],
        )
    for kind in (MaterialKind.SOURCE_STATEMENT, MaterialKind.AGREEMENT):
        Material.objects.create(
            application=application,
            kind=kind,
            file=f"registry/test/{kind}",
            original_name=f"{kind}-盖章.pdf",
            content_type="application/pdf",
            size=204_800,
            sha256=hashlib.sha256(kind.encode()).hexdigest(),
            uploaded_by=user,
        )
    return Application.objects.get(pk=application.pk)


def expected_fingerprint(application: Application) -> str:
    """The brief's definition, computed with an independent RFC 8785 implementation."""
    evidence = application.evidence
    assert evidence is not None
    document = {
        "type": "dataip/application-form/v1",
        "registrant": {
            "kind": "legal_person",
            "name": "广州市某某数据科技有限公司",
            "id_number": ID_NUMBER,
        },
        **{k: v for k, v in FIELDS.items() if k not in ("industry_division_id", "record_count")},
        "industry_division": "54",
        "agreement_valid_until": "2027-06-30",
        "record_count": "12345678",
        "evidence": {
            "alg": "sm3",
            "root": evidence.root,
            "check_code": evidence.check_code,
            "file_count": "2",
            "total_bytes": str(evidence.total_bytes),
        },
        "samples": {
            "review": hashlib.sha256(b"review").hexdigest(),
            "display": hashlib.sha256(b"display").hexdigest(),
        },
    }
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    # Lines wrap anywhere in Chinese text: compare without whitespace.
    return re.sub(r"\s+", "", text)


# --- the fingerprint ------------------------------------------------------------------------


def test_fingerprint_is_sha256_of_the_canonical_json(application):
    assert documents.form_fingerprint(application) == expected_fingerprint(application)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("data_name", "广州市停车场出入记录数据集"),
        ("summary", FIELDS["summary"] + "。"),
        ("industry_division_id", "53"),
        ("source_type", SourceType.SELF_PRODUCED),
        ("source_routes", ["agreement", "self_produced"]),
        ("source_description", "另一说明"),
        ("source_process", "另一过程"),
        ("collection_method", "公开网页"),
        ("agreement_holder", "另一持有方"),
        ("agreement_scope", "另一范围"),
        ("agreement_valid_until", datetime.date(2027, 7, 1)),
        ("data_composition", "另一构成"),
        ("is_public_data", None),
        ("substantive_processing", False),
        ("innovative_labour", True),
        ("processing_rules", "另一规则"),
        ("processing_description", "另一说明"),
        ("application_scenario", "另一场景"),
        ("record_count", 12_345_679),
        ("refiling_justification", "此前撤回系材料有误"),
    ],
)
def test_every_entered_field_changes_the_fingerprint(application, field, value):
    before = documents.form_fingerprint(application)
    Application.objects.filter(pk=application.pk).update(**{field: value})
    assert documents.form_fingerprint(Application.objects.get(pk=application.pk)) != before


def test_evidence_samples_and_registrant_change_it(application, user, tmp_path):
    before = documents.form_fingerprint(application)
    Sample.objects.filter(application=application, purpose=SamplePurpose.DISPLAY).update(
        sha256=hashlib.sha256(b"other display").hexdigest()
    )
    after_sample = documents.form_fingerprint(Application.objects.get(pk=application.pk))
    assert after_sample != before
    Registrant.objects.filter(pk=application.registrant_id).update(name="广州市某某数据有限公司")
    after_name = documents.form_fingerprint(Application.objects.get(pk=application.pk))
    assert after_name != after_sample
    root = hashlib.sha256(b"other data").hexdigest()
    other, _ = evidence_record_digest(
        owner=user,
        alg="sm3",
        root=root,
        check_code_text=reference.check_code("sm3", root, 2, 100),
        file_count=2,
        total_bytes=100,
    )
    Application.objects.filter(pk=application.pk).update(evidence=other)
    assert documents.form_fingerprint(Application.objects.get(pk=application.pk)) != after_name


def test_workflow_fields_and_materials_do_not_change_it(application, user):
    before = documents.form_fingerprint(application)
    Application.objects.filter(pk=application.pk).update(
        status=Status.SUBMITTED,
        application_number="SJ440020250000001",
        submitted_at=datetime.datetime(2025, 3, 3, 2, 0, tzinfo=datetime.UTC),
        version=7,
    )
    Material.objects.create(
        application=application,
        kind=MaterialKind.APPLICATION_FORM,
        file="registry/test/form",
        original_name="form.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=user,
        form_fingerprint=before,
    )
    assert documents.form_fingerprint(Application.objects.get(pk=application.pk)) == before


def test_huge_counts_stay_exact(application):
    Application.objects.filter(pk=application.pk).update(record_count=2**63 - 1)
    changed = Application.objects.get(pk=application.pk)
    # Beyond 2**53 a JSON number would lose digits: the count is a string.
    assert documents.form_fingerprint(changed) != documents.form_fingerprint(application)


# --- the form -------------------------------------------------------------------------------


def test_the_form_shows_everything_entered(application):
    pdf = documents.application_form_pdf(application)
    pages = pages_text(pdf)
    text = flat("".join(pages))
    evidence = application.evidence
    assert evidence is not None
    for expected in [
        "数据知识产权登记申请书",
        "登记机构：广东省知识产权保护中心",
        "申请号：（提交后生成）",
        "广州市某某数据科技有限公司",
        "法人",
        f"统一社会信用代码{ID_NUMBER}",
        *(v for v in FIELDS.values() if isinstance(v, str) and v and v != "other"),
        "门类G交通运输、仓储和邮政业；大类54道路运输业",
        "来源类型其他合法来源",
        "来源途径自行生产、协议获取",
        "协议有效期至2027-06-30",
        "是否为公开数据否",
        "■实质性加工；□创新性劳动",
        "12,345,678条",
        "哈希算法SM3",
        f"哈希值{evidence.root}",
        f"哈希校验码{evidence.check_code}",
        "文件数2",
        f"总字节数{evidence.total_bytes:,}",
        "审核样例50review-样例.csvCSV",
        "展示样例3display-样例.csvCSV",
        "数据来源说明source_statement-盖章.pdf204,800",
        "数据获取协议agreement-盖章.pdf204,800",
        "申请人（盖章）",
        "日期：年月日",
    ]:
        assert flat(expected) in text, expected
    # A route not named shows no proof fields; an unused field does not appear at all.
    assert "采集方式" not in text and "重新申请的理由" not in text
    fingerprint = expected_fingerprint(application)
    for number, page in enumerate(pages, start=1):
        assert f"申请书指纹（SHA-256）：{fingerprint}" in flat(page)
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page


def test_pdf_metadata_and_determinism(application):
    pdf = documents.application_form_pdf(application)
    assert pdf.startswith(b"%PDF-")
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert info.title == "数据知识产权登记申请书" and info.subject == FIELDS["data_name"]
    assert documents.application_form_pdf(application) == pdf  # same data, same bytes


def test_long_texts_flow_over_pages_and_markup_is_text(application):
    sentence = "本段说明数据采集、清洗、脱敏、特征工程与融合的每一个步骤及其参数。"
    long = "".join(f"{sentence}（第{i}句）" for i in range(300))  # ~12,000 characters
    Application.objects.filter(pk=application.pk).update(
        processing_description=long,
        data_name="A&B <b>粗体</b> 数据集",
        refiling_justification="此前撤回系材料有误\x07",
    )
    changed = Application.objects.get(pk=application.pk)
    pages = pages_text(documents.application_form_pdf(changed))
    assert len(pages) >= 4
    footer = re.compile(r"申请书指纹（SHA-256）：\s*[0-9a-f]{64}|第 \d+ 页 / 共 \d+ 页")
    text = flat("".join(footer.sub("", page) for page in pages))
    assert long in text
    assert flat("A&B <b>粗体</b> 数据集") in text
    assert "重新申请的理由" in text and "此前撤回系材料有误" in text


def test_public_collection_shows_its_method(application):
    Application.objects.filter(pk=application.pk).update(
        source_type=SourceType.PUBLIC_COLLECTION, collection_method="以公开接口采集泊位数据"
    )
    changed = Application.objects.get(pk=application.pk)
    text = flat("".join(pages_text(documents.application_form_pdf(changed))))
    assert "采集方式及来源以公开接口采集泊位数据" in text
    assert "来源途径" not in text and "数据原持有方" not in text


def test_an_empty_draft_still_prints(user):
    draft = Application.objects.create(
        jurisdiction=Jurisdiction.objects.get(is_default=True),
        registrant=user.registrant,
        created_by=user,
    )
    text = flat("".join(pages_text(documents.application_form_pdf(draft))))
    assert "（未填写）" in text and "（尚未存证）" in text and "（尚未上传）" in text


# --- the templates --------------------------------------------------------------------------


def test_commitment_letter_template():
    pages = pages_text(documents.commitment_letter_template())
    assert len(pages) == 1
    text = flat(pages[0])
    for expected in [
        "申请人承诺书",
        "安全合规",
        "真实、有效、完整、准确",
        "不存在窃取他人数据处理规则的情形",
        "法定代表人或负责人（签字）",
        "申请人（盖章）",
        "日期：年月日",
    ]:
        assert expected in text, expected


def test_structure_description_template():
    workbook = openpyxl.load_workbook(io.BytesIO(documents.structure_description_template()))
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["表名", "字段名称", "字段类型", "字段属性", "是否主键", "说明"]
    assert len(rows) == 2 and rows[1][:5] == [
        "water_meter_reading",
        "meter_id",
        "VARCHAR(32)",
        "非空",
        "是",
    ]
    assert workbook.sheetnames == ["数据结构说明", "填写说明"]


STATIC = Path(documents.__file__).parent / "static" / "registry" / "templates"
REGENERATE = (
    'regenerate with: .venv/bin/python -c "import django,os; '
    "os.environ['DJANGO_SETTINGS_MODULE']='dataip.site.settings'; django.setup(); "
    "from pathlib import Path; from dataip.registry import documents as d; "
    "[Path('src/dataip/registry/static/registry/templates', n).write_bytes(f()) "
    'for n, f in d.TEMPLATES.items()]"'
)


@pytest.mark.parametrize("name", sorted(documents.TEMPLATES))
def test_static_copies_say_what_the_generators_say(name):
    assert finders.find(f"registry/templates/{name}") == str(STATIC / name)
    shipped = (STATIC / name).read_bytes()
    made = documents.TEMPLATES[name]()
    if name.endswith(".pdf"):
        assert pages_text(shipped) == pages_text(made), REGENERATE
    else:

        def cells(data: bytes) -> list[list[list[object]]]:
            book = openpyxl.load_workbook(io.BytesIO(data))
            return [[list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets]

        assert cells(shipped) == cells(made), REGENERATE
