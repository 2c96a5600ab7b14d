"""Reference data: GB/T 4754-2017 sections and divisions, Guangdong's rules and grounds.

Loaded by the data migration ``0002_reference_data`` and reloadable with
``dataip manage registry_reference`` (idempotent: it adds what is missing and never changes what
an administrator edited).
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

#: Guangdong: 广东省知识产权保护中心 registers, the provincial market regulator administers.
GUANGDONG: dict[str, Any] = {
    "code": "gd",
    "name": "广东省",
    "registration_body": "广东省知识产权保护中心",
    "administration": "广东省市场监督管理局（知识产权局）",
    "body_code": "4400",
    "application_prefix": "SJ",
    "publicity_days": 5,
    "amendment_days": 10,
    "validity_years": 3,
    "is_default": True,
}

#: FAQ 九: the grounds for refusing registration, in the published order.
GUANGDONG_GROUNDS = [
    (
        "ineligible_registrant",
        "不符合《广东省数据知识产权登记服务指引（试行）》规定的登记主体",
        "the registrant does not qualify under the Guangdong registration guidelines",
    ),
    (
        "ineligible_object",
        "不符合《广东省数据知识产权登记服务指引（试行）》的登记对象",
        "the data does not qualify as an object of registration under the guidelines",
    ),
    ("stolen_rules", "窃取他人数据处理规则的", "the processing rules were taken from others"),
    ("not_desensitised", "数据集合未进行脱敏处理的", "the data collection was not desensitised"),
    (
        "dispute",
        "数据集合存在尚未处理完毕的纠纷的",
        "the data collection is subject to an unresolved dispute",
    ),
    (
        "false_material",
        "登记主体隐瞒有关情况或数据知识产权登记申请材料包含虚假信息的",
        "the registrant concealed facts, or the application contains false information",
    ),
    (
        "duplicate",
        "数据集合重复登记，或登记申请主动撤回后无正当理由再次提出登记申请的",
        "duplicate registration, or refiling after a withdrawal without good reason",
    ),
    ("unlawful", "其他违反法律法规的情形", "other violations of laws and regulations"),
]


def industry_rows() -> list[dict[str, str]]:
    """The rows of GB/T 4754-2017 (sections and divisions) shipped with the package."""
    text = resources.files("dataip.registry").joinpath("data/gbt4754-2017.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def reference_load(apps: Any = None) -> dict[str, int]:
    """Add missing reference rows; return how many of each were added.

    ``apps`` is a migration's app registry (historical models) or None for the current models.
    """
    if apps is None:
        from django.apps import apps as current  # noqa: PLC0415

        apps = current
    section_model = apps.get_model("registry", "IndustrySection")
    division_model = apps.get_model("registry", "IndustryDivision")
    jurisdiction_model = apps.get_model("registry", "Jurisdiction")
    ground_model = apps.get_model("registry", "Ground")
    added = {"sections": 0, "divisions": 0, "jurisdictions": 0, "grounds": 0}
    for row in industry_rows():
        _, created = section_model.objects.get_or_create(
            code=row["section_code"], defaults={"name": row["section_name"]}
        )
        added["sections"] += created
        _, created = division_model.objects.get_or_create(
            code=row["division_code"],
            defaults={"name": row["division_name"], "section_id": row["section_code"]},
        )
        added["divisions"] += created
    defaults = {k: v for k, v in GUANGDONG.items() if k != "code"}
    if jurisdiction_model.objects.filter(is_default=True).exclude(code=GUANGDONG["code"]).exists():
        defaults["is_default"] = False
    jurisdiction, created = jurisdiction_model.objects.get_or_create(
        code=GUANGDONG["code"], defaults=defaults
    )
    added["jurisdictions"] += created
    for order, (code, title, title_en) in enumerate(GUANGDONG_GROUNDS, start=1):
        _, created = ground_model.objects.get_or_create(
            jurisdiction=jurisdiction,
            code=code,
            defaults={"order": order, "title": title, "title_en": title_en},
        )
        added["grounds"] += created
    return added
