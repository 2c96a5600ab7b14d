"""Recording evidence: from a manifest, from a pasted hash value and check code, from an upload.

Every path ends in ``evidence_record``: one transaction creates the record and queues its
statement for the log; the log integrates it right after commit. The same dataset hash filed
again by the same owner returns the existing record.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
import uuid
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from dataip.accounts.models import User
from dataip.core.errors import InputError, UnsupportedAlgorithm
from dataip.core.hashing import ALGORITHMS, DatasetDigest, check_code
from dataip.core.manifest import manifest_text, read_manifest
from dataip.evidence.models import Evidence, Source
from dataip.evidence.uploads import UploadedDataset
from dataip.transparency.services import statement_append, statement_leaf

EVIDENCE_STATEMENT = "dataip/evidence/v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def evidence_statement(evidence: Evidence, logged_at: datetime.datetime) -> dict[str, object]:
    """The log statement of an evidence record: the hash and counts, no personal data."""
    return {
        "type": EVIDENCE_STATEMENT,
        "evidence_id": str(evidence.uuid),
        "alg": evidence.alg,
        "root": evidence.root,
        "file_count": evidence.file_count,
        "total_bytes": evidence.total_bytes,
        "logged_at": logged_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def evidence_record(
    *,
    owner: User,
    digest: DatasetDigest,
    source: Source,
    manifest: str | None = None,
    label: str = "",
) -> tuple[Evidence, bool]:
    """Record ``digest`` for ``owner`` and queue its statement; return (record, created).

    An existing record of the same owner, algorithm and root is returned unchanged; if it
    disagrees on the counts, that is an error (the counts are part of what the hash commits to).
    """
    existing = _existing(owner, digest)
    if existing is not None:
        return existing, False
    evidence = Evidence(
        uuid=uuid.uuid4(),
        owner=owner,
        label=label.strip()[:200],
        alg=digest.alg,
        root=digest.root_hex,
        check_code=digest.check_code,
        file_count=digest.file_count,
        total_bytes=digest.total_bytes,
        source=source,
    )
    statement = evidence_statement(evidence, datetime.datetime.now(datetime.UTC))
    evidence.statement, evidence.leaf_hash = statement_leaf(statement)
    try:
        with transaction.atomic():
            if manifest is not None:
                evidence.manifest.save("manifest.json", ContentFile(manifest.encode()), save=False)
            try:
                evidence.save()
                statement_append(statements=[statement])
            except BaseException:
                if evidence.manifest:
                    evidence.manifest.delete(save=False)
                raise
    except IntegrityError:
        # Filed at the same moment by another request of the same owner.
        existing = _existing(owner, digest)
        if existing is None:
            raise
        return existing, False
    return evidence, True


def _existing(owner: User, digest: DatasetDigest) -> Evidence | None:
    existing = Evidence.objects.filter(owner=owner, alg=digest.alg, root=digest.root_hex).first()
    if existing is not None and (
        existing.file_count != digest.file_count or existing.total_bytes != digest.total_bytes
    ):
        raise InputError(
            "evidence_conflict",
            root=digest.root_hex,
            file_count=existing.file_count,
            total_bytes=existing.total_bytes,
        )
    return existing


def evidence_record_manifest(
    *, owner: User, manifest: IO[bytes], label: str = ""
) -> tuple[Evidence, bool]:
    """Record the dataset hash of a manifest made by the offline tool (fully validated)."""
    limit = settings.DATAIP_MANIFEST_MAX_BYTES
    with tempfile.TemporaryDirectory(prefix="dataip-manifest-") as tmp:
        path = os.path.join(tmp, "manifest.json")
        size = 0
        with open(path, "wb") as out:
            while chunk := manifest.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise InputError("manifest_too_large", limit=limit)
                out.write(chunk)
        parsed = read_manifest(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
    digest = DatasetDigest(
        parsed.alg, bytes.fromhex(parsed.root_hex), parsed.file_count, parsed.total_bytes
    )
    return evidence_record(
        owner=owner, digest=digest, source=Source.MANIFEST, manifest=text, label=label
    )


def evidence_record_digest(
    *,
    owner: User,
    alg: str,
    root: str,
    check_code_text: str,
    file_count: int,
    total_bytes: int,
    label: str = "",
) -> tuple[Evidence, bool]:
    """Record a hash value pasted by hand; the check code must match the other three values."""
    alg = alg.strip().lower()
    if alg not in ALGORITHMS:
        raise UnsupportedAlgorithm("alg_unknown", alg=alg)
    root = root.strip().lower()
    if not _HEX64.fullmatch(root):
        raise InputError("evidence_root_format", length=len(root))
    if file_count < 1:
        raise InputError("evidence_file_count", file_count=file_count)
    if total_bytes < 0:
        raise InputError("evidence_total_bytes", total_bytes=total_bytes)
    given = check_code_text.strip().upper()
    expected = check_code(alg, root, file_count, total_bytes)
    if given != expected:
        raise InputError(_mismatch_code(alg, root, given, file_count, total_bytes), given=given)
    digest = DatasetDigest(alg, bytes.fromhex(root), file_count, total_bytes)
    return evidence_record(owner=owner, digest=digest, source=Source.DIGEST, label=label)


def _mismatch_code(alg: str, root: str, given: str, file_count: int, total_bytes: int) -> str:
    """Name the likely copying mistake, so the message says what to re-copy."""
    other = next(a for a in ALGORITHMS if a != alg)
    if given == check_code(other, root, file_count, total_bytes):
        return "evidence_check_code_alg"
    if given == check_code(alg, root, total_bytes, file_count):
        return "evidence_check_code_swapped"
    return "evidence_check_code_mismatch"


def evidence_record_upload(
    *, owner: User, uploaded: UploadedDataset, label: str = ""
) -> tuple[Evidence, bool]:
    """Record files hashed while they were uploaded; the generated manifest is kept."""
    manifest = manifest_text(uploaded.digest, uploaded.records)
    return evidence_record(
        owner=owner, digest=uploaded.digest, source=Source.UPLOAD, manifest=manifest, label=label
    )
