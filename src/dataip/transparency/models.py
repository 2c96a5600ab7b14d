"""The log's tables. Rows of entries, tiles and checkpoints are only ever added (tiles grow).

The tree is stored as the C2SP tlog-tiles it serves (``dataip.core.tiles``); the statements are
the entries. Statements wait in ``PendingStatement`` until an integration folds them into the
tree, assigns their indices and publishes a signed checkpoint, all in one transaction.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

HEX64 = r"^[0-9a-f]{64}$"


class LogState(models.Model):
    """The one row (id 1) that integrations lock: the tree's size and root after the last one."""

    size = models.BigIntegerField(default=0, help_text="Number of leaves in the tree.")
    root = models.CharField(
        max_length=64,
        default="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        help_text="SHA-256 tree hash at that size, lower-case hex (the empty tree's at first).",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="logstate_singleton"),
            models.CheckConstraint(condition=Q(root__regex=HEX64), name="logstate_root_hex"),
        ]

    def __str__(self) -> str:
        return f"log state: {self.size} leaves"


class PendingStatement(models.Model):
    """A statement accepted for the log and not yet integrated (it gets no index until then)."""

    statement = models.TextField(
        help_text="The statement, RFC 8785 canonical JSON (the leaf data)."
    )
    leaf_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256(0x00 || statement), lower-case hex."
    )
    queued_at = models.DateTimeField(auto_now_add=True, help_text="When it was accepted.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(leaf_hash__regex=HEX64), name="pending_leaf_hex")
        ]

    def __str__(self) -> str:
        return f"pending {self.leaf_hash}"


class LogEntry(models.Model):
    """One leaf of the tree: its index and the statement it commits to."""

    index = models.BigIntegerField(primary_key=True, help_text="Leaf index, from 0.")
    statement = models.TextField(help_text="The statement, RFC 8785 canonical JSON.")
    leaf_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256(0x00 || statement), lower-case hex."
    )
    statement_type = models.CharField(
        max_length=64, db_index=True, help_text='The statement\'s "type", e.g. dataip/evidence/v1.'
    )
    integrated_at = models.DateTimeField(help_text="When the integration that added it committed.")

    class Meta:
        ordering = ["index"]
        constraints = [
            models.CheckConstraint(condition=Q(index__gte=0), name="entry_index_nonnegative"),
            models.CheckConstraint(condition=Q(leaf_hash__regex=HEX64), name="entry_leaf_hex"),
        ]

    def __str__(self) -> str:
        return f"leaf {self.index}"


class LogTile(models.Model):
    """A tile of the tree (c2sp.org/tlog-tiles): up to 256 hashes at height 8 * level."""

    level = models.PositiveSmallIntegerField(help_text="Tile level; 0 holds leaf hashes.")
    index = models.BigIntegerField(help_text="Tile index within its level.")
    data = models.BinaryField(help_text="The hashes, 32 bytes each; only the last tile is partial.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="tile_unique"),
            models.CheckConstraint(condition=Q(index__gte=0), name="tile_index_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"tile {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed checkpoint: every one published is kept, with its RFC 3161 token."""

    size = models.BigIntegerField(unique=True, help_text="Tree size it commits to.")
    root = models.CharField(max_length=64, help_text="Tree hash at that size, lower-case hex.")
    note = models.TextField(help_text="The signed note (c2sp.org/tlog-checkpoint), as published.")
    published_at = models.DateTimeField(help_text="When the integration that made it committed.")
    timestamp = models.BinaryField(
        null=True, help_text="DER RFC 3161 token over SHA-256 of the note; empty until stamped."
    )
    timestamped_at = models.DateTimeField(null=True, help_text="The token's genTime.")

    class Meta:
        ordering = ["size"]
        get_latest_by = "size"
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="checkpoint_size_positive"),
            models.CheckConstraint(condition=Q(root__regex=HEX64), name="checkpoint_root_hex"),
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"
