"""Evidence verification: a hash value, a manifest or a receipt, against the platform's log."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.registry.factories import evidence_make, user_make

from dataip.core.manifest import create_manifest
from dataip.core.note import Signer
from dataip.evidence.selectors import evidence_receipt
from dataip.evidence.services import evidence_record_manifest
from dataip.transparency.services import log_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return user_make("holder")


@pytest.fixture
def logged(owner):
    """An evidence record, integrated into the log under a time-stamped checkpoint."""
    evidence = evidence_make(owner, seed="停车数据")
    log_publish()
    return evidence


def _post(client, **data):
    return client.post("/verify/", data)


def test_a_logged_hash_value_is_found_with_its_index_and_checkpoint(client, logged):
    # Pasted with spaces and in capitals, as people copy it.
    pasted = " ".join([logged.root[:32].upper(), logged.root[32:]])
    response = _post(client, root=pasted)
    assert response.status_code == 200
    html = response.content.decode()
    assert "日志中有 1 条该哈希值的存证声明。" in html
    assert str(logged.uuid) in html
    assert "<dt>日志中的叶序号</dt><dd>0</dd>" in html
    assert "树大小 1" in html
    assert logged.leaf_hash in html
    # Nothing of the owner: the statement has no personal data.
    assert "holder" not in html.split("<main")[1]


def test_an_unknown_hash_value_is_not_found(client, logged):
    html = _post(client, root="0" * 64).content.decode()
    assert "日志中没有该哈希值的存证声明。" in html


def test_a_hash_value_still_waiting_for_the_log_is_not_reported(client, owner):
    evidence = evidence_make(owner, seed="not yet integrated")
    assert "日志中没有该哈希值的存证声明。" in _post(client, root=evidence.root).content.decode()


def test_a_malformed_hash_value_is_explained(client):
    response = _post(client, root="abc123")
    assert response.status_code == 400
    assert (
        "哈希值应为 64 位十六进制数字（0-9、a-f），填写的有 6 个字符" in response.content.decode()
    )
    both = client.post("/verify/", {"root": "0" * 64, "receipt": _file({"format": "x"})})
    assert both.status_code == 400
    assert "请在哈希值、清单文件和存证凭证中任选一项填写。" in both.content.decode()
    assert client.post("/verify/", {}).status_code == 400


def _file(doc: object, name: str = "receipt.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(doc).encode(), "application/json")


def test_a_manifest_is_checked_and_looked_up(client, owner, tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("id,value\n1,2\n", encoding="utf-8")
    manifest = tmp_path / "manifest.json"
    create_manifest(data, manifest)
    with manifest.open("rb") as f:
        evidence, _ = evidence_record_manifest(owner=owner, manifest=f)
    log_publish()
    upload = SimpleUploadedFile("manifest.json", manifest.read_bytes(), "application/json")
    html = client.post("/verify/", {"manifest": upload}).content.decode()
    assert "清单文件有效" in html and evidence.root in html and evidence.check_code in html
    assert "日志中有 1 条该哈希值的存证声明。" in html
    # A manifest whose recorded root does not follow from its files is refused, by name.
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    doc["root"] = "0" * 64
    broken = SimpleUploadedFile("我的清单.json", json.dumps(doc).encode(), "application/json")
    response = client.post("/verify/", {"manifest": broken})
    assert response.status_code == 400
    body = response.content.decode()
    assert "我的清单.json" in body and "dataip-verify-" not in body


def test_a_receipt_verifies_completely(client, logged):
    receipt = _receipt(logged)
    html = client.post("/verify/", {"receipt": _file(receipt)}).content.decode()
    assert "该存证凭证验证通过。" in html
    assert "包含证明表明第 0 条记录在大小为 1 的日志树中。" in html
    assert "时间戳（RFC 3161）经本平台时间戳机构证书验证有效" in html
    assert str(logged.uuid) in html


def _failure(client, doc):
    response = client.post("/verify/", {"receipt": _file(doc)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "该存证凭证验证未通过。" in html
    return html


def _receipt(evidence) -> dict:
    receipt = evidence_receipt(evidence)
    assert receipt is not None
    return receipt


def test_a_tampered_receipt_says_which_part_failed(client, logged):
    receipt = _receipt(logged)

    changed = copy.deepcopy(receipt)
    changed["statement"]["total_bytes"] += 1
    assert "包含证明不成立：第 0 条记录不在大小为 1 的日志树中" in _failure(client, changed)

    stamped = copy.deepcopy(receipt)
    token = bytearray(base64.b64decode(stamped["timestamp"]))
    token[-1] ^= 1
    stamped["timestamp"] = base64.b64encode(bytes(token)).decode()
    assert "存证凭证的时间戳（RFC 3161）无效" in _failure(client, stamped)

    assert "不是存证凭证：format 应为 dataip-receipt/1" in _failure(client, {"format": "x"})
    missing = {k: v for k, v in receipt.items() if k != "proof"}
    assert "存证凭证缺少“proof”" in _failure(client, missing)


def test_a_receipt_from_another_log_is_refused(client, logged, settings):
    receipt = _receipt(logged)
    # Same origin, another key: self-consistent once re-signed, but not this platform's key.
    other = Signer.generate(settings.DATAIP_LOG_ORIGIN)
    forged = dict(receipt, log_key=other.verifier().vkey)
    html = _failure(client, forged)
    assert "不是您指定的公钥" in html and "receipt_log_key_pinned" in html


def test_a_receipt_in_english(client, logged):
    receipt = _receipt(logged)
    receipt["statement"]["file_count"] += 1
    html = client.post(
        "/verify/", {"receipt": _file(receipt)}, headers={"accept-language": "en"}
    ).content.decode()
    assert "This receipt does not verify." in html
    assert "the inclusion proof fails: leaf 0 is not in the tree of size 1" in html


def test_a_file_that_is_not_json_is_not_a_receipt(client):
    upload = SimpleUploadedFile("receipt.json", b"\xff\xfe not json", "application/json")
    response = client.post("/verify/", {"receipt": upload})
    assert response.status_code == 400
    assert "该文件不是存证凭证：不是 JSON 文本。" in response.content.decode()
