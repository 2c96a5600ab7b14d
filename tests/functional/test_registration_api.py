"""Whole registration flows through the REST API, to every ending, and what the public sees.

No mocks: real services, real files, the transparency log; the clock is moved with
time-machine to dates the working-day calendar knows (2025).
"""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.registry.factories import FIELDS, T0, World, at, csv_sample, evidence_make, pdf_bytes

from dataip.registry.models import Status
from dataip.registry.services import registry_tick
from dataip.transparency.models import LogEntry, PendingStatement

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


@pytest.fixture
def world(db):
    return World()


def _as(client, user):
    client.force_login(user)
    return client


def _json(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def _file(name, data):
    return SimpleUploadedFile(name, data)


def _material(client, url, kind, name, data):
    return _json(client.post(f"{url}/materials", {"kind": kind, "file": _file(name, data)}), 201)


def _draft(client, world):
    """Fill a draft through the API, the way the wizard does, and return its id."""
    evidence = evidence_make(world.applicant, seed="flow")
    app = _json(client.post(f"{API}/applications", {}, content_type=JSON), 201)
    url = f"{API}/applications/{app['id']}"
    body = {"version": app["version"], "fields": {**FIELDS, "evidence": str(evidence.uuid)}}
    app = _json(client.patch(url, body, content_type=JSON))
    for kind in ("source_statement", "structure_description", "commitment_letter", "source_proof"):
        _material(client, url, kind, f"{kind}.pdf", pdf_bytes())
    _json(client.post(f"{url}/samples/review", {"file": _file("r.csv", csv_sample(60))}), 201)
    _json(client.post(f"{url}/samples/display", {"file": _file("d.csv", csv_sample(5))}), 201)
    missing = _json(client.get(f"{url}/missing"))
    assert {m["field"] for m in missing} == {"materials.application_form"}
    form = client.get(f"{url}/form.pdf")
    assert form.status_code == 200 and form["Content-Type"] == "application/pdf"
    assert form.content.startswith(b"%PDF")
    _material(client, url, "application_form", "盖章申请书.pdf", pdf_bytes("stamped"))
    assert _json(client.get(f"{url}/missing")) == []
    return app["id"]


def test_the_whole_story_to_registration(client, world, django_capture_on_commit_callbacks):  # noqa: PLR0915 - one story
    # After-commit work (log appends, mail) runs when the block ends.
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(T0, tick=False) as clock,
    ):
        _as(client, world.applicant)
        app_id = _draft(client, world)
        url = f"{API}/applications/{app_id}"
        app = _json(client.post(f"{url}/submit", {}, content_type=JSON))
        assert app["status"] == Status.SUBMITTED
        number = app["application_number"]
        assert number == "SJ440020250000001"

        _as(client, world.examiner)
        queue = _json(client.get(f"{API}/review/queue?status=submitted"))
        assert [q["application_number"] for q in queue] == [number]
        _json(client.post(f"{API}/review/{app_id}/start"))
        defects = {"defects": [{"field": "summary", "message": "请说明数据的时间范围"}]}
        app = _json(client.post(f"{API}/review/{app_id}/amendment", defects, content_type=JSON))
        assert app["status"] == Status.AMENDMENT_REQUESTED
        assert app["amendment_due"] == "2025-03-17"
        assert app["deadline"] == {
            "kind": "amendment",
            "last_day": "2025-03-17",
            "working_days_left": 11,  # today counts: 3-7, 10-14 and 17 March
        }

        clock.move_to(at(2025, 3, 5))
        _as(client, world.applicant)
        app = _json(client.get(url))
        assert app["defects"] == defects["defects"]
        assert app["deadline"]["working_days_left"] == 9
        summary = f"{FIELDS['summary']}时间范围为 2023-01 至 2024-12。"
        body = {"version": app["version"], "fields": {"summary": summary}}
        app = _json(client.patch(url, body, content_type=JSON))
        # The stamped form shows the old text: it must be generated, stamped and uploaded again.
        assert {m["field"] for m in _json(client.get(f"{url}/missing"))} == {
            "materials.application_form"
        }
        stale = client.post(f"{url}/resubmit", {}, content_type=JSON)
        assert stale.status_code == 400 and stale.json()["code"] == "application_incomplete"
        _material(client, url, "application_form", "form2.pdf", pdf_bytes("again"))
        app = _json(client.post(f"{url}/resubmit", {}, content_type=JSON))
        assert app["status"] == Status.SUBMITTED
        assert app["application_number"] == number  # kept on resubmission

        _as(client, world.examiner)
        _json(client.post(f"{API}/review/{app_id}/start"))
        app = _json(client.post(f"{API}/review/{app_id}/publicity"))
        # Five working days after Wednesday 2025-03-05: 6, 7, 10, 11, 12.
        assert app["status"] == Status.PUBLICITY and app["publicity_ends"] == "2025-03-12"

        client.logout()
        listing = _json(client.get(f"{API}/public/publicity"))
        assert [r["application_number"] for r in listing] == [number]
        record = _json(client.get(f"{API}/public/publicity/{number}"))
        assert record["applicant"] == world.registrant.name
        assert record["display_sample"]["record_count"] == 5
        assert client.post(f"{API}/public/publicity/{number}/objections", {}).status_code == 401

        _as(client, world.public)
        evidence_file = _file("证据.pdf", pdf_bytes("evidence"))
        body = {"reasons": "该数据与我方数据相同", "files": [evidence_file]}
        filed = client.post(f"{API}/public/publicity/{number}/objections", body)
        assert filed.status_code == 201, filed.content

        clock.move_to(at(2025, 3, 14))
        assert registry_tick().registered == []  # held by the open objection
        _as(client, world.examiner)
        review = _json(client.get(f"{API}/review/{app_id}"))
        (objection,) = review["objections"]
        assert objection["files"] == ["证据.pdf"]
        decision = {
            "outcome": "not_established",
            "proof_kind": "none",
            "resolution": "异议人未能证明其权利",
        }
        resolve = f"{API}/review/objections/{objection['id']}/resolve"
        app = _json(client.post(resolve, decision, content_type=JSON))
        # Publicity ended while the objection was open: registered at once.
        assert app["status"] == Status.REGISTERED
        assert app["registration_number"][:15] == "440020250000001"
        assert app["certificate_number"] == "20250344000000001"

        client.logout()
        (announced,) = _json(client.get(f"{API}/public/announcements"))
        assert announced["application_number"] == number
        assert announced["registration_date"] == "2025-03-14"
        assert announced["application_date"] == "2025-03-03"
        cert = _json(client.get(f"{API}/public/certificates/{app['certificate_number']}"))
        assert cert["registration_number"] == app["registration_number"]

    _as(client, world.applicant)
    events = _json(client.get(f"{url}/events"))
    assert [e["kind"] for e in events] == [
        "application:created",
        "application:submitted",
        "application:review_started",
        "application:amendment_requested",
        "application:resubmitted",
        "application:review_started",
        "application:publicised",
        "application:objection_filed",
        "application:objection_resolved",
        "application:registered",
    ]
    # Examiners appear to applicants as the registration body, not by name.
    reviewers = {e["actor"] for e in events if e["kind"] == "application:review_started"}
    assert reviewers == {"广东省知识产权保护中心"}
    logged = {e["kind"]: e["leaf_hash"] for e in events if e["leaf_hash"]}
    assert set(logged) == {
        "application:submitted",
        "application:resubmitted",
        "application:publicised",
        "application:registered",
    }
    assert not PendingStatement.objects.exists()
    entries = LogEntry.objects.filter(leaf_hash__in=logged.values())
    statements = {s["event"]: s for s in (json.loads(e.statement) for e in entries)}
    assert statements["registered"]["certificate_number"] == app["certificate_number"]
    assert "application_number" not in statements["submitted"]  # not public before publicity
    # Every event mailed the applicant; the objector heard of the decision.
    assert any("异议处理完毕" in m.subject and m.to == ["public@example.com"] for m in mail.outbox)
    assert any("核准登记" in m.subject and m.to == ["applicant@example.com"] for m in mail.outbox)


def test_withdrawal_only_before_review(client, world):
    with time_machine.travel(T0, tick=False):
        _as(client, world.applicant)
        app_id = _draft(client, world)
        url = f"{API}/applications/{app_id}"
        _json(client.post(f"{url}/submit", {}, content_type=JSON))
        empty = client.post(f"{url}/withdraw", {"reason": "  "}, content_type=JSON)
        assert empty.status_code == 400 and empty.json()["code"] == "reason_required"
        _as(client, world.examiner)
        _json(client.post(f"{API}/review/{app_id}/start"))
        _as(client, world.applicant)
        refused = client.post(f"{url}/withdraw", {"reason": "改主意了"}, content_type=JSON)
        assert refused.status_code == 409
        assert refused.json()["state"] == Status.UNDER_REVIEW


def test_deemed_withdrawn_when_not_amended_and_refiling_needs_a_reason(client, world):
    with time_machine.travel(T0, tick=False) as clock:
        _as(client, world.applicant)
        app_id = _draft(client, world)
        _json(client.post(f"{API}/applications/{app_id}/submit", {}, content_type=JSON))
        _as(client, world.examiner)
        _json(client.post(f"{API}/review/{app_id}/start"))
        defects = {"defects": [{"field": "", "message": "缺少来源证明"}]}
        _json(client.post(f"{API}/review/{app_id}/amendment", defects, content_type=JSON))
        clock.move_to(at(2025, 3, 17, 23, 59))
        assert registry_tick().deemed_withdrawn == []  # the last day is still open
        clock.move_to(at(2025, 3, 18, 0, 1))
        assert len(registry_tick().deemed_withdrawn) == 1
        assert registry_tick().deemed_withdrawn == []  # idempotent
        _as(client, world.applicant)
        app = _json(client.get(f"{API}/applications/{app_id}"))
        assert app["status"] == Status.DEEMED_WITHDRAWN
        # The same data again: refused without a justification, accepted with one.
        again = _draft(client, world)
        url = f"{API}/applications/{again}"
        refused = client.post(f"{url}/submit", {}, content_type=JSON)
        assert refused.status_code == 400
        assert refused.json()["code"] == "refiling_justification_required"


@pytest.mark.parametrize(
    ("outcome", "proof", "ending"),
    [("entitled", "mediation", Status.REGISTERED), ("not_entitled", "judgment", Status.REJECTED)],
)
def test_objections_decided_on_proof(client, world, outcome, proof, ending):
    with time_machine.travel(T0, tick=False) as clock:
        application = world.application_in(Status.PUBLICITY, objection=True)
        clock.move_to(at(2025, 3, 12))
        _as(client, world.examiner)
        objection = application.objections.get()
        url = f"{API}/review/objections/{objection.uuid}/resolve"
        no_proof = {"outcome": outcome, "proof_kind": "none", "resolution": "双方已调解"}
        refused = client.post(url, no_proof, content_type=JSON)
        assert refused.status_code == 400
        assert refused.json()["code"] == "objection_proof_required"
        body = {"outcome": outcome, "proof_kind": proof, "resolution": "依据调解协议或判决"}
        app = _json(client.post(url, body, content_type=JSON))
        assert app["status"] == ending
        if ending == Status.REJECTED:
            assert app["rejection_grounds"] == ["dispute"]
            assert app["certificate_number"] is None


def test_rejection_by_the_examiner_with_grounds(client, world):
    with time_machine.travel(T0, tick=False):
        application = world.application_in(Status.UNDER_REVIEW)
        _as(client, world.examiner)
        grounds = _json(client.get(f"{API}/review/grounds"))
        assert [g["code"] for g in grounds][:2] == ["ineligible_registrant", "ineligible_object"]
        assert len(grounds) == 8
        url = f"{API}/review/{application.uuid}/reject"
        unknown = {"grounds": ["no_such_ground"], "reasoning": "理由"}
        assert _json(client.post(url, unknown, content_type=JSON), 400)["code"] == "ground_unknown"
        body = {"grounds": ["not_desensitised", "false_material"], "reasoning": "样例含身份证号"}
        app = _json(client.post(url, body, content_type=JSON))
        assert app["status"] == Status.REJECTED
        assert app["rejection_grounds"] == ["not_desensitised", "false_material"]
        again = client.post(url, body, content_type=JSON)
        assert again.status_code == 409 and again.json()["state"] == Status.REJECTED
        _as(client, world.applicant)
        seen = _json(client.get(f"{API}/applications/{application.uuid}"))
        assert seen["rejection_reasoning"] == "样例含身份证号"


def test_naming_advice_is_shown_not_enforced(client, world):
    _as(client, world.applicant)
    app = _json(
        client.post(f"{API}/applications", {"data_name": "最好的数据"}, content_type=JSON), 201
    )
    assert {a["code"] for a in app["name_advice"]}  # advice given...
    url = f"{API}/applications/{app['id']}"
    good = {"fields": {"data_name": FIELDS["data_name"]}}
    assert _json(client.patch(url, good, content_type=JSON))["name_advice"] == []


def test_a_stale_update_is_refused(client, world):
    _as(client, world.applicant)
    app = _json(client.post(f"{API}/applications", {}, content_type=JSON), 201)
    url = f"{API}/applications/{app['id']}"
    first = {"version": app["version"], "fields": {"data_name": "甲"}}
    second = {"version": app["version"], "fields": {"data_name": "乙"}}
    _json(client.patch(url, first, content_type=JSON))
    stale = client.patch(url, second, content_type=JSON)
    assert stale.status_code == 409 and stale.json()["code"] == "application_stale"
    assert _json(client.get(url))["fields"]["data_name"] == "甲"


def test_errors_are_json_in_the_chosen_language(client, world):
    _as(client, world.applicant)
    app = _json(client.post(f"{API}/applications", {}, content_type=JSON), 201)
    url = f"{API}/applications/{app['id']}"
    mismatch = {"fields": {"industry_division": {"section": "A", "division": "54"}}}
    bad = client.patch(url, mismatch, content_type=JSON)
    assert bad.status_code == 400 and bad.json()["code"] == "industry_mismatch"
    assert "不属于门类" in bad.json()["detail"]
    negative = {"fields": {"record_count": -5}}
    english = client.patch(url, negative, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "positive whole number" in english.json()["detail"]
    incomplete = client.post(f"{url}/submit", {}, content_type=JSON)
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "application_incomplete"
    status = client.patch(url, {"fields": {"status": "registered"}}, content_type=JSON)
    assert status.status_code == 400 and status.json()["code"] == "field_unknown"


def test_outsiders_see_nothing_private(client, world):
    with time_machine.travel(T0, tick=False):
        application = world.application_in(Status.SUBMITTED)
        for user in (world.other, world.public, world.administrator):
            _as(client, user)
            for path in ("", "/events", "/missing", "/form.pdf"):
                response = client.get(f"{API}/applications/{application.uuid}{path}")
                assert response.status_code == 404
            assert client.get(f"{API}/review/queue").status_code == 403
        client.logout()
        assert client.get(f"{API}/applications/{application.uuid}").status_code == 401
        number = application.application_number
        assert client.get(f"{API}/public/publicity/{number}").status_code == 404


def test_no_private_field_appears_in_any_public_answer(client, world, monkeypatch):
    """Mark every non-public value; no public endpoint may ever show one, in any state."""
    secrets = {
        "summary": f"SECRET-SUMMARY-7f3a {FIELDS['summary']}",
        "processing_description": "SECRET-PROCESSING-91c2",
        "source_process": "SECRET-PROCESS-55de",
        "data_composition": "SECRET-COMPOSITION-0b1e",
    }
    for name, value in secrets.items():
        monkeypatch.setitem(FIELDS, name, value)
    with time_machine.travel(T0, tick=False) as clock:
        applications = [
            world.application_in(status, objection=status == Status.PUBLICITY)
            for status in (Status.PUBLICITY, Status.REGISTERED, Status.SUBMITTED)
        ]
        values = [*secrets.values()]
        for application in applications:
            values += [
                application.evidence.root,
                application.evidence.check_code,
                world.registrant.id_number,
                world.registrant.contact_phone,
                world.registrant.contact_email,
                world.applicant.email,
                world.applicant.real_name,
                "该数据来源于本人",  # the objection's reasons
                str(application.uuid),
            ]
            values += [m.original_name for m in application.materials.all()]
            review = application.samples.get(purpose="review")
            values += [row[0] for row in review.rows[3:]]  # beyond the display sample's rows
        clock.move_to(at(2025, 3, 11))
        client.logout()
        paths = ["/public/publicity", "/public/announcements", "/public/industries"]
        for application in applications:
            application.refresh_from_db()
            paths.append(f"/public/publicity/{application.application_number}")
            if application.certificate_number:
                paths.append(f"/public/certificates/{application.certificate_number}")
                paths.append(f"/public/registrations/{application.registration_number}")
        answers = [client.get(API + path).json() for path in paths]
        text = "\n".join(json.dumps(answer, ensure_ascii=False) for answer in answers)
        assert world.registrant.name in text and "广州市停车场" in text  # the public part is there
        assert [v for v in values if v and v in text] == []
