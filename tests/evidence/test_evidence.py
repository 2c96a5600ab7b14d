"""Evidence records: by hash value, by manifest, by upload; receipts; who sees what."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.core import reference

from dataip.core.manifest import create_manifest
from dataip.core.receipt import verify_receipt
from dataip.evidence.models import Evidence
from dataip.transparency.keys import log_signer, time_stamping
from dataip.transparency.models import LogEntry, PendingStatement
from dataip.transparency.services import log_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    data = tmp_path / "停车记录"
    (data / "2024").mkdir(parents=True)
    (data / "2024" / "01.csv").write_text("plate,in,out\n粤A12345,08:00,09:30\n", encoding="utf-8")
    (data / "README.txt").write_text("parking records\n")
    return data


def _digest_body(dataset: Path, alg: str = "sm3") -> dict:
    d = reference.digest(dataset, alg)
    return {
        "alg": alg,
        "root": d.root.hex(),
        "check_code": reference.check_code(alg, d.root.hex(), d.file_count, d.total_bytes),
        "file_count": d.file_count,
        "total_bytes": d.total_bytes,
    }


def _post_digest(api, body):
    return api.post("/api/v1/evidence/digest", body, content_type="application/json")


def test_record_by_hash_value_then_log_and_receipt(api, dataset, tmp_path):
    body = _digest_body(dataset)
    r = _post_digest(api, body | {"label": "停车数据"})
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["root"] == body["root"] and out["log"] is None
    statement = out["statement"]
    assert statement == {
        "type": "dataip/evidence/v1",
        "evidence_id": out["id"],
        "alg": "sm3",
        "root": body["root"],
        "file_count": 2,
        "total_bytes": body["total_bytes"],
        "logged_at": statement["logged_at"],
    }
    assert "停车数据" not in json.dumps(statement) and "applicant" not in json.dumps(statement)
    assert api.get(f"/api/v1/evidence/{out['id']}/receipt").status_code == 409
    log_publish()
    assert api.get(f"/api/v1/evidence/{out['id']}").json()["log"] == {"index": 0}
    assert [e["log"] for e in api.get("/api/v1/evidence").json()] == [{"index": 0}]
    r = api.get(f"/api/v1/evidence/{out['id']}/receipt")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="receipt-{out["id"]}.json"'
    receipt = json.loads(r.content)
    check = verify_receipt(
        receipt,
        log_key=log_signer().vkey,
        tsa_roots=list(time_stamping().certificates[-1:]),
    )
    assert check.statement == statement
    path = tmp_path / "receipt.json"
    path.write_bytes(r.content)
    cli = [sys.executable, "-m", "dataip", "receipt", "verify", str(path), "--lang", "en"]
    ok = subprocess.run(
        [*cli, "--data", str(dataset), "--log-key", log_signer().vkey],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "The receipt is valid" in ok.stdout and "OK: the data matches the record" in ok.stdout
    (dataset / "README.txt").write_text("changed\n")
    bad = subprocess.run(
        [*cli, "--data", str(dataset)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "the data does not match the record" in bad.stderr


def test_the_same_hash_twice_is_the_same_record(api, dataset):
    body = _digest_body(dataset)
    first = _post_digest(api, body)
    again = _post_digest(
        api, body | {"check_code": body["check_code"].lower(), "root": body["root"].upper()}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Evidence.objects.count() == 1 and PendingStatement.objects.count() == 1


def test_another_owner_may_record_the_same_hash(api, dataset, client, django_user_model):
    _post_digest(api, _digest_body(dataset))
    other = django_user_model.objects.create_user("other", password="x")
    client.force_login(other)
    assert _post_digest(client, _digest_body(dataset)).status_code == 201


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"check_code": "000000000000"}, "evidence_check_code_mismatch"),
        ("swap", "evidence_check_code_swapped"),
        ("alg", "evidence_check_code_alg"),
        ({"alg": "md5"}, "alg_unknown"),
        ({"root": "ab" * 31}, "evidence_root_format"),
        ({"root": "zz" * 32}, "evidence_root_format"),
        ({"file_count": 0}, "evidence_file_count"),
        ({"total_bytes": -1}, "evidence_total_bytes"),
    ],
)
def test_bad_hash_values_are_refused_with_what_to_recopy(api, dataset, change, code):
    body = _digest_body(dataset)
    if change == "swap":
        body["file_count"], body["total_bytes"] = body["total_bytes"], body["file_count"]
    elif change == "alg":
        body["alg"] = "sha256"
    else:
        body |= change
    r = _post_digest(api, body)
    assert r.status_code == 400
    assert r.json()["code"] == code
    assert not Evidence.objects.exists() and not PendingStatement.objects.exists()


def test_mismatch_message_in_chinese_and_english(api, dataset):
    body = _digest_body(dataset) | {"check_code": "000000000000"}
    assert _post_digest(api, body).json()["detail"].startswith("哈希校验码不匹配")
    english = api.post(
        "/api/v1/evidence/digest", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["detail"].startswith("the hash check code does not match")


def test_conflicting_counts_for_a_recorded_hash(api, dataset):
    _post_digest(api, _digest_body(dataset))
    body = _digest_body(dataset)
    body["file_count"] = 3
    body["check_code"] = reference.check_code("sm3", body["root"], 3, body["total_bytes"])
    r = _post_digest(api, body)
    assert r.status_code == 400 and r.json()["code"] == "evidence_conflict"


def test_record_by_manifest(api, dataset, tmp_path):
    manifest = tmp_path / "manifest.json"
    create_manifest(dataset, manifest)
    with manifest.open("rb") as f:
        r = api.post("/api/v1/evidence/manifest", {"manifest": f, "label": "p"})
    assert r.status_code == 201, r.content
    assert r.json()["root"] == reference.digest(dataset, "sm3").root.hex()
    assert r.json()["has_manifest"] and r.json()["source"] == "manifest"
    download = api.get(f"/api/v1/evidence/{r.json()['id']}/manifest")
    assert b"".join(download.streaming_content) == manifest.read_bytes()
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "content",
    [b"not json", b"{}", b'{"format": "dataip-manifest/1"}', json.dumps({"format": "x"}).encode()],
)
def test_malformed_manifests_are_400s(api, content):
    r = api.post("/api/v1/evidence/manifest", {"manifest": SimpleUploadedFile("m.json", content)})
    assert r.status_code == 400
    assert r.json()["code"]
    assert not Evidence.objects.exists()


def test_a_manifest_over_the_limit_is_413(api, dataset, tmp_path, settings):
    manifest = tmp_path / "manifest.json"
    create_manifest(dataset, manifest)
    settings.DATAIP_MANIFEST_MAX_BYTES = 100
    with manifest.open("rb") as f:
        r = api.post("/api/v1/evidence/manifest", {"manifest": f})
    assert r.status_code == 413 and r.json()["code"] == "manifest_too_large"


def test_record_by_upload(api, dataset):
    files = [
        SimpleUploadedFile("2024%2F01.csv", (dataset / "2024" / "01.csv").read_bytes()),
        SimpleUploadedFile("README.txt", (dataset / "README.txt").read_bytes()),
    ]
    r = api.post("/api/v1/evidence/upload?alg=sha256", {"file": files, "label": "上传"})
    assert r.status_code == 201, r.content
    assert r.json()["root"] == reference.digest(dataset, "sha256").root.hex()
    assert r.json()["source"] == "upload" and r.json()["label"] == "上传"
    manifest = json.loads(
        b"".join(api.get(f"/api/v1/evidence/{r.json()['id']}/manifest").streaming_content)
    )
    assert [f["name"] for f in manifest["files"]] == ["2024/01.csv", "README.txt"]


def test_upload_errors(api, client, dataset, settings):
    one = SimpleUploadedFile("a.csv", b"x" * 100)
    assert (
        api.post("/api/v1/evidence/upload?alg=md5", {"file": [one]}).json()["code"] == "alg_unknown"
    )
    settings.DATAIP_UPLOAD_MAX_BYTES = 50
    r = api.post("/api/v1/evidence/upload", {"file": [SimpleUploadedFile("a.csv", b"x" * 100)]})
    assert r.status_code == 413
    assert not Evidence.objects.exists()
    client.logout()
    assert client.post("/api/v1/evidence/upload", {"file": [one]}).status_code == 401


def test_upload_needs_a_csrf_token(client, user, dataset):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    r = csrf_client.post("/api/v1/evidence/upload", {"file": [SimpleUploadedFile("a.csv", b"x")]})
    assert r.status_code == 403
    assert not Evidence.objects.exists()


def test_records_are_private(api, client, dataset, django_user_model):
    out = _post_digest(api, _digest_body(dataset)).json()
    log_publish()
    other = django_user_model.objects.create_user("other", password="x")
    client.force_login(other)
    for path in ("", "/receipt", "/manifest"):
        assert client.get(f"/api/v1/evidence/{out['id']}{path}").status_code == 404
    assert client.get("/api/v1/evidence").json() == []
    client.logout()
    assert client.get(f"/api/v1/evidence/{out['id']}").status_code == 401
    assert client.get("/api/v1/evidence").status_code == 401
    assert _post_digest(client, _digest_body(dataset)).status_code == 401


def test_evidence_add_command(user, dataset, tmp_path, capsys):
    manifests = []
    for i in range(3):
        (dataset / "n.txt").write_text(str(i))
        manifests.append(tmp_path / f"m{i}.json")
        create_manifest(dataset, manifests[-1])
    call_command("evidence_add", "--user", "applicant", *map(str, manifests))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for i, line in enumerate(lines):
        evidence_id, index, state, path = line.split("\t")
        evidence = Evidence.objects.get(uuid=evidence_id)
        assert LogEntry.objects.get(index=int(index)).leaf_hash == evidence.leaf_hash
        assert state == "recorded" and path == str(manifests[i])
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(CommandError, match="nothing recorded"):
        call_command("evidence_add", "--user", "applicant", str(manifests[0]), str(bad))
    with pytest.raises(CommandError, match="no user"):
        call_command("evidence_add", "--user", "nobody", str(manifests[0]))
    assert Evidence.objects.count() == 3


def test_counts_beyond_64_bits_are_refused(api, dataset):
    body = _digest_body(dataset) | {"file_count": 2**64}
    assert _post_digest(api, body).status_code == 422
    assert not Evidence.objects.exists()


def test_upload_with_an_api_token_needs_no_csrf_token(user, dataset):
    from django.test import Client

    from dataip.accounts.services import api_token_create

    _, token = api_token_create(actor=user, name="curl")
    api = Client(enforce_csrf_checks=True)
    files = [SimpleUploadedFile("README.txt", (dataset / "README.txt").read_bytes())]
    r = api.post(
        "/api/v1/evidence/upload", {"file": files}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 201, r.content
    assert Evidence.objects.get().owner == user
    bad = api.post(
        "/api/v1/evidence/upload",
        {"file": [SimpleUploadedFile("a", b"x")]},
        headers={"Authorization": "Bearer dip_not-a-token"},
    )
    assert bad.status_code == 401 and Evidence.objects.count() == 1
