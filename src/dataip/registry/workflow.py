"""The allowed transitions of an application: who may do what, from which state, to which.

This table is the only place that says so; ``services`` consult it for every action, and the
tests walk every (state, action, role) triple through it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dataip.core.errors import Text
from dataip.registry.models import Event, Status


class Role(enum.Enum):
    """Who acts, relative to one application."""

    APPLICANT = "applicant"  # a user of the application's registrant
    EXAMINER = "examiner"
    PUBLIC = "public"  # any other signed-in user
    SYSTEM = "system"  # the scheduler


class Action(enum.Enum):
    EDIT = "edit"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    START_REVIEW = "start_review"
    REQUEST_AMENDMENT = "request_amendment"
    RESUBMIT = "resubmit"
    DEEM_WITHDRAWN = "deem_withdrawn"
    START_PUBLICITY = "start_publicity"
    REJECT = "reject"
    FILE_OBJECTION = "file_objection"
    RESOLVE_OBJECTION = "resolve_objection"
    REGISTER = "register"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    sources: frozenset[Status]
    #: The state after the action; None where it stays (or depends on the outcome).
    target: Status | None
    event: Event | None
    label: Text


def _rule(  # noqa: PLR0917 - one row of the table below, read left to right
    roles: set[Role],
    sources: set[Status],
    target: Status | None,
    event: Event | None,
    zh: str,
    en: str,
) -> Rule:
    return Rule(frozenset(roles), frozenset(sources), target, event, Text(zh, en))


S = Status
TRANSITIONS: dict[Action, Rule] = {
    Action.EDIT: _rule(
        {Role.APPLICANT}, {S.DRAFT, S.AMENDMENT_REQUESTED}, None, None, "修改", "editing"
    ),
    Action.SUBMIT: _rule(
        {Role.APPLICANT}, {S.DRAFT}, S.SUBMITTED, Event.SUBMITTED, "提交", "submission"
    ),
    Action.WITHDRAW: _rule(
        {Role.APPLICANT}, {S.SUBMITTED}, S.WITHDRAWN, Event.WITHDRAWN, "撤回", "withdrawal"
    ),
    Action.START_REVIEW: _rule(
        {Role.EXAMINER},
        {S.SUBMITTED},
        S.UNDER_REVIEW,
        Event.REVIEW_STARTED,
        "开始审核",
        "taking up for review",
    ),
    Action.REQUEST_AMENDMENT: _rule(
        {Role.EXAMINER},
        {S.UNDER_REVIEW},
        S.AMENDMENT_REQUESTED,
        Event.AMENDMENT_REQUESTED,
        "要求补正",
        "an amendment request",
    ),
    Action.RESUBMIT: _rule(
        {Role.APPLICANT},
        {S.AMENDMENT_REQUESTED},
        S.SUBMITTED,
        Event.RESUBMITTED,
        "补正后重新提交",
        "resubmission",
    ),
    Action.DEEM_WITHDRAWN: _rule(
        {Role.SYSTEM},
        {S.AMENDMENT_REQUESTED},
        S.DEEMED_WITHDRAWN,
        Event.DEEMED_WITHDRAWN,
        "视为撤回",
        "deemed withdrawal",
    ),
    Action.START_PUBLICITY: _rule(
        {Role.EXAMINER},
        {S.UNDER_REVIEW},
        S.PUBLICITY,
        Event.PUBLICISED,
        "进入公示",
        "publicity",
    ),
    Action.REJECT: _rule(
        {Role.EXAMINER}, {S.UNDER_REVIEW}, S.REJECTED, Event.REJECTED, "驳回", "rejection"
    ),
    Action.FILE_OBJECTION: _rule(
        {Role.PUBLIC}, {S.PUBLICITY}, None, Event.OBJECTION_FILED, "提出异议", "an objection"
    ),
    Action.RESOLVE_OBJECTION: _rule(
        {Role.EXAMINER},
        {S.PUBLICITY},
        None,
        Event.OBJECTION_RESOLVED,
        "处理异议",
        "an objection decision",
    ),
    Action.REGISTER: _rule(
        {Role.SYSTEM}, {S.PUBLICITY}, S.REGISTERED, Event.REGISTERED, "核准登记", "registration"
    ),
}

#: Final states: nothing more happens to the application (after-registration acts come later).
FINAL = frozenset({S.REGISTERED, S.REJECTED, S.WITHDRAWN, S.DEEMED_WITHDRAWN})

#: Events whose statement goes into the transparency log.
LOGGED_EVENTS = {
    Event.SUBMITTED: "submitted",
    Event.RESUBMITTED: "resubmitted",
    Event.WITHDRAWN: "withdrawn",
    Event.DEEMED_WITHDRAWN: "deemed_withdrawn",
    Event.PUBLICISED: "publicised",
    Event.REGISTERED: "registered",
    Event.REJECTED: "rejected",
}

STATUS_LABELS: dict[Status, Text] = {
    S.DRAFT: Text("草稿", "a draft"),
    S.SUBMITTED: Text("待审核", "submitted"),
    S.UNDER_REVIEW: Text("审核中", "under review"),
    S.AMENDMENT_REQUESTED: Text("待修改", "awaiting amendment"),
    S.PUBLICITY: Text("公示中", "in publicity"),
    S.REGISTERED: Text("已登记", "registered"),
    S.REJECTED: Text("驳回", "rejection"),
    S.WITHDRAWN: Text("已撤回", "withdrawn"),
    S.DEEMED_WITHDRAWN: Text("视为撤回", "deemed withdrawn"),
}
