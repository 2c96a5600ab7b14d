"""Reads: the examiners' queue counts, the applicant desk's notifications."""

from __future__ import annotations

import pytest

from dataip.registry import selectors, services
from dataip.registry.models import Status

from .factories import T0, World, user_make

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
