"""Users, the registrants they act for, and API tokens.

A user has one role. Applicants act for one registrant (登记主体) once their real-name details
are complete (FAQ 七(二)); one registrant may have several users. Examiners work for the
registration body, administrators for the administration; neither acts for a registrant.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    EXAMINER = "examiner", _("审查员")
    ADMINISTRATOR = "administrator", _("管理员")


class RegistrantKind(models.TextChoices):
    NATURAL_PERSON = "natural_person", _("自然人")
    LEGAL_PERSON = "legal_person", _("法人")
    UNINCORPORATED = "unincorporated", _("非法人组织")


class Registrant(models.Model):
    """A data processor that registers data: a natural person, legal person or organisation."""

    kind = models.CharField(
        max_length=16, choices=RegistrantKind.choices, help_text="Natural, legal person or other."
    )
    name = models.CharField(
        max_length=200,
        help_text="Full legal name (public once an application of it is in publicity).",
    )
    id_number = models.CharField(
        max_length=18,
        unique=True,
        help_text=(
            "Resident ID number (natural person) or unified social credit code (others), "
            "check character verified. Private."
        ),
    )
    contact_phone = models.CharField(max_length=32, blank=True, help_text="Private.")
    contact_email = models.EmailField(blank=True, help_text="Private.")
    address = models.CharField(max_length=300, blank=True, help_text="Private.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was first entered.")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("登记主体")
        verbose_name_plural = _("登记主体")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RegistrantKind.values), name="registrant_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9A-Z]{17}[0-9A-Z]$"),
                name="registrant_id_number_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. ``role`` decides what they may do; see ``accounts.permissions``."""

    role = models.CharField(
        max_length=16,
        choices=Role.choices,
        default=Role.APPLICANT,
        help_text="Applicant, examiner (registration body) or administrator.",
    )
    real_name = models.CharField(
        max_length=100, blank=True, help_text="The person's real name (实名). Private."
    )
    phone = models.CharField(max_length=32, blank=True, help_text="Mobile number. Private.")
    registrant = models.ForeignKey(
        Registrant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="The registrant this applicant acts for, once real-name details are complete.",
    )
    oidc_subject = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text="Subject (iss + sub) at the external OpenID Connect provider, if any.",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(
                condition=Q(registrant__isnull=True) | Q(role=Role.APPLICANT),
                name="user_registrant_only_for_applicants",
            ),
        ]

    @property
    def is_examiner(self) -> bool:
        return self.is_active and self.role == Role.EXAMINER

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.role == Role.ADMINISTRATOR

    @property
    def is_real_name_complete(self) -> bool:
        """Applicants may file only once they act for a registrant."""
        return self.registrant_id is not None and bool(self.real_name)


class ApiToken(models.Model):
    """A bearer token for the REST API and the CLI; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", help_text="Whose token."
    )
    name = models.CharField(max_length=100, help_text="What the owner calls it.")
    prefix = models.CharField(
        max_length=8, help_text="First characters of the token, to tell tokens apart."
    )
    digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the whole token, lower-case hex."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was made.")
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="Last request with it.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="No use after this.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        constraints = [
            models.CheckConstraint(
                condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="api_token_digest_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
