"""The demo registry (``dataip manage registry_demo``): what it loads, and that it loads once.

Loading takes seconds, so it happens once per module, in a transaction rolled back at the end;
each test runs in a savepoint inside it (pytest-django's ``db``). The settings the suite's
``_test_settings`` gives each test are given to the load here too, with its own directory.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from dataip.accounts.models import Registrant, RegistrantKind, Role, User
from dataip.accounts.validators import validate_credit_code, validate_resident_id
from dataip.core.hashing import hash_dataset
from dataip.evidence.models import Evidence
from dataip.registry import demo
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

LAST_WORKING_DAY = datetime.date(2026, 12, 31)
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


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("registry-demo")


@pytest.fixture(scope="module")
def printed(demo_dir, django_db_setup, django_db_blocker):
    """The output of loading the demo; the database holds it for the module's tests."""
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
    assert {p["publicity_end"] for p in publicity} == {LAST_WORKING_DAY.isoformat()}


def test_the_states_carry_what_the_workflow_records(printed):
    by_status: dict[str, list[Application]] = {}
    for application in Application.objects.all():
        by_status.setdefault(application.status, []).append(application)
    [amendment] = by_status[Status.AMENDMENT_REQUESTED]
    assert amendment.amendment_due == LAST_WORKING_DAY
    request = amendment.events.get(kind="application:amendment_requested")
    assert len(request.data["defects"]) == 2
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
