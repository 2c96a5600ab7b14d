"""Recording evidence: from a manifest, from a pasted hash value and check code, from an upload.

Every path ends in ``evidence_record``: one transaction creates the record and queues its
statement for the log; the log integrates it right after commit. The same dataset hash filed
again by the same owner returns the existing record.

Resumable uploads (``upload_open``, ``upload_piece``, ``upload_complete``, ``upload_cancel``):
the files are declared first, then each file's bytes arrive in pieces over any number of
requests and are hashed as they arrive; only the hash state is kept (``UploadFile.stack``), never
the bytes. A piece advances the file by whole chunks (1 MiB), or to its end: what it carries
past the last whole chunk is not kept and is sent again with the next piece. A piece cut short
(a broken connection) keeps what arrived up to the last whole chunk. Two pieces for the same
file at once cannot both count: the second to finish finds the offset moved and is refused.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
import uuid
from collections.abc import Sequence
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dataip.accounts.models import User
from dataip.core.errors import InputError, UnsupportedAlgorithm
from dataip.core.hashing import ALGORITHMS, DatasetDigest, check_code
from dataip.core.incremental import DatasetAccumulator, FileHasher, HasherState
from dataip.core.manifest import manifest_text, read_manifest
from dataip.core.merkle import DIGEST_SIZE, empty_root
from dataip.evidence.errors import UploadConflict, UploadError, UploadNotFound, UploadTooLarge
from dataip.evidence.models import Evidence, Source, UploadFile, UploadSession
from dataip.evidence.uploads import UploadedDataset, read_piece, too_large
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


# --- resumable uploads ---------------------------------------------------------------------------

#: The longest file name a resumable upload accepts, in UTF-8 bytes (an index holds it).
MAX_NAME_BYTES = 1024
#: The names of missing files an ``upload_incomplete`` message shows (its ``missing`` has 100).
_NAMES_SHOWN = 5
#: Files written per INSERT when an upload is opened.
_BATCH = 1000


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.DATAIP_UPLOAD_SESSION_HOURS)


def upload_open(
    *, owner: User, alg: str, label: str, files: Sequence[tuple[str, int, int | None]]
) -> UploadSession:
    """Open a resumable upload of ``files``: ``(relative path, size, client mtime or None)``.

    The names are checked as a dataset's (format v1 section 2) and the limits of one-request
    uploads apply (``DATAIP_UPLOAD_MAX_FILES``, ``DATAIP_UPLOAD_MAX_BYTES``), as well as
    ``DATAIP_UPLOAD_SESSIONS_PER_USER`` unfinished uploads per user. Empty files are complete
    at once. Expired uploads of every user are deleted here.
    """
    if alg not in ALGORITHMS:
        raise UnsupportedAlgorithm("alg_unknown", alg=alg)
    if not files:
        raise InputError("upload_no_files")
    if len(files) > settings.DATAIP_UPLOAD_MAX_FILES:
        raise InputError("upload_too_many_files", limit=settings.DATAIP_UPLOAD_MAX_FILES)
    accumulator = DatasetAccumulator(alg)
    placeholder = bytes(DIGEST_SIZE)
    names = []
    for name, size, _ in files:
        if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise InputError("upload_name_too_long", name=name[:80] + "…", limit=MAX_NAME_BYTES)
        names.append(accumulator.add(name, size, placeholder).name)
    if accumulator.total_bytes > settings.DATAIP_UPLOAD_MAX_BYTES:
        raise too_large(settings.DATAIP_UPLOAD_MAX_BYTES)
    now = timezone.now()
    UploadSession.objects.filter(expires_at__lte=now).delete()
    empty = empty_root(alg).hex()
    with transaction.atomic():
        # The owner's row serialises their concurrent openings, so the limit holds.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        unfinished = UploadSession.objects.filter(
            owner=owner, evidence__isnull=True, expires_at__gt=now
        ).count()
        limit = settings.DATAIP_UPLOAD_SESSIONS_PER_USER
        if unfinished >= limit:
            raise UploadConflict(
                "upload_sessions_limit",
                extra={"unfinished": unfinished},
                count=unfinished,
                limit=limit,
            )
        session = UploadSession.objects.create(
            owner=owner,
            alg=alg,
            label=label.strip()[:200],
            file_count=len(files),
            total_bytes=accumulator.total_bytes,
            expires_at=_expiry(),
        )
        UploadFile.objects.bulk_create(
            (
                UploadFile(
                    session=session,
                    position=position,
                    name=name,
                    size=size,
                    last_modified=last_modified,
                    root="" if size else empty,
                )
                for position, (name, (_, size, last_modified)) in enumerate(
                    zip(names, files, strict=True)
                )
            ),
            batch_size=_BATCH,
        )
    return session


def upload_piece(
    *, file: UploadFile, offset: int, length: int, stream: object
) -> tuple[UploadFile, UploadError | None]:
    """Hash the next ``length`` bytes of ``file``, read from ``stream``, starting at ``offset``.

    ``offset`` must be the file's current offset (else ``upload_offset_mismatch``, 409, with the
    current offset), and the piece must end within the file (else ``upload_past_end``, 413).
    Returns the file as it now stands and, for a piece cut short, the error to answer with
    (``upload_piece_interrupted``): what arrived up to the last whole chunk is kept.
    """
    session = file.session
    if offset != file.offset:
        raise _offset_mismatch(file.offset, offset)
    if length > file.size - file.offset:
        raise UploadTooLarge("upload_past_end", size=file.size, offset=file.offset, length=length)
    if file.complete or length == 0:
        return file, None
    hasher = FileHasher.resume(HasherState.unpack(session.alg, file.offset, bytes(file.stack)))
    received = read_piece(stream, length, hasher.update)
    if hasher.size == file.size:
        _, root = hasher.finish()
        new_offset, stack, root_hex = file.size, b"", root.hex()
    else:
        state = hasher.state()
        new_offset, stack, root_hex = state.offset, state.pack(), ""
    if new_offset > file.offset:
        with transaction.atomic():
            # Compare and swap on the row's own columns: a join (or subquery) in the WHERE clause
            # would be evaluated on the old snapshot by PostgreSQL after waiting for the row lock.
            # A recorded upload has no files left, so none of its rows can match.
            moved = UploadFile.objects.filter(pk=file.pk, offset=file.offset, root="").update(
                offset=new_offset, stack=stack, root=root_hex
            )
            if not moved:
                # Another piece for the same file finished first, or the upload was discarded.
                current = UploadFile.objects.filter(pk=file.pk).values_list("offset", flat=True)
                if not current:
                    raise UploadNotFound("upload_not_found")
                raise _offset_mismatch(current[0], offset)
            session.expires_at = _expiry()
            UploadSession.objects.filter(pk=session.pk).update(expires_at=session.expires_at)
        file.offset, file.stack, file.root = new_offset, stack, root_hex
    interrupted = None
    if received < length:
        interrupted = UploadError(
            "upload_piece_interrupted", received=received, expected=length, offset=file.offset
        )
    return file, interrupted


def _offset_mismatch(current: int, given: int) -> UploadConflict:
    return UploadConflict(
        "upload_offset_mismatch", extra={"offset": current}, given=given, offset=current
    )


def upload_complete(*, session: UploadSession) -> tuple[Evidence, bool]:
    """Record the dataset hash of a fully received upload; return (record, created).

    ``upload_incomplete`` (409, with the names still missing) while a file is incomplete. The
    upload stays, with its record, until it expires: completing it again returns the record.
    """
    if session.evidence is not None:
        return session.evidence, False
    rows = list(session.files.order_by("position").values_list("name", "size", "root"))
    if not rows:
        # Another request completed it meanwhile (deleting the files), or discarded it.
        recorded = UploadSession.objects.filter(pk=session.pk).select_related("evidence").first()
        if recorded is None or recorded.evidence is None:
            raise UploadNotFound("upload_not_found")
        return recorded.evidence, False
    missing = [name for name, _, root in rows if not root]
    if missing:
        shown = "、".join(missing[:_NAMES_SHOWN]) + ("…" if len(missing) > _NAMES_SHOWN else "")
        raise UploadConflict(
            "upload_incomplete",
            extra={"missing": missing[:100]},
            count=len(missing),
            names=shown,
        )
    accumulator = DatasetAccumulator(session.alg)
    for name, size, root in rows:
        accumulator.add(name, size, bytes.fromhex(root))
    uploaded = UploadedDataset(accumulator.digest(), tuple(accumulator.records()))
    evidence, created = evidence_record_upload(
        owner=session.owner, uploaded=uploaded, label=session.label
    )
    with transaction.atomic():
        UploadSession.objects.filter(pk=session.pk, evidence__isnull=True).update(
            evidence=evidence, expires_at=_expiry()
        )
        UploadFile.objects.filter(session=session).delete()
    session.evidence = evidence
    return evidence, created


def upload_cancel(*, session: UploadSession) -> None:
    """Discard an upload (its hash states; there are no bytes to delete)."""
    UploadSession.objects.filter(pk=session.pk).delete()
