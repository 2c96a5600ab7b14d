"""The scheduler command, the admin's view of the registry, the OpenAPI document, and the
calendar's explicit refusal past the known years."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dataip.registry import services
from dataip.registry.models import Application, Jurisdiction, Status
from dataip.registry.services import Defect
from dataip.workdays.errors import CalendarUnknown
from dataip.workdays.models import CalendarYear

from .factories import AMENDMENT_DUE, World, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_tick_now_needs_the_clock_override(world, settings, capsys):
    application = world.application_in(Status.AMENDMENT_REQUESTED)
    settings.DATAIP_CLOCK_OVERRIDE = False
    with pytest.raises(CommandError, match="DATAIP_CLOCK_OVERRIDE"):
        call_command("registry_tick", "--now", "2025-03-18T09:00:00+08:00")
    application.refresh_from_db()
    assert application.status == Status.AMENDMENT_REQUESTED
    settings.DATAIP_CLOCK_OVERRIDE = True
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("registry_tick", "--now", "next tuesday")
    call_command("registry_tick", "--now", "2025-03-17T23:00:00")  # naive: Shanghai time
    assert "0 deemed withdrawn" in capsys.readouterr().out
    call_command("registry_tick", "--now", "2025-03-18T00:30:00+08:00")
    out = capsys.readouterr().out
    assert f"deemed withdrawn: {application.application_number}" in out
    application.refresh_from_db()
    assert application.status == Status.DEEMED_WITHDRAWN
    assert application.decided_at == at(2025, 3, 18, 0, 30)
    assert timezone.localdate(application.decided_at) > AMENDMENT_DUE


def test_a_deadline_past_the_known_calendar_is_refused_not_guessed(world):
    application = world.application_in(Status.UNDER_REVIEW)
    CalendarYear.objects.filter(year=2026).update(complete=False)
    # 10 working days after 2025-12-24 run into 2026, which is no longer complete.
    with pytest.raises(CalendarUnknown) as raised:
        services.application_request_amendment(
            actor=world.examiner,
            application=application,
            defects=[Defect("summary", "请补充")],
            now=at(2025, 12, 24),
        )
    assert "2026" in raised.value.message("zh")
    assert raised.value.status == 409
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW and application.amendment_due is None
    assert not application.events.filter(kind="application:amendment_requested").exists()


def test_the_admin_shows_applications_read_only(world, client):
    application = world.application_in(Status.SUBMITTED)
    world.administrator.is_staff = True
    world.administrator.is_superuser = True
    world.administrator.save()
    client.force_login(world.administrator)
    page = client.get(f"/admin/registry/application/{application.pk}/change/")
    assert page.status_code == 200
    assert application.application_number in page.content.decode()
    before = Application.objects.get(pk=application.pk).status
    client.post(f"/admin/registry/application/{application.pk}/change/", {"status": "registered"})
    assert Application.objects.get(pk=application.pk).status == before
    assert client.get("/admin/registry/application/add/").status_code == 403
    assert client.get("/admin/registry/jurisdiction/").status_code == 200
    # Examiners and applicants have no admin.
    for user in (world.examiner, world.applicant):
        client.force_login(user)
        assert client.get("/admin/registry/application/").status_code == 302


def test_the_admin_refuses_a_bad_number_layout(world, client):
    world.administrator.is_staff = True
    world.administrator.is_superuser = True
    world.administrator.save()
    client.force_login(world.administrator)
    gd = Jurisdiction.objects.get(is_default=True)
    form = {
        "code": gd.code,
        "name": gd.name,
        "registration_body": gd.registration_body,
        "administration": gd.administration,
        "body_code": gd.body_code,
        "application_prefix": gd.application_prefix,
        "application_number_layout": "",
        "registration_number_layout": "{body}{year}{serial:06d}{check}",
        "certificate_number_layout": "",
        "publicity_days": 5,
        "amendment_days": 10,
        "validity_years": 3,
        "is_default": "on",
        "grounds-TOTAL_FORMS": 0,
        "grounds-INITIAL_FORMS": 0,
    }
    page = client.post(f"/admin/registry/jurisdiction/{gd.pk}/change/", form)
    assert page.status_code == 200 and "编号格式配置有误" in page.content.decode()
    gd.refresh_from_db()
    assert gd.registration_number_layout == ""


def test_openapi_documents_every_router(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    for path in (
        "/api/v1/applications",
        "/api/v1/applications/{application_id}/submit",
        "/api/v1/review/queue",
        "/api/v1/review/objections/{objection_id}/resolve",
        "/api/v1/public/publicity/{number}/objections",
        "/api/v1/public/announcements",
        "/api/v1/accounts/me",
        "/api/v1/evidence/digest",
        "/api/v1/log/proof/inclusion",
    ):
        assert path in paths
    assert client.get("/api/v1/docs").status_code == 200


def test_dates_in_answers_are_shanghai_dates(world):
    # Submitted at 00:30 Shanghai time on 4 March = 16:30 UTC on 3 March.
    application = world.application_in(Status.DRAFT)
    services.application_submit(
        actor=world.applicant, application=application, now=at(2025, 3, 4, 0, 30)
    )
    application.refresh_from_db()
    assert application.submitted_at == datetime.datetime(2025, 3, 3, 16, 30, tzinfo=datetime.UTC)
    assert application.application_number == "SJ440020250000001"
