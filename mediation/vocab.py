"""Vocabularies of the mediation work (DOMAIN.md §5.9-§5.12, §8 D8-D14)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    JOINT = "joint", _("面对面调解")
    SHUTTLE = "shuttle", _("背对背调解")
    PHONE = "phone", _("电话调解")
    VIDEO = "video", _("视频调解")
    ON_SITE = "on_site", _("现场调解")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已举行")
    CANCELLED = "cancelled", _("已取消")


class Capacity(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    LEGAL_REP = "legal_rep", _("法定代表人/负责人")
    AGENT = "agent", _("委托代理人")
    REPRESENTATIVE = "representative", _("推举代表")
    WITNESS = "witness", _("证人")
    OTHER = "other", _("其他")


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("未签名")
    SIGNED = "signed", _("已签名")
    REFUSED = "refused", _("拒绝签名（已注明）")


class BlockKind(models.TextChoices):
    """调解笔录的结构 (DOMAIN.md §8 D8)."""

    RIGHTS_NOTICE = "rights_notice", _("告知权利义务")
    RECUSAL = "recusal", _("询问是否申请回避")
    APPLICANT_STATEMENT = "applicant_statement", _("申请人陈述")
    RESPONDENT_STATEMENT = "respondent_statement", _("被申请人陈述")
    EVIDENCE = "evidence", _("出示证据及质证")
    PROPOSAL = "proposal", _("调解员调解方案")
    POSITIONS = "positions", _("双方意见")
    RESULT = "result", _("调解结果及下一步安排")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("拟定中")
    EFFECTIVE = "effective", _("已生效")
    VOID = "void", _("已作废")


class ObligationKind(models.TextChoices):
    PAYMENT = "payment", _("支付款项")
    CERTIFICATE = "certificate", _("出具解除/终止劳动合同证明")
    SOCIAL_INSURANCE = "social_insurance", _("办理档案及社会保险关系转移")
    OTHER_ACT = "other_act", _("其他义务")


class AgentAuthority(models.TextChoices):
    NONE = "", _("本人签署")
    GENERAL = "general", _("一般授权代理人")
    SPECIAL = "special", _("特别授权代理人")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("银行转账")
    CASH = "cash", _("现金")
    MOBILE = "mobile", _("微信/支付宝")
    CHEQUE = "cheque", _("支票")
    OTHER = "other", _("其他")


class RecoveryChannel(models.TextChoices):
    """Through which channel money was recovered for the worker (挽回经济损失)."""

    AGREEMENT = "agreement", _("调解协议履行")
    COURT = "court", _("法院（司法确认/支付令/执行）")
    ARBITRATION = "arbitration", _("仲裁")
    INSPECTION = "inspection", _("劳动保障监察")


class FollowUpPurpose(models.TextChoices):
    INSTALMENT = "instalment", _("履行期限回访")
    PERFORMANCE = "performance", _("履行完毕回访")
    REMINDER = "reminder", _("督促履行")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("走访")
    MESSAGE = "message", _("短信/微信")
    LETTER = "letter", _("信函")


class PerformanceStatus(models.TextChoices):
    PAID = "paid", _("已履行")
    PARTIAL = "partial", _("部分履行")
    UNPAID = "unpaid", _("未履行")
    NOT_APPLICABLE = "na", _("不适用")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    NEUTRAL = "neutral", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", _("直接送达")
    PROXY = "proxy", _("代收送达")
    ELECTRONIC = "electronic", _("电子送达（经同意）")
    POSTAL = "postal", _("邮寄送达")
    LEFT_WITH_WITNESS = "left_with_witness", _("拒收留置送达")


class ServiceStatus(models.TextChoices):
    PENDING = "pending", _("待送达")
    SERVED = "served", _("已送达")
    UNDELIVERABLE = "undeliverable", _("无法送达")


class DocumentCode(models.TextChoices):
    """Outbound documents that are served on the parties (DESIGN.md §7)."""

    D3 = "D3", _("受理通知书")
    D4 = "D4", _("调解通知书")
    D5 = "D5", _("当事人权利义务告知书")
    D6 = "D6", _("不予受理通知书")
    D9 = "D9", _("延期调解通知书")
    D10 = "D10", _("调解协议书")
    D11 = "D11", _("终止调解告知书")
    D12 = "D12", _("撤回调解申请确认书")
