"""Applications for registration (登记申请) and everything the workflow records about them.

Statuses change only through ``registry.services`` (one transition table, ``registry.workflow``);
every change writes an append-only ``ApplicationEvent``. What of an application is public, and
when, is decided in one place: ``publication.selectors``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dataip.accounts.models import Registrant
from dataip.evidence.models import Evidence

HEX64 = r"^[0-9a-f]{64}$"


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    UNDER_REVIEW = "under_review", _("审核中")
    AMENDMENT_REQUESTED = "amendment_requested", _("待修改")
    PUBLICITY = "publicity", _("公示中")
    REGISTERED = "registered", _("已登记")
    REJECTED = "rejected", _("驳回")
    WITHDRAWN = "withdrawn", _("已撤回")
    DEEMED_WITHDRAWN = "deemed_withdrawn", _("视为撤回")


class SourceType(models.TextChoices):
    SELF_PRODUCED = "self_produced", _("自行生产")
    PUBLIC_COLLECTION = "public_collection", _("公开采集")
    AGREEMENT = "agreement", _("协议获取")
    OTHER = "other", _("其他合法来源")


#: The routes an "other lawful sources" application must name (at least two of them).
SOURCE_ROUTES = (SourceType.SELF_PRODUCED, SourceType.PUBLIC_COLLECTION, SourceType.AGREEMENT)


class Jurisdiction(models.Model):
    """The rules that vary by province: deadlines, grounds, codes and number layouts."""

    code = models.SlugField(max_length=16, unique=True, help_text="Short code, e.g. gd.")
    name = models.CharField(max_length=100, help_text="Province, e.g. 广东省.")
    registration_body = models.CharField(
        max_length=100, help_text="The registration body, e.g. 广东省知识产权保护中心."
    )
    administration = models.CharField(
        max_length=100,
        help_text="The administration body, e.g. 广东省市场监督管理局（知识产权局）.",
    )
    body_code = models.CharField(
        max_length=4, help_text="Four-digit registration-body code in numbers (4400 Guangdong)."
    )
    application_prefix = models.CharField(
        max_length=8,
        help_text="Letters that start an application number (see docs/registration.md).",
    )
    application_number_layout = models.CharField(
        max_length=64,
        blank=True,
        help_text="Layout of application numbers; empty: {prefix}{body}{year}{serial:07d}.",
    )
    registration_number_layout = models.CharField(
        max_length=64,
        blank=True,
        help_text="Layout of registration numbers; empty: {body}{year}{serial:07d}{check}.",
    )
    certificate_number_layout = models.CharField(
        max_length=64,
        blank=True,
        help_text="Layout of certificate numbers; empty: {year}{month}{body}{serial:07d}.",
    )
    publicity_days = models.PositiveSmallIntegerField(
        default=5, help_text="Working days of publicity (公示期)."
    )
    amendment_days = models.PositiveSmallIntegerField(
        default=10, help_text="Working days the applicant has to amend (补正期限)."
    )
    validity_years = models.PositiveSmallIntegerField(
        default=3, help_text="Years a registration is valid from its announcement."
    )
    is_default = models.BooleanField(
        default=False, help_text="The jurisdiction new applications belong to (exactly one)."
    )

    class Meta:
        verbose_name = _("辖区规则")
        verbose_name_plural = _("辖区规则")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_jurisdiction"
            ),
            models.CheckConstraint(
                condition=Q(body_code__regex=r"^[0-9]{4}$"), name="jurisdiction_body_code_digits"
            ),
            models.CheckConstraint(
                condition=Q(application_prefix__regex=r"^[A-Z]{1,8}$"),
                name="jurisdiction_application_prefix",
            ),
            models.CheckConstraint(
                condition=Q(publicity_days__gt=0) & Q(amendment_days__gt=0),
                name="jurisdiction_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Ground(models.Model):
    """A ground for refusing registration (不予登记情形, FAQ 九); each province has its list."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="grounds", help_text="Whose list."
    )
    code = models.SlugField(max_length=40, help_text="Stable identifier, e.g. not_desensitised.")
    order = models.PositiveSmallIntegerField(help_text="Position in the published list.")
    title = models.CharField(max_length=200, help_text="The ground, in Chinese.")
    title_en = models.CharField(max_length=200, help_text="The ground, in English.")
    active = models.BooleanField(default=True, help_text="Offered to examiners for new decisions.")

    class Meta:
        ordering = ["jurisdiction", "order"]
        verbose_name = _("不予登记情形")
        verbose_name_plural = _("不予登记情形")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="ground_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class IndustrySection(models.Model):
    """GB/T 4754-2017 section (门类), A to T."""

    code = models.CharField(max_length=1, primary_key=True, help_text="Letter A-T.")
    name = models.CharField(max_length=100, help_text="Name in the standard.")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业门类")
        verbose_name_plural = _("行业门类")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryDivision(models.Model):
    """GB/T 4754-2017 division (大类), two digits, within one section."""

    code = models.CharField(max_length=2, primary_key=True, help_text="Two digits 01-97.")
    section = models.ForeignKey(
        IndustrySection,
        on_delete=models.PROTECT,
        related_name="divisions",
        help_text="The section it belongs to.",
    )
    name = models.CharField(max_length=100, help_text="Name in the standard.")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业大类")
        verbose_name_plural = _("行业大类")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Application(models.Model):
    """One application to register one data collection, from draft to its final state."""

    uuid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Identifier in URLs and the log."
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="applications", help_text="Rules."
    )
    registrant = models.ForeignKey(
        Registrant,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="The data processor applying (public in publicity as the applicant).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications_created",
        help_text="The user who started the draft.",
    )
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.DRAFT, help_text="Workflow state."
    )
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_examined",
        help_text="The examiner who took up the review.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every change; a stale update (other version) is refused."
    )
    # --- the data collection (FAQ 七(三)) -----------------------------------------------------
    data_name = models.CharField(max_length=100, blank=True, help_text="Data name. Public.")
    summary = models.TextField(blank=True, help_text="Summary of the data collection. Private.")
    industry_division = models.ForeignKey(
        IndustryDivision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="GB/T 4754-2017 division; the section follows from it.",
    )
    source_type = models.CharField(
        max_length=24, choices=SourceType.choices, blank=True, help_text="How it was obtained."
    )
    source_routes = models.JSONField(
        default=list,
        blank=True,
        help_text="For other lawful sources: every route used (at least two of the three).",
    )
    source_description = models.TextField(
        blank=True, help_text="Data source, as published in publicity (brief). Public."
    )
    source_process = models.TextField(
        blank=True,
        help_text="Self-produced: the business, customer or device process that produced it.",
    )
    collection_method = models.TextField(
        blank=True, help_text="Public collection: how and from where it was collected."
    )
    agreement_holder = models.CharField(
        max_length=200, blank=True, help_text="Agreement: the original holder of the data."
    )
    agreement_scope = models.TextField(blank=True, help_text="Agreement: the scope of use.")
    agreement_valid_until = models.DateField(
        null=True, blank=True, help_text="Agreement: end of its validity."
    )
    data_composition = models.TextField(blank=True, help_text="What the data consists of.")
    is_public_data = models.BooleanField(
        null=True, blank=True, help_text="Whether the data itself is public."
    )
    substantive_processing = models.BooleanField(
        default=False, help_text="Substantive processing (实质性加工)."
    )
    innovative_labour = models.BooleanField(
        default=False, help_text="Innovative labour (创新性劳动)."
    )
    processing_rules = models.TextField(
        blank=True, help_text="Processing rules, brief, as published in publicity. Public."
    )
    processing_description = models.TextField(
        blank=True, help_text="Processing rules in full (methods, algorithms, tools). Private."
    )
    application_scenario = models.TextField(
        blank=True, help_text="Application scenario (应用场景). Public."
    )
    record_count = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Record count (数据量)."
    )
    evidence = models.ForeignKey(
        Evidence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="The evidence record of the data (存证), owned by the applicant's registrant.",
    )
    refiling_justification = models.TextField(
        blank=True,
        help_text="Why data that this registrant withdrew is filed again (required then).",
    )
    # --- what the workflow assigned --------------------------------------------------------
    application_number = models.CharField(
        max_length=32, unique=True, null=True, blank=True, help_text="Given on first submission."
    )
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="First submission: the application date."
    )
    amendment_due = models.DateField(
        null=True, blank=True, help_text="Last working day to amend, while amendment is requested."
    )
    publicity_started_at = models.DateTimeField(null=True, blank=True, help_text="Publicity start.")
    publicity_ends = models.DateField(
        null=True, blank=True, help_text="Last working day of publicity."
    )
    registered_at = models.DateTimeField(
        null=True, blank=True, help_text="Registration (approval) time: the registration date."
    )
    registration_number = models.CharField(
        max_length=16, unique=True, null=True, blank=True, help_text="16 characters, check last."
    )
    certificate_number = models.CharField(
        max_length=17, unique=True, null=True, blank=True, help_text="17 digits."
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, help_text="When it reached a final state."
    )
    rejection_grounds = models.ManyToManyField(
        Ground, blank=True, related_name="+", help_text="Grounds of a rejection."
    )
    rejection_reasoning = models.TextField(blank=True, help_text="The examiner's reasoning.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="Draft started.")
    updated_at = models.DateTimeField(auto_now=True, help_text="Last change.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("登记申请")
        verbose_name_plural = _("登记申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="application_status"
            ),
            models.CheckConstraint(
                condition=Q(source_type__in=[*SourceType.values, ""]),
                name="application_source_type",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(application_number__isnull=False),
                name="application_number_once_submitted",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REGISTERED)
                | (Q(registration_number__isnull=False) & Q(certificate_number__isnull=False)),
                name="application_registered_has_numbers",
            ),
            models.CheckConstraint(
                condition=Q(registration_number__isnull=True)
                | Q(registration_number__regex=r"^[0-9]{15}[0-9X]$"),
                name="application_registration_number_format",
            ),
            models.CheckConstraint(
                condition=Q(certificate_number__isnull=True)
                | Q(certificate_number__regex=r"^[0-9]{17}$"),
                name="application_certificate_number_format",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "amendment_due"]),
            models.Index(fields=["status", "publicity_ends"]),
        ]

    def __str__(self) -> str:
        return self.application_number or f"{self.data_name or _('草稿')} ({self.uuid})"

    @property
    def industry_section(self) -> IndustrySection | None:
        return self.industry_division.section if self.industry_division else None


class MaterialKind(models.TextChoices):
    SOURCE_STATEMENT = "source_statement", _("数据来源说明")
    STRUCTURE_DESCRIPTION = "structure_description", _("数据结构说明")
    COMMITMENT_LETTER = "commitment_letter", _("承诺书")
    APPLICATION_FORM = "application_form", _("申请书（盖章）")
    COMPLIANCE_REPORT = "compliance_report", _("合规评估报告")
    SOURCE_PROOF = "source_proof", _("来源证明材料")
    AGREEMENT = "agreement", _("数据获取协议")
    SAMPLE_ATTACHMENT = "sample_attachment", _("样例数据附件")


def _private_path(instance: Material | Sample, filename: str) -> str:
    # Random names: the stored file's path reveals neither the application nor the file name.
    return f"registry/{instance.application.uuid}/{uuid.uuid4().hex}"


class Material(models.Model):
    """A file submitted with an application. Private: applicant and examiners only."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="materials", help_text="Of which."
    )
    kind = models.CharField(max_length=24, choices=MaterialKind.choices, help_text="What it is.")
    file = models.FileField(upload_to=_private_path, help_text="The file, stored privately.")
    original_name = models.CharField(max_length=255, help_text="Name as uploaded.")
    content_type = models.CharField(max_length=100, help_text="Type detected from the content.")
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the content, hex.")
    form_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text=(
            "Application form only: fingerprint of the entered data when it was uploaded; "
            "a form uploaded before the data changed must be generated and stamped again."
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="Who."
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, help_text="When.")

    class Meta:
        ordering = ["application", "kind", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MaterialKind.values), name="material_kind_valid"
            ),
            models.CheckConstraint(condition=Q(sha256__regex=HEX64), name="material_sha256_hex"),
        ]

    def __str__(self) -> str:
        return self.original_name


class SamplePurpose(models.TextChoices):
    REVIEW = "review", _("审核样例")
    DISPLAY = "display", _("展示样例")


class Sample(models.Model):
    """Sample records: >= 50 for the examiners (private), >= 3 for public display."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="samples", help_text="Of which."
    )
    purpose = models.CharField(
        max_length=8, choices=SamplePurpose.choices, help_text="Review (private) or display."
    )
    file = models.FileField(upload_to=_private_path, help_text="The file as uploaded.")
    original_name = models.CharField(max_length=255, help_text="Name as uploaded.")
    format = models.CharField(max_length=8, help_text="csv, xlsx or json.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the file, hex.")
    record_count = models.PositiveIntegerField(help_text="Records parsed from the file.")
    columns = models.JSONField(default=list, help_text="Column names, in order.")
    rows = models.JSONField(
        default=list,
        help_text="The first records as lists of strings (display samples: what the public sees).",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, help_text="When.")

    class Meta:
        ordering = ["application", "purpose"]
        verbose_name = _("样例数据")
        verbose_name_plural = _("样例数据")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "purpose"], name="one_sample_per_purpose"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=SamplePurpose.values), name="sample_purpose_valid"
            ),
            models.CheckConstraint(condition=Q(sha256__regex=HEX64), name="sample_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.original_name}"


class Event(models.TextChoices):
    """Every kind of thing that happens to an application; the one list of event names."""

    CREATED = "application:created", _("创建草稿")
    SUBMITTED = "application:submitted", _("提交申请")
    WITHDRAWN = "application:withdrawn", _("撤回申请")
    REVIEW_STARTED = "application:review_started", _("开始审核")
    AMENDMENT_REQUESTED = "application:amendment_requested", _("要求补正")
    RESUBMITTED = "application:resubmitted", _("补正后重新提交")
    DEEMED_WITHDRAWN = "application:deemed_withdrawn", _("逾期未补正，视为撤回")
    PUBLICISED = "application:publicised", _("进入公示")
    OBJECTION_FILED = "application:objection_filed", _("提出异议")
    OBJECTION_RESOLVED = "application:objection_resolved", _("异议处理完毕")
    REGISTERED = "application:registered", _("核准登记")
    REJECTED = "application:rejected", _("驳回")


class ApplicationEvent(models.Model):
    """Append-only history of an application: who did what, from which state to which."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="events", help_text="Of which."
    )
    kind = models.CharField(max_length=48, choices=Event.choices, help_text="What happened.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who did it; empty for the platform's scheduler.",
    )
    from_status = models.CharField(max_length=24, choices=Status.choices, help_text="Before.")
    to_status = models.CharField(max_length=24, choices=Status.choices, help_text="After.")
    reason = models.TextField(blank=True, help_text="The reason or note given.")
    data = models.JSONField(default=dict, blank=True, help_text="Details (defects, numbers...).")
    leaf_hash = models.CharField(
        max_length=64, blank=True, help_text="Leaf hash of its statement in the log, if logged."
    )
    created_at = models.DateTimeField(help_text="When it happened.")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("申请事件")
        verbose_name_plural = _("申请事件")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Event.values), name="event_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class ObjectionOutcome(models.TextChoices):
    ENTITLED = "entitled", _("证明申请人享有权益：准予登记")
    NOT_ENTITLED = "not_entitled", _("证明申请人不享有权益：驳回")
    NOT_ESTABLISHED = "not_established", _("异议不成立：准予登记")


class ProofKind(models.TextChoices):
    NEGOTIATION = "negotiation", _("协商协议")
    MEDIATION = "mediation", _("调解协议")
    JUDGMENT = "judgment", _("法院判决")
    NONE = "none", _("无（异议不成立）")


class Objection(models.Model):
    """An objection (异议) to an application in publicity; an open one holds it there."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Id.")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections", help_text="Against."
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="Objector."
    )
    reasons = models.TextField(help_text="The objector's reasons. Private to examiners.")
    status = models.CharField(
        max_length=8, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN, help_text="."
    )
    outcome = models.CharField(
        max_length=16, choices=ObjectionOutcome.choices, blank=True, help_text="The decision."
    )
    proof_kind = models.CharField(
        max_length=16, choices=ProofKind.choices, blank=True, help_text="Proof it rests on."
    )
    resolution = models.TextField(blank=True, help_text="The examiner's reasoning.")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Examiner.",
    )
    filed_at = models.DateTimeField(help_text="When it was filed.")
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="When it was resolved.")

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ObjectionStatus.OPEN, outcome="")
                | Q(status=ObjectionStatus.RESOLVED, outcome__in=ObjectionOutcome.values),
                name="objection_outcome_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_status_display()}"


def _objection_path(instance: ObjectionFile, filename: str) -> str:
    return f"objections/{instance.objection.uuid}/{uuid.uuid4().hex}"


class ObjectionFile(models.Model):
    """Evidence filed with an objection. Private: examiners and the objector."""

    objection = models.ForeignKey(
        Objection, on_delete=models.CASCADE, related_name="files", help_text="Of which."
    )
    file = models.FileField(upload_to=_objection_path, help_text="Stored privately.")
    original_name = models.CharField(max_length=255, help_text="Name as uploaded.")
    content_type = models.CharField(max_length=100, help_text="Type detected from the content.")
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256, hex.")

    class Meta:
        verbose_name = _("异议证据")
        verbose_name_plural = _("异议证据")

    def __str__(self) -> str:
        return self.original_name


class Announcement(models.Model):
    """A public announcement (公告): today, of a registration."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="announcement", help_text="Of which."
    )
    published_at = models.DateTimeField(help_text="When it was published.")

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("登记公告")
        verbose_name_plural = _("登记公告")

    def __str__(self) -> str:
        return f"{self.application} {self.published_at:%Y-%m-%d}"


class NumberSequence(models.Model):
    """The last serial given per kind of number and period, locked while a number is taken."""

    kind = models.CharField(max_length=16, help_text="application, registration, certificate.")
    period = models.CharField(max_length=16, help_text="Body code and year (or year-month).")
    last = models.PositiveIntegerField(default=0, help_text="Last serial given (gapless).")

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [
            models.UniqueConstraint(fields=["kind", "period"], name="number_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}: {self.last}"
