"""Builders for registry tests: registrants, users, evidence, complete applications, states.

Every state is reached through the real services, at fixed times in 2025 (a year the working-day
calendar knows): T0 is Monday 2025-03-03 10:00 in Shanghai.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import zoneinfo

from dataip.accounts.models import Registrant, RegistrantKind, Role, User
from dataip.core.hashing import check_code
from dataip.evidence.models import Evidence
from dataip.evidence.services import evidence_record_digest
from dataip.registry import services
from dataip.registry.models import Application, MaterialKind, Objection, Status
from dataip.registry.services import Defect

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


T0 = at(2025, 3, 3)
#: 5 working days after Monday 2025-03-03: Tue 4, Wed 5, Thu 6, Fri 7, Mon 10.
PUBLICITY_END = datetime.date(2025, 3, 10)
#: 10 working days after 2025-03-03: 4, 5, 6, 7, 10, 11, 12, 13, 14, 17.
AMENDMENT_DUE = datetime.date(2025, 3, 17)
AFTER_PUBLICITY = at(2025, 3, 11)
AFTER_AMENDMENT = at(2025, 3, 18)

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_serials = itertools.count(1)


def credit_code(first17: str) -> str:
    """A unified social credit code with its GB 32100-2015 check character."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_ALPHABET[(31 - total % 31) % 31]


def registrant_make(name: str = "广州市某某数据科技有限公司") -> Registrant:
    serial = next(_serials)
    return Registrant.objects.create(
        kind=RegistrantKind.LEGAL_PERSON,
        name=name,
        id_number=credit_code(f"914401{serial:011d}"),
        contact_phone="13800138000",
        contact_email="contact@example.com",
    )


def user_make(
    username: str, *, role: str = Role.APPLICANT, registrant: Registrant | None = None
) -> User:
    return User.objects.create_user(
        username,
        email=f"{username}@example.com",
        password="correct horse battery staple",
        role=role,
        registrant=registrant,
        real_name=f"{username} 实名" if registrant else "",
    )


def evidence_make(owner: User, seed: str = "data") -> Evidence:
    root = hashlib.sha256(seed.encode()).hexdigest()
    evidence, _ = evidence_record_digest(
        owner=owner,
        alg="sm3",
        root=root,
        check_code_text=check_code("sm3", root, 12, 123_456),
        file_count=12,
        total_bytes=123_456,
    )
    return evidence


def pdf_bytes(text: str = "scan") -> bytes:
    """A small, valid one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def csv_sample(records: int) -> bytes:
    lines = ["车牌号,入场时间,出场时间,金额"]
    lines += [
        f"粤A{i:05d},2024-01-01 08:{i % 60:02d},2024-01-01 09:{i % 60:02d},{i}"
        for i in range(records)
    ]
    return ("\n".join(lines) + "\n").encode()


FIELDS = {
    "data_name": "广州市停车场出入与缴费记录数据集",
    "summary": "本数据集汇集广州市 120 个停车场 2023 年至 2024 年的车辆出入记录与缴费记录，"
    "经清洗、脱敏和时间对齐，用于停车需求预测与收费策略优化。",
    "industry_division": {"section": "G", "division": "54"},
    "source_type": "self_produced",
    "source_description": "由本公司停车管理系统在日常运营中自行产生",
    "source_process": "停车场道闸与收费终端在车辆出入和缴费时实时写入运营数据库",
    "data_composition": "出入记录表、缴费记录表、停车场信息表",
    "is_public_data": False,
    "substantive_processing": True,
    "processing_rules": "去重、车牌脱敏、时间对齐与异常值剔除",
    "processing_description": "车牌号以 SM3 加盐哈希脱敏；出入时间对齐到分钟；"
    "剔除停留超过 30 天的记录。",
    "application_scenario": "用于停车需求预测、收费策略优化和城市交通规划研究。",
    "record_count": 12_345_678,
}


def application_complete(applicant: User, *, evidence: Evidence | None = None) -> Application:
    """A draft with every field and file, ready to submit."""
    application = services.application_create(actor=applicant)
    evidence = evidence or evidence_make(applicant, seed=str(application.uuid))
    services.application_update(
        actor=applicant,
        application=application,
        changes={**FIELDS, "evidence": str(evidence.uuid)},
        version=None,
    )
    for kind in (
        MaterialKind.SOURCE_STATEMENT,
        MaterialKind.STRUCTURE_DESCRIPTION,
        MaterialKind.COMMITMENT_LETTER,
        MaterialKind.SOURCE_PROOF,
    ):
        services.material_upload(
            actor=applicant,
            application=application,
            kind=kind,
            name=f"{kind}.pdf",
            data=pdf_bytes(kind),
        )
    services.sample_upload(
        actor=applicant,
        application=application,
        purpose="review",
        name="review.csv",
        data=csv_sample(50),
    )
    services.sample_upload(
        actor=applicant,
        application=application,
        purpose="display",
        name="display.csv",
        data=csv_sample(3),
    )
    # Last: the stamped form is of the data as entered.
    services.material_upload(
        actor=applicant,
        application=application,
        kind=MaterialKind.APPLICATION_FORM,
        name="form.pdf",
        data=pdf_bytes("stamped form"),
    )
    application.refresh_from_db()
    return application


class World:
    """Two registrants with an applicant each, an examiner, an administrator, a public user."""

    def __init__(self) -> None:
        self.registrant = registrant_make()
        self.applicant = user_make("applicant", registrant=self.registrant)
        self.other = user_make("other", registrant=registrant_make("深圳市另一数据有限公司"))
        self.examiner = user_make("examiner", role=Role.EXAMINER)
        self.administrator = user_make("administrator", role=Role.ADMINISTRATOR)
        self.public = user_make("public")

    def application_in(  # noqa: PLR0911 - one exit per state, in workflow order
        self, status: str, *, objection: bool = False
    ) -> Application:
        """An application of ``self.applicant`` brought to ``status`` through the services.

        ``objection``: in publicity, with an open objection filed by ``self.public``.
        """
        application = application_complete(self.applicant)
        if status == Status.DRAFT:
            return application
        application = services.application_submit(
            actor=self.applicant, application=application, now=T0
        )
        if status == Status.WITHDRAWN:
            return services.application_withdraw(
                actor=self.applicant, application=application, reason="不再申请", now=T0
            )
        if status == Status.SUBMITTED:
            return application
        application = services.application_start_review(
            actor=self.examiner, application=application, now=T0
        )
        if status == Status.UNDER_REVIEW:
            return application
        if status == Status.REJECTED:
            return services.application_reject(
                actor=self.examiner,
                application=application,
                grounds=["not_desensitised"],
                reasoning="样例数据含未脱敏的车牌号",
                now=T0,
            )
        if status in (Status.AMENDMENT_REQUESTED, Status.DEEMED_WITHDRAWN):
            application = services.application_request_amendment(
                actor=self.examiner,
                application=application,
                defects=[Defect(field="summary", message="请补充数据采集时间范围")],
                now=T0,
            )
            if status == Status.DEEMED_WITHDRAWN:
                services.registry_tick(now=AFTER_AMENDMENT)
                application.refresh_from_db()
            return application
        application = services.application_start_publicity(
            actor=self.examiner, application=application, now=T0
        )
        if objection and status == Status.PUBLICITY:
            self.objection(application)
        if status == Status.REGISTERED:
            services.registry_tick(now=AFTER_PUBLICITY)
            application.refresh_from_db()
        return application

    def objection(self, application: Application) -> Objection:
        return services.objection_file(
            actor=self.public, application=application, reasons="该数据来源于本人", now=T0
        )
