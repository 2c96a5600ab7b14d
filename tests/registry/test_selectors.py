"""Reads for examiners: the queue counts."""

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
