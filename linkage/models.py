"""Transfers to partner agencies (移送/转办) and results reported back to referring bodies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import PartnerAgency
from cases.models import Case
from linkage import vocab

USER = settings.AUTH_USER_MODEL


class Transfer(models.Model):
    """A case sent to a court, arbitration commission, labour inspection or legal aid, with
    the director's approval of the letter (D16), the agency's acknowledgement and its own case
    number, and the outcome the agency reports."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    agency = models.ForeignKey(
        PartnerAgency, verbose_name=_("联动单位"), on_delete=models.PROTECT, related_name="transfers"
    )
    transfer_type = models.CharField(_("移送类型"), max_length=30, choices=vocab.TransferType.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=vocab.TransferStatus.choices, default=vocab.TransferStatus.DRAFT
    )
    reason = models.TextField(_("移送事由"))
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    sent_on = models.DateField(_("移送日期"), null=True, blank=True)
    send_channel = models.CharField(_("移送方式"), max_length=20, choices=vocab.SendChannel.choices, blank=True)
    acknowledged_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    external_number = models.CharField(_("对方案号"), max_length=80, blank=True)
    outcome = models.CharField(_("处理结果"), max_length=30, choices=vocab.TransferOutcome.choices, blank=True)
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    returned_reason = models.TextField(_("退回理由"), blank=True)
    handled_by = models.ForeignKey(
        USER, verbose_name=_("联动单位经办人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("移送")
        verbose_name_plural = _("移送")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"{self.case} → {self.agency}（{self.get_transfer_type_display()}）"


class ReferralReport(models.Model):
    """The result of a case referred by a court or arbitration commission (委派/委托),
    reported back to the referring body; closure waits for it."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="referral_report")
    reported_on = models.DateField(_("反馈日期"))
    channel = models.CharField(_("反馈方式"), max_length=20, choices=vocab.ReportChannel.choices)
    summary = models.TextField(_("反馈内容"))
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("委派案件结果反馈")
        verbose_name_plural = _("委派案件结果反馈")

    def __str__(self) -> str:
        return f"{self.case} 结果反馈 {self.reported_on}"
