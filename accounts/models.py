"""Organisations (调解中心 tree), partner agencies (联动单位), users and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum.cn import uscc as uscc_number

DEFAULT_CASE_NUMBER_TEMPLATE = "（{year}）{short_code}字第{seq:04d}号"
DEFAULT_REGISTRY_NUMBER_TEMPLATE = "（{year}）{short_code}登字第{seq:04d}号"


class OrganizationLevel(models.TextChoices):
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区级")
    STREET_TOWN = "street_town", _("街道/乡镇")


class LegalForm(models.TextChoices):
    UNION_CENTER = "union_center", _("工会劳动争议调解中心")
    PEOPLE_MEDIATION_COMMITTEE = "people_mediation_committee", _("人民调解委员会")
    STREET_TOWN_LABOUR_MEDIATION = "street_town_labour_mediation", _("乡镇街道劳动争议调解组织")
    REGIONAL_INDUSTRY = "regional_industry", _("区域性/行业性调解组织")
    ENTERPRISE_COMMITTEE = "enterprise_committee", _("企业劳动争议调解委员会")


#: Legal forms whose agreements a court may confirm (民诉法 Art 205: 依法设立的调解组织).
CONFIRMABLE_LEGAL_FORMS = frozenset(
    {"people_mediation_committee", "street_town_labour_mediation", "regional_industry", "enterprise_committee"}
)


class Organization(models.Model):
    """A mediation centre (区中心) or sub-centre (街乡分中心); cases belong to one."""

    code = models.SlugField(_("代码"), max_length=20, unique=True, help_text=_("系统代码，如 DX"))
    name = models.CharField(_("名称"), max_length=100)
    short_code = models.CharField(_("案号简称"), max_length=20, help_text=_("用于案号，如“京兴工调”"))
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("层级"), max_length=20, choices=OrganizationLevel.choices)
    legal_form = models.CharField(
        _("组织形式"), max_length=40, choices=LegalForm.choices, default=LegalForm.UNION_CENTER
    )
    court_listed = models.BooleanField(
        _("法院特邀调解组织"),
        default=False,
        help_text=_("已列入人民法院特邀调解组织名册：其调解协议可申请司法确认"),
    )
    seal_name = models.CharField(_("印章名称"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    case_number_template = models.CharField(
        _("案号模板"),
        max_length=100,
        default=DEFAULT_CASE_NUMBER_TEMPLATE,
        help_text=_("可用占位符：{year} {short_code} {seq}，如（{year}）{short_code}字第{seq:04d}号"),
    )
    registry_number_template = models.CharField(
        _("登记号模板"), max_length=100, default=DEFAULT_REGISTRY_NUMBER_TEMPLATE
    )
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调解组织")
        verbose_name_plural = _("调解组织")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def agreements_confirmable(self) -> bool:
        """Its agreements can be submitted for judicial confirmation (DOMAIN.md §0.1-4)."""
        return self.court_listed or self.legal_form in CONFIRMABLE_LEGAL_FORMS

    def subtree_ids(self) -> list[int]:
        """This organisation and every organisation below it (the tree is shallow: 3 levels)."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(Organization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids

    def ancestor_ids(self) -> list[int]:
        ids: list[int] = []
        node: Organization | None = self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids


class AgencyKind(models.TextChoices):
    COURT = "court", _("人民法院")
    ARBITRATION = "arbitration", _("劳动人事争议仲裁委员会")
    LABOR_INSPECTION = "labor_inspection", _("劳动保障监察")
    LEGAL_AID = "legal_aid", _("法律援助中心")


class PartnerAgency(models.Model):
    """A body of the multi-party linkage mechanism (多方联动机制 联动单位)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=AgencyKind.choices)
    district = models.ForeignKey(
        Organization, verbose_name=_("对接的区级调解中心"), on_delete=models.PROTECT, related_name="agencies"
    )
    court_code = models.CharField(_("法院代字"), max_length=20, blank=True, help_text=_("如 京0115"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联动单位")
        verbose_name_plural = _("联动单位")
        ordering = ["district", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    is_system = models.BooleanField(
        _("系统账号"), default=False, help_text=_("定时任务和导入等系统操作的执行人，不能登录")
    )

    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    CLERK = "clerk", _("书记员")
    MEDIATOR = "mediator", _("调解员")
    DIRECTOR = "director", _("中心主任")
    LIAISON = "liaison", _("联络员")
    AUDITOR = "auditor", _("督导审计")
    ADMIN = "admin", _("系统管理员")


#: Roles that may change case data; auditors and admins read or configure only.
CASE_WRITER_ROLES = frozenset({Role.CLERK, Role.MEDIATOR, Role.DIRECTOR})
#: Roles that read the cases of their organisation subtree.
CASE_READER_ROLES = CASE_WRITER_ROLES | {Role.AUDITOR}


class Membership(models.Model):
    """A user's role in an organisation, or (liaisons) in a partner agency."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("调解组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        PartnerAgency,
        verbose_name=_("联动单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("有效"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.CheckConstraint(
                name="membership_liaison_in_agency_others_in_org",
                condition=(
                    Q(role="liaison", agency__isnull=False, organization__isnull=True)
                    | (~Q(role="liaison") & Q(agency__isnull=True, organization__isnull=False))
                ),
            ),
            models.UniqueConstraint(fields=["user", "organization", "agency", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        where = self.organization or self.agency
        return f"{self.user} · {self.get_role_display()} · {where}"


# --- lawyer mediators, zones and the duty roster (DOMAIN.md §2.4, §5.2; docs/lawyers.md) ------

#: 律师执业证号: 17 digits (1 licensing authority level digit + region code + year + type + serial).
LICENCE_NUMBER_VALIDATOR = RegexValidator(r"^\d{17}$", _("律师执业证号为17位数字。"))


class LawFirm(models.Model):
    """A law firm contracted by the union (购买服务) to provide duty lawyers."""

    name = models.CharField(_("律师事务所名称"), max_length=100, unique=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contract_start = models.DateField(_("服务合同起始日"), null=True, blank=True)
    contract_end = models.DateField(_("服务合同截止日"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("律师事务所")
        verbose_name_plural = _("律师事务所")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="lawfirm_contract_period",
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=models.F("contract_start")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.uscc and not uscc_number.is_valid(self.uscc):
            raise ValidationError({"uscc": _("统一社会信用代码不正确。")})


class LawyerProfile(models.Model):
    """A lawyer mediator (律师调解员): a user who holds a mediator membership."""

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="lawyer_profile")
    licence_number = models.CharField(
        _("律师执业证号"), max_length=17, unique=True, validators=[LICENCE_NUMBER_VALIDATOR]
    )
    firm = models.ForeignKey(LawFirm, verbose_name=_("律师事务所"), on_delete=models.PROTECT, related_name="lawyers")
    active = models.BooleanField(_("在册"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("律师调解员")
        verbose_name_plural = _("律师调解员")
        ordering = ["firm", "user__username"]

    def __str__(self) -> str:
        return f"{self.user}（{self.firm}）"


class Zone(models.Model):
    """片区: a set of streets/towns of a district whose cases one duty lawyer takes."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("区级调解中心"), on_delete=models.PROTECT, related_name="zones"
    )
    name = models.CharField(_("片区名称"), max_length=50)
    towns = models.ManyToManyField(
        Organization,
        verbose_name=_("所辖街道/乡镇分中心"),
        blank=True,
        related_name="lawyer_zones",
        limit_choices_to={"level": OrganizationLevel.STREET_TOWN},
    )
    street_names = models.TextField(
        _("街道/乡镇名称"),
        blank=True,
        help_text=_("每行一个，如“西红门镇”；用人单位地址中含有其中之一即归入本片区"),
    )
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords(m2m_fields=[towns])

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="zone_name_unique")]

    def __str__(self) -> str:
        return self.name


class DutyAssignment(models.Model):
    """One day of the duty roster (值班表): the lawyer on duty for a zone."""

    date = models.DateField(_("值班日期"))
    zone = models.ForeignKey(Zone, verbose_name=_("片区"), on_delete=models.PROTECT, related_name="duties")
    lawyer = models.ForeignKey(User, verbose_name=_("值班律师"), on_delete=models.PROTECT, related_name="duties")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("律师值班")
        verbose_name_plural = _("律师值班表")
        ordering = ["date", "zone"]
        constraints = [models.UniqueConstraint(fields=["date", "zone"], name="duty_one_lawyer_per_zone_day")]
        indexes = [models.Index(fields=["lawyer", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.zone} {self.lawyer}"


class LawyerRepresentation(models.Model):
    """利益冲突登记: a lawyer has acted for a worker or an employer (as agent or adviser), so
    is not suggested for that party's cases. Refers to the case app's parties by name
    ("cases.Person", "cases.Employer"): accounts code never imports cases."""

    lawyer = models.ForeignKey(User, verbose_name=_("律师"), on_delete=models.PROTECT, related_name="representations")
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("曾代理的劳动者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawyer_representations",
    )
    employer = models.ForeignKey(
        "cases.Employer",
        verbose_name=_("曾代理的用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawyer_representations",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("律师代理记录（利益冲突）")
        verbose_name_plural = _("律师代理记录（利益冲突）")
        constraints = [
            models.CheckConstraint(
                name="representation_person_xor_employer",
                condition=Q(person__isnull=False, employer__isnull=True)
                | Q(person__isnull=True, employer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lawyer} → {self.person or self.employer}"


class SuggestionReason(models.TextChoices):
    ZONE_DUTY = "zone_duty", _("片区当日值班律师")
    OTHER_ZONE_DUTY = "other_zone_duty", _("本片区值班律师回避，改荐其他片区当日值班律师")
    NO_ZONE = "no_zone", _("案件未匹配到片区")
    NO_ROSTER = "no_roster", _("当日无值班律师")
    ALL_CONFLICTED = "all_conflicted", _("当日值班律师均须回避")


class LawyerSuggestion(models.Model):
    """What the system suggested when the case was accepted, and what the director chose."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="lawyer_suggestion"
    )
    on_date = models.DateField(_("值班日期"))
    zone = models.ForeignKey(Zone, verbose_name=_("片区"), null=True, blank=True, on_delete=models.PROTECT)
    suggested_lawyer = models.ForeignKey(
        User, verbose_name=_("推荐律师"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("推荐依据"), max_length=20, choices=SuggestionReason.choices)
    skipped = models.JSONField(_("回避未推荐"), default=list, blank=True, help_text=_("[{user_id, name, reason}]"))
    chosen_mediators = models.JSONField(_("实际指派的调解员"), default=list, help_text=_("用户 id，第一位为主调解员"))
    suggestion_taken = models.BooleanField(_("采纳推荐"), default=False)
    accepted_at = models.DateTimeField(_("受理时间"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("值班律师推荐记录")
        verbose_name_plural = _("值班律师推荐记录")
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.suggested_lawyer or self.get_reason_display()}"
