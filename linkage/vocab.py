"""Vocabularies of the multi-party linkage mechanism (多方联动机制, DOMAIN.md §4.3 (c)-(g), §5.13)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferType(models.TextChoices):
    JUDICIAL_CONFIRMATION = "judicial_confirmation", _("申请司法确认")
    PAYMENT_ORDER = "payment_order", _("申请支付令")
    LITIGATION_GUIDANCE = "litigation_guidance", _("引导诉讼")
    ARBITRATION = "arbitration", _("引导申请仲裁")
    ARBITRATION_REVIEW = "arbitration_review", _("申请仲裁审查")
    LABOR_INSPECTION = "labor_inspection", _("劳动保障监察投诉")
    LEGAL_AID = "legal_aid", _("法律援助")


#: Which kind of partner agency handles each transfer type.
AGENCY_KIND_OF_TYPE = {
    TransferType.JUDICIAL_CONFIRMATION: "court",
    TransferType.PAYMENT_ORDER: "court",
    TransferType.LITIGATION_GUIDANCE: "court",
    TransferType.ARBITRATION: "arbitration",
    TransferType.ARBITRATION_REVIEW: "arbitration",
    TransferType.LABOR_INSPECTION: "labor_inspection",
    TransferType.LEGAL_AID: "legal_aid",
}

#: The recovery channel (mediation.vocab.RecoveryChannel) of money recovered through a transfer.
CHANNEL_OF_AGENCY_KIND = {"court": "court", "arbitration": "arbitration", "labor_inspection": "inspection"}


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("拟稿")
    APPROVED = "approved", _("已审批")
    SENT = "sent", _("已移送")
    ACKNOWLEDGED = "acknowledged", _("对方已接收")
    OUTCOME_RECORDED = "outcome_recorded", _("已反馈结果")
    RETURNED = "returned", _("已退回")


#: Transfers the partner agency's liaison sees (the letter has left the centre).
VISIBLE_TO_AGENCY = (
    TransferStatus.SENT,
    TransferStatus.ACKNOWLEDGED,
    TransferStatus.OUTCOME_RECORDED,
    TransferStatus.RETURNED,
)
OPEN_STATUSES = (TransferStatus.DRAFT, TransferStatus.APPROVED, TransferStatus.SENT, TransferStatus.ACKNOWLEDGED)


class SendChannel(models.TextChoices):
    IN_PERSON = "in_person", _("当面递交")
    POST = "post", _("邮寄")
    ELECTRONIC = "electronic", _("电子平台")
    ESCORTED = "escorted", _("陪同当事人前往")


class TransferOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("裁定调解协议有效（司法确认）")
    CONFIRMATION_REFUSED = "confirmation_refused", _("驳回司法确认申请")
    PAYMENT_ORDER_ISSUED = "payment_order_issued", _("已发出支付令")
    ENFORCED = "enforced", _("强制执行到位")
    ARBITRATION_MEDIATED = "arbitration_mediated", _("仲裁调解结案")
    ARBITRATION_AWARD = "arbitration_award", _("仲裁裁决")
    REVIEW_ISSUED = "review_issued", _("仲裁审查出具调解书")
    INSPECTION_ORDERED = "inspection_ordered", _("责令用人单位支付/改正")
    LEGAL_AID_GRANTED = "legal_aid_granted", _("给予法律援助")
    CASE_FILED = "case_filed", _("已立案")
    OTHER = "other", _("其他")


class ReportChannel(models.TextChoices):
    LETTER = "letter", _("书面函件")
    ELECTRONIC = "electronic", _("电子平台")
    IN_PERSON = "in_person", _("当面递交")


#: Case sources whose referring body must get the result before closure (结案报告制度).
REFERRAL_SOURCES = ("court_prefiling", "court_in_litigation", "arbitration_entrusted")
