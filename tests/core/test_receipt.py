"""Receipts (dataip.core.receipt): a valid receipt passes; every single-field tamper fails."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from pathlib import Path

import pytest

from dataip.core import jcs, receipt, tsp
from dataip.core.checkpoint import Checkpoint, sign_checkpoint
from dataip.core.errors import VerificationError
from dataip.core.note import Signer

from . import reference

ORIGIN = "receipts.example/log"


@pytest.fixture(scope="module")
def keys():
    material = tsp.generate_authority(common_name="Test TSA", organization="dataip tests")
    return {
        "signer": Signer.generate(ORIGIN),
        "tsa": tsp.TimestampAuthority.from_pem(material.key_pem, material.chain_pem),
        "chain": material.chain_pem.decode(),
    }


def _statement(data_dir: Path | None = None) -> dict:
    if data_dir is None:
        root, files, size = "ab" * 32, 3, 1000
    else:
        d = reference.digest(data_dir, "sm3")
        root, files, size = d.root.hex(), d.file_count, d.total_bytes
    return {
        "type": "dataip/evidence/v1",
        "evidence_id": str(uuid.UUID(int=7)),
        "alg": "sm3",
        "root": root,
        "file_count": files,
        "total_bytes": size,
        "logged_at": "2026-11-22T08:00:00Z",
    }


def _receipt(keys, statement: dict, *, index: int = 5, size: int = 13) -> dict:
    leaves = [reference.leaf_hash("sha256", b"other %d" % i) for i in range(size)]
    leaves[index] = reference.leaf_hash("sha256", jcs.canonicalize(statement))
    root = reference.root_of_hashes("sha256", leaves)
    note = sign_checkpoint(Checkpoint(ORIGIN, size, root), keys["signer"])
    return receipt.build_receipt(
        statement=statement,
        index=index,
        hashes=reference.audit_path("sha256", leaves, index),
        checkpoint=note,
        log_key=keys["signer"].vkey,
        timestamp=keys["tsa"].stamp(note.encode()),
        tsa_certificates=keys["chain"],
    )


def test_a_valid_receipt(keys):
    doc = _receipt(keys, _statement())
    check = receipt.verify_receipt(json.loads(json.dumps(doc)))
    assert (check.index, check.checkpoint.size, check.checkpoint.origin) == (5, 13, ORIGIN)
    assert check.statement["root"] == "ab" * 32
    assert not check.log_key_pinned and not check.tsa_pinned
    pinned = receipt.verify_receipt(
        doc,
        log_key=keys["signer"].vkey,
        tsa_roots=tsp.load_pem_certificates(keys["chain"].encode())[-1:],
    )
    assert pinned.log_key_pinned and pinned.tsa_pinned


def _tampers(doc: dict):  # noqa: PLR0912 - one branch per kind of field
    """Every single-field change of a receipt, with the part that must fail."""
    for key in doc["statement"]:
        changed = copy.deepcopy(doc)
        value = changed["statement"][key]
        changed["statement"][key] = (
            value + 1 if isinstance(value, int) else value[:-1] + ("0" if value[-1] != "0" else "1")
        )
        yield f"statement.{key}", changed
    proof_lines = doc["proof"].split("\n")
    for i, line in enumerate(proof_lines):
        if not line or line.startswith("c2sp.org"):
            continue
        changed = copy.deepcopy(doc)
        lines = list(proof_lines)
        if line.startswith("index "):
            lines[i] = f"index {int(line[6:]) + 1}"
        elif line.startswith("\u2014 "):
            sig = bytearray(base64.b64decode(line.split(" ")[2]))
            sig[-1] ^= 1
            lines[i] = " ".join([*line.split(" ")[:2], base64.b64encode(bytes(sig)).decode()])
        elif line == ORIGIN:
            lines[i] = "other.example/log"
        elif line.isdigit():
            lines[i] = str(int(line) + 1)
        else:
            raw = bytearray(base64.b64decode(line))
            raw[0] ^= 1
            lines[i] = base64.b64encode(bytes(raw)).decode()
        changed["proof"] = "\n".join(lines)
        yield f"proof line {i}", changed
    for key in ("log_key", "timestamp", "tsa_certificates", "format"):
        changed = copy.deepcopy(doc)
        if key == "log_key":
            changed[key] = Signer.generate(ORIGIN).vkey
        elif key == "timestamp":
            token = bytearray(base64.b64decode(doc[key]))
            token[-10] ^= 1
            changed[key] = base64.b64encode(bytes(token)).decode()
        elif key == "tsa_certificates":
            other = tsp.generate_authority(common_name="Test TSA", organization="dataip tests")
            changed[key] = other.chain_pem.decode()
        else:
            changed[key] = "dataip-receipt/2"
        yield key, changed
    for key in doc:
        changed = copy.deepcopy(doc)
        del changed[key]
        yield f"without {key}", changed
    changed = copy.deepcopy(doc)
    changed["extra"] = 1
    yield "an extra field", changed


def test_every_single_field_tamper_is_rejected(keys):
    doc = _receipt(keys, _statement())
    count = 0
    for what, changed in _tampers(doc):
        with pytest.raises(VerificationError):  # noqa: PT012 - the message names the tamper
            receipt.verify_receipt(changed)
            pytest.fail(f"accepted a receipt with a changed {what}")
        count += 1
    assert count >= 20


def test_failures_name_the_part(keys):
    doc = _receipt(keys, _statement())
    doc["statement"]["total_bytes"] += 1
    with pytest.raises(VerificationError) as e:
        receipt.verify_receipt(doc)
    assert e.value.code == "receipt_inclusion"
    doc = _receipt(keys, _statement())
    with pytest.raises(VerificationError) as e:
        receipt.verify_receipt(doc, log_key=Signer.generate(ORIGIN).vkey)
    assert e.value.code == "receipt_log_key_pinned"
    other = tsp.generate_authority(common_name="Other", organization="x")
    with pytest.raises(VerificationError) as e:
        receipt.verify_receipt(doc, tsa_roots=tsp.load_pem_certificates(other.chain_pem)[-1:])
    assert e.value.code == "receipt_timestamp"


def test_a_time_stamp_of_another_checkpoint_is_rejected(keys):
    a = _receipt(keys, _statement(), size=13)
    b = _receipt(keys, _statement(), size=14)
    a["timestamp"] = b["timestamp"]
    with pytest.raises(VerificationError) as e:
        receipt.verify_receipt(a)
    assert e.value.code == "receipt_timestamp"


def test_check_data(keys, tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "a.csv").write_text("id,value\n1,2\n")
    (data / "sub" / "b.json").write_text("[]")
    statement = _statement(data)
    receipt.check_data(statement, data)
    (data / "sub" / "b.json").write_text("[1]")
    with pytest.raises(VerificationError) as e:
        receipt.check_data(statement, data)
    assert e.value.code == "receipt_data_root"
