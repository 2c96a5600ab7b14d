"""Advice on the data name (数据名称, FAQ 七(三)1): never a refusal, only what to consider.

The FAQ: the name is a summary of the data collection's actual content, built as "industry or
domain + function + subject" or "region + function + subject", for example
“热泵行业低碳节能与储能策略数据集” or “XX市公用水务XX分区水量数据”.

The checks flag names that are unlikely to be that: too short or too long, without a subject
word at the end, naming the applicant (the applicant is recorded, and published, on its own),
advertising superlatives (the name is published, and the Advertising Law art. 9(3) bans such
words in advertising), no Chinese at all, only a date or version, or characters outside Chinese,
Latin letters, digits and common punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "SUBJECT_WORDS", "Advice", "name_advice"]

MIN_LENGTH = 6
MAX_LENGTH = 50

#: Words a data name usually ends with: what the collection is.
SUBJECT_WORDS = (
    "数据集",
    "数据",
    "数据库",
    "数据资源",
    "资源",
    "资源库",
    "信息",
    "信息库",
    "语料",
    "语料库",
    "知识库",
    "图谱",
    "样本",
    "样本集",
    "样本库",
    "图集",
    "影像",
    "台账",
    "档案",
    "dataset",
    "database",
    "data",
)

_EXAMPLE_ZH = "例如“热泵行业低碳节能与储能策略数据集”“XX市公用水务XX分区水量数据”"
_EXAMPLE_EN = (
    "for example 热泵行业低碳节能与储能策略数据集 (heat-pump industry low-carbon energy-saving "
    "and storage strategy dataset) or XX市公用水务XX分区水量数据 (water volume data of district "
    "XX of city XX's public water utility)"
)
_PATTERN_ZH = "数据名称宜由“行业/领域+作用+主体”或“地区+作用+主体”构成，" + _EXAMPLE_ZH
_PATTERN_EN = (
    "a data name is best built as 'industry/domain + function + subject' or "
    "'region + function + subject', " + _EXAMPLE_EN
)

_COMPANY = re.compile(
    r"公司|有限|集团|股份|合伙企业|事务所|工作室|\b(?:co\.?,?\s*ltd|ltd|inc|llc|corp|gmbh|limited)\b",
    re.IGNORECASE,
)
# 最大/最小/最高/最低/最终/最近/最短/最长/最优化 and 第一季度/第一产业/第一批... are technical
# terms, not praise.
_SUPERLATIVE = re.compile(
    r"最(?![大小高低终近短长早晚多少]|优化)|第一(?!季度|产业|批|期|次|阶段|届|代|类|部分|章|节)"
    r"|唯一|独一无二|国家级|世界级|全球首|全国首|首个|首家|顶级|顶尖|极致|独家|王牌|史上|万能"
    r"|全网|绝无仅有|无与伦比"
)
_CJK = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_ALLOWED_OTHER = re.compile(
    r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
    r" \-_.·・、()（）《》〈〉“”‘’'\"+&/:：,，—–\[\]【】]"
)
_DATE = re.compile(
    r"(?:19|20)\d{6}"
    r"|(?:19|20)\d{2}\s*(?:年度?|[-./])?\s*(?:\d{1,2}\s*(?:月份?|[-./])?\s*(?:\d{1,2}\s*日?)?)?"
    r"|[上下]半年|第?[一二三四1-4]季度|[一二三四五六七八九十]+月份?|年度|季度|月度|全年"
)
_VERSION = re.compile(
    r"[vV]\s*\d+(?:\.\d+)*|\d+(?:\.\d+)+|第?[0-9一二三四五六七八九十]+版|版本|修订版|正式版|最终版|新版|初版|版"
)
_FILLER = re.compile(r"[\s\W_的]+")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


@dataclass(frozen=True)
class Advice:
    """One piece of advice on a data name, with a stable code."""

    code: str
    zh: str
    en: str


def name_advice(name: str) -> list[Advice]:
    """Advice on ``name``, most basic first; empty when nothing stands out (or no name yet)."""
    name = name.strip()
    if not name:
        return []  # a missing name is for the completeness check to say
    advice = [*_length(name)]
    core = _TRAILING_NOTE.sub("", name)  # "...数据集（2024年版）" still ends with its subject
    if not core.lower().endswith(SUBJECT_WORDS):
        advice.append(
            Advice(
                "name_no_subject",
                "数据名称宜以数据主体结尾（如“数据集”“数据”“数据库”“资源”），说明登记的是什么数据；"
                + _PATTERN_ZH,
                "a data name should end with its subject (such as 数据集 dataset, 数据 data, "
                "数据库 database, 资源 resource), saying what data is registered; " + _PATTERN_EN,
            )
        )
    company = _COMPANY.search(name)
    if company:
        advice.append(
            Advice(
                "name_company",
                f"数据名称中含有“{company.group()}”，像是企业或登记主体的名称。数据名称应反映数据内容，"
                "申请人另行登记并公示，无须写入名称；" + _PATTERN_ZH,
                f"the data name contains {company.group()!r}, which looks like the name of a "
                "company or of the registrant. The name should reflect the data's content; the "
                "applicant is recorded and published separately; " + _PATTERN_EN,
            )
        )
    superlative = _SUPERLATIVE.search(name)
    if superlative:
        advice.append(
            Advice(
                "name_superlative",
                f"数据名称中含有“{superlative.group()}”这类宣传性、绝对化用语。名称将被公示，应客观描述"
                "数据内容，不作评价；" + _PATTERN_ZH,
                f"the data name contains {superlative.group()!r}, an advertising or absolute term. "
                "The name is published and should describe the content objectively, without "
                "praise; " + _PATTERN_EN,
            )
        )
    advice += _date_or_version(name, core)
    if not _CJK.search(name) and not any(a.code.endswith("_only") for a in advice):
        advice.append(
            Advice(
                "name_latin_only",
                "数据名称只有字母、数字或符号。请用中文描述数据内容，必要的英文缩写可保留；"
                + _PATTERN_ZH,
                "the data name has only Latin letters, digits or symbols. Describe the content "
                "in Chinese, keeping any English abbreviation that is needed; " + _PATTERN_EN,
            )
        )
    odd = _unusual_characters(name)
    if odd:
        advice.append(
            Advice(
                "name_characters",
                f"数据名称中含有不常用的字符：{'、'.join(odd)}。请只使用汉字、字母、数字和常用标点，"
                "以便检索和在证书上显示；" + _PATTERN_ZH,
                f"the data name contains unusual characters: {', '.join(odd)}. Use only Chinese "
                "characters, letters, digits and common punctuation, so that it can be searched "
                "and printed on the certificate; " + _PATTERN_EN,
            )
        )
    return advice


def _length(name: str) -> list[Advice]:
    if len(name) < MIN_LENGTH:
        return [
            Advice(
                "name_too_short",
                f"数据名称过短（{len(name)} 个字，建议不少于 {MIN_LENGTH} 个字），"
                "难以反映数据集合的实质内容；" + _PATTERN_ZH,
                f"the data name is short ({len(name)} characters; at least {MIN_LENGTH} are "
                "advised) and can hardly summarise the data's actual content; " + _PATTERN_EN,
            )
        ]
    if len(name) > MAX_LENGTH:
        return [
            Advice(
                "name_too_long",
                f"数据名称过长（{len(name)} 个字，建议不超过 {MAX_LENGTH} 个字）。名称是内容摘要，"
                "细节可写入数据简介；" + _PATTERN_ZH,
                f"the data name is long ({len(name)} characters; at most {MAX_LENGTH} are "
                "advised). The name is a summary; details belong in the summary text; "
                + _PATTERN_EN,
            )
        ]
    return []


def _date_or_version(name: str, core: str) -> list[Advice]:
    """A name that, without its subject word, is only a date or a version number."""
    lowered = core.lower()
    subject = max((w for w in SUBJECT_WORDS if lowered.endswith(w)), key=len, default="")
    rest = core[: len(core) - len(subject)]
    undated = _DATE.sub("", rest)
    unversioned = _VERSION.sub("", undated)
    if _FILLER.sub("", unversioned):
        return []
    advice = []
    if undated != rest:
        advice.append(
            Advice(
                "name_date_only",
                f"数据名称“{name}”只有日期或时间段，看不出是什么数据。日期可写在名称之后，"
                "但名称应先说明行业/领域或地区、作用和主体；" + _PATTERN_ZH,
                f"the data name {name!r} is only a date or period and does not say what the data "
                "is. A date may follow, but the name should first give the industry/domain or "
                "region, the function and the subject; " + _PATTERN_EN,
            )
        )
    if unversioned != undated:
        advice.append(
            Advice(
                "name_version_only",
                f"数据名称“{name}”只有版本号，看不出是什么数据。请说明行业/领域或地区、作用和主体；"
                + _PATTERN_ZH,
                f"the data name {name!r} is only a version number and does not say what the data "
                "is. Give the industry/domain or region, the function and the subject; "
                + _PATTERN_EN,
            )
        )
    return advice


def _unusual_characters(name: str) -> list[str]:
    odd: list[str] = []
    for c in name:
        if _CJK.match(c) or _ALLOWED_OTHER.match(c):
            continue
        # Invisible ones (controls, odd spaces) by code point, so the applicant can find them.
        shown = f"“{c}”" if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}"
        if shown not in odd:
            odd.append(shown)
    return odd
