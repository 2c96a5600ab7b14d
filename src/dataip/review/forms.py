"""Forms of the review desk: amendment requests, rejections, objection decisions.

The forms only parse what the examiner entered; the rules (at least one defect, known grounds,
proof required for a decision on entitlement) are the services' and their errors are shown
beside the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dataip.registry.models import Ground, MaterialKind, ObjectionOutcome, ProofKind
from dataip.registry.services import FIELDS, Defect


@dataclass(frozen=True)
class CommonDefect:
    """A defect examiners often find (FAQ 七(三), 七(四)): the field it concerns and the text
    the applicant receives (the Chinese text is the one recorded)."""

    code: str
    field: str
    zh: str
    en: str


#: Common defects of applications, from the FAQ's notes on the application and its materials.
CHECKLIST: tuple[CommonDefect, ...] = (
    CommonDefect(
        "name_content",
        "data_name",
        "数据名称未反映数据集合的实质内容，请按“行业/领域+作用+主体”或“地区+作用+主体”命名",
        "The data name does not reflect what the data collection contains: name it "
        "'industry/domain + function + subject' or 'region + function + subject'",
    ),
    CommonDefect(
        "summary_brief",
        "summary",
        "数据简介过于简单，请准确、具体地概述数据集合的组成和应用",
        "The summary is too brief: describe the composition and use of the data collection "
        "precisely",
    ),
    CommonDefect(
        "industry_mismatch",
        "industry_division",
        "行业分类与数据集合的流通使用领域不符，请按 GB/T 4754-2017 的门类及大类重新选择",
        "The industry does not match the field the data is used in: choose the section and "
        "division of GB/T 4754-2017 again",
    ),
    CommonDefect(
        "source_proof",
        MaterialKind.SOURCE_PROOF.value,
        "缺少数据来源证明材料或证明不充分，请按数据来源提供依法依规获取数据的证明"
        "（建议采用“说明+附件”的方式）",
        "Proof of the data's source is missing or insufficient: prove that the data was "
        "obtained lawfully for each source (a statement with attachments is recommended)",
    ),
    CommonDefect(
        "source_statement",
        MaterialKind.SOURCE_STATEMENT.value,
        "数据来源说明不完整或未盖章",
        "The source statement is incomplete or not stamped",
    ),
    CommonDefect(
        "structure_incomplete",
        MaterialKind.STRUCTURE_DESCRIPTION.value,
        "数据结构说明不完整，请说明数据库表的表名、字段名称、字段类型、字段属性和主关键字段",
        "The structure description is incomplete: give the tables' names, field names, field "
        "types, field attributes and primary keys",
    ),
    CommonDefect(
        "processing_unclear",
        "processing_description",
        "数据处理规则说明不清楚，请具体说明实质性加工或创新性劳动的内容",
        "The processing rules are unclear: describe the substantive processing or innovative "
        "labour concretely",
    ),
    CommonDefect(
        "scenario_vague",
        "application_scenario",
        "应用场景描述不具体，请说明数据用于解决的具体问题",
        "The application scenario is vague: say which concrete problem the data solves",
    ),
    CommonDefect(
        "record_count",
        "record_count",
        "数据量与存证记录或样例数据不一致，请核实记录数量",
        "The record count does not agree with the evidence record or the samples: check it",
    ),
    CommonDefect(
        "not_desensitised",
        "review_sample",
        "样例数据未进行脱敏处理，请对个人信息等敏感字段脱敏后重新上传",
        "The samples are not desensitised: desensitise personal and other sensitive fields "
        "and upload them again",
    ),
    CommonDefect(
        "review_sample_few",
        "review_sample",
        "供审核的样例数据少于 50 条",
        "Fewer than 50 sample records for the examiners",
    ),
    CommonDefect(
        "display_sample",
        "display_sample",
        "供展示的样例数据少于 3 条或字段不完整；字段较多时请通过附件完整提交",
        "Fewer than 3 display sample records, or fields missing: attach them in full when "
        "there are many fields",
    ),
    CommonDefect(
        "commitment_letter",
        MaterialKind.COMMITMENT_LETTER.value,
        "申请人承诺书未使用平台模板、未签署或未盖章",
        "The commitment letter is not on the platform's template, not signed or not stamped",
    ),
    CommonDefect(
        "form_not_stamped",
        MaterialKind.APPLICATION_FORM.value,
        "申请书未盖章，或不是按当前填写内容下载的申请书，请重新下载、盖章后上传扫描件",
        "The application form is not stamped, or not the one generated from the data as "
        "entered: download it again, stamp it and upload the scan",
    ),
)
CHECKLIST_BY_CODE = {item.code: item for item in CHECKLIST}

#: Rows for defects in the examiner's own words.
FREE_ROWS = 5


def _language_index(language: str) -> int:
    return 1 if language == "en" else 0


def defect_targets(language: str) -> list[tuple[str, str]]:
    """What a defect can concern: every field of the application, each material, the samples."""
    index = _language_index(language)
    targets = [("", str(_("The application in general")))]
    targets += [(name, field.label[index]) for name, field in FIELDS.items()]
    targets += [(kind.value, str(kind.label)) for kind in MaterialKind]
    targets += [
        ("review_sample", str(_("Review sample"))),
        ("display_sample", str(_("Display sample"))),
    ]
    return targets


class AmendmentForm(forms.Form):
    checklist = forms.MultipleChoiceField(
        label=_("Common defects"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick each that applies; the applicant receives the text shown."),
    )
    note = forms.CharField(
        label=_("Note to the applicant (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, language: str = "zh", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        index = _language_index(language)
        cast(forms.ChoiceField, self.fields["checklist"]).choices = [
            (item.code, (item.zh, item.en)[index]) for item in CHECKLIST
        ]
        targets = defect_targets(language)
        self.target_labels = dict(targets)
        for row in range(FREE_ROWS):
            self.fields[f"field_{row}"] = forms.ChoiceField(
                label=_("Defect %(n)s: concerns") % {"n": row + 1},
                choices=targets,
                required=False,
            )
            self.fields[f"message_{row}"] = forms.CharField(
                label=_("Defect %(n)s: what is wrong and what to correct") % {"n": row + 1},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def free_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"field_{row}"], self[f"message_{row}"]) for row in range(FREE_ROWS)]

    def defects(self) -> list[Defect]:
        """The ticked common defects, then the examiner's own, in the order entered."""
        data = self.cleaned_data
        found = [
            Defect(field=CHECKLIST_BY_CODE[code].field, message=CHECKLIST_BY_CODE[code].zh)
            for code in data.get("checklist", [])
        ]
        for row in range(FREE_ROWS):
            message = data.get(f"message_{row}", "").strip()
            if message:
                found.append(Defect(field=data.get(f"field_{row}", ""), message=message))
        return found


class RejectForm(forms.Form):
    grounds = forms.MultipleChoiceField(
        label=_("Grounds for refusal"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every ground that applies."),
        error_messages={"required": _("Choose at least one ground.")},
    )
    reasoning = forms.CharField(
        label=_("Reasoning"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The facts and why they meet the grounds; the applicant receives it."),
        error_messages={"required": _("Give the reasoning.")},
    )

    def __init__(
        self, *args: Any, grounds: Iterable[Ground], language: str = "zh", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ground_list = list(grounds)
        self.ground_labels = {
            g.code: f"{g.order}. {g.title_en if language == 'en' else g.title}"
            for g in self.ground_list
        }
        cast(forms.ChoiceField, self.fields["grounds"]).choices = list(self.ground_labels.items())

    def chosen(self) -> list[str]:
        return [self.ground_labels[code] for code in self.cleaned_data["grounds"]]


#: The decisions and proofs in the reviewer's language (the models' labels are Chinese only).
OUTCOMES = [
    (ObjectionOutcome.ENTITLED.value, _("Proof that the applicant is entitled: register")),
    (ObjectionOutcome.NOT_ENTITLED.value, _("Proof that the applicant is not entitled: reject")),
    (ObjectionOutcome.NOT_ESTABLISHED.value, _("The objection is not established: register")),
]
PROOFS = [
    (ProofKind.NEGOTIATION.value, _("Negotiation agreement")),
    (ProofKind.MEDIATION.value, _("Mediation agreement")),
    (ProofKind.JUDGMENT.value, _("Court judgment")),
    (ProofKind.NONE.value, _("None (objection not established)")),
]


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the decision.")},
    )
    proof_kind = forms.ChoiceField(
        label=_("Proof the decision rests on"),
        choices=PROOFS,
        widget=forms.RadioSelect,
        help_text=_(
            "A decision that the applicant is or is not entitled needs a negotiation agreement, "
            "a mediation agreement or a court judgment."
        ),
        error_messages={"required": _("Choose the proof.")},
    )
    resolution = forms.CharField(
        label=_("Reasoning"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Give the reasoning.")},
    )
