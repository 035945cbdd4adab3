"""Writes of the multi-party linkage: transfers, the liaison's acknowledgement and outcome
(with the money recovered through the agency), returns, and reports to referring bodies.
Every step writes a CaseEvent of kind linkage, so the case history shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AgencyKind, PartnerAgency, Role, User
from cases import vocab as case_vocab
from cases.models import Case, CaseEvent, EventKind
from cases.workflow import Status
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import save_with_history
from linkage import vocab
from linkage.models import ReferralReport, Transfer
from mediation import vocab as mediation_vocab
from mediation.models import Obligation, PaymentRecord
from mediation.services.agreements import live_agreement
from mediation.services.common import current_status, require_role
from mediation.services.performance import record_payment

T = vocab.TransferType
#: How long after an effective agreement the parties may apply (人民调解法 Art 33; 仲裁办案规则 Art 74).
ARBITRATION_REVIEW_DAYS = 15
WAGE_CLAIMS = {case_vocab.ClaimType.WAGE, case_vocab.ClaimType.MINWAGE_DIFF, case_vocab.ClaimType.OT}


def _event(case: Case, actor: User, name: str, reason: str = "", **payload: Any) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.LINKAGE,
        name=name,
        actor=actor,
        reason=reason,
        payload=payload,
        from_status=case.status,
        to_status=case.status,
    )


def offer_problem(case: Case, transfer_type: str, *, today: dt.date | None = None) -> str | None:
    """Why this kind of transfer does not make sense for the case now, or None."""
    today = today or timezone.localdate()
    status = current_status(case)
    agreement = live_agreement(case)
    effective = agreement is not None and agreement.status == mediation_vocab.AgreementStatus.EFFECTIVE
    if transfer_type == T.JUDICIAL_CONFIRMATION:
        if not effective or agreement is None or agreement.judicial_confirmation_due_on is None:
            return _("只有已生效的调解协议才能申请司法确认。")
        if today > agreement.judicial_confirmation_due_on:
            return _("协议生效已超过30日（%s 截止），不能再申请司法确认。") % agreement.judicial_confirmation_due_on
        if not case.organization.agreements_confirmable:
            return _("本调解组织的组织形式不在可申请司法确认之列（须为依法设立的调解组织或法院特邀调解组织）。")
        return None
    if transfer_type == T.ARBITRATION_REVIEW:
        if not effective or agreement is None or agreement.effective_at is None:
            return _("只有已生效的调解协议才能申请仲裁审查。")
        if today > timezone.localdate(agreement.effective_at) + dt.timedelta(days=ARBITRATION_REVIEW_DAYS):
            return _("协议生效已超过15日，不能再申请仲裁审查。")
        if case.claims.filter(claim_type=case_vocab.ClaimType.CONFIRM_REL).exists():
            return _("涉及确认劳动关系的协议不能申请仲裁审查。")
        return None
    if transfer_type == T.PAYMENT_ORDER:
        if status not in (Status.AGREEMENT_EFFECTIVE, Status.NOT_PERFORMED):
            return _("支付令用于调解协议未按期履行的情形。")
        if not case.claims.filter(claim_type__in=case_vocab.PAYMENT_ORDER_CLAIMS).exists():
            return _("本案请求事项中没有可申请支付令的项目（拖欠劳动报酬、工伤医疗费、经济补偿或赔偿金）。")
        return None
    if transfer_type == T.LABOR_INSPECTION:
        if (
            case.dispute_type != case_vocab.DisputeType.PAY
            and not case.claims.filter(claim_type__in=WAGE_CLAIMS).exists()
        ):
            return _("劳动保障监察投诉仅用于拖欠工资等劳动报酬争议。")
        return None
    if transfer_type in (T.ARBITRATION, T.LITIGATION_GUIDANCE):
        if status not in (
            Status.TERMINATED,
            Status.NOT_PERFORMED,
            Status.REJECTED,
            Status.WITHDRAWN,
            Status.IN_MEDIATION,
        ):
            return _("引导仲裁或诉讼用于调解不成、未履行或不予受理的案件。")
        return None
    if transfer_type == T.LEGAL_AID:
        if status in (Status.DRAFT, Status.CLOSED, Status.ARCHIVED):
            return _("已结案或尚未登记的案件不能转法律援助。")
        return None
    return _("移送类型无效。")


def transfer_create(
    *,
    case: Case,
    actor: User,
    agency: PartnerAgency,
    transfer_type: str,
    reason: str,
    worker_consent_on: dt.date | None = None,
) -> Transfer:
    """A draft transfer (the mediator or clerk writes the letter; the director approves it).

    A referral to legal aid (转法律援助) sends the worker's details to the legal aid centre,
    which acts only on the worker's own application: it needs the date the worker agreed
    (`worker_consent_on`), recorded in the case history (docs/lawyers.md)."""
    require_role(actor, case, (Role.MEDIATOR, Role.CLERK), _("拟写移送函"))
    errors: dict[str, list[str]] = {}
    if transfer_type == T.LEGAL_AID and (problem := _consent_problem(case, worker_consent_on)) is not None:
        errors["worker_consent_on"] = [problem]
    if transfer_type not in T.values:
        errors["transfer_type"] = [_("请选择移送类型。")]
    elif (problem := offer_problem(case, transfer_type)) is not None:
        errors["transfer_type"] = [problem]
    if transfer_type in T.values and agency.kind != vocab.AGENCY_KIND_OF_TYPE[T(transfer_type)]:
        kind = AgencyKind(vocab.AGENCY_KIND_OF_TYPE[T(transfer_type)]).label
        errors.setdefault("agency", []).append(_("该类移送应送%s。") % kind)
    if not agency.active or agency.district_id not in case.organization.ancestor_ids():
        errors.setdefault("agency", []).append(_("只能移送本区的联动单位。"))
    if not reason.strip():
        errors["reason"] = [_("请填写移送事由。")]
    open_same = case.transfers.filter(transfer_type=transfer_type, status__in=vocab.OPEN_STATUSES).exists()
    if open_same:
        errors.setdefault("transfer_type", []).append(_("同类移送尚在办理中。"))
    if errors:
        raise ApplicationError(_("移送信息有误，请按提示修改。"), fields=errors)
    with transaction.atomic():
        transfer = Transfer(
            case=case, agency=agency, transfer_type=transfer_type, reason=reason.strip(), requested_by=actor
        )
        save_with_history(transfer, actor=actor, reason="draft")
        consent = {"worker_consent_on": str(worker_consent_on)} if transfer_type == T.LEGAL_AID else {}
        _event(
            case,
            actor,
            "transfer_draft",
            reason,
            transfer=transfer.pk,
            agency=agency.name,
            type=transfer_type,
            **consent,
        )
    return transfer


def _consent_problem(case: Case, consent_on: dt.date | None) -> str | None:
    """Why the recorded consent of the worker to a legal aid referral is missing or wrong."""
    if consent_on is None:
        return _("转法律援助须征得劳动者同意，请填写劳动者同意的日期。")
    if consent_on > timezone.localdate():
        return _("同意日期不能晚于今天。")
    received = case.received_at and timezone.localdate(case.received_at)
    if received and consent_on < received:
        return _("同意日期不能早于收到调解申请的日期。")
    return None


def _lock(transfer: Transfer) -> Transfer:
    """The transfer row, locked until the caller's transaction ends: two liaisons or
    directors acting at once queue here, and the second sees the first one's status."""
    return Transfer.objects.select_for_update().select_related("case", "agency").get(pk=transfer.pk)


def _step(transfer: Transfer, expected: str, action: str) -> None:
    if transfer.status != expected:
        raise ConflictError(
            _("移送当前为“%(state)s”，不能%(action)s。") % {"state": transfer.get_status_display(), "action": action}
        )


def transfer_approve(*, transfer: Transfer, actor: User) -> Transfer:
    require_role(actor, transfer.case, (Role.DIRECTOR,), _("审批移送函"))
    with transaction.atomic():
        transfer = _lock(transfer)
        _step(transfer, vocab.TransferStatus.DRAFT, _("审批"))
        problem = offer_problem(transfer.case, transfer.transfer_type)
        if problem:
            raise ApplicationError(problem)
        transfer.status, transfer.approved_by, transfer.approved_at = (
            vocab.TransferStatus.APPROVED,
            actor,
            timezone.now(),
        )
        save_with_history(transfer, actor=actor, reason="approve")
        _event(transfer.case, actor, "transfer_approve", transfer=transfer.pk)
    return transfer


def transfer_send(*, transfer: Transfer, actor: User, sent_on: dt.date, channel: str) -> Transfer:
    require_role(actor, transfer.case, (Role.MEDIATOR, Role.CLERK), _("登记移送"))
    errors: dict[str, list[str]] = {}
    if channel not in vocab.SendChannel.values:
        errors["channel"] = [_("请选择移送方式。")]
    if sent_on is None or sent_on > timezone.localdate():
        errors["sent_on"] = [_("移送日期不能晚于今天。")]
    if errors:
        raise ApplicationError(_("移送信息有误，请按提示修改。"), fields=errors)
    with transaction.atomic():
        transfer = _lock(transfer)
        _step(transfer, vocab.TransferStatus.APPROVED, _("登记移送"))
        transfer.status, transfer.sent_on, transfer.send_channel = vocab.TransferStatus.SENT, sent_on, channel
        save_with_history(transfer, actor=actor, reason="send")
        _event(transfer.case, actor, "transfer_send", transfer=transfer.pk, sent_on=sent_on.isoformat())
    return transfer


def _require_liaison(actor: User, transfer: Transfer) -> None:
    from accounts.access import active_memberships

    if not any(m.role == Role.LIAISON and m.agency_id == transfer.agency_id for m in active_memberships(actor)):
        raise PermissionDeniedError(_("只有%s的联络员可以办理。") % transfer.agency.name)


def transfer_acknowledge(
    *, transfer: Transfer, actor: User, external_number: str = "", at: dt.datetime | None = None
) -> Transfer:
    """The agency received the case (回执), with its own case number when it has one."""
    _require_liaison(actor, transfer)
    with transaction.atomic():
        transfer = _lock(transfer)
        _step(transfer, vocab.TransferStatus.SENT, _("确认接收"))
        transfer.status = vocab.TransferStatus.ACKNOWLEDGED
        transfer.acknowledged_at, transfer.handled_by = at or timezone.now(), actor
        transfer.external_number = external_number.strip()
        save_with_history(transfer, actor=actor, reason="acknowledge")
        _event(
            transfer.case, actor, "transfer_acknowledge", transfer=transfer.pk, external_number=transfer.external_number
        )
    return transfer


def transfer_record_outcome(
    *,
    transfer: Transfer,
    actor: User,
    outcome: str,
    outcome_on: dt.date,
    note: str = "",
    external_number: str = "",
    amount_recovered: Any = None,
    obligation: Obligation | None = None,
    method: str = mediation_vocab.PaymentMethod.BANK_TRANSFER,
) -> Transfer:
    """The agency's result, and any money recovered for the worker through it (counted under
    the agency's channel: court, arbitration or inspection)."""
    _require_liaison(actor, transfer)
    errors: dict[str, list[str]] = {}
    if outcome not in vocab.TransferOutcome.values:
        errors["outcome"] = [_("请选择处理结果。")]
    if outcome_on is None or outcome_on > timezone.localdate():
        errors["outcome_on"] = [_("结果日期不能晚于今天。")]
    if outcome == vocab.TransferOutcome.OTHER and not note.strip():
        errors["note"] = [_("结果为“其他”时须说明。")]
    if amount_recovered not in (None, "") and obligation is None:
        errors["obligation"] = [_("登记挽回金额须选择对应的协议义务。")]
    if obligation is not None and obligation.agreement.case_id != transfer.case_id:
        errors["obligation"] = [_("该义务不属于本案。")]
    if errors:
        raise ApplicationError(_("结果信息有误，请按提示修改。"), fields=errors)
    channel = vocab.CHANNEL_OF_AGENCY_KIND.get(transfer.agency.kind)
    with transaction.atomic():
        transfer = _lock(transfer)
        if transfer.status not in (vocab.TransferStatus.SENT, vocab.TransferStatus.ACKNOWLEDGED):
            _step(transfer, vocab.TransferStatus.ACKNOWLEDGED, _("反馈结果"))
        payment: PaymentRecord | None = None
        if obligation is not None and amount_recovered not in (None, ""):
            if channel is None:
                raise ApplicationError(_("法律援助机构不登记挽回金额。"), fields={"amount_recovered": [_("不适用。")]})
            payment = record_payment(
                obligation=obligation,
                actor=actor,
                amount=amount_recovered,
                paid_on=outcome_on,
                method=method,
                channel=channel,
                agency=transfer.agency,
                note=_("经%s挽回") % transfer.agency.name,
            )
        transfer.status = vocab.TransferStatus.OUTCOME_RECORDED
        transfer.outcome, transfer.outcome_on, transfer.outcome_note = outcome, outcome_on, note.strip()
        if external_number.strip():
            transfer.external_number = external_number.strip()
        transfer.handled_by = actor
        if transfer.acknowledged_at is None:
            transfer.acknowledged_at = timezone.now()
        save_with_history(transfer, actor=actor, reason="outcome")
        _event(
            transfer.case,
            actor,
            "transfer_outcome",
            note,
            transfer=transfer.pk,
            outcome=outcome,
            amount_recovered=str(payment.amount) if payment else "",
        )
    return transfer


def transfer_return(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """The agency sends the case back (不予受理/材料不全), with its reason."""
    _require_liaison(actor, transfer)
    if not reason.strip():
        raise ApplicationError(_("请填写退回理由。"), fields={"reason": [_("请填写退回理由。")]})
    with transaction.atomic():
        transfer = _lock(transfer)
        if transfer.status not in (vocab.TransferStatus.SENT, vocab.TransferStatus.ACKNOWLEDGED):
            _step(transfer, vocab.TransferStatus.SENT, _("退回"))
        transfer.status, transfer.returned_reason, transfer.handled_by = (
            vocab.TransferStatus.RETURNED,
            reason.strip(),
            actor,
        )
        save_with_history(transfer, actor=actor, reason="return")
        _event(transfer.case, actor, "transfer_return", reason, transfer=transfer.pk)
    return transfer


def referral_report(*, case: Case, actor: User, reported_on: dt.date, channel: str, summary: str) -> ReferralReport:
    """Report the result of a court- or arbitration-referred case back to the referring body."""
    require_role(actor, case, (Role.MEDIATOR, Role.CLERK, Role.DIRECTOR), _("反馈委派案件结果"))
    errors: dict[str, list[str]] = {}
    if case.source not in vocab.REFERRAL_SOURCES:
        errors["case"] = [_("本案不是法院或仲裁委派的案件。")]
    if channel not in vocab.ReportChannel.values:
        errors["channel"] = [_("请选择反馈方式。")]
    if reported_on is None or reported_on > timezone.localdate():
        errors["reported_on"] = [_("反馈日期不能晚于今天。")]
    if not summary.strip():
        errors["summary"] = [_("请填写反馈内容。")]
    if ReferralReport.objects.filter(case=case).exists():
        errors["case"] = [_("已反馈过结果。")]
    if errors:
        raise ApplicationError(_("结果反馈有误，请按提示修改。"), fields=errors)
    with transaction.atomic():
        report = ReferralReport(
            case=case, reported_on=reported_on, channel=channel, summary=summary.strip(), reported_by=actor
        )
        save_with_history(report, actor=actor, reason="report")
        _event(case, actor, "referral_report", summary, referring_body=case.referring_body)
    return report
