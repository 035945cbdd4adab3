"""Mediation work between acceptance and closure: sessions with transcripts, extensions,
the agreement with its obligations and signatures, payments (挽回经济损失), follow-ups and
service of documents (送达)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organization, PartnerAgency
from cases.models import Case, CaseParty
from mediation import vocab

USER = settings.AUTH_USER_MODEL


class Room(models.Model):
    """A mediation room of a centre (调解室); sessions in it must not overlap."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("名称"), max_length=50)
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调解室")
        verbose_name_plural = _("调解室")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return f"{self.organization.name} {self.name}"


class MediationSession(models.Model):
    """调解会议: one sitting (or call) of the mediation; its record is the Transcript (D8)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(_("方式"), max_length=20, choices=vocab.SessionKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=vocab.SessionStatus.choices, default=vocab.SessionStatus.SCHEDULED
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    room = models.ForeignKey(Room, verbose_name=_("调解室"), null=True, blank=True, on_delete=models.PROTECT)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    clerk = models.ForeignKey(
        USER, verbose_name=_("记录人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调解会议")
        verbose_name_plural = _("调解会议")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="session_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.get_kind_display()}"


class SessionMediator(models.Model):
    """A mediator at a session. The times are copied from the session so that PostgreSQL can
    refuse overlapping sessions of one mediator with an exclusion constraint."""

    session = models.ForeignKey(MediationSession, on_delete=models.CASCADE, related_name="mediator_slots")
    mediator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="session_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参加调解的调解员")
        verbose_name_plural = _("参加调解的调解员")
        constraints = [models.UniqueConstraint(fields=["session", "mediator"], name="session_mediator_unique")]
        # the mediator's work list: my sessions today
        indexes = [models.Index(fields=["mediator", "starts_at"], name="session_mediator_day_idx")]

    def __str__(self) -> str:
        return f"{self.mediator} @ {self.session}"


class Attendance(models.Model):
    """Who attended a session, in what capacity, identity checked, and whether they signed
    the transcript (or refused, which is noted)."""

    session = models.ForeignKey(MediationSession, on_delete=models.CASCADE, related_name="attendances")
    party = models.ForeignKey(CaseParty, null=True, blank=True, on_delete=models.PROTECT, related_name="attendances")
    name = models.CharField(_("姓名"), max_length=50)
    capacity = models.CharField(_("身份"), max_length=20, choices=vocab.Capacity.choices)
    identity_checked = models.BooleanField(_("已核对身份"), default=False)
    signature = models.CharField(
        _("笔录签名"), max_length=10, choices=vocab.SignatureStatus.choices, default=vocab.SignatureStatus.PENDING
    )
    refusal_note = models.CharField(_("拒签情况"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("到场人员")
        verbose_name_plural = _("到场人员")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_capacity_display()}）"


class Transcript(models.Model):
    """调解笔录 (D8): structured blocks, read back to the attendees, then signed."""

    session = models.OneToOneField(MediationSession, on_delete=models.CASCADE, related_name="transcript")
    read_back_at = models.DateTimeField(_("宣读/阅读确认时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调解笔录")
        verbose_name_plural = _("调解笔录")

    def __str__(self) -> str:
        return f"笔录 {self.session}"


class TranscriptBlock(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="blocks")
    kind = models.CharField(_("内容"), max_length=30, choices=vocab.BlockKind.choices)
    text = models.TextField(_("记录"))
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("笔录段落")
        verbose_name_plural = _("笔录段落")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Extension(models.Model):
    """延期: requested by the mediator with both parties' consent, approved by the director."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延期天数"), validators=[MinValueValidator(1), MaxValueValidator(15)])
    reason = models.TextField(_("延期理由"))
    applicant_consent_on = models.DateField(_("申请人同意日期"))
    respondent_consent_on = models.DateField(_("被申请人同意日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=vocab.ExtensionStatus.choices, default=vocab.ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    previous_due_on = models.DateField(_("原调解期限"), null=True, blank=True)
    new_due_on = models.DateField(_("延长后期限"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"延期{self.days}日（{self.get_status_display()}）"


class Agreement(models.Model):
    """调解协议书 (D10). Effective only with every party's signature, the mediator's
    signature and the organisation's seal (LDMAL Art 14)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agreements")
    status = models.CharField(
        _("状态"), max_length=10, choices=vocab.AgreementStatus.choices, default=vocab.AgreementStatus.DRAFT
    )
    mediator_signed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mediator_signed_at = models.DateTimeField(_("调解员签名时间"), null=True, blank=True)
    sealed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sealed_at = models.DateTimeField(_("加盖印章时间"), null=True, blank=True)
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    judicial_confirmation_due_on = models.DateField(_("司法确认申请期限"), null=True, blank=True)
    void_reason = models.TextField(_("作废原因"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=~Q(status="void"), name="one_live_agreement_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case} 调解协议（{self.get_status_display()}）"


class AgreementTerm(models.Model):
    """A clause of the agreement, as a paragraph of text."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    text = models.TextField(_("条款"))
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协议条款")
        verbose_name_plural = _("协议条款")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class Obligation(models.Model):
    """履行义务: who owes whom what, by when. Payments carry an amount (协议金额)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(_("类别"), max_length=20, choices=vocab.ObligationKind.choices)
    obligor = models.ForeignKey(CaseParty, verbose_name=_("义务人"), on_delete=models.PROTECT, related_name="+")
    obligee = models.ForeignKey(CaseParty, verbose_name=_("权利人"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("内容"), max_length=300)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(_("履行期限"), null=True, blank=True)
    performed_on = models.DateField(_("履行日期（非金钱义务）"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("履行义务")
        verbose_name_plural = _("履行义务")
        ordering = ["position", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="obligation_amount_positive", condition=Q(amount__isnull=True) | Q(amount__gt=Decimal("0"))
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_payment(self) -> bool:
        return self.kind == vocab.ObligationKind.PAYMENT


class AgreementSignature(models.Model):
    """A party's signature on the agreement, in person or by an agent (only an agent with
    special authority, 特别授权, may sign)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签名时间"))
    agent_name = models.CharField(_("代理人"), max_length=50, blank=True)
    agent_authority = models.CharField(
        _("代理权限"), max_length=10, choices=vocab.AgentAuthority.choices, blank=True, default=""
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协议签名")
        verbose_name_plural = _("协议签名")
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="agreement_signature_unique")]

    def __str__(self) -> str:
        return f"{self.party} 签名"


class PaymentRecord(models.Model):
    """履行凭证: money actually paid against an obligation — the amount recovered for the
    worker (挽回经济损失), by channel."""

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("支付日期"))
    method = models.CharField(_("支付方式"), max_length=20, choices=vocab.PaymentMethod.choices)
    channel = models.CharField(
        _("挽回渠道"), max_length=20, choices=vocab.RecoveryChannel.choices, default=vocab.RecoveryChannel.AGREEMENT
    )
    agency = models.ForeignKey(
        PartnerAgency,
        verbose_name=_("联动单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        help_text=_("经法院、仲裁或劳动监察挽回时，经办的联动单位"),
    )
    evidence = models.FileField(_("凭证"), upload_to="payments/%Y/%m/", blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(USER, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("履行凭证")
        verbose_name_plural = _("履行凭证")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=Decimal("0"))),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


class FollowUp(models.Model):
    """回访/督促: planned at each instalment's due date + 3 days and after performance."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    obligation = models.ForeignKey(
        Obligation, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    purpose = models.CharField(_("目的"), max_length=20, choices=vocab.FollowUpPurpose.choices)
    planned_on = models.DateField(_("计划日期"))
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    method = models.CharField(_("方式"), max_length=10, choices=vocab.ContactMethod.choices, blank=True)
    reached = models.CharField(_("回访对象"), max_length=100, blank=True)
    performance_status = models.CharField(
        _("履行情况"), max_length=10, choices=vocab.PerformanceStatus.choices, blank=True
    )
    amount_confirmed = models.DecimalField(_("确认已收金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=15, choices=vocab.Satisfaction.choices, blank=True)
    risks = models.TextField(_("新的风险"), blank=True)
    notes = models.TextField(_("回访记录"), blank=True)
    performed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.planned_on}"


class ServiceRecord(models.Model):
    """送达: one outbound document to one party, how and when it was served (D13)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="service_records")
    document = models.CharField(_("文书"), max_length=5, choices=vocab.DocumentCode.choices)
    recipient = models.ForeignKey(CaseParty, verbose_name=_("受送达人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=15, choices=vocab.ServiceStatus.choices, default=vocab.ServiceStatus.PENDING
    )
    method = models.CharField(_("送达方式"), max_length=20, choices=vocab.ServiceMethod.choices, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    tracking_number = models.CharField(_("邮件单号"), max_length=40, blank=True)
    witness = models.CharField(_("见证人"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_document_display()} → {self.recipient}"
