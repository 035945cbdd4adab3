"""Kinds of the closing stage: proof of service (D13), follow-up record (D14), closing report
and approval form (D15), transfer letter (D16). DOMAIN.md §8."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from cases import vocab as case_vocab
from cases.models import Case, CaseEvent
from cases.workflow import Status
from core.masking import mask_phone
from core.money import quantize_yuan
from documents.kinds import KINDS, DocContext, Kind, PartyView, case_parties, document_number, party_view, register_kind
from documents.models import CaseDocument, Copy, DocumentStatus
from linkage import vocab as linkage_vocab
from linkage.models import ReferralReport, Transfer
from mediation import vocab as mediation_vocab
from mediation.models import Agreement, FollowUp, MediationSession, Obligation, PaymentRecord, ServiceRecord
from mediation.services.agreements import live_agreement

ZERO = Decimal("0.00")

#: States in which the closing report exists (submitted for approval, approved, archived).
CLOSING_STATES = (Status.CLOSING, Status.CLOSED, Status.ARCHIVED)
#: Documents that stay inside the centre and are never enclosed with a transfer letter.
INTERNAL_KINDS = frozenset({"D2", "D13", "D15", "D16", "D20", "D21", "D22", "D23"})

#: What the transfer letter asks the agency to do, by transfer type.
REQUESTED_ACTIONS: dict[str, Any] = {
    linkage_vocab.TransferType.JUDICIAL_CONFIRMATION: _(
        "双方当事人拟就本案调解协议共同申请司法确认，现将有关材料移送贵院，请依法审查处理。"
    ),
    linkage_vocab.TransferType.PAYMENT_ORDER: _(
        "用人单位未按调解协议约定履行给付义务，申请人拟申请支付令，现将有关材料移送贵院，请依法审查处理。"
    ),
    linkage_vocab.TransferType.LITIGATION_GUIDANCE: _(
        "本中心已引导当事人依法提起诉讼，现将有关材料移送贵院，请依法审查处理。"
    ),
    linkage_vocab.TransferType.ARBITRATION: _(
        "本中心已引导申请人依法申请劳动争议仲裁，现将有关材料移送贵委，请依法审查处理。"
    ),
    linkage_vocab.TransferType.ARBITRATION_REVIEW: _(
        "双方当事人拟就本案调解协议申请仲裁审查，现将有关材料移送贵委，请依法审查处理。"
    ),
    linkage_vocab.TransferType.LABOR_INSPECTION: _(
        "本案涉及用人单位拖欠劳动报酬等事项，现将有关材料移送贵单位，请依法调查处理。"
    ),
    linkage_vocab.TransferType.LEGAL_AID: _("申请人申请法律援助，现将有关材料移送贵中心，请依法审查处理。"),
}


# --- shared helpers -----------------------------------------------------------------------


def _money(value: Decimal | None) -> Decimal:
    return quantize_yuan(value if value is not None else ZERO)


def kind_document_number(case: Case, code: str, subject: Any = None) -> str:
    """The number a document of kind `code` has (or will have) in this case; the case number
    when that kind is not registered."""
    kind = KINDS.get(code)
    if kind is None:
        return case.case_number or case.registry_number or ""
    return document_number(case, kind, subject if kind.subjects is not None else None)


def _agreement_number(case: Case, agreement: Agreement | None) -> str:
    return kind_document_number(case, "D10", agreement) if agreement is not None else ""


def _sessions(case: Case) -> list[MediationSession]:
    return list(
        case.sessions.exclude(status=mediation_vocab.SessionStatus.CANCELLED)
        .select_related("room")
        .order_by("starts_at")
    )


def _approved_extensions(case: Case) -> list[Any]:
    return list(case.extensions.filter(status=mediation_vocab.ExtensionStatus.APPROVED).order_by("requested_at"))


def _agreement_totals(agreement: Agreement | None, *, paid_until: dt.date | None = None) -> dict[str, Any]:
    """Agreed (协议金额), paid (已履行) and outstanding amounts of an agreement, by aggregates."""
    if agreement is None:
        return {"agreed": None, "paid": ZERO, "outstanding": None}
    agreed = Obligation.objects.filter(agreement=agreement).aggregate(total=Sum("amount"))["total"]
    payments = PaymentRecord.objects.filter(obligation__agreement=agreement)
    if paid_until is not None:
        payments = payments.filter(paid_on__lte=paid_until)
    paid = _money(payments.aggregate(total=Sum("amount"))["total"])
    agreed_total = _money(agreed) if agreed is not None else None
    outstanding = max(agreed_total - paid, ZERO) if agreed_total is not None else None
    return {"agreed": agreed_total, "paid": paid, "outstanding": outstanding}


def _service_address(view: PartyView) -> str:
    if view.is_person:
        return view.address
    return view.business_address or view.registered_address


def _lead_mediator(case: Case) -> Any:
    assignment = case.assignments.filter(active=True).select_related("user").order_by("role", "pk").first()
    return assignment.user if assignment else None


# --- D13 送达回证 ------------------------------------------------------------------------------


def _service_records(case: Case) -> list[ServiceRecord]:
    records = case.service_records.select_related("recipient__person", "recipient__employer", "recorded_by")
    return list(records.order_by("pk"))


def _service_label(record: ServiceRecord) -> str:
    return f"{record.get_document_display()} → {record.recipient.name}"


def _server(record: ServiceRecord) -> Any:
    """送达人: whoever recorded the service (or the failed attempt) — the history row of that
    write names them; the record's `recorded_by` only opened it."""
    if record.status == mediation_vocab.ServiceStatus.PENDING:
        return None
    row = (
        record.history.filter(history_change_reason__in=("served", "undeliverable"))  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    return row.history_user if row is not None and row.history_user is not None else record.recorded_by


def _proof_of_service(dc: DocContext) -> dict[str, Any]:
    record: ServiceRecord = dc.subject
    recipient = party_view(record.recipient, reveal=dc.reveal)
    return {
        "record": record,
        "served_title": record.get_document_display(),
        "served_number": kind_document_number(dc.case, record.document),
        "recipient": recipient,
        "service_address": _service_address(recipient),
        "server": _server(record),
        "served": record.status == mediation_vocab.ServiceStatus.SERVED,
        "undeliverable": record.status == mediation_vocab.ServiceStatus.UNDELIVERABLE,
        "left_with_witness": record.method == mediation_vocab.ServiceMethod.LEFT_WITH_WITNESS,
    }


# --- D14 回访记录 ------------------------------------------------------------------------------


def _done_follow_ups(case: Case) -> list[FollowUp]:
    return list(
        case.follow_ups.filter(done_at__isnull=False)
        .select_related("performed_by", "obligation")
        .order_by("done_at", "pk")
    )


def _follow_up_label(follow_up: FollowUp) -> str:
    if follow_up.done_at is None:
        return str(follow_up)
    day = timezone.localdate(follow_up.done_at)
    return f"{follow_up.get_purpose_display()} {day.year}年{day.month}月{day.day}日"


def _follow_up_record(dc: DocContext) -> dict[str, Any]:
    follow_up: FollowUp = dc.subject
    case = dc.case
    obligation = follow_up.obligation
    agreement = obligation.agreement if obligation is not None else live_agreement(case)
    done_on = timezone.localdate(follow_up.done_at) if follow_up.done_at else dc.today
    obligation_paid = None
    if obligation is not None and obligation.is_payment:
        paid = obligation.payments.filter(paid_on__lte=done_on).aggregate(total=Sum("amount"))["total"]
        obligation_paid = _money(paid)
    return {
        "follow_up": follow_up,
        "agreement": agreement,
        "agreement_number": _agreement_number(case, agreement),
        "obligation": obligation,
        "obligation_paid": obligation_paid,
        "totals": _agreement_totals(agreement, paid_until=done_on),
        "visitor": follow_up.performed_by,
    }


# --- D15 结案报告/结案审批表 ---------------------------------------------------------------------


def _closable(case: Case) -> bool:
    return case.status in CLOSING_STATES


def _outcome(case: Case) -> dict[str, Any]:
    code = case.pre_closure_status or case.status
    label = Status(code).label if code in Status.values else code
    reasons = [
        (_t("不予受理理由"), case.get_rejection_reason_display()) if case.rejection_reason else None,
        (_t("终止调解理由"), case.get_termination_reason_display()) if case.termination_reason else None,
        (_t("撤回理由"), case.get_withdrawal_reason_display()) if case.withdrawal_reason else None,
    ]
    return {"code": code, "label": label, "reasons": [r for r in reasons if r is not None], "note": case.outcome_note}


def _last_event(case: Case, name: str) -> CaseEvent | None:
    return CaseEvent.objects.filter(case=case, name=name).select_related("actor").order_by("-created_at", "-pk").first()


def _closing_report(dc: DocContext) -> dict[str, Any]:
    case = dc.case
    agreement = live_agreement(case)
    totals = _agreement_totals(agreement)
    payments = PaymentRecord.objects.filter(obligation__agreement__case=case)
    recovered = _money(payments.aggregate(total=Sum("amount"))["total"])
    by_channel = [
        (mediation_vocab.RecoveryChannel(row["channel"]).label, _money(row["total"]))
        for row in payments.values("channel").annotate(total=Sum("amount")).order_by("channel")
    ]
    referred = case.source in linkage_vocab.REFERRAL_SOURCES
    referral = ReferralReport.objects.filter(case=case).select_related("reported_by").first() if referred else None
    parties = case_parties(case, reveal=dc.reveal)
    return {
        "report_parties": parties["applicants"] + parties["respondents"] + parties["third_parties"],
        "simple": case.file_type == case_vocab.FileType.SIMPLE,
        "closed_on": case.closed_at or case.outcome_at,
        "source_label": case.get_source_display(),
        "sessions": _sessions(case),
        "extensions": _approved_extensions(case),
        "outcome": _outcome(case),
        "agreement": agreement,
        "agreement_number": _agreement_number(case, agreement),
        "obligations": list(agreement.obligations.order_by("position", "pk")) if agreement else [],
        "agreed_total": totals["agreed"],
        "recovered_total": recovered,
        "recovered_by_channel": by_channel if len(by_channel) > 1 else [],
        "transfers": list(
            case.transfers.exclude(status=linkage_vocab.TransferStatus.DRAFT).select_related("agency").order_by("pk")
        ),
        "follow_ups": _done_follow_ups(case),
        "submission": _last_event(case, "submit_closure"),
        "approval": _last_event(case, "approve_closure"),
        "referred": referred,
        "referral": referral,
    }


# --- D16 案件移送函 ----------------------------------------------------------------------------


def _letter_transfers(case: Case) -> list[Transfer]:
    """Transfers whose letter was approved (drafts have no letter yet)."""
    return list(
        case.transfers.exclude(status=linkage_vocab.TransferStatus.DRAFT)
        .select_related("agency", "approved_by", "handled_by")
        .order_by("pk")
    )


def _transfer_label(transfer: Transfer) -> str:
    return f"{transfer.get_transfer_type_display()} → {transfer.agency.name}"


def _enclosures(case: Case) -> list[CaseDocument]:
    """The case's latest rendered originals a receiving agency needs (internal forms excluded),
    in the file's standard order."""
    rendered = CaseDocument.objects.filter(case=case, status=DocumentStatus.READY, copy_for=Copy.FILE).exclude(
        kind__in=INTERNAL_KINDS
    )
    latest: dict[tuple[str, int | None], CaseDocument] = {}
    for document in rendered.order_by("version"):
        latest[(document.kind, document.subject_id)] = document

    def order(document: CaseDocument) -> tuple[int, str, int]:
        kind = KINDS.get(document.kind)
        return (kind.slot if kind else 99, document.kind, document.subject_id or 0)

    return sorted(latest.values(), key=order)


def _transfer_letter(dc: DocContext) -> dict[str, Any]:
    transfer: Transfer = dc.subject
    case = dc.case
    # Transfer has no record of the worker's separate consent to hand personal data to the
    # agency (PIPL Art 23), so identification is always masked here, whatever the copy; the
    # employer's contact phone too (a person's number).
    masked = case_parties(case, reveal=False)
    agreement = live_agreement(case)
    effective = agreement is not None and agreement.status == mediation_vocab.AgreementStatus.EFFECTIVE
    letter_on = timezone.localdate(transfer.approved_at) if transfer.approved_at else dc.today
    return {
        "transfer": transfer,
        "letter_parties": [
            p if p.is_person else replace(p, phone=mask_phone(p.phone))
            for p in masked["applicants"] + masked["respondents"] + masked["third_parties"]
        ],
        "sessions": _sessions(case),
        "extensions": _approved_extensions(case),
        "lead_mediator": _lead_mediator(case),
        "agreement": agreement if effective else None,
        "agreement_number": _agreement_number(case, agreement) if effective else "",
        "totals": _agreement_totals(agreement if effective else None),
        "requested_action": REQUESTED_ACTIONS.get(transfer.transfer_type, _("请依法审查处理。")),
        "enclosures": _enclosures(case),
        "contact_person": case.clerk or _lead_mediator(case),
        "letter_on": letter_on,
        "acknowledged_on": timezone.localdate(transfer.acknowledged_at) if transfer.acknowledged_at else None,
    }


register_kind(
    Kind(
        code="D13",
        title=_("送达回证"),
        context=_proof_of_service,
        slot=13,
        subjects=_service_records,
        subject_label=_service_label,
    )
)
register_kind(
    Kind(
        code="D14",
        title=_("回访记录"),
        context=_follow_up_record,
        slot=15,
        subjects=_done_follow_ups,
        subject_label=_follow_up_label,
    )
)
register_kind(
    Kind(
        code="D15",
        title=_("结案审批表"),
        context=_closing_report,
        slot=18,
        available=_closable,
    )
)
register_kind(
    Kind(
        code="D16",
        title=_("案件移送函"),
        context=_transfer_letter,
        slot=17,
        subjects=_letter_transfers,
        subject_label=_transfer_label,
    )
)
