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
