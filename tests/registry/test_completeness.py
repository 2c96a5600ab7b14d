"""What stops submission: every item, in the FAQ's order, on real rows (no upload services)."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from django.utils import timezone
from tests.core import reference
from tests.registry.factories import application_complete, credit_code, registrant_make, user_make

from dataip.accounts.models import Registrant, RegistrantKind, Role
from dataip.evidence.models import Evidence
from dataip.evidence.services import evidence_record_digest
from dataip.registry import documents
from dataip.registry.completeness import Missing, application_missing
from dataip.registry.models import (
    Application,
    Jurisdiction,
    Material,
    MaterialKind,
    Sample,
    SamplePurpose,
    SourceType,
)

pytestmark = pytest.mark.django_db

SUMMARY = (
    "本数据集汇集广州市一百二十个停车场二〇二三年至二〇二四年的车辆出入记录与缴费记录，"
    "经清洗、脱敏和时间对齐，用于停车需求预测与收费策略优化。"
)
assert len(SUMMARY) >= 50


@pytest.fixture
def registrant() -> Registrant:
    return Registrant.objects.create(
        kind=RegistrantKind.LEGAL_PERSON,
        name="广州市某某数据科技有限公司",
        id_number=credit_code("91440101MA5C00001"),
    )


@pytest.fixture
def user(django_user_model, registrant):
    return django_user_model.objects.create_user(
        "applicant", password="x", role=Role.APPLICANT, registrant=registrant, real_name="张三"
    )


def evidence_of(owner, directory: Path) -> Evidence:
    directory.mkdir()
    (directory / "records.csv").write_text(f"owner\n{owner.username}\n", encoding="utf-8")
    d = reference.digest(directory, "sm3")
    evidence, _ = evidence_record_digest(
        owner=owner,
        alg="sm3",
        root=d.root.hex(),
        check_code_text=reference.check_code("sm3", d.root.hex(), d.file_count, d.total_bytes),
        file_count=d.file_count,
        total_bytes=d.total_bytes,
    )
    return evidence


@pytest.fixture
def evidence(user, tmp_path) -> Evidence:
    return evidence_of(user, tmp_path / "dataset")


def material(application: Application, kind: str, *, fingerprint: str = "") -> Material:
    return Material.objects.create(
        application=application,
        kind=kind,
        file=f"registry/test/{kind}",
        original_name=f"{kind}.pdf",
        content_type="application/pdf",
        size=1000,
        sha256=hashlib.sha256(kind.encode() + fingerprint.encode()).hexdigest(),
        uploaded_by=application.created_by,
        form_fingerprint=fingerprint,
    )


def sample(application: Application, purpose: str, count: int) -> Sample:
    return Sample.objects.create(
        application=application,
        purpose=purpose,
        file=f"registry/test/{purpose}",
        original_name=f"{purpose}.csv",
        format="csv",
        sha256=hashlib.sha256(f"{purpose}{count}".encode()).hexdigest(),
        record_count=count,
        columns=["车牌号"],
        rows=[["粤A00001"]],
    )


def draft(user, **fields) -> Application:
    return Application.objects.create(
        jurisdiction=Jurisdiction.objects.get(is_default=True),
        registrant=user.registrant,
        created_by=user,
        **fields,
    )


def stamp(application: Application) -> Material:
    """Upload the form as it is now (what the upload service records)."""
    fresh = Application.objects.get(pk=application.pk)
    return material(
        fresh, MaterialKind.APPLICATION_FORM, fingerprint=documents.form_fingerprint(fresh)
    )


@pytest.fixture
def complete(user, evidence) -> Application:
    application = draft(
        user,
        data_name="广州市停车场出入与缴费记录数据集",
        summary=SUMMARY,
        industry_division_id="54",
        source_type=SourceType.SELF_PRODUCED,
        source_description="由本公司停车管理系统在日常运营中自行产生",
        source_process="停车场道闸与收费终端在车辆出入和缴费时实时写入运营数据库",
        data_composition="出入记录表、缴费记录表、停车场信息表",
        is_public_data=False,
        substantive_processing=True,
        processing_rules="去重、车牌脱敏、时间对齐与异常值剔除",
        processing_description="车牌号以 SM3 加盐哈希脱敏；出入时间对齐到分钟。",
        application_scenario="用于停车需求预测、收费策略优化和城市交通规划研究。",
        record_count=12_345_678,
        evidence=evidence,
    )
    for kind in ("source_statement", "structure_description", "commitment_letter", "source_proof"):
        material(application, kind)
    sample(application, SamplePurpose.REVIEW, 50)
    sample(application, SamplePurpose.DISPLAY, 3)
    stamp(application)
    return Application.objects.get(pk=application.pk)


def missing_of(application: Application) -> list[str]:
    return [m.code for m in application_missing(Application.objects.get(pk=application.pk))]


def change(application: Application, **fields) -> Application:
    Application.objects.filter(pk=application.pk).update(**fields)
    return Application.objects.get(pk=application.pk)


def test_a_complete_application_misses_nothing_in_four_queries(complete, django_assert_num_queries):
    with django_assert_num_queries(4):  # materials, samples, evidence + owner, registrant
        assert application_missing(complete) == []
    prefetched = (
        Application.objects.select_related("registrant", "evidence__owner")
        .prefetch_related("materials", "samples")
        .get(pk=complete.pk)
    )
    with django_assert_num_queries(0):
        assert application_missing(prefetched) == []


def test_an_empty_draft_misses_everything_in_faq_order(user):
    application = draft(user, data_name="  ", summary="\n")
    missing = application_missing(application)
    assert [(m.code, m.field) for m in missing] == [
        ("missing_data_name", "data_name"),
        ("missing_summary", "summary"),
        ("missing_industry_division", "industry_division"),
        ("missing_source_type", "source_type"),
        ("missing_source_description", "source_description"),
        ("missing_is_public_data", "is_public_data"),
        ("missing_processing_kind", "substantive_processing"),
        ("missing_processing_rules", "processing_rules"),
        ("missing_processing_description", "processing_description"),
        ("missing_application_scenario", "application_scenario"),
        ("missing_record_count", "record_count"),
        ("missing_evidence", "evidence"),
        ("missing_review_sample", "samples.review"),
        ("missing_display_sample", "samples.display"),
        ("missing_source_statement", "materials.source_statement"),
        ("missing_structure_description", "materials.structure_description"),
        ("missing_commitment_letter", "materials.commitment_letter"),
        ("missing_application_form", "materials.application_form"),
    ]
    assert missing[12] == Missing(
        code="missing_review_sample",
        field="samples.review",
        zh="请上传供审核的样例数据（不少于 50 条）",
        en="upload the review sample (at least 50 records)",
    )


def test_summary_must_say_something(complete):
    short = SUMMARY[:49]
    missing, outdated = application_missing(change(complete, summary=f"  {short}  "))
    assert missing.code == "missing_summary_short" and outdated.code == "form_outdated"
    assert missing.zh.startswith("数据简介过于简单（49 个字）") and "至少 50 个字" in missing.zh
    assert missing_of(change(complete, summary=SUMMARY[:50])) == ["form_outdated"]


def test_record_count_zero_is_missing(complete):
    assert missing_of(change(complete, record_count=0)) == ["missing_record_count", "form_outdated"]


def test_processing_needs_a_kind(complete):
    changed = change(complete, substantive_processing=False)
    assert missing_of(changed) == ["missing_processing_kind", "form_outdated"]
    assert missing_of(change(complete, innovative_labour=True)) == ["form_outdated"]


def test_self_produced_proofs(complete):
    Material.objects.filter(application=complete, kind=MaterialKind.SOURCE_PROOF).delete()
    changed = change(complete, source_process="", data_composition=" ")
    missing = application_missing(changed)
    assert [m.code for m in missing] == [
        "missing_source_process",
        "missing_data_composition",
        "missing_source_proof",
        "form_outdated",
    ]
    assert (
        missing[2].zh == "请上传数据来源证明材料（自行生产：产生数据的业务、客户或设备过程的证明）"
    )


def test_public_collection_proofs(complete):
    Material.objects.filter(application=complete, kind=MaterialKind.SOURCE_PROOF).delete()
    changed = change(complete, source_type=SourceType.PUBLIC_COLLECTION, source_process="")
    missing = application_missing(changed)
    assert [m.code for m in missing] == [
        "missing_collection_method",
        "missing_source_proof",
        "form_outdated",
    ]
    assert "公开采集：依法采集、持有、使用和收益的证明" in missing[1].zh
    changed = change(changed, collection_method="以公开接口采集政府公开的停车场泊位数据")
    material(changed, MaterialKind.SOURCE_PROOF)
    assert missing_of(changed) == ["form_outdated"]


def test_agreement_proofs(complete):
    changed = change(complete, source_type=SourceType.AGREEMENT)
    assert missing_of(changed) == [
        "missing_agreement_holder",
        "missing_agreement_scope",
        "missing_agreement_valid_until",
        "missing_agreement_material",
        "form_outdated",
    ]
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    changed = change(
        changed,
        agreement_holder="某某市交通运输局",
        agreement_scope="停车需求研究与商业分析",
        agreement_valid_until=yesterday,
    )
    material(changed, MaterialKind.AGREEMENT)
    missing = application_missing(changed)
    assert [m.code for m in missing] == ["missing_agreement_expired", "form_outdated"]
    assert missing[0].zh == f"数据获取协议已于 {yesterday.isoformat()} 到期，请提供有效期内的协议"
    # Valid until today is still valid. (The source proof and composition are not needed.)
    Material.objects.filter(application=changed, kind=MaterialKind.SOURCE_PROOF).delete()
    changed = change(changed, agreement_valid_until=today, data_composition="", source_process="")
    assert missing_of(changed) == ["form_outdated"]


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ([], ["missing_source_routes"]),
        ("self_produced", ["missing_source_routes"]),
        (["self_produced"], ["missing_source_routes"]),
        (["self_produced", "self_produced"], ["missing_source_routes"]),
        (["self_produced", "other"], ["missing_source_routes_invalid", "missing_source_routes"]),
        (["self_produced", "public_collection"], ["missing_collection_method"]),
        (
            ["agreement", "self_produced"],
            [
                "missing_agreement_holder",
                "missing_agreement_scope",
                "missing_agreement_valid_until",
                "missing_agreement_material",
            ],
        ),
    ],
)
def test_other_lawful_sources_name_their_routes_and_prove_each(complete, routes, expected):
    changed = change(complete, source_type=SourceType.OTHER, source_routes=routes)
    assert missing_of(changed) == [*expected, "form_outdated"]


def test_invalid_route_is_named(complete):
    changed = change(
        complete, source_type=SourceType.OTHER, source_routes=["purchase", "self_produced"]
    )
    first = application_missing(changed)[0]
    assert first.code == "missing_source_routes_invalid" and "“purchase”" in first.zh


def test_evidence_must_belong_to_the_registrant(complete, registrant, tmp_path):
    colleague = user_make("colleague", registrant=registrant)
    ours = evidence_of(colleague, tmp_path / "ours")
    changed = change(complete, evidence=ours)
    assert missing_of(changed) == ["form_outdated"]  # a colleague's record is fine
    stranger = user_make("stranger", registrant=registrant_make("深圳市另一数据有限公司"))
    theirs = evidence_of(stranger, tmp_path / "theirs")
    changed = change(complete, evidence=theirs)
    assert missing_of(changed) == ["missing_evidence_owner", "form_outdated"]
    unattached = user_make("nobody")
    changed = change(complete, evidence=evidence_of(unattached, tmp_path / "nobody"))
    assert missing_of(changed) == ["missing_evidence_owner", "form_outdated"]


def test_sample_sizes(complete):
    Sample.objects.filter(application=complete).delete()
    sample(complete, SamplePurpose.REVIEW, 49)
    sample(complete, SamplePurpose.DISPLAY, 2)
    missing = application_missing(Application.objects.get(pk=complete.pk))
    assert [m.code for m in missing] == [
        "missing_review_sample_short",
        "missing_display_sample_short",
        "form_outdated",  # the samples changed too
    ]
    assert missing[0].zh == "供审核的样例数据只有 49 条，应不少于 50 条"
    assert missing[1].en == "the display sample has 2 record(s); at least 3 are required"


def test_a_sample_attachment_stands_in_for_the_display_sample(complete):
    Sample.objects.filter(application=complete, purpose=SamplePurpose.DISPLAY).delete()
    assert missing_of(complete) == ["missing_display_sample", "form_outdated"]
    material(complete, MaterialKind.SAMPLE_ATTACHMENT)
    assert missing_of(complete) == ["form_outdated"]


def test_required_materials(complete):
    Material.objects.filter(
        application=complete,
        kind__in=[MaterialKind.STRUCTURE_DESCRIPTION, MaterialKind.COMMITMENT_LETTER],
    ).delete()
    assert missing_of(complete) == ["missing_structure_description", "missing_commitment_letter"]


def test_the_stamped_form_must_be_of_the_current_data(complete):
    changed = change(complete, data_name="广州市停车场出入记录数据集")
    (outdated,) = application_missing(changed)
    assert outdated == Missing(
        code="form_outdated",
        field="materials.application_form",
        zh="申请书在信息修改后需重新下载、盖章并上传",
        en="the application form must be downloaded, stamped and uploaded again after the "
        "entered data changed",
    )
    stamp(changed)  # the old form stays; one current form is enough
    assert missing_of(changed) == []
    # Optional and unrelated materials do not touch the form.
    material(changed, MaterialKind.COMPLIANCE_REPORT)
    assert missing_of(changed) == []


def test_the_upload_services_produce_a_complete_application():
    applicant = user_make("filer", registrant=registrant_make())
    assert application_missing(application_complete(applicant)) == []
