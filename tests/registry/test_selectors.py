"""Reads: the examiners' queue counts, the applicant desk's notifications, evidence choices."""

from __future__ import annotations

import pytest

from dataip.evidence.models import Evidence
from dataip.registry import selectors, services
from dataip.registry.errors import RegistryError
from dataip.registry.models import Status

from .factories import T0, World, evidence_make, user_make

pytestmark = pytest.mark.django_db


def test_queue_counts_in_one_query(django_assert_num_queries):
    world = World()
    for status in (Status.SUBMITTED, Status.SUBMITTED, Status.UNDER_REVIEW, Status.DRAFT):
        world.application_in(status)
    held = world.application_in(Status.PUBLICITY, objection=True)
    # A second objection to the same application counts it once.
    services.objection_file(
        actor=user_make("objector2"), application=held, reasons="第二项异议", now=T0
    )
    world.application_in(Status.PUBLICITY)
    with django_assert_num_queries(1):
        counts = selectors.review_queue_counts()
    assert counts == {
        "submitted": 2,
        "under_review": 1,
        "amendment": 0,
        "publicity": 2,
        "objections": 1,
    }


def test_registrant_events_are_the_registrants_own_newest_first():
    world = World()
    mine = world.application_in(Status.UNDER_REVIEW)
    colleague = user_make("colleague", registrant=world.registrant)
    theirs = services.application_create(actor=world.other)
    services.application_update(
        actor=world.other, application=theirs, changes={"data_name": "另一数据集"}, version=None
    )
    events = selectors.registrant_events(user=colleague, limit=10)
    assert events and {e.application_id for e in events} == {mine.pk}
    assert [e.created_at for e in events] == sorted((e.created_at for e in events), reverse=True)
    assert len(selectors.registrant_events(user=colleague, limit=1)) == 1
    assert selectors.registrant_events(user=world.public, limit=10) == []
    other_events = selectors.registrant_events(user=world.other, limit=10)
    assert other_events and all(e.application_id == theirs.pk for e in other_events)


def test_evidence_choices_offer_colleagues_records_without_their_private_labels():
    world = World()
    application = services.application_create(actor=world.applicant)
    colleague = user_make("colleague", registrant=world.registrant)
    own = evidence_make(world.applicant, seed="own")
    theirs = evidence_make(colleague, seed="theirs")
    Evidence.objects.filter(pk=theirs.pk).update(label="同事的私人备注")
    outsider = evidence_make(world.other, seed="outsider")
    choices = selectors.evidence_choices(user=world.applicant, application=application)
    assert [c.uuid for c in choices] == [own.uuid, theirs.uuid]  # own first; not the outsider's
    assert choices[1].label == "" and choices[1].colleague in {"colleague", colleague.real_name}
    assert choices[0].colleague == "" and choices[0].label == own.label
    # The services accept what is offered, and refuse the outsider's record.
    services.application_update(
        actor=world.applicant,
        application=application,
        changes={"evidence": str(theirs.uuid)},
        version=None,
    )
    with pytest.raises(RegistryError):
        services.application_update(
            actor=world.applicant,
            application=application,
            changes={"evidence": str(outsider.uuid)},
            version=None,
        )
