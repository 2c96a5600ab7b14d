"""Evidence records (存证记录): a dataset's hash value, recorded for its owner and in the log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

HEX64 = r"^[0-9a-f]{64}$"


class Algorithm(models.TextChoices):
    SM3 = "sm3", "SM3"
    SHA256 = "sha256", "SHA-256"


class Source(models.TextChoices):
    MANIFEST = "manifest", _("清单文件")
    DIGEST = "digest", _("手工填写哈希值")
    UPLOAD = "upload", _("上传文件")


def _manifest_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.uuid}/manifest.json"


class Evidence(models.Model):
    """One dataset hash of one owner; its statement goes into the transparency log."""

    uuid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Public identifier, the statement's evidence_id (random: reveals nothing).",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text="The user who recorded it.",
    )
    label = models.CharField(
        max_length=200, blank=True, help_text="The owner's own name for the dataset (private)."
    )
    alg = models.CharField(
        max_length=8, choices=Algorithm.choices, help_text="Hash algorithm of the dataset hash."
    )
    root = models.CharField(max_length=64, help_text="Dataset hash value (哈希值), lower-case hex.")
    check_code = models.CharField(max_length=12, help_text="Hash check code (哈希校验码).")
    file_count = models.PositiveBigIntegerField(help_text="Number of files in the dataset.")
    total_bytes = models.PositiveBigIntegerField(help_text="Total size of the files in bytes.")
    source = models.CharField(
        max_length=8, choices=Source.choices, help_text="How the hash reached the platform."
    )
    manifest = models.FileField(
        upload_to=_manifest_path,
        blank=True,
        help_text="The manifest (file names, sizes, file roots), when there is one. Private.",
    )
    statement = models.TextField(help_text="The log statement, RFC 8785 canonical JSON.")
    leaf_hash = models.CharField(
        max_length=64, unique=True, help_text="The statement's leaf hash in the log, hex."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was recorded.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("存证记录")
        verbose_name_plural = _("存证记录")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "alg", "root"], name="evidence_once_per_owner"
            ),
            models.CheckConstraint(condition=Q(root__regex=HEX64), name="evidence_root_hex"),
            models.CheckConstraint(
                condition=Q(leaf_hash__regex=HEX64), name="evidence_leaf_hash_hex"
            ),
            models.CheckConstraint(
                condition=Q(check_code__regex=r"^[0-9A-F]{12}$"), name="evidence_check_code"
            ),
            models.CheckConstraint(condition=Q(file_count__gt=0), name="evidence_has_files"),
            models.CheckConstraint(
                condition=Q(alg__in=Algorithm.values), name="evidence_alg_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="evidence_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alg}:{self.root}"


class UploadSession(models.Model):
    """A resumable upload of a dataset's files (断点续传): its files, their progress, its expiry.

    The platform keeps no file bytes: each file's hash state (a few subtree roots) advances as
    its bytes arrive, in pieces over as many requests as needed. ``upload_complete`` records the
    dataset hash as an evidence record; the session expires ``DATAIP_UPLOAD_SESSION_HOURS``
    after its last piece and is then deleted.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upload_sessions"
    )
    alg = models.CharField(max_length=8, choices=Algorithm.choices)
    label = models.CharField(max_length=200, blank=True)
    file_count = models.PositiveIntegerField()
    total_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="Deleted after this, recorded or not.")
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The record made from it, once complete.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("断点续传")
        verbose_name_plural = _("断点续传")
        constraints = [
            models.CheckConstraint(condition=Q(file_count__gt=0), name="upload_has_files"),
            models.CheckConstraint(condition=Q(alg__in=Algorithm.values), name="upload_alg_valid"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class UploadFile(models.Model):
    """One file of an upload session: how far its bytes have been hashed, and the hash state.

    ``offset`` bytes are hashed into ``stack`` (the packed subtree roots of
    :class:`dataip.core.incremental.HasherState`); ``offset`` is a multiple of the chunk size
    until the file is complete, when ``root`` holds its file root.
    """

    session = models.ForeignKey(UploadSession, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField(help_text="Its place in the declared list, from 0.")
    name = models.TextField(help_text="The file's path in the dataset, NFC.")
    size = models.PositiveBigIntegerField()
    last_modified = models.BigIntegerField(
        null=True, blank=True, help_text="The client's modification time (ms), to match on resume."
    )
    offset = models.PositiveBigIntegerField(default=0)
    stack = models.BinaryField(default=b"")
    root = models.CharField(max_length=64, blank=True, help_text="File root, hex, once complete.")

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="upload_file_position"),
            models.UniqueConstraint(fields=["session", "name"], name="upload_file_name"),
            models.CheckConstraint(
                condition=Q(offset__lte=models.F("size")), name="upload_file_offset_in_size"
            ),
            models.CheckConstraint(
                condition=Q(root="") | Q(root__regex=HEX64, offset=models.F("size")),
                name="upload_file_root_when_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def complete(self) -> bool:
        return bool(self.root)
