"""The case and its parties, claims, events, numbering and deadline data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from cases import vocab
from cases.workflow import OUTCOME_STATES, TRANSITIONS, Status, guards_pass, role_permission
from core.fields import EncryptedTextField
from core.masking import mask_id_number, mask_phone


class Person(models.Model):
    """A natural person (劳动者 or agent). ID number and phone are stored encrypted, with a
    keyed hash for exact-match lookup; screens show them masked."""

    name = models.CharField(_("姓名"), max_length=50)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=vocab.IdType.choices, default="resident_id")
    id_number = EncryptedTextField(_("证件号码"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=vocab.Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    address = models.CharField(_("送达地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Employer(models.Model):
    """用人单位. The USCC (统一社会信用代码) is not personal data and is stored in clear."""

    name = models.CharField(_("单位名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    entity_type = models.CharField(_("单位类型"), max_length=30, choices=vocab.EntityType.choices, default="enterprise")
    legal_rep_name = models.CharField(_("法定代表人/负责人"), max_length=50, blank=True)
    registered_address = models.CharField(_("住所"), max_length=200, blank=True)
    business_address = models.CharField(_("实际经营地"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="employer_uscc_unique"),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


def _transition(name: str):  # type: ignore[no-untyped-def]
    spec = TRANSITIONS[name]
    target = spec.target if spec.target is not None else RETURN_VALUE(*OUTCOME_STATES)
    return transition(
        field="status",
        source=list(spec.sources),
        target=target,
        conditions=[cast(Any, guards_pass(name))],
        permission=cast(Any, role_permission(name)),
    )


class Case(ConcurrentTransitionMixin, models.Model):
    """A labour-dispute mediation case (案件). `status` moves only through the transitions
    below, called by cases.services; the methods have no side effects of their own."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("调解组织"), on_delete=models.PROTECT, related_name="cases"
    )
    status = FSMField(_("状态"), max_length=30, choices=Status.choices, default=Status.DRAFT, protected=True)
    registry_number = models.CharField(_("登记号"), max_length=60, blank=True)
    case_number = models.CharField(_("案号"), max_length=60, null=True, blank=True)
    source = models.CharField(_("案件来源"), max_length=30, choices=vocab.CaseSource.choices, default="walk_in_written")
    source_reference = models.CharField(_("来源编号"), max_length=80, blank=True)
    referring_body = models.CharField(_("委派/转办单位"), max_length=100, blank=True)
    channel = models.CharField(_("申请方式"), max_length=10, choices=vocab.Channel.choices, default="written")
    dispute_type = models.CharField(_("争议类型"), max_length=5, choices=vocab.DisputeType.choices)
    facts_summary = models.TextField(_("事实与理由"), blank=True)
    workers_involved = models.PositiveIntegerField(_("涉及职工人数"), default=1, validators=[MinValueValidator(1)])
    is_collective = models.BooleanField(_("集体争议"), default=False)
    file_type = models.CharField(_("案卷类型"), max_length=10, choices=vocab.FileType.choices, default="formal")

    received_at = models.DateTimeField(_("收到申请时间"), null=True, blank=True)
    arbitration_release_on = models.DateField(_("可申请仲裁日（15日）"), null=True, blank=True)
    acceptance_due_on = models.DateField(_("受理审查期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    mediation_due_on = models.DateField(_("调解期限"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("已延期天数"), default=0)
    mediation_started_at = models.DateTimeField(_("开始调解时间"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    rejection_reason = models.CharField(
        _("不予受理理由"), max_length=40, choices=vocab.RejectionReason.choices, blank=True
    )
    termination_reason = models.CharField(
        _("终止理由"), max_length=40, choices=vocab.TerminationReason.choices, blank=True
    )
    withdrawal_reason = models.CharField(
        _("撤回理由"), max_length=40, choices=vocab.WithdrawalReason.choices, blank=True
    )
    outcome_note = models.TextField(_("结果说明"), blank=True)
    pre_closure_status = models.CharField(_("结案前状态"), max_length=30, blank=True)

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("书记员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clerk_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="created_cases"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "case_number"], name="case_number_unique_per_org"),
            models.CheckConstraint(name="case_workers_involved_positive", condition=Q(workers_involved__gte=1)),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["status", "mediation_due_on"]),
            models.Index(fields=["accepted_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["case_number"]),
            # docs/performance.md: the case list's default order and sorts, its filters, the work lists
            models.Index(fields=["-created_at", "-id"], name="case_created_desc_idx"),
            models.Index(fields=["mediation_due_on", "id"], name="case_mediation_due_idx"),
            models.Index(fields=["organization", "dispute_type"], name="case_org_dispute_idx"),
            models.Index(fields=["status", "acceptance_due_on"], name="case_status_acceptance_idx"),
            models.Index(fields=["status", "outcome_at"], name="case_status_outcome_idx"),
            models.Index(fields=["status", "closed_at"], name="case_status_closed_idx"),
            models.Index(fields=["status", "updated_at"], name="case_status_updated_idx"),
            models.Index(fields=["-updated_at"], name="case_updated_desc_idx"),
        ]

    def __str__(self) -> str:
        return self.case_number or self.registry_number or gettext("草稿 #%s") % self.pk

    # Django's get_FOO_display hashes every (lazily translated) label of the field's choices
    # on each call: a translation lookup per choice, per row of a list. These look one up.
    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return str(Status(self.status).label) if self.status in Status.values else str(self.status)

    def get_dispute_type_display(self) -> str:  # type: ignore[no-redef]
        if self.dispute_type in vocab.DisputeType.values:
            return str(vocab.DisputeType(self.dispute_type).label)
        return str(self.dispute_type)

    @property
    def current_deadline(self) -> tuple[str, object] | None:
        """The clock that matters now, for lists: (label, due date) or None."""
        from cases.workflow import MEDIATION_CLOCK_STATES

        if self.status in (Status.REGISTERED, Status.AWAITING_CONSENT) and self.acceptance_due_on:
            return (str(_("审查至")), self.acceptance_due_on)
        if self.status in MEDIATION_CLOCK_STATES and self.mediation_due_on:
            return (str(_("调解至")), self.mediation_due_on)
        return None

    # --- transitions (DESIGN.md §4); bodies are empty by design -------------------------
    @_transition("register")
    def register(self) -> None: ...

    @_transition("seek_consent")
    def seek_consent(self) -> None: ...

    @_transition("accept")
    def accept(self) -> None: ...

    @_transition("reject")
    def reject(self) -> None: ...

    @_transition("start")
    def start(self) -> None: ...

    @_transition("extend")
    def extend(self) -> None: ...

    @_transition("draft_agreement")
    def draft_agreement(self) -> None: ...

    @_transition("reopen_negotiation")
    def reopen_negotiation(self) -> None: ...

    @_transition("make_effective")
    def make_effective(self) -> None: ...

    @_transition("terminate")
    def terminate(self) -> None: ...

    @_transition("withdraw")
    def withdraw(self) -> None: ...

    @_transition("confirm_performance")
    def confirm_performance(self) -> None: ...

    @_transition("record_non_performance")
    def record_non_performance(self) -> None: ...

    @_transition("submit_closure")
    def submit_closure(self) -> None: ...

    @_transition("approve_closure")
    def approve_closure(self) -> None: ...

    @_transition("return_closure")
    def return_closure(self) -> str:
        return self.pre_closure_status

    @_transition("archive")
    def archive(self) -> None: ...


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主调解员")
    CO = "co", _("协助调解员")


class CaseAssignment(models.Model):
    """A mediator assigned to a case (指派调解员)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调解员"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("分工"), max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    active = models.BooleanField(_("有效"), default=True)
    assigned_at = models.DateTimeField(_("指派时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调解员指派")
        verbose_name_plural = _("调解员指派")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], condition=Q(active=True), name="assignment_active_unique"),
        ]
        # the mediator's work lists: cases assigned to me
        indexes = [models.Index(fields=["user", "case"], condition=Q(active=True), name="assignment_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("地位"), max_length=20, choices=vocab.Side.choices)
    party_kind = models.CharField(_("类别"), max_length=20, choices=vocab.PartyKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="case_parties")
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.PROTECT, related_name="case_parties")
    is_representative = models.BooleanField(_("推举代表"), default=False)
    position = models.CharField(_("岗位"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["side", "id"]
        constraints = [
            models.CheckConstraint(
                name="party_person_xor_employer",
                condition=(
                    Q(person__isnull=False, employer__isnull=True) | Q(person__isnull=True, employer__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.employer)

    @property
    def name(self) -> str:
        return str(self.person or self.employer)


class ClaimItem(models.Model):
    """请求事项. Non-monetary claims (e.g. 出具离职证明) have no amount."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(CaseParty, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    claim_type = models.CharField(_("请求类型"), max_length=20, choices=vocab.ClaimType.choices)
    description = models.CharField(_("请求内容"), max_length=300)
    amount = models.DecimalField(_("请求金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    period_start = models.DateField(_("期间起"), null=True, blank=True)
    period_end = models.DateField(_("期间止"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("请求事项")
        verbose_name_plural = _("请求事项")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="claim_amount_not_negative", condition=Q(amount__isnull=True) | Q(amount__gte=Decimal("0"))
            ),
        ]

    def __str__(self) -> str:
        return self.description


class EventKind(models.TextChoices):
    CREATED = "created", _("创建")
    TRANSITION = "transition", _("状态变更")
    ASSIGNMENT = "assignment", _("指派")
    ALERT = "alert", _("期限提醒")
    NOTE = "note", _("备注")
    LINKAGE = "linkage", _("多方联动")


class CaseEventQuerySet(models.QuerySet["CaseEvent"]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("CaseEvent is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("CaseEvent is append-only")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[CaseEvent]:  # type: ignore[override]
        # bulk_create skips save(), hence the hash chain: events are created one by one.
        raise TypeError("CaseEvent rows are created one at a time (hash chain)")


class CaseEvent(models.Model):
    """Append-only log of what happened to a case: every transition (actor, from, to, reason,
    time), alerts and assignments. Never updated or deleted (refused here and, on PostgreSQL,
    by a trigger). Each row carries `hash` = sha256 over its fields and `prev_hash`, the hash
    of the case's previous event: a hash chain per case that `verify_audit` recomputes."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("类别"), max_length=20, choices=EventKind.choices)
    name = models.CharField(_("操作"), max_length=40, blank=True)
    from_status = models.CharField(_("原状态"), max_length=30, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="case_events"
    )
    reason = models.TextField(_("理由/说明"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, editable=False, default="")
    hash = models.CharField(_("事件哈希"), max_length=64, editable=False, default="")

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件事件")
        verbose_name_plural = _("案件事件")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise TypeError("CaseEvent is append-only")
        from cases.audit import chain_and_save

        # Every creation path (objects.create, save) comes here, so every row is chained.
        chain_and_save(self, lambda: super(CaseEvent, self).save(*args, **kwargs))  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("CaseEvent is append-only")

    @property
    def label(self) -> str:
        spec = TRANSITIONS.get(self.name)
        return str(spec.label) if spec else self.get_kind_display()

    def get_from_status_display(self) -> str:
        return str(Status(self.from_status).label) if self.from_status else ""

    def get_to_status_display(self) -> str:
        return str(Status(self.to_status).label) if self.to_status else ""


class NumberSeries(models.TextChoices):
    CASE = "case", _("案号")
    REGISTRY = "registry", _("登记号")
    ARCHIVE = "archive", _("档号")


class CaseNumberSequence(models.Model):
    """The last number issued per organisation, year (Beijing time) and series. Locked with
    select_for_update while a number is taken, so numbers have no gaps and no duplicates."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="number_sequences")
    year = models.PositiveSmallIntegerField(_("年度"))
    series = models.CharField(_("序列"), max_length=10, choices=NumberSeries.choices)
    last_value = models.PositiveIntegerField(_("已用至"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "series"], name="number_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}/{self.series}: {self.last_value}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（放假）")
    WORKDAY = "workday", _("调休上班日")


class HolidayCalendar(models.Model):
    """Days that differ from the Monday-Friday week: State Council holidays and make-up
    working days (调休). Edited by admins each year when the State Council publishes them."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=40)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日日历")
        verbose_name_plural = _("节假日日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}（{self.get_kind_display()}）"


class Clock(models.TextChoices):
    A = "A", _("可申请仲裁（收到申请15日）")
    B = "B", _("受理审查期限（3个工作日）")
    C = "C", _("调解期限（受理后15日）")
    E20 = "E20", _("司法确认申请期第20日提醒")
    E27 = "E27", _("司法确认申请期第27日提醒")


class DeadlineAlert(models.Model):
    """An overdue (or released) clock on a case, raised by sweep_deadlines; one per case,
    clock and due date, so the sweep is idempotent. Resolved when it no longer applies."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    clock = models.CharField(_("期限"), max_length=3, choices=Clock.choices)
    due_on = models.DateField(_("到期日"))
    created_at = models.DateTimeField(_("提醒时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("期限提醒")
        verbose_name_plural = _("期限提醒")
        constraints = [
            models.UniqueConstraint(fields=["case", "clock", "due_on"], name="alert_unique_per_due"),
        ]
        # the overdue filter of the case list and the director's work list: open alerts only
        indexes = [models.Index(fields=["case", "clock"], condition=Q(resolved_at__isnull=True), name="alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} {self.due_on}"


class RevealField(models.TextChoices):
    """What a reveal unmasks: the party's ID number, or its phone (a person's phone, an
    employer's contact phone)."""

    ID_NUMBER = "id_number", _("证件号码")
    PHONE = "phone", _("联系电话")


class PersonalDataRevealQuerySet(models.QuerySet["PersonalDataReveal"]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("PersonalDataReveal is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("PersonalDataReveal is append-only")


class PersonalDataReveal(models.Model):
    """Reveal log (DOMAIN.md §11.5 RevealLog, RELIABILITY.md T6): every time a user saw a
    party's full ID number or phone, with the reason given, and every refused attempt
    (`granted=False`). The revealed value itself is never stored. Append-only: rows are
    never updated or deleted (refused here and, on PostgreSQL, by a trigger)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="reveals")
    party = models.ForeignKey(CaseParty, verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="reveals")
    field = models.CharField(_("查看项目"), max_length=20, choices=RevealField.choices, blank=True)
    reason = models.TextField(_("查看理由"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    granted = models.BooleanField(_("已准许"), default=True)
    via = models.CharField(_("途径"), max_length=10, default="web")
    remote_addr = models.CharField(_("来源地址"), max_length=45, blank=True)

    objects = PersonalDataRevealQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M} {self.field}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("PersonalDataReveal is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("PersonalDataReveal is append-only")


# --- intake channels: consultations and online applications (docs/intake.md) ----------------


class Consultation(models.Model):
    """A consultation (咨询) that is not (yet) a case: counted in the statistics and, when the
    visitor wants mediation, converted into a draft case in one step (`converted_case`)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("调解组织"), on_delete=models.PROTECT, related_name="consultations"
    )
    channel = models.CharField(_("咨询渠道"), max_length=20, choices=vocab.ConsultationChannel.choices)
    topic = models.CharField(_("咨询事项"), max_length=100)
    dispute_type = models.CharField(_("争议类型"), max_length=5, choices=vocab.DisputeType.choices, blank=True)
    date = models.DateField(_("咨询日期"), default=timezone.localdate)
    caller_name = models.CharField(_("咨询人"), max_length=50, blank=True)
    reference = models.CharField(_("工单号"), max_length=80, blank=True)
    note = models.TextField(_("情况记录"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接待人"), on_delete=models.PROTECT, related_name="consultations"
    )
    converted_case = models.OneToOneField(
        Case,
        verbose_name=_("转为案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class PlatformClient(models.Model):
    """A partner platform (网上调解平台, 12345 平台) that files online applications through
    `POST /api/v1/online-applications/` with `Authorization: Api-Key <key>`. Only the
    SHA-256 of the key is stored; the key is shown once, when it is issued."""

    name = models.CharField(_("平台名称"), max_length=100)
    organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("可提交的调解组织"),
        related_name="platform_clients",
        help_text=_("平台可向这些组织（及其下级组织）提交申请"),
    )
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("对接平台")
        verbose_name_plural = _("对接平台")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OnlineApplication(models.Model):
    """An application filed online (public form /apply/ or a partner platform): the draft case
    it created, the tracking code (stored as a keyed hash only) and the last four digits of
    the applicant's phone (hashed), which together answer /apply/status/."""

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="online_application"
    )
    reference = models.CharField(_("网上申请编号"), max_length=80)
    platform = models.ForeignKey(
        PlatformClient,
        verbose_name=_("对接平台"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    tracking_code_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone_last4_hash = models.CharField(max_length=64, editable=False)
    consents = models.JSONField(_("告知与同意"), default=dict)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("网上申请")
        verbose_name_plural = _("网上申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "reference"],
                condition=Q(platform__isnull=False),
                name="online_application_platform_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class OnlineApplicationFile(models.Model):
    """Evidence uploaded with an online application (PDF, JPG, PNG; core.uploads)."""

    application = models.ForeignKey(OnlineApplication, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("文件"), upload_to="online/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("网上申请材料")
        verbose_name_plural = _("网上申请材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
