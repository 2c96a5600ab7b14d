"""The demo registry (``dataip manage registry_demo``): what it loads, and that it loads once.

Loading takes seconds, so it happens once per load time (``load_time``, a module-scoped
parameter: the clock is pinned there for the load and its tests), in a transaction rolled back
at the end; each test runs in a savepoint inside it (pytest-django's ``db``). The settings the
suite's ``_test_settings`` gives each test are given to the load here too, with its own
directory.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import itertools
import re

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.test import override_settings
from django.utils import timezone

from dataip.accounts.models import Registrant, RegistrantKind, Role, User
from dataip.accounts.validators import validate_credit_code, validate_resident_id
from dataip.core.hashing import hash_dataset
from dataip.evidence.models import Evidence
from dataip.registry import demo, services
from dataip.registry.completeness import application_missing
from dataip.registry.documents import form_fingerprint
from dataip.registry.models import (
    Announcement,
    Application,
    ApplicationEvent,
    Material,
    MaterialKind,
    NumberSequence,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    Sample,
    SamplePurpose,
    Status,
)
from dataip.registry.workflow import LOGGED_EVENTS
from dataip.transparency.keys import clear_caches
from dataip.transparency.models import Checkpoint, LogEntry, PendingStatement

pytestmark = pytest.mark.django_db

#: The deadline of the open applications in the timeline as written (when it is not moved).
LAST_WORKING_DAY = datetime.date(2026, 12, 31)
SHANGHAI = demo.SHANGHAI
#: When the demo is loaded: two days before the timeline's end (it moves back by whole weeks),
#: and one after it (nothing moves).
LOAD_TIMES = {
    "december": datetime.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI),
    "mid-year": datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI),
    "after-the-end": datetime.datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI),
}
#: Times that are meant to be in the future (a session's or a code's expiry).
FUTURE_FIELDS = {"expires_at"}
#: The English role in the printed table, and the account's role.
ROLES = {
    "administrator": Role.ADMINISTRATOR,
    "examiner": Role.EXAMINER,
    "applicant": Role.APPLICANT,
    "public user": Role.APPLICANT,
}


def _load(directory):
    out = io.StringIO()
    call_command(
        "registry_demo", "--evidence-dir", str(directory), "--url", "http://testserver", stdout=out
    )
    return out.getvalue()


@pytest.fixture(scope="module", params=list(LOAD_TIMES.values()), ids=list(LOAD_TIMES))
def load_time(request):
    return request.param


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, load_time):
    return tmp_path_factory.mktemp("registry-demo")


@pytest.fixture(scope="module")
def printed(demo_dir, load_time, django_db_setup, django_db_blocker):
    """The output of loading the demo at ``load_time``; the database holds it for the module's
    tests, which run with the clock standing at ``load_time`` too."""
    keys, media = demo_dir / "keys", demo_dir / "media"
    with (
        override_settings(
            MEDIA_ROOT=media,
            STORAGES={
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": media},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DATAIP_KEYS_DIR=keys,
            DATAIP_TSA_KEY_FILE=str(keys / "tsa-key.pem"),
            DATAIP_TSA_CHAIN_FILE=str(keys / "tsa-chain.pem"),
            DATAIP_TSA_URL="",
        ),
        time_machine.travel(load_time, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        clear_caches()
        yield _load(demo_dir / "demo-evidence")
        transaction.set_rollback(True)
    clear_caches()


@pytest.fixture
def evidence_dir(demo_dir):
    return demo_dir / "demo-evidence"


def _stored(demo_dir, file):
    """A stored file's bytes (each test has its own MEDIA_ROOT; the demo was loaded into ours)."""
    return (demo_dir / "media" / file.name).read_bytes()


def _logins(text):
    """(role, username, password, sign-in URL, acts for) of each row of the printed table."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("角色 / role"))
    return [re.split(r"\s{2,}", line) for line in lines[start + 1 :] if line.strip()]


def _snapshot():
    models = (User, Registrant, Application, ApplicationEvent, Evidence, Material, Sample)
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in models}
    counts.update(
        objections=Objection.objects.count(),
        announcements=Announcement.objects.count(),
        log=LogEntry.objects.count(),
        checkpoints=Checkpoint.objects.count(),
    )
    counts["numbers"] = sorted(NumberSequence.objects.values_list("kind", "period", "last"))
    return counts


def test_every_state_occurs_and_each_application_is_printed(printed):
    applications = list(Application.objects.all())
    assert {a.status for a in applications} == set(Status.values)
    assert len(applications) == len(demo.APPLICATIONS)
    assert Application.objects.filter(status=Status.REGISTERED).count() >= 3
    lines = printed.splitlines()
    for application in applications:
        number = application.application_number or "（草稿无申请号）"
        [line] = [line for line in lines if line.startswith(number)]
        assert application.status in line.split()
        assert line.endswith(application.data_name)


def test_a_second_run_changes_nothing_and_says_so(printed, evidence_dir):
    first = printed
    before = _snapshot()
    manifests = {p.name: p.read_bytes() for p in evidence_dir.glob("*.manifest.json")}
    second = _load(evidence_dir)
    assert "未作任何更改" in second
    assert "nothing changed" in second
    assert _snapshot() == before
    assert {p.name: p.read_bytes() for p in evidence_dir.glob("*.manifest.json")} == manifests
    # The same summary and logins, after the first line.
    assert second.splitlines()[1:] == first.splitlines()[1:]


def test_only_some_demo_accounts_existing_is_refused(printed, evidence_dir):
    User.objects.filter(username="public-zhao").update(username="someone-else")
    before = _snapshot()
    with pytest.raises(CommandError, match="examiner-li") as refused:
        _load(evidence_dir)
    assert "用户名已被占用" in str(refused.value)
    assert _snapshot() == before


def test_the_printed_logins_sign_in_with_their_roles(printed, client):
    rows = _logins(printed)
    assert len(rows) == 7
    users = []
    for role, username, password, url, _acts_for in rows:
        assert client.login(username=username, password=password), username
        client.logout()
        user = User.objects.get(username=username)
        users.append(user)
        assert user.role == ROLES[role.split(" ", 1)[1]]
        assert url == "http://testserver" + ("/admin/" if user.is_staff else "/accounts/login/")
    assert "http://testserver/api/v1/docs" in printed
    [admin] = [u for u in users if u.role == Role.ADMINISTRATOR]
    assert admin.is_staff
    assert admin.is_superuser
    assert len([u for u in users if u.role == Role.EXAMINER and not u.is_staff]) == 2
    kinds = [u.registrant.kind for u in users if u.registrant is not None]
    assert sorted(kinds) == sorted(RegistrantKind.values)
    applicants = [u for u in users if u.registrant is not None]
    assert all(u.role == Role.APPLICANT and u.is_real_name_complete for u in applicants)
    [public] = [u for u in users if u.role == Role.APPLICANT and u.registrant is None]
    assert Objection.objects.filter(filed_by=public).count() == 2


def test_the_registrants_identity_numbers_pass_the_validators(printed):
    registrants = list(Registrant.objects.all())
    assert len(registrants) == 3
    for registrant in registrants:
        number = registrant.id_number
        if registrant.kind == RegistrantKind.NATURAL_PERSON:
            assert validate_resident_id(number) == number
        else:
            assert validate_credit_code(number) == number
            # Positions 9-17 are an organisation code with its own GB 11714 check character.
            assert demo.organisation_code(number[8:16]) == number[8:17]


def test_organisation_code_matches_a_published_credit_code():
    # 华为技术有限公司's unified social credit code is 914403001922038216 (published on its
    # business licence): organisation code 19220382-1.
    assert demo.organisation_code("19220382") == "192203821"


def test_everything_is_logged_and_nothing_is_pending(printed):
    assert PendingStatement.objects.count() == 0
    leaves = set(LogEntry.objects.values_list("leaf_hash", flat=True))
    evidence = list(Evidence.objects.values_list("leaf_hash", flat=True))
    assert len(evidence) == len(demo.APPLICATIONS) - 1  # the draft has none yet
    assert set(evidence) <= leaves
    logged = ApplicationEvent.objects.filter(kind__in=list(LOGGED_EVENTS))
    assert logged.exists()
    assert set(logged.values_list("leaf_hash", flat=True)) <= leaves
    assert len(leaves) == len(evidence) + logged.count()
    assert Checkpoint.objects.filter(timestamp__isnull=True).count() == 0


def test_the_public_sees_the_register_and_the_publicity(printed, client):
    response = client.get("/api/v1/public/announcements")
    assert response.status_code == 200
    registered = Application.objects.filter(status=Status.REGISTERED)
    numbers = {a["application_number"] for a in response.json()}
    assert numbers == set(registered.values_list("application_number", flat=True))
    for announced in response.json():
        assert announced["display_sample"]["record_count"] >= 3
    response = client.get("/api/v1/public/publicity")
    assert response.status_code == 200
    publicity = response.json()
    assert len(publicity) == 2
    ends = Application.objects.filter(status=Status.PUBLICITY).values_list("publicity_ends")
    assert {p["publicity_end"] for p in publicity} == {str(end) for (end,) in ends}


def test_the_states_carry_what_the_workflow_records(printed):
    by_status: dict[str, list[Application]] = {}
    for application in Application.objects.all():
        by_status.setdefault(application.status, []).append(application)
    [amendment] = by_status[Status.AMENDMENT_REQUESTED]
    request = amendment.events.get(kind="application:amendment_requested")
    assert len(request.data["defects"]) == 2
    assert request.data["due"] == str(amendment.amendment_due)
    [rejected] = by_status[Status.REJECTED]
    assert list(rejected.rejection_grounds.values_list("code", flat=True)) == ["not_desensitised"]
    assert rejected.rejection_reasoning
    held = Objection.objects.get(status=ObjectionStatus.OPEN)
    assert held.application.status == Status.PUBLICITY
    decided = Objection.objects.get(status=ObjectionStatus.RESOLVED)
    assert decided.outcome == ObjectionOutcome.NOT_ESTABLISHED
    assert decided.application.status == Status.REGISTERED
    resubmitted = ApplicationEvent.objects.get(kind="application:resubmitted").application
    assert resubmitted.status == Status.REGISTERED
    [deemed] = by_status[Status.DEEMED_WITHDRAWN]
    assert deemed.events.filter(kind="application:deemed_withdrawn", actor=None).exists()
    [draft] = by_status[Status.DRAFT]
    missing = {m.field for m in application_missing(draft)}
    assert {"summary", "evidence", "samples.display", "materials.application_form"} <= missing


def test_every_filed_application_is_complete_with_samples_and_materials(printed, demo_dir):
    for application in Application.objects.exclude(status=Status.DRAFT):
        if application.status in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.PUBLICITY):
            assert application_missing(application) == []
        samples = {s.purpose: s for s in application.samples.all()}
        assert samples[SamplePurpose.REVIEW].record_count >= 50
        assert samples[SamplePurpose.DISPLAY].record_count >= 3
        kinds = set()
        for material in application.materials.all():
            kinds.add(material.kind)
            data = _stored(demo_dir, material.file)
            if material.kind == MaterialKind.STRUCTURE_DESCRIPTION:
                assert data.startswith(b"PK\x03\x04")
            else:
                assert data.startswith(b"%PDF-")
        assert {
            MaterialKind.SOURCE_STATEMENT,
            MaterialKind.STRUCTURE_DESCRIPTION,
            MaterialKind.COMMITMENT_LETTER,
            MaterialKind.APPLICATION_FORM,
        } <= kinds
        form = application.materials.get(kind=MaterialKind.APPLICATION_FORM)
        assert form.form_fingerprint == form_fingerprint(application)


def test_the_evidence_is_the_sm3_hash_of_the_files_written(printed, evidence_dir):
    for dataset in demo.APPLICATIONS:
        if dataset.draft:
            assert not (evidence_dir / dataset.slug).exists()
            continue
        evidence = Evidence.objects.get(label=dataset.fields["data_name"])
        digest = hash_dataset(evidence_dir / dataset.slug, alg="sm3")
        assert (evidence.alg, evidence.root) == ("sm3", digest.root_hex)
        assert (evidence.file_count, evidence.total_bytes) == (
            digest.file_count,
            digest.total_bytes,
        )
        assert evidence.check_code == digest.check_code
        application = Application.objects.get(evidence=evidence)
        assert application.record_count == sum(
            len(path.read_text(encoding="utf-8").splitlines()) - 1
            for path in (evidence_dir / dataset.slug).glob("*.csv")
        )


# --- when the history happens -------------------------------------------------------------------


def _moved(load_time):
    return load_time < demo.TIMELINE_END


def _dated_fields():
    """(model, field name) of every date and time the demo's apps store."""
    for label in ("accounts", "transparency", "evidence", "registry", "publication"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.DateTimeField) and field.name not in FUTURE_FIELDS:
                    yield model, field.name


def test_nothing_is_dated_after_the_load(printed, load_time):
    checked = set()
    for model, name in _dated_fields():
        for value in model.objects.exclude(**{name: None}).values_list(name, flat=True):
            assert value <= load_time, (model.__name__, name, value)
            checked.add((model.__name__, name))
    assert {
        ("ApplicationEvent", "created_at"),
        ("Application", "submitted_at"),
        ("Application", "publicity_started_at"),
        ("Application", "registered_at"),
        ("Objection", "filed_at"),
        ("Objection", "resolved_at"),
        ("Announcement", "published_at"),
        ("LogEntry", "integrated_at"),
        ("Checkpoint", "timestamped_at"),
    } <= checked
    # Numbers carry the day they were taken: the year, and a certificate's year and month.
    for application in Application.objects.exclude(status=Status.DRAFT):
        assert int(str(application.application_number)[6:10]) <= load_time.year
        if application.status == Status.REGISTERED:
            assert str(application.certificate_number)[:6] <= f"{load_time:%Y%m}"


def test_the_history_ends_at_the_load_moved_by_whole_weeks(printed, load_time):
    # The timeline's last step is the objection still open.
    last = Objection.objects.get(status=ObjectionStatus.OPEN).filed_at
    assert (demo.TIMELINE_END - last) % demo.WEEK == datetime.timedelta(0)
    if _moved(load_time):
        assert load_time - demo.WEEK < last <= load_time
        weeks = (demo.TIMELINE_END - last) // demo.WEEK
        assert f"moved back {weeks} weeks to end before now" in printed.splitlines()[0]
    else:
        assert last == demo.TIMELINE_END
        assert "moved back" not in printed.splitlines()[0]
    assert f"history up to {timezone.localtime(last):%Y-%m-%d %H:%M}" in printed.splitlines()[0]
    # Weekdays and times of day are as written: the first submission is a Monday at 09:30.
    first = ApplicationEvent.objects.filter(kind="application:submitted").earliest("created_at")
    local = timezone.localtime(first.created_at)
    assert (local.weekday(), local.time()) == (0, datetime.time(9, 30))


def test_the_open_applications_are_due_after_the_load_when_moved(printed, load_time):
    open_ = Application.objects.filter(
        status__in=[Status.PUBLICITY, Status.AMENDMENT_REQUESTED]
    ).order_by("status")
    deadlines = [a.amendment_due or a.publicity_ends for a in open_]
    assert len(deadlines) == 3
    if _moved(load_time):
        assert all(due >= load_time.date() for due in deadlines), deadlines
    else:
        # Nothing moved: due as written, passed by now; the running scheduler acts on them.
        assert deadlines == [LAST_WORKING_DAY] * 3


# --- choosing the shift (no load) ---------------------------------------------------------------


def _foreseen(shift):
    jurisdiction = services.default_jurisdiction()
    return demo._foresee(
        demo._shifted(demo.APPLICATIONS, shift),
        publicity_days=jurisdiction.publicity_days,
        amendment_days=jurisdiction.amendment_days,
    )


def test_the_timeline_as_written_plays_out():
    states, problems = _foreseen(datetime.timedelta(0))
    assert problems == []
    assert demo._open_until(states) == LAST_WORKING_DAY
    assert {s.status for s in states} == set(Status.values)


def test_nothing_moves_from_the_timelines_end_on():
    for now in (demo.TIMELINE_END, LOAD_TIMES["after-the-end"]):
        assert demo.timeline_shift(now=now) == datetime.timedelta(0)
    assert demo.timeline_shift(now=demo.TIMELINE_END - datetime.timedelta(seconds=1)) == demo.WEEK


def test_the_shift_is_the_fewest_whole_weeks_and_plays_out():
    # A load every 3 days and 7 hours through 2026: every weekday, at many times of day.
    now = datetime.datetime(2026, 1, 1, 0, 30, tzinfo=SHANGHAI)
    shortened = []
    while now < demo.TIMELINE_END:
        shift = demo.timeline_shift(now=now)
        assert shift % demo.WEEK == datetime.timedelta(0)
        assert now - demo.WEEK < demo.TIMELINE_END - shift <= now, now
        states, problems = _foreseen(shift)
        assert problems == [], now
        open_until = demo._open_until(states)
        assert open_until is not None
        if open_until < now.date():
            shortened.append(now)
        now += datetime.timedelta(days=3, hours=7)
    # Only where an adjusted working day shortens a period (see the next test), on a Thursday
    # before the timeline's time of day: no shift can keep the deadlines ahead then.
    assert all(n.weekday() == 3 and n.time() < demo.TIMELINE_END.time() for n in shortened)
    assert len(shortened) <= 3


def test_a_period_shortened_by_an_adjusted_working_day_takes_the_fewest_weeks():
    # Moved back 11 weeks, the publicity starts on 2026-10-08, the last day of the National Day
    # holiday; Saturday 2026-10-10 is a working day, so it ends on Wednesday 2026-10-14, the day
    # before a load on Thursday 2026-10-15. No shift keeps it ahead: the fewest weeks are taken.
    now = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI)
    shift = demo.timeline_shift(now=now)
    assert shift == 11 * demo.WEEK
    states, problems = _foreseen(shift)
    assert problems == []
    assert demo._open_until(states) == datetime.date(2026, 10, 14)


def test_a_timeline_that_does_not_play_out_is_moved_further_back(monkeypatch):
    foresee = demo._foresee
    calls = []

    def failing_once(datasets, **days):
        states, problems = foresee(datasets, **days)
        calls.append(datasets[0].story[0].at)
        return states, problems + (["made up"] if len(calls) == 1 else [])

    now = LOAD_TIMES["december"]
    least = demo.timeline_shift(now=now)
    monkeypatch.setattr(demo, "_foresee", failing_once)
    assert demo.timeline_shift(now=now) == least + demo.WEEK
    assert calls[0] - calls[1] == demo.WEEK


def test_a_timeline_that_never_plays_out_is_refused(monkeypatch):
    monkeypatch.setattr(demo, "_foresee", lambda datasets, **days: ([], ["made up"]))
    with pytest.raises(RuntimeError, match=r"no shift of 4 to 11 weeks .*made up"):
        demo.timeline_shift(now=LOAD_TIMES["december"])


def _ending_late(dataset, action, at):
    """``dataset`` with its story ending in ``action``, moved to ``at``."""
    steps = list(itertools.takewhile(lambda s: s.action != action, dataset.story))
    [step] = [s for s in dataset.story if s.action == action]
    return dataclasses.replace(dataset, story=(*steps, dataclasses.replace(step, at=at)))


def test_the_foresight_finds_late_resubmissions_and_objections():
    jurisdiction = services.default_jurisdiction()
    days = {
        "publicity_days": jurisdiction.publicity_days,
        "amendment_days": jurisdiction.amendment_days,
    }
    # Due 2026-10-30 and publicity to 2026-10-29: one minute into the next day, before the
    # scheduler's run, the services refuse them; a week later the scheduler has acted.
    late = [
        _ending_late(
            demo.WATER_ZONES, "resubmit", datetime.datetime(2026, 10, 31, 0, 1, tzinfo=SHANGHAI)
        ),
        _ending_late(demo.CARBON, "object", datetime.datetime(2026, 10, 30, 0, 1, tzinfo=SHANGHAI)),
    ]
    _, problems = demo._foresee(late, **days)
    assert "chancheng-dma: resubmitted on 2026-10-31, due 2026-10-30" in problems
    assert "gd-park-carbon: objection on 2026-10-30, publicity ended 2026-10-29" in problems
    later = [
        _ending_late(
            demo.WATER_ZONES, "resubmit", datetime.datetime(2026, 11, 6, 9, 0, tzinfo=SHANGHAI)
        ),
        _ending_late(demo.CARBON, "object", datetime.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI)),
    ]
    _, problems = demo._foresee(later, **days)
    assert problems == [
        "gd-park-carbon: object on 2026-11-05 finds it registered",
        "chancheng-dma: resubmit on 2026-11-06 finds it deemed_withdrawn",
        "chancheng-dma: deemed_withdrawn, expected registered",
    ]
