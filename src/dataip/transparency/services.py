"""Writes to the log: queue statements, integrate them into the tree, time-stamp checkpoints.

Appends are two-phase. ``statement_append`` adds rows to ``PendingStatement`` inside the caller's
transaction (so an evidence record and its statement commit together, or neither does) and,
after commit, integrates unless a checkpoint was published less than ``DATAIP_LOG_INTERVAL_MS``
ago; then ``log_sequencer`` (run by ``dataip serve``) integrates within that interval. So a quiet
log publishes at once and a busy one publishes a few checkpoints a second, each with its
signature and RFC 3161 token, however many appends arrive. ``log_integrate`` takes the lock on
the ``LogState`` row, folds every pending statement (up to ``DATAIP_LOG_BATCH``) into the tree,
and publishes one signed checkpoint, in one transaction: concurrent integrators queue behind the
lock and the first one through takes everybody's statements. A process killed during an
integration rolls its transaction back; the statements stay pending and the next integration
takes them, extending the last published checkpoint. Indices are primary keys: two leaves can
never share one.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dataip.core import jcs, tsp
from dataip.core.checkpoint import Checkpoint as CheckpointBody
from dataip.core.checkpoint import sign_checkpoint
from dataip.core.merkle import leaf_hash
from dataip.core.tiles import HASH_ALG, TiledTree
from dataip.transparency.keys import log_signer, time_stamping
from dataip.transparency.models import Checkpoint, LogEntry, LogState, LogTile, PendingStatement
from dataip.transparency.selectors import tile_reader

logger = logging.getLogger(__name__)


def statement_leaf(statement: Mapping[str, object]) -> tuple[str, str]:
    """The canonical JSON text of a statement and its leaf hash (hex)."""
    data = jcs.canonicalize(statement)
    return data.decode("utf-8"), leaf_hash(HASH_ALG, data).hex()


def statement_append(*, statements: Sequence[Mapping[str, object]]) -> list[str]:
    """Queue statements for the log; return their leaf hashes (hex), in order.

    Call inside the transaction that creates what the statements describe. Each statement is a
    JSON object with a ``"type"``; it must not contain personal data. After the transaction
    commits, the statements are integrated and a checkpoint is published.
    """
    rows = []
    for statement in statements:
        if not isinstance(statement.get("type"), str):
            raise ValueError('a statement needs a "type"')
        text, leaf = statement_leaf(statement)
        rows.append(PendingStatement(statement=text, leaf_hash=leaf))
    PendingStatement.objects.bulk_create(rows)
    transaction.on_commit(_publish_unless_recent)
    return [row.leaf_hash for row in rows]


def _publish_unless_recent() -> None:
    # Checked here without a lock (cheap), and again under the lock by log_integrate: appenders
    # that commit together then make one checkpoint, not one each.
    if not _recent_checkpoint():
        log_publish(unless_recent=True)


def _recent_checkpoint() -> bool:
    latest = Checkpoint.objects.order_by("-size").values_list("published_at", flat=True).first()
    interval = datetime.timedelta(milliseconds=settings.DATAIP_LOG_INTERVAL_MS)
    return latest is not None and timezone.now() - latest < interval


def log_publish(*, unless_recent: bool = False) -> Checkpoint | None:
    """Integrate what is pending and time-stamp the new checkpoints; never raises.

    The statements are safe in the queue whatever happens here: ``log_sequencer`` retries
    anything left over.
    """
    try:
        published = _publish_pending(unless_recent=unless_recent)
    except Exception:
        logger.exception("publishing the log failed; log_sequencer will retry")
        return None
    return published[-1] if published else None


def _publish_pending(*, unless_recent: bool = False) -> list[Checkpoint]:
    """Integrate what is pending now and stamp each new checkpoint at once.

    Only what is pending when it starts: one checkpoint, or one per ``DATAIP_LOG_BATCH`` of a
    backlog. Statements arriving meanwhile wait for the next round, so a steady stream of
    appends never keeps one caller integrating (and its checkpoints unstamped) for long.
    """
    # A plain read first: an idle log costs the database no lock and no write.
    pending = PendingStatement.objects.count()
    published = []
    for _ in range(-(-pending // settings.DATAIP_LOG_BATCH)):
        checkpoint = log_integrate(unless_recent=unless_recent)
        if checkpoint is None:
            break
        checkpoint_timestamp(checkpoint=checkpoint)
        published.append(checkpoint)
    return published


def log_integrate(*, limit: int | None = None, unless_recent: bool = False) -> Checkpoint | None:
    """Fold pending statements into the tree and publish a signed checkpoint.

    Returns the new checkpoint, or None when nothing was pending (or, with ``unless_recent``,
    when a checkpoint is younger than ``DATAIP_LOG_INTERVAL_MS``). One transaction, under the
    lock of the ``LogState`` row.
    """
    limit = limit or settings.DATAIP_LOG_BATCH
    with transaction.atomic():
        # The state row is created on first use (INSERT ... ON CONFLICT DO NOTHING: no race).
        LogState.objects.bulk_create([LogState(pk=1)], ignore_conflicts=True)
        state = LogState.objects.select_for_update().get(pk=1)
        if unless_recent and _recent_checkpoint():
            return None
        pending = list(PendingStatement.objects.order_by("id")[:limit])
        if not pending:
            return None
        tree = TiledTree(state.size, tile_reader())
        hashes = []
        for row in pending:
            # Recomputed, not trusted: the queue is a table anyone with the database can edit.
            text, leaf = statement_leaf(json.loads(row.statement))
            if text != row.statement or leaf != row.leaf_hash:
                raise ValueError(f"pending statement {row.pk} is not canonical or mis-hashed")
            hashes.append(bytes.fromhex(leaf))
        changed = tree.append(hashes)
        now = timezone.now()
        LogEntry.objects.bulk_create(
            LogEntry(
                index=state.size + offset,
                statement=row.statement,
                leaf_hash=row.leaf_hash,
                statement_type=json.loads(row.statement)["type"],
                integrated_at=now,
            )
            for offset, row in enumerate(pending)
        )
        LogTile.objects.bulk_create(
            [
                LogTile(level=level, index=index, data=data)
                for (level, index), data in changed.items()
            ],
            update_conflicts=True,
            unique_fields=["level", "index"],
            update_fields=["data"],
        )
        root = tree.root()
        signer = log_signer()
        note = sign_checkpoint(CheckpointBody(signer.name, tree.size, root), signer)
        checkpoint = Checkpoint.objects.create(
            size=tree.size, root=root.hex(), note=note, published_at=now
        )
        PendingStatement.objects.filter(pk__in=[row.pk for row in pending]).delete()
        state.size, state.root = tree.size, root.hex()
        state.save(update_fields=["size", "root"])
    return checkpoint


def checkpoint_timestamp(*, checkpoint: Checkpoint) -> bool:
    """Get an RFC 3161 token over SHA-256 of the signed checkpoint note; False if it had one.

    Outside any transaction: an external TSA may take a while, and must not hold the log lock.
    """
    token = time_stamping().stamp(checkpoint.note.encode("utf-8"))
    info = tsp.token_info(token)
    updated = Checkpoint.objects.filter(pk=checkpoint.pk, timestamp__isnull=True).update(
        timestamp=token, timestamped_at=info.gen_time
    )
    if updated:
        checkpoint.timestamp, checkpoint.timestamped_at = token, info.gen_time
    return bool(updated)


def log_catch_up() -> int:
    """Integrate anything pending and stamp every checkpoint still without a token.

    What ``log_sequencer`` runs in a loop; returns how many checkpoints it stamped.
    """
    stamped = len(_publish_pending())
    for checkpoint in Checkpoint.objects.filter(timestamp__isnull=True).order_by("size"):
        stamped += checkpoint_timestamp(checkpoint=checkpoint)
    return stamped
