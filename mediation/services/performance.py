"""Performance of the agreement: payments (履行凭证, the amounts recovered for workers),
non-monetary obligations, follow-ups (回访/督促), performed or not performed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PartnerAgency, Role, User
from cases.models import Case
from cases.services import case_transition, parse_amount
from cases.workflow import Status
from core.exceptions import ApplicationError, ConflictError
from core.history import save_with_history
from core.money import format_yuan, quantize_yuan
from core.uploads import evidence_problem, stored_name
from mediation import vocab
from mediation.models import FollowUp, Obligation, PaymentRecord
from mediation.services.common import current_status, require_role

PERFORMANCE_FOLLOW_UP_DAYS = 7
PAYABLE_STATES = (Status.AGREEMENT_EFFECTIVE, Status.NOT_PERFORMED)


def paid_total(obligation: Obligation) -> Decimal:
    if "payments" in getattr(obligation, "_prefetched_objects_cache", {}):  # the case page's prefetch
        return quantize_yuan(sum((p.amount for p in obligation.payments.all()), Decimal("0.00")))
    total = obligation.payments.aggregate(total=Sum("amount"))["total"]
    # SQLite sums decimals as floats: bring the result back to cents.
    return quantize_yuan(Decimal(total)) if total is not None else Decimal("0.00")


def outstanding(obligation: Obligation) -> Decimal:
    return (obligation.amount or Decimal("0")) - paid_total(obligation)


def is_performed(obligation: Obligation) -> bool:
    if obligation.is_payment:
        return outstanding(obligation) <= 0
    return obligation.performed_on is not None


def payment_record(
    *,
    obligation: Obligation,
    actor: User,
    amount: Any,
    paid_on: dt.date,
    method: str,
    channel: str = vocab.RecoveryChannel.AGREEMENT,
    evidence: UploadedFile | None = None,
    note: str = "",
) -> PaymentRecord:
    """A payment against a payment obligation, recorded by the case's staff; never more than
    what is still owed."""
    require_role(actor, obligation.agreement.case, (Role.MEDIATOR, Role.CLERK), _("登记履行凭证"))
    return record_payment(
        obligation=obligation,
        actor=actor,
        amount=amount,
        paid_on=paid_on,
        method=method,
        channel=channel,
        evidence=evidence,
        note=note,
    )


def record_payment(
    *,
    obligation: Obligation,
    actor: User,
    amount: Any,
    paid_on: dt.date,
    method: str,
    channel: str = vocab.RecoveryChannel.AGREEMENT,
    agency: PartnerAgency | None = None,
    evidence: UploadedFile | None = None,
    note: str = "",
) -> PaymentRecord:
    """The checks and the write of a payment, for callers that have checked the actor's
    right themselves (payment_record; a liaison recording money recovered through the court)."""
    errors: dict[str, list[str]] = {}
    if not obligation.is_payment:
        errors["obligation"] = [_("该义务不是支付款项，请用“确认已履行”。")]
    value = parse_amount(amount)
    if not value:
        errors["amount"] = [_("请填写大于0的金额。")]
    if method not in vocab.PaymentMethod.values:
        errors["method"] = [_("请选择支付方式。")]
    if channel not in vocab.RecoveryChannel.values:
        errors["channel"] = [_("请选择挽回渠道。")]
    if paid_on is None or paid_on > timezone.localdate():
        errors["paid_on"] = [_("支付日期不能晚于今天。")]
    if evidence is not None and (problem := evidence_problem(evidence)):
        errors["evidence"] = [problem]
    if errors:
        raise ApplicationError(_("付款信息有误，请按提示修改。"), fields=errors)
    with transaction.atomic():
        # Lock the obligation: concurrent payments queue here, so the sum never passes it.
        locked = Obligation.objects.select_for_update().select_related("agreement").get(pk=obligation.pk)
        _require_performing(locked, _("只有已生效协议在履行期间才能登记付款。"))
        left = outstanding(locked)
        if value is None or value > left:
            message = _("本项尚欠%(left)s元，本次登记%(value)s元超出应付金额。") % {
                "left": format_yuan(left),
                "value": format_yuan(value or Decimal("0")),
            }
            raise ApplicationError(message, fields={"amount": [message]})
        payment = PaymentRecord(
            obligation=locked,
            amount=value,
            paid_on=paid_on,
            method=method,
            channel=channel,
            agency=agency,
            note=note.strip(),
            confirmed_by=actor,
        )
        if evidence is not None:
            evidence.name = stored_name(evidence)  # never the user's file name on disk
            payment.evidence = evidence
        save_with_history(payment, actor=actor, reason="payment")
    return payment


def _require_performing(obligation: Obligation, message: str) -> None:
    if obligation.agreement.status != vocab.AgreementStatus.EFFECTIVE:
        raise ConflictError(message)
    if current_status(obligation.agreement.case_id) not in PAYABLE_STATES:
        raise ConflictError(message)


def obligation_mark_performed(*, obligation: Obligation, actor: User, performed_on: dt.date) -> Obligation:
    """A non-monetary obligation (e.g. 出具离职证明) is done."""
    require_role(actor, obligation.agreement.case, (Role.MEDIATOR, Role.CLERK), _("确认义务已履行"))
    obligation = Obligation.objects.select_related("agreement").get(pk=obligation.pk)
    _require_performing(obligation, _("只有已生效协议在履行期间才能确认履行。"))
    if obligation.is_payment:
        raise ApplicationError(_("支付义务以登记的付款为准，不能直接确认。"))
    if performed_on > timezone.localdate():
        raise ApplicationError(_("履行日期不能晚于今天。"), fields={"performed_on": [_("履行日期不能晚于今天。")]})
    obligation.performed_on = performed_on
    save_with_history(obligation, actor=actor, reason="performed")
    return obligation


def performance_blockers(case: Case) -> list[str]:
    from mediation.services.agreements import live_agreement

    agreement = live_agreement(case)
    if agreement is None or agreement.status != vocab.AgreementStatus.EFFECTIVE:
        return [_("没有已生效的调解协议。")]
    problems = []
    for obligation in agreement.obligations.all():
        if obligation.is_payment and outstanding(obligation) > 0:
            problems.append(
                _("“%(what)s”尚欠%(left)s元")
                % {"what": obligation.description, "left": format_yuan(outstanding(obligation))}
            )
        elif not obligation.is_payment and obligation.performed_on is None:
            problems.append(_("“%s”尚未履行") % obligation.description)
    return [_("尚有义务未履行完毕：%s。") % "；".join(problems)] if problems else []


def non_performance_blockers(case: Case) -> list[str]:
    from mediation.services.agreements import live_agreement

    agreement = live_agreement(case)
    if agreement is None or agreement.status != vocab.AgreementStatus.EFFECTIVE:
        return [_("没有已生效的调解协议。")]
    today = timezone.localdate()
    overdue = [o for o in agreement.obligations.all() if o.due_on and o.due_on < today and not is_performed(o)]
    if not overdue:
        return [_("没有逾期未履行的义务，不能记录未履行。")]
    first_due = min(o.due_on for o in overdue if o.due_on)
    reminded = case.follow_ups.filter(
        purpose=vocab.FollowUpPurpose.REMINDER, done_at__isnull=False, done_at__date__gt=first_due
    ).exists()
    if not reminded:
        return [_("记录未履行前，须在履行期限（%s）届满后督促履行并登记督促记录。") % first_due]
    return []


def case_confirm_performance(*, case: Case, actor: User, note: str = "", at: dt.datetime | None = None) -> Case:
    """已履行完毕; a follow-up is planned a week later."""

    def prepare(locked: Case) -> None:
        when = at or timezone.now()
        follow_up = FollowUp(
            case=locked,
            purpose=vocab.FollowUpPurpose.PERFORMANCE,
            planned_on=timezone.localdate(when) + dt.timedelta(days=PERFORMANCE_FOLLOW_UP_DAYS),
        )
        save_with_history(follow_up, actor=actor, reason="planned after performance")

    return case_transition(case=case, actor=actor, name="confirm_performance", reason=note, prepare=prepare, at=at)


def case_record_non_performance(*, case: Case, actor: User, reason: str, at: dt.datetime | None = None) -> Case:
    """未履行: the worker is guided to the remedies (payment order, arbitration, inspection)."""
    return case_transition(case=case, actor=actor, name="record_non_performance", reason=reason, at=at)


def follow_up_record(
    *,
    case: Case,
    actor: User,
    method: str,
    reached: str,
    performance_status: str,
    notes: str,
    follow_up: FollowUp | None = None,
    purpose: str = vocab.FollowUpPurpose.REMINDER,
    amount_confirmed: Any = None,
    satisfaction: str = "",
    risks: str = "",
    done_at: dt.datetime | None = None,
) -> FollowUp:
    """Record a follow-up: completes a planned one, or logs a new one (e.g. a reminder)."""
    require_role(actor, case, (Role.MEDIATOR, Role.CLERK), _("登记回访"))
    errors: dict[str, list[str]] = {}
    if method not in vocab.ContactMethod.values:
        errors["method"] = [_("请选择回访方式。")]
    if performance_status not in vocab.PerformanceStatus.values:
        errors["performance_status"] = [_("请选择履行情况。")]
    if satisfaction and satisfaction not in vocab.Satisfaction.values:
        errors["satisfaction"] = [_("请选择满意度。")]
    if not reached.strip():
        errors["reached"] = [_("请填写回访对象。")]
    if not notes.strip():
        errors["notes"] = [_("请填写回访记录。")]
    if follow_up is not None and (follow_up.case_id != case.pk or follow_up.done_at is not None):
        errors["follow_up"] = [_("该回访不属于本案或已完成。")]
    value = None
    try:
        value = parse_amount(amount_confirmed, field="amount_confirmed")
    except ApplicationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ApplicationError(_("回访记录有误，请按提示修改。"), fields=errors)
    when = done_at or timezone.now()
    if follow_up is None:
        follow_up = FollowUp(case=case, purpose=purpose, planned_on=timezone.localdate(when))
    follow_up.done_at = when
    follow_up.method, follow_up.reached, follow_up.performance_status = method, reached.strip(), performance_status
    follow_up.amount_confirmed, follow_up.satisfaction = value, satisfaction
    follow_up.risks, follow_up.notes, follow_up.performed_by = risks.strip(), notes.strip(), actor
    save_with_history(follow_up, actor=actor, reason="follow-up")
    return follow_up
