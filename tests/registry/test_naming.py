"""Advice on data names (FAQ 七(三)1): the FAQ's own examples pass, each check has its case."""

from __future__ import annotations

import pytest

from dataip.registry.naming import Advice, name_advice

FAQ_EXAMPLES = ("热泵行业低碳节能与储能策略数据集", "XX市公用水务XX分区水量数据")


def codes(name: str) -> list[str]:
    return [a.code for a in name_advice(name)]


@pytest.mark.parametrize(
    "name",
    [
        *FAQ_EXAMPLES,
        # Names of the kind the seed's registered datasets carry.
        "广州市停车场出入与缴费记录数据集",
        "粤港澳大湾区新能源汽车充电桩运营数据",
        "电网最大负荷监测数据",  # 最大 is a technical term
        "第一产业农作物产量统计数据",  # so is 第一产业
        "2024年广东省第一季度用电量数据",  # a date inside a real name is fine
        "城市交通流量（2024年版）数据集",
        "基于AI的医疗影像标注数据集",
        "工业设备IoT传感器时序数据库",
        "珠江流域水文监测数据（2023年）",
    ],
)
def test_good_names_get_no_advice(name):
    assert name_advice(name) == []


def test_no_name_yet_is_not_advised_on():
    assert name_advice("") == [] and name_advice("   ") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("水量数据", ["name_too_short"]),
        ("广东省" + "城市公共交通客流与运营调度" * 4 + "数据集", ["name_too_long"]),
        ("热泵行业低碳节能与储能策略", ["name_no_subject"]),
        ("广州某某科技有限公司客户交易数据", ["name_company"]),
        ("某某集团供应链物流数据集", ["name_company"]),
        ("Acme Co., Ltd 物流轨迹数据", ["name_company"]),
        ("全国最全的电商交易数据集", ["name_superlative"]),
        ("国内唯一的卫星遥感影像", ["name_superlative"]),
        ("国家级权威医疗数据集", ["name_superlative"]),
        ("行业第一的气象数据集", ["name_superlative"]),
        ("Traffic Flow dataset", ["name_latin_only"]),
        ("ABC-123 XYZ", ["name_no_subject", "name_latin_only"]),
        ("2023年数据", ["name_date_only"]),
        ("2024年第一季度数据集", ["name_date_only"]),
        ("2024-06 数据资源", ["name_date_only"]),
        ("20240101", ["name_no_subject", "name_date_only"]),
        ("V2.0 版本数据集", ["name_version_only"]),
        ("2024年 v1.2 数据", ["name_date_only", "name_version_only"]),
        ("天气预报★精选数据集", ["name_characters"]),
        ("城市空气质量\u200b监测数据", ["name_characters"]),
        ("城市\t空气质量监测数据", ["name_characters"]),
    ],
)
def test_each_check(name, expected):
    assert codes(name) == expected


def test_several_at_once_in_order():
    assert codes("最好公司☆") == [
        "name_too_short",
        "name_no_subject",
        "name_company",
        "name_superlative",
        "name_characters",
    ]


def test_every_advice_explains_and_gives_the_faq_example():
    names = [
        "水量",
        "某某有限公司最全数据★",
        "Traffic",
        "2023年数据",
        "v3数据集",
        "城" * 60 + "数据",
    ]
    advice = [a for name in names for a in name_advice(name)]
    assert {a.code for a in advice} == {
        "name_too_short",
        "name_too_long",
        "name_no_subject",
        "name_company",
        "name_superlative",
        "name_latin_only",
        "name_date_only",
        "name_version_only",
        "name_characters",
    }
    for a in advice:
        assert isinstance(a, Advice)
        assert all(example in a.zh for example in FAQ_EXAMPLES), a.code
        assert all(example in a.en for example in FAQ_EXAMPLES), a.code
        assert "行业/领域+作用+主体" in a.zh and "industry/domain + function + subject" in a.en


def test_advice_quotes_what_it_is_about():
    (company,) = name_advice("广州某某科技有限公司客户交易数据")
    assert "“有限”" in company.zh and "'有限'" in company.en
    (odd,) = name_advice("城市空气质量\u200b监测★数据")
    assert "U+200B、“★”" in odd.zh and "U+200B, “★”" in odd.en
    (short,) = name_advice("水量数据")
    assert "（4 个字，建议不少于 6 个字）" in short.zh
