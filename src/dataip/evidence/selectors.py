"""Reads of evidence records (the owner's own), receipts, and resumable uploads."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dataip.accounts.models import User
from dataip.core.receipt import build_receipt
from dataip.evidence.models import Evidence, UploadFile, UploadSession
from dataip.transparency import selectors as log
from dataip.transparency.keys import log_signer, time_stamping


def evidence_list(*, user: User | AnonymousUser) -> QuerySet[Evidence]:
    """The user's own records, newest first (none for an anonymous user)."""
    if not user.is_authenticated:
        return Evidence.objects.none()
    return Evidence.objects.filter(owner=user)


def evidence_get(*, user: User | AnonymousUser, evidence_id: uuid.UUID) -> Evidence | None:
    """One of the user's records; None for someone else's (callers answer 404, not 403)."""
    return evidence_list(user=user).filter(uuid=evidence_id).first()


def evidence_log_index(evidence: Evidence) -> int | None:
    """The record's leaf index in the log, once integrated."""
    return evidence_log_indices([evidence]).get(evidence.pk)


def evidence_log_indices(records: Iterable[Evidence]) -> dict[int, int]:
    """Record pk -> leaf index, for those already integrated (one query)."""
    by_leaf = {e.leaf_hash: e.pk for e in records}
    return {by_leaf[leaf]: index for leaf, index in log.leaf_indices(by_leaf)}


def evidence_receipt(evidence: Evidence) -> dict[str, Any] | None:
    """The receipt (存证凭证) of a record; None until logged under a time-stamped checkpoint."""
    index = evidence_log_index(evidence)
    if index is None:
        return None
    checkpoint = log.checkpoint_covering(index)
    if checkpoint is None or checkpoint.timestamp is None:
        return None
    proof = log.inclusion_proof(index=index, tree_size=checkpoint.size).hashes
    return build_receipt(
        statement=json.loads(evidence.statement),
        index=index,
        hashes=proof,
        checkpoint=checkpoint.note,
        log_key=log_signer().vkey,
        timestamp=bytes(checkpoint.timestamp),
        tsa_certificates=time_stamping().chain_pem,
    )


def _sessions(user: User | AnonymousUser) -> QuerySet[UploadSession]:
    """The user's resumable uploads that have not expired."""
    if not user.is_authenticated:
        return UploadSession.objects.none()
    return UploadSession.objects.filter(owner=user, expires_at__gt=timezone.now()).annotate(
        received_bytes=Coalesce(Sum("files__offset"), 0)
    )


def uploads_open(*, user: User | AnonymousUser) -> QuerySet[UploadSession]:
    """The user's unfinished uploads, newest first, each with ``received_bytes``."""
    # Explicitly: Meta.ordering does not apply to a query grouped for its Sum.
    return _sessions(user).filter(evidence__isnull=True).order_by("-created_at", "-id")


def upload_get(*, user: User | AnonymousUser, upload_id: uuid.UUID) -> UploadSession | None:
    """One of the user's uploads, unfinished or recorded; None for someone else's or expired."""
    return _sessions(user).select_related("evidence").filter(uuid=upload_id).first()


def upload_files(session: UploadSession) -> QuerySet[UploadFile]:
    """The files of an upload in their declared order (none once recorded)."""
    return session.files.order_by("position").defer("stack")


def upload_file_get(
    *, user: User | AnonymousUser, upload_id: uuid.UUID, position: int
) -> UploadFile | None:
    """A file of one of the user's unfinished uploads, with its session."""
    if not user.is_authenticated:
        return None
    return (
        UploadFile.objects.select_related("session")
        .filter(
            session__owner=user,
            session__uuid=upload_id,
            session__expires_at__gt=timezone.now(),
            session__evidence__isnull=True,
            position=position,
        )
        .first()
    )
