"""Concurrent users on PostgreSQL: numbering, two examiners at once, a deadline against a
resubmission. Each thread has its own database connection, so the row locks are real.

SQLite serialises every writer, so these races cannot happen there; the tests run in the
PostgreSQL pass of the suite (make test-postgres), which CI requires.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from dataip.registry import services
from dataip.registry.errors import RegistryError, StateConflict
from dataip.registry.models import Application, ApplicationEvent, Event, Status
from dataip.registry.numbers import mod11_2

from .factories import AFTER_PUBLICITY, AMENDMENT_DUE, T0, World, application_complete, at

pytestmark = [
    # Transactional (threads see each other's commits); the seeded reference data and calendar
    # are restored at the start of each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as e:
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_numbers_are_unique_and_gapless_under_concurrent_submissions_and_approvals():
    world = World()
    drafts = [application_complete(world.applicant) for _ in range(8)]
    results = race(
        *[
            functools.partial(
                services.application_submit, actor=world.applicant, application=a, now=T0
            )
            for a in drafts
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    numbers = sorted(
        str(n) for n in Application.objects.values_list("application_number", flat=True)
    )
    assert numbers == [f"SJ44002025{n:07d}" for n in range(1, 9)]
    for application in drafts:
        services.application_start_review(actor=world.examiner, application=application, now=T0)
        services.application_start_publicity(actor=world.examiner, application=application, now=T0)
    # Four schedulers at once: every application registered exactly once, numbers gapless.
    reports = race(
        *[functools.partial(services.registry_tick, now=AFTER_PUBLICITY) for _ in range(4)]
    )
    assert not [r for r in reports if isinstance(r, Exception)]
    assert sum(len(r.registered) for r in reports) == 8
    registered = Application.objects.filter(status=Status.REGISTERED)
    registration = sorted(str(n) for n in registered.values_list("registration_number", flat=True))
    assert [r[:15] for r in registration] == [f"44002025{n:07d}" for n in range(1, 9)]
    assert all(r[15] == mod11_2(r[:15]) for r in registration)
    certificates = sorted(str(n) for n in registered.values_list("certificate_number", flat=True))
    assert certificates == [f"2025034400{n:07d}" for n in range(1, 9)]
    assert ApplicationEvent.objects.filter(kind=Event.REGISTERED).count() == 8


def test_two_examiners_acting_at_once():
    world = World()
    second = type(world.examiner).objects.create_user(
        "examiner2", role="examiner", email="e2@example.com"
    )
    for _ in range(5):
        application = world.application_in(Status.SUBMITTED)
        taken = race(
            functools.partial(
                services.application_start_review,
                actor=world.examiner,
                application=application,
                now=T0,
            ),
            functools.partial(
                services.application_start_review, actor=second, application=application, now=T0
            ),
        )
        assert sorted(type(r).__name__ for r in taken) == ["Application", "StateConflict"]
        started = application.events.filter(kind=Event.REVIEW_STARTED)
        assert started.count() == 1
        winner = next(r for r in taken if isinstance(r, Application))
        assert winner.examiner == started.get().actor
        # One passes it to publicity while the other rejects it: one decision stands.
        decided = race(
            functools.partial(
                services.application_start_publicity,
                actor=world.examiner,
                application=application,
                now=T0,
            ),
            functools.partial(
                services.application_reject,
                actor=second,
                application=application,
                grounds=["unlawful"],
                reasoning="违法",
                now=T0,
            ),
        )
        failures = [r for r in decided if isinstance(r, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], StateConflict)
        application.refresh_from_db()
        assert application.status in (Status.PUBLICITY, Status.REJECTED)
        kinds = set(application.events.values_list("kind", flat=True))
        assert (Event.PUBLICISED in kinds) != (Event.REJECTED in kinds)


def test_a_deadline_firing_while_the_applicant_resubmits():
    world = World()
    outcomes = set()
    last_minute = at(AMENDMENT_DUE.year, AMENDMENT_DUE.month, AMENDMENT_DUE.day, 23, 59)
    just_after = at(AMENDMENT_DUE.year, AMENDMENT_DUE.month, AMENDMENT_DUE.day + 1, 0, 0)
    for _ in range(6):
        application = world.application_in(Status.AMENDMENT_REQUESTED)
        resubmitted, tick = race(
            functools.partial(
                services.application_resubmit,
                actor=world.applicant,
                application=application,
                now=last_minute,
            ),
            functools.partial(services.registry_tick, now=just_after),
        )
        application.refresh_from_db()
        assert not isinstance(tick, Exception)
        if application.status == Status.SUBMITTED:
            assert isinstance(resubmitted, Application) and tick.deemed_withdrawn == []
        else:
            assert application.status == Status.DEEMED_WITHDRAWN
            assert isinstance(resubmitted, RegistryError)
            assert len(tick.deemed_withdrawn) == 1
        events = list(application.events.values_list("kind", flat=True))
        assert (Event.RESUBMITTED in events) != (Event.DEEMED_WITHDRAWN in events)
        outcomes.add(application.status)
    assert outcomes <= {Status.SUBMITTED, Status.DEEMED_WITHDRAWN}
