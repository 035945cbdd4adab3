"""Controlled vocabularies (DOMAIN.md §5-§6). Codes are stable English; labels Chinese."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CaseSource(models.TextChoices):
    WALK_IN_WRITTEN = "walk_in_written", _("来访书面申请")
    ORAL = "oral", _("口头申请")
    HOTLINE_12351 = "hotline_12351", _("12351职工热线")
    PETITION_12345 = "petition_12345", _("12345转办")
    ONLINE_PLATFORM = "online_platform", _("网上调解平台")
    COURT_PREFILING = "court_prefiling", _("法院委派（诉前）")
    COURT_IN_LITIGATION = "court_in_litigation", _("法院委托（诉中）")
    ARBITRATION_ENTRUSTED = "arbitration_entrusted", _("仲裁委托")
    INSPECTION_REFERRAL = "inspection_referral", _("劳动监察转来")
    HIGHER_UNION = "higher_union", _("上级工会交办")


class Channel(models.TextChoices):
    WRITTEN = "written", _("书面")
    ORAL = "oral", _("口头")
    ONLINE = "online", _("网上")


#: Sources that always come with the sender's number (工单号, 委派函号, 平台编号): the intake
#: form and the API refuse such a source without `source_reference`.
SOURCES_REQUIRING_REFERENCE = frozenset(
    {
        CaseSource.HOTLINE_12351,
        CaseSource.PETITION_12345,
        CaseSource.ONLINE_PLATFORM,
        CaseSource.COURT_PREFILING,
        CaseSource.COURT_IN_LITIGATION,
        CaseSource.ARBITRATION_ENTRUSTED,
        CaseSource.INSPECTION_REFERRAL,
        CaseSource.HIGHER_UNION,
    }
)


def source_reference_problem(source: str, source_reference: str) -> str | None:
    """Why this source needs a reference number that is missing, or None."""
    if source in SOURCES_REQUIRING_REFERENCE and not (source_reference or "").strip():
        return gettext("案件来源为“%s”时须填写来源编号（工单号、委派函号或平台编号）。") % CaseSource(source).label
    return None


class ConsultationChannel(models.TextChoices):
    """How a consultation (咨询) came in (DOMAIN.md §3 step 0)."""

    WALK_IN = "walk_in", _("来访")
    HOTLINE_12351 = "hotline_12351", _("12351职工热线")
    PETITION_12345 = "petition_12345", _("12345转办")
    ONLINE = "online", _("网上")
    OTHER = "other", _("其他")


#: The case source and application channel of a draft converted from a consultation.
CONSULTATION_CASE_SOURCE: dict[str, tuple[str, str]] = {
    ConsultationChannel.WALK_IN: (CaseSource.ORAL, Channel.ORAL),
    ConsultationChannel.HOTLINE_12351: (CaseSource.HOTLINE_12351, Channel.ORAL),
    ConsultationChannel.PETITION_12345: (CaseSource.PETITION_12345, Channel.WRITTEN),
    ConsultationChannel.ONLINE: (CaseSource.ONLINE_PLATFORM, Channel.ONLINE),
    ConsultationChannel.OTHER: (CaseSource.WALK_IN_WRITTEN, Channel.WRITTEN),
}


class DisputeType(models.TextChoices):
    """Level-1 案由 (DOMAIN.md §6.2)."""

    REL = "REL", _("确认劳动关系")
    CON = "CON", _("劳动合同订立/履行/变更")
    TER = "TER", _("解除终止劳动合同")
    PAY = "PAY", _("劳动报酬")
    TIM = "TIM", _("工作时间、休息休假")
    SOC = "SOC", _("社会保险")
    INJ = "INJ", _("工伤")
    WEL = "WEL", _("福利、培训、劳动保护")
    NCM = "NCM", _("竞业限制/保密")
    DSP = "DSP", _("劳务派遣")
    NEF = "NEF", _("新就业形态")
    COL = "COL", _("集体合同")
    OTH = "OTH", _("其他")


class ClaimType(models.TextChoices):
    """请求事项类型 (DOMAIN.md §6.3)."""

    WAGE = "WAGE", _("工资/劳动报酬")
    OT = "OT", _("加班费")
    MINWAGE_DIFF = "MINWAGE_DIFF", _("最低工资差额")
    ANNUAL_LEAVE_PAY = "ANNUAL_LEAVE_PAY", _("未休年休假工资")
    DOUBLE_WAGE = "DOUBLE_WAGE", _("未签合同二倍工资差额")
    ECON_COMP = "ECON_COMP", _("经济补偿")
    DAMAGES = "DAMAGES", _("违法解除赔偿金")
    NOTICE_PAY = "NOTICE_PAY", _("代通知金")
    INJURY_MED = "INJURY_MED", _("工伤医疗费")
    INJURY_OTHER = "INJURY_OTHER", _("其他工伤保险待遇")
    SOC_LOSS = "SOC_LOSS", _("社保待遇损失赔偿")
    TRAINING_PENALTY = "TRAINING_PENALTY", _("服务期违约金")
    NONCOMPETE_COMP = "NONCOMPETE_COMP", _("竞业限制补偿")
    CERT = "CERT", _("出具解除/终止证明")
    FILE_SI_TRANSFER = "FILE_SI_TRANSFER", _("档案及社保关系转移")
    CONFIRM_REL = "CONFIRM_REL", _("确认劳动关系")
    REINSTATE = "REINSTATE", _("继续履行劳动合同")
    OTHER = "OTHER", _("其他")


#: Claim types that are never a sum of money (the amount must be empty).
NON_MONETARY_CLAIMS = frozenset(
    {ClaimType.CERT, ClaimType.FILE_SI_TRANSFER, ClaimType.CONFIRM_REL, ClaimType.REINSTATE}
)
#: Claim types eligible for a payment order (支付令, LDMAL Art 16; DOMAIN.md §6.3).
PAYMENT_ORDER_CLAIMS = frozenset(
    {ClaimType.WAGE, ClaimType.OT, ClaimType.MINWAGE_DIFF, ClaimType.ECON_COMP, ClaimType.DAMAGES, ClaimType.INJURY_MED}
)


class RejectionReason(models.TextChoices):
    NOT_LABOUR_DISPUTE = "not_labour_dispute", _("不属于劳动争议")
    RESPONDENT_REFUSED = "respondent_refused", _("对方当事人明确拒绝调解")
    APPLICANT_NOT_PROPER = "applicant_not_proper", _("申请人不适格")
    NO_DEFINITE_RESPONDENT = "no_definite_respondent", _("无明确被申请人")
    NO_CONCRETE_CLAIM = "no_concrete_claim", _("无具体请求和事实理由")
    ALREADY_IN_ARBITRATION_OR_COURT = "already_in_arbitration_or_court", _("已由仲裁/法院受理或处理")
    ALREADY_DECIDED = "already_decided", _("已有生效裁决/判决/调解书")
    OUTSIDE_COMPETENCE = "outside_competence", _("不属本组织受理范围")
    EXCLUSIVE_ADMIN_MATTER = "exclusive_admin_matter", _("属专门机关处理事项")
    DUPLICATE = "duplicate", _("重复申请")
    OTHER = "other", _("其他")


class TerminationReason(models.TextChoices):
    PARTY_REFUSES = "party_refuses_to_continue", _("一方要求终止/拒绝继续调解")
    RESPONDENT_ABSENT = "respondent_absent", _("被申请人无正当理由不到场")
    APPLICANT_ABSENT = "applicant_absent", _("申请人无正当理由缺席")
    NO_AGREEMENT = "no_agreement", _("分歧较大无法达成协议")
    DEADLINE_EXPIRED = "deadline_expired", _("期限届满未达成协议")
    PARTY_DECLINED_TO_SIGN = "party_declined_to_sign", _("协议签署前反悔")
    NOT_SUITABLE = "not_suitable", _("不宜调解")
    OTHER_PROCEEDINGS = "party_started_other_proceedings", _("一方已申请仲裁/起诉")
    PARTY_DIED_OR_DISSOLVED = "party_died_or_dissolved", _("当事人死亡/单位注销")
    OTHER = "other", _("其他")


class WithdrawalReason(models.TextChoices):
    SETTLED_PRIVATELY = "settled_privately", _("自行和解")
    CHOSE_ARBITRATION = "chose_arbitration", _("选择仲裁")
    CHOSE_LITIGATION = "chose_litigation", _("选择诉讼")
    CHOSE_INSPECTION = "chose_inspection_complaint", _("选择劳动监察投诉")
    NO_LONGER_PURSUE = "no_longer_pursue", _("不再主张")
    OTHER = "other", _("其他")


class FileType(models.TextChoices):
    FORMAL = "formal", _("实体卷")
    SIMPLE = "simple", _("简易卷")


class Side(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD_PARTY = "third_party", _("第三人")


class PartyKind(models.TextChoices):
    WORKER = "worker", _("劳动者")
    EMPLOYER = "employer", _("用人单位")
    DISPATCH_AGENCY = "dispatch_agency", _("劳务派遣单位")
    USER_UNIT = "user_unit", _("用工单位")
    PLATFORM = "platform", _("平台企业")
    WORKER_RELATIVE = "worker_relative", _("劳动者近亲属")
    OTHER = "other", _("其他")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HK_MO_PERMIT = "hk_mo_permit", _("港澳居民来往内地通行证")
    TW_PERMIT = "tw_permit", _("台湾居民来往大陆通行证")
    PASSPORT = "passport", _("护照")
    OTHER = "other", _("其他")


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    UNREGISTERED = "unregistered", _("未登记用工主体")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
