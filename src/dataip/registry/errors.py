"""Errors of the registration workflow, with their messages in Chinese and English."""

from __future__ import annotations

from dataip.core.errors import DataipError, Text, register_messages

register_messages(
    {
        "application_not_found": ("没有这件登记申请", "no such application"),
        "application_state": (
            "申请当前状态为“{state}”，不能{action}",
            "the application is {state}: {action} is not possible in this state",
        ),
        "application_stale": (
            "申请已被他人修改（当前版本 {current}，您提交的是版本 {given}），请刷新后再试",
            "the application was changed meanwhile (version {current}, yours was {given}): "
            "reload it and try again",
        ),
        "application_forbidden": (
            "您无权{action}这件申请",
            "{action} of this application is not permitted to you",
        ),
        "application_incomplete": (
            "申请尚不完整，缺少 {count} 项：{items}",
            "the application is incomplete; {count} item(s) missing: {items}",
        ),
        "real_name_required": (
            "请先在用户中心完善实名信息和登记主体，再办理登记申请",
            "complete your real-name details and registrant in the user centre first",
        ),
        "field_unknown": ("没有字段“{field}”", "there is no field '{field}'"),
        "field_invalid": ("“{label}”填写有误：{problem}", "{label} is not valid: {problem}"),
        "industry_unknown": (
            "行业大类“{value}”不在 GB/T 4754-2017 中",
            "industry division '{value}' is not in GB/T 4754-2017",
        ),
        "industry_mismatch": (
            "行业大类“{division}”不属于门类“{section}”（它属于门类“{actual}”）",
            "industry division '{division}' is not in section '{section}' (it is in '{actual}')",
        ),
        "evidence_not_yours": (
            "所选存证记录不属于本登记主体",
            "the evidence record does not belong to this registrant",
        ),
        "reason_required": ("请填写{what}", "{what} is required"),
        "defects_required": (
            "要求补正时须列出至少一项需修改的问题",
            "an amendment request must list at least one defect",
        ),
        "grounds_required": (
            "驳回须选择至少一项不予登记情形",
            "a rejection must name at least one ground",
        ),
        "ground_unknown": ("不予登记情形“{value}”不存在", "there is no ground '{value}'"),
        "refiling_justification_required": (
            "本登记主体曾撤回同一数据的登记申请（{number}），重新申请须说明理由",
            "this registrant withdrew an application for the same data ({number}): "
            "refiling requires a justification",
        ),
        "amendment_overdue": (
            "补正期限（{due}）已过，申请视为撤回",
            "the amendment was due by {due}: the application is deemed withdrawn",
        ),
        "objection_period_over": (
            "公示期已于 {end} 结束，不能再提出异议",
            "publicity ended on {end}: objections can no longer be filed",
        ),
        "objection_not_allowed": (
            "只能对公示中的申请提出异议",
            "objections can be filed only during publicity",
        ),
        "objection_own_application": (
            "不能对本登记主体自己的申请提出异议",
            "you cannot object to your own registrant's application",
        ),
        "objection_not_found": ("没有这项异议", "no such objection"),
        "objection_resolved": ("该异议已处理", "the objection has already been resolved"),
        "objection_proof_required": (
            "认定申请人{outcome}须有协商协议、调解协议或法院判决等证明",
            "deciding that the applicant {outcome} requires proof: a negotiation agreement, "
            "a mediation agreement or a court judgment",
        ),
        "clock_override_off": (
            "未开启时钟覆盖设置（DATAIP_CLOCK_OVERRIDE），不能指定 --now",
            "--now is accepted only when the clock override setting (DATAIP_CLOCK_OVERRIDE) is on",
        ),
        "file_too_large": (
            "文件“{name}”超过了 {limit} 字节的上限",
            "the file '{name}' exceeds the limit of {limit} bytes",
        ),
        "too_many_files": ("最多可上传 {limit} 个文件", "at most {limit} files can be uploaded"),
        "number_format": (
            "编号格式配置有误：{problem}",
            "the number format is misconfigured: {problem}",
        ),
    }
)


class RegistryError(DataipError):
    """An application request that cannot be carried out; nothing was changed."""


class NotFound(RegistryError):
    status = 404


class Forbidden(RegistryError):
    status = 403


class TooLarge(RegistryError):
    status = 413


class StateConflict(RegistryError):
    """The action is not allowed in the application's current state (HTTP 409)."""

    status = 409

    def __init__(self, *, state: str, state_label: Text, action: Text) -> None:
        super().__init__("application_state", state=state_label, action=action)
        self.extra = {"state": state}


class StaleUpdate(RegistryError):
    """The client edited an older version of the application (HTTP 409)."""

    status = 409

    def __init__(self, *, current: int, given: int) -> None:
        super().__init__("application_stale", current=current, given=given)
        self.extra = {"version": current}
