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
        # django-stubs types AbstractUser.Meta's names as str; Django takes lazy strings.
        verbose_name = _("用户")  # type: ignore[assignment]
        verbose_name_plural = _("用户")  # type: ignore[assignment]
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
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was revoked; no use after this."
    )

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


class RegistrantInvitation(models.Model):
    """A single-use code with which a member of a registrant lets one more user join it.

    Only the code's SHA-256 is stored; the code is shown once, to the member who made it.
    """

    registrant = models.ForeignKey(
        Registrant,
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text="The registrant the code lets its user join.",
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="invitations_made",
        help_text="The member of the registrant who made the code.",
    )
    digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the normalised code, lower-case hex."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was made.")
    expires_at = models.DateTimeField(help_text="The code cannot be used after this.")
    used_by = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitation_used",
        help_text="The user who joined with it; a code is used once.",
    )
    used_at = models.DateTimeField(null=True, blank=True, help_text="When it was used.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("邀请码")
        verbose_name_plural = _("邀请码")
        constraints = [
            models.CheckConstraint(
                condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="invitation_digest_hex"
            ),
            models.CheckConstraint(
                condition=Q(used_by__isnull=True, used_at__isnull=True)
                | Q(used_by__isnull=False, used_at__isnull=False),
                name="invitation_used_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registrant} ({self.created_at:%Y-%m-%d})"


class AccountEventKind(models.TextChoices):
    SIGNED_UP = "account:signed_up", _("注册账号")
    OIDC_LINKED = "account:oidc_linked", _("通过统一身份认证创建账号")
    REAL_NAME_COMPLETED = "account:real_name_completed", _("完成实名信息并创建登记主体")
    REGISTRANT_JOINED = "account:registrant_joined", _("凭邀请码加入登记主体")
    INVITATION_CREATED = "account:invitation_created", _("生成邀请码")
    TOKEN_CREATED = "account:token_created", _("创建 API 令牌")
    TOKEN_REVOKED = "account:token_revoked", _("撤销 API 令牌")
    ROLE_CHANGED = "account:role_changed", _("更改角色")
    SECOND_FACTOR_ENROLLED = "account:second_factor_enrolled", _("启用动态验证码（第二因素）")
    SECOND_FACTOR_RESET = "account:second_factor_reset", _("重置动态验证码（第二因素）")


class AccountEvent(models.Model):
    """One change to an account, appended by the service that made it; never edited."""

    kind = models.CharField(
        max_length=40, choices=AccountEventKind.choices, help_text="What happened."
    )
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_events_made",
        help_text="Who did it; empty for an operator's command on the server.",
    )
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="account_events",
        help_text="The account it happened to.",
    )
    registrant = models.ForeignKey(
        Registrant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_events",
        help_text="The registrant concerned, if any.",
    )
    old = models.CharField(max_length=200, blank=True, help_text="The value before (a role).")
    new = models.CharField(
        max_length=200, blank=True, help_text="The value after (a role, a token's prefix)."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it happened.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("账号事件")
        verbose_name_plural = _("账号事件")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AccountEventKind.values), name="account_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"


class SecondFactor(models.Model):
    """A TOTP key (RFC 6238) an examiner or administrator enrolled; see ``accounts.totp``.

    Unconfirmed until the user typed a code from the app: only a confirmed key is asked for at
    sign-in. Reset by an administrator (``second_factor_reset``) deletes the row.
    """

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="second_factor",
        help_text="Whose key.",
    )
    secret = models.CharField(
        max_length=32,
        help_text=(
            "The shared 160-bit key, base32 without padding. Secret: shown once to the user "
            "while enrolling, never in the admin or the API."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When enrolment began.")
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the user confirmed it with a code; empty while enrolment is unfinished.",
    )
    last_step = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=(
            "The 30-second step of the last code accepted: a code of this or an earlier step "
            "is refused, so that an overheard code cannot be replayed (RFC 6238 section 5.2)."
        ),
    )

    class Meta:
        verbose_name = _("动态验证码")
        verbose_name_plural = _("动态验证码")
        constraints = [
            models.CheckConstraint(
                condition=Q(secret__regex=r"^[A-Z2-7]{32}$"),  # noqa: S106 - a format, not a value
                name="second_factor_secret_base32",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'confirmed' if self.confirmed_at else 'unconfirmed'})"


class SignInFailureKind(models.TextChoices):
    PASSWORD = "password", _("密码错误")
    CODE = "code", _("动态验证码错误")


class SignInFailure(models.Model):
    """One failed sign-in attempt; the throttle counts recent rows per user name and per IP.

    Rows live in the database so that every server process sees the same counts; rows older than
    the throttle window are deleted as new ones are written.
    """

    username = models.CharField(
        max_length=150,
        help_text="The user name tried, lower-cased (names are unique regardless of case).",
    )
    ip = models.GenericIPAddressField(
        null=True, blank=True, help_text="The client's address (see DATAIP_PROXY_COUNT)."
    )
    kind = models.CharField(
        max_length=16,
        choices=SignInFailureKind.choices,
        help_text="A wrong password, or a wrong second-factor code after a right password.",
    )
    created_at = models.DateTimeField(db_index=True, help_text="When the attempt failed.")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [
            models.Index(fields=["username", "created_at"], name="sign_in_failure_user"),
            models.Index(fields=["ip", "created_at"], name="sign_in_failure_ip"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SignInFailureKind.values), name="sign_in_failure_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.created_at:%Y-%m-%d %H:%M:%S}"
