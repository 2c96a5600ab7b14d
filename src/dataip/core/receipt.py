"""Evidence receipts (存证凭证, ``dataip-receipt/1``): everything needed to check a record offline.

A receipt is a JSON object::

    {
      "format": "dataip-receipt/1",
      "statement": {...},          # the log statement; its leaf is its RFC 8785 canonical JSON
      "proof": "c2sp.org/tlog-proof@v1\\nindex N\\n<hash>...\\n\\n<signed checkpoint>",
      "log_key": "<name>+<key id>+<key>",   # the log's verifier key (c2sp.org/signed-note)
      "timestamp": "<base64 DER>",          # RFC 3161 token over SHA-256(signed checkpoint)
      "tsa_certificates": "<PEM>"           # the TSA's chain, TSA certificate first
    }

:func:`verify_receipt` checks, in order, and raises one :class:`VerificationError` naming the
first part that fails: the statement (form, then its leaf hash), the log key, the checkpoint's
signature and origin, the inclusion proof (RFC 9162 section 2.1.3.2) against the checkpoint's
root, the time stamp (RFC 3161: imprint, signature, chain). :func:`check_data` then compares a
dataset on disk with the statement. Keys and certificates carried by the receipt only prove that
the receipt is self-consistent: a verifier pins the log key published at ``/log/key`` and the
TSA certificate at ``/log/tsa.pem`` (``log_key=``, ``tsa_roots=``), or compares the key id shown.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from dataip.core import jcs, tsp
from dataip.core.checkpoint import Checkpoint, open_checkpoint, parse_tlog_proof
from dataip.core.errors import DataipError, VerificationError
from dataip.core.hashing import ALGORITHMS, Progress, hash_dataset
from dataip.core.merkle import leaf_hash, verify_inclusion
from dataip.core.note import Verifier

RECEIPT_FORMAT = "dataip-receipt/1"
EVIDENCE_STATEMENT = "dataip/evidence/v1"
LOG_HASH = "sha256"

_FIELDS = ("format", "statement", "proof", "log_key", "timestamp", "tsa_certificates")
_EVIDENCE_FIELDS = {
    "type": str,
    "evidence_id": str,
    "alg": str,
    "root": str,
    "file_count": int,
    "total_bytes": int,
    "logged_at": str,
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def build_receipt(
    *,
    statement: Mapping[str, Any],
    index: int,
    hashes: Sequence[bytes],
    checkpoint: str,
    log_key: str,
    timestamp: bytes,
    tsa_certificates: str,
) -> dict[str, Any]:
    """Assemble a receipt (the platform calls this; nothing is checked here)."""
    from dataip.core.checkpoint import format_tlog_proof  # noqa: PLC0415

    return {
        "format": RECEIPT_FORMAT,
        "statement": dict(statement),
        "proof": format_tlog_proof(index=index, hashes=hashes, checkpoint=checkpoint),
        "log_key": log_key,
        "timestamp": base64.b64encode(timestamp).decode("ascii"),
        "tsa_certificates": tsa_certificates,
    }


@dataclass(frozen=True)
class ReceiptCheck:
    """What a verified receipt establishes."""

    statement: dict[str, Any]
    index: int
    checkpoint: Checkpoint
    log_key: Verifier
    time: datetime
    tsa: str
    #: Whether the log key and the TSA root were given by the verifier (else: the receipt's own).
    log_key_pinned: bool
    tsa_pinned: bool


def _fail(part: str, **params: object) -> VerificationError:
    return VerificationError("receipt_" + part, **params)


def verify_receipt(
    doc: Any,
    *,
    log_key: str | None = None,
    tsa_roots: Sequence[x509.Certificate] | None = None,
) -> ReceiptCheck:
    """Check a receipt completely, offline; raise VerificationError naming the failing part."""
    if not isinstance(doc, dict) or doc.get("format") != RECEIPT_FORMAT:
        raise _fail("format", format=RECEIPT_FORMAT)
    for name in _FIELDS:
        if name not in doc:
            raise _fail("field_missing", field=name)
    extra = sorted(set(doc) - set(_FIELDS))
    if extra:
        raise _fail("field_unknown", field=", ".join(extra))
    statement = _check_statement(doc["statement"])
    leaf = leaf_hash(LOG_HASH, jcs.canonicalize(statement))

    try:
        verifier = Verifier.from_vkey(_text(doc["log_key"], "log_key"))
    except DataipError as e:
        raise _fail("log_key", reason=e.message("en")) from None
    if log_key is not None and verifier.vkey != log_key.strip():
        raise _fail("log_key_pinned", key_id=verifier.key_id.hex())

    try:
        proof = parse_tlog_proof(_text(doc["proof"], "proof"))
    except DataipError as e:
        raise _fail("proof_format", reason=e.message("en")) from None
    try:
        checkpoint = open_checkpoint(proof.checkpoint, verifier)
    except DataipError as e:
        raise _fail("checkpoint", reason=e.message("en")) from None
    try:
        verify_inclusion(
            LOG_HASH,
            index=proof.index,
            tree_size=checkpoint.size,
            leaf_hash=leaf,
            proof=list(proof.hashes),
            root=checkpoint.root,
        )
    except VerificationError as e:
        raise _fail("inclusion", index=proof.index, size=checkpoint.size, reason=str(e)) from None

    try:
        token = base64.b64decode(_text(doc["timestamp"], "timestamp"), validate=True)
        certificates = tsp.load_pem_certificates(
            _text(doc["tsa_certificates"], "tsa_certificates").encode("ascii")
        )
    except (binascii.Error, ValueError, UnicodeEncodeError, DataipError):
        raise _fail("timestamp", reason="not base64 DER / PEM certificates") from None
    trusted = list(tsa_roots) if tsa_roots is not None else certificates[-1:]
    try:
        info = tsp.verify_token(token, proof.checkpoint.encode("utf-8"), trusted=trusted)
    except DataipError as e:
        raise _fail("timestamp", reason=e.message("en")) from None
    return ReceiptCheck(
        statement=statement,
        index=proof.index,
        checkpoint=checkpoint,
        log_key=verifier,
        time=info.gen_time,
        tsa=info.tsa_certificate.subject.rfc4514_string() if info.tsa_certificate else "",
        log_key_pinned=log_key is not None,
        tsa_pinned=tsa_roots is not None,
    )


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _fail("field_type", field=name)
    return value


def _check_statement(statement: Any) -> dict[str, Any]:
    if not isinstance(statement, dict) or set(statement) != set(_EVIDENCE_FIELDS):
        raise _fail("statement", reason="not an evidence statement (dataip/evidence/v1)")
    for name, kind in _EVIDENCE_FIELDS.items():
        value = statement[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _fail("statement", reason=f"{name} has the wrong type")
    if statement["type"] != EVIDENCE_STATEMENT:
        raise _fail("statement", reason=f"type is not {EVIDENCE_STATEMENT}")
    if statement["alg"] not in ALGORITHMS or not _HEX64.fullmatch(statement["root"]):
        raise _fail("statement", reason="alg or root is malformed")
    if not _UUID.fullmatch(statement["evidence_id"]) or not _TIME.fullmatch(statement["logged_at"]):
        raise _fail("statement", reason="evidence_id or logged_at is malformed")
    if statement["file_count"] < 1 or statement["total_bytes"] < 0:
        raise _fail("statement", reason="file_count or total_bytes is out of range")
    return statement


def check_data(
    statement: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    exclude: Sequence[str] = (),
    progress: Progress | None = None,
) -> None:
    """Hash the dataset at ``path`` (format v1) and compare it with the statement."""
    digest = hash_dataset(path, alg=statement["alg"], exclude=exclude, progress=progress)
    if digest.root_hex != statement["root"]:
        raise _fail("data_root", computed=digest.root_hex, recorded=statement["root"])
    if (digest.file_count, digest.total_bytes) != (
        statement["file_count"],
        statement["total_bytes"],
    ):
        raise _fail(
            "data_counts",
            files=digest.file_count,
            nbytes=digest.total_bytes,
            rec_files=statement["file_count"],
            rec_bytes=statement["total_bytes"],
        )
