"""Every (state, action, role) triple: allowed ones change the state as the rules say; the
others are refused with the right error and change nothing.

The table of what is allowed is written out here from the issue's rules (DOMAIN.md, FAQ 六-十),
independently of ``registry.workflow``.
"""

from __future__ import annotations

import itertools

import pytest

from dataip.registry import services
from dataip.registry.errors import Forbidden, NotFound, StateConflict
from dataip.registry.models import ApplicationEvent, Objection, Status
from dataip.registry.services import Defect

from .factories import AFTER_AMENDMENT, AFTER_PUBLICITY, T0, World

pytestmark = pytest.mark.django_db

S = Status
ROLES = ("applicant", "other", "public", "administrator", "examiner")
OUTSIDERS = ("other", "public", "administrator")

#: (state, action) -> (roles allowed, state after)
ALLOWED = {
    (S.DRAFT, "edit"): ({"applicant"}, S.DRAFT),
    (S.AMENDMENT_REQUESTED, "edit"): ({"applicant"}, S.AMENDMENT_REQUESTED),
    (S.DRAFT, "submit"): ({"applicant"}, S.SUBMITTED),
    (S.SUBMITTED, "withdraw"): ({"applicant"}, S.WITHDRAWN),
    (S.SUBMITTED, "start_review"): ({"examiner"}, S.UNDER_REVIEW),
    (S.UNDER_REVIEW, "request_amendment"): ({"examiner"}, S.AMENDMENT_REQUESTED),
    (S.AMENDMENT_REQUESTED, "resubmit"): ({"applicant"}, S.SUBMITTED),
    (S.UNDER_REVIEW, "start_publicity"): ({"examiner"}, S.PUBLICITY),
    (S.UNDER_REVIEW, "reject"): ({"examiner"}, S.REJECTED),
    (S.PUBLICITY, "file_objection"): (set(OUTSIDERS), S.PUBLICITY),
    # Decided "not established" while publicity runs: it stays in publicity until the end.
    (S.PUBLICITY, "resolve_objection"): ({"examiner"}, S.PUBLICITY),
}
#: Which role each action belongs to when it is done by the right person in the wrong state.
OWNER = {
    "edit": "applicant",
    "submit": "applicant",
    "withdraw": "applicant",
    "resubmit": "applicant",
    "start_review": "examiner",
    "request_amendment": "examiner",
    "start_publicity": "examiner",
    "reject": "examiner",
    "file_objection": "public",
    "resolve_objection": "examiner",
}
AT = T0.replace(hour=15)


def _objection(world: World, application):
    open_one = application.objections.filter(status="open").first()
    if open_one is not None:
        return open_one
    # No objection can exist in this state; one is made up to show the guard refuses it.
    return Objection.objects.create(
        application=application, filed_by=world.public, reasons="异议", filed_at=T0
    )


ACTIONS = {
    "edit": lambda w, a, u: services.application_update(
        actor=u, application=a, changes={"summary": a.summary + "（补充）"}, version=None
    ),
    "submit": lambda w, a, u: services.application_submit(actor=u, application=a, now=AT),
    "withdraw": lambda w, a, u: services.application_withdraw(
        actor=u, application=a, reason="暂不申请", now=AT
    ),
    "resubmit": lambda w, a, u: services.application_resubmit(actor=u, application=a, now=AT),
    "start_review": lambda w, a, u: services.application_start_review(
        actor=u, application=a, now=AT
    ),
    "request_amendment": lambda w, a, u: services.application_request_amendment(
        actor=u, application=a, defects=[Defect("summary", "请补充")], now=AT
    ),
    "start_publicity": lambda w, a, u: services.application_start_publicity(
        actor=u, application=a, now=AT
    ),
    "reject": lambda w, a, u: services.application_reject(
        actor=u, application=a, grounds=["unlawful"], reasoning="违反法律法规", now=AT
    ),
    "file_objection": lambda w, a, u: services.objection_file(
        actor=u, application=a, reasons="该数据集与本公司数据相同", now=AT
    ),
    "resolve_objection": lambda w, a, u: services.objection_resolve(
        actor=u,
        objection=_objection(w, a),
        outcome="not_established",
        proof_kind="none",
        resolution="异议人未提供证据",
        now=AT,
    ),
}


def _refusal(state: str, action: str, role: str) -> type[Exception]:
    """How a triple that is not allowed is refused."""
    if role in OUTSIDERS:
        # To outsiders an application that is not in publicity does not exist.
        return Forbidden if state == S.PUBLICITY and action != "file_objection" else NotFound
    if OWNER[action] == role:
        return StateConflict  # the right person, the wrong state
    return Forbidden  # applicants objecting to their own data; roles doing others' work


def _snapshot(application):
    application.refresh_from_db()
    return (
        application.status,
        application.version,
        ApplicationEvent.objects.filter(application=application).count(),
        Objection.objects.filter(application=application, status="open").count(),
    )


@pytest.mark.parametrize(
    ("state", "action", "role"), list(itertools.product(Status.values, ACTIONS, ROLES))
)
def test_every_state_action_role(state, action, role):
    world = World()
    application = world.application_in(state, objection=action == "resolve_objection")
    user = getattr(world, role)
    allowed_roles, after = ALLOWED.get((state, action), (set(), None))
    before = _snapshot(application)
    if role in allowed_roles:
        ACTIONS[action](world, application, user)
        application.refresh_from_db()
        assert application.status == after
        assert application.version > before[1]
        return
    expected = _refusal(state, action, role)
    with pytest.raises(expected) as raised:
        ACTIONS[action](world, application, user)
    if expected is StateConflict:
        assert getattr(raised.value, "extra", None) == {"state": state}
    if action == "resolve_objection":
        # The made-up objection, if any, is not counted in the "before" snapshot.
        Objection.objects.filter(application=application, reasons="异议").delete()
    assert _snapshot(application) == before


@pytest.mark.parametrize("state", Status.values)
def test_scheduler_transitions_in_every_state(state):
    world = World()
    application = world.application_in(state)
    before = _snapshot(application)
    deemed = services.application_deem_withdrawn(application=application, now=AFTER_AMENDMENT)
    registered = services.application_register(application=application, now=AFTER_PUBLICITY)
    application.refresh_from_db()
    assert deemed == (state == S.AMENDMENT_REQUESTED)
    assert registered == (state == S.PUBLICITY)
    if state == S.AMENDMENT_REQUESTED:
        assert application.status == S.DEEMED_WITHDRAWN
    elif state == S.PUBLICITY:
        assert application.status == S.REGISTERED
    else:
        assert _snapshot(application) == before
