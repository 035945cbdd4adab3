"""Each refusal says precisely why and changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.workflow import Status
from core.exceptions import ApplicationError, PermissionDeniedError
from mediation import services, vocab
from mediation.models import Agreement, PaymentRecord
from mediation.services.agreements import live_agreement
from tests import mediation_steps


def _unchanged(case: Case):
    snapshot = (case.status, CaseEvent.objects.filter(case=case).count(), Case.history.filter(id=case.pk).count())

    def check() -> None:
        fresh = Case.objects.get(pk=case.pk)
        assert (
            fresh.status,
            CaseEvent.objects.filter(case=case).count(),
            Case.history.filter(id=case.pk).count(),
        ) == snapshot

    return check


def test_start_needs_a_session(case_in, people):
    case = case_in(Status.ACCEPTED)
    from cases.services import case_transition

    check = _unchanged(case)
    with pytest.raises(ApplicationError, match="须先安排调解会议"):
        case_transition(case=case, actor=people.mediator, name="start")
    check()


def test_draft_agreement_needs_a_completed_transcript(case_in, people):
    case = case_in(Status.IN_MEDIATION)
    check = _unchanged(case)
    with pytest.raises(ApplicationError, match="已完成（已宣读并签名）的调解笔录"):
        services.agreement_draft(case=case, actor=people.mediator)
    check()
    assert not Agreement.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("due", "未填写履行期限"),
        ("signature", "未签名"),
        ("mediator", "调解员未签名"),
        ("seal", "未加盖调解组织印章"),
    ],
)
def test_make_effective_refuses_with_precise_message(case_in, people, missing, message):
    case = case_in(Status.AGREEMENT_PENDING)
    agreement = live_agreement(case)
    if missing != "due":
        for obligation in agreement.obligations.all():
            services.obligation_set_due(obligation=obligation, actor=people.mediator, due_on=timezone.localdate())
    parties = list(case.parties.all())
    if missing != "signature":
        for party in parties:
            services.agreement_sign(agreement=agreement, actor=people.mediator, party=party)
    else:
        services.agreement_sign(agreement=agreement, actor=people.mediator, party=parties[0])
    if missing != "mediator":
        services.agreement_mediator_sign(agreement=agreement, actor=people.mediator)
    if missing == "due":
        # Signed and sealed, but a due date is missing (the seal itself checks signatures only).
        services.agreement_seal(agreement=agreement, actor=people.director)
    check = _unchanged(case)
    with pytest.raises(ApplicationError, match=message):
        services.case_make_effective(case=case, actor=people.mediator)
    check()
    agreement.refresh_from_db()
    assert agreement.status == vocab.AgreementStatus.DRAFT


def test_agent_with_general_authority_cannot_sign(case_in, people):
    case = case_in(Status.AGREEMENT_PENDING)
    agreement = live_agreement(case)
    with pytest.raises(ApplicationError, match="一般授权代理人无权签署"):
        services.agreement_sign(
            agreement=agreement,
            actor=people.mediator,
            party=case.parties.first(),
            agent_name="李律师",
            agent_authority=vocab.AgentAuthority.GENERAL,
        )
    assert not agreement.signatures.exists()


def test_signed_agreement_cannot_be_edited(case_in, people):
    case = case_in(Status.AGREEMENT_PENDING)
    agreement = live_agreement(case)
    services.agreement_sign(agreement=agreement, actor=people.mediator, party=case.parties.first())
    with pytest.raises(Exception, match="重新协商"):
        services.agreement_set_terms(agreement=agreement, actor=people.mediator, terms=["改了"])


def test_confirm_performance_refuses_while_money_is_owed(case_in, people):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    check = _unchanged(case)
    with pytest.raises(ApplicationError, match="尚有义务未履行完毕"):
        services.case_confirm_performance(case=case, actor=people.mediator)
    check()


def test_record_non_performance_needs_an_overdue_obligation(case_in, people):
    case = case_in(Status.AGREEMENT_PENDING)
    mediation_steps.sign_everything(case, people, due_on=timezone.localdate() + dt.timedelta(days=10))
    services.case_make_effective(case=case, actor=people.mediator)
    case.refresh_from_db()
    check = _unchanged(case)
    with pytest.raises(ApplicationError, match="没有逾期未履行的义务"):
        services.case_record_non_performance(case=case, actor=people.mediator, reason="未付")
    check()


def test_record_non_performance_needs_a_reminder(case_in, people):
    case = case_in(Status.AGREEMENT_EFFECTIVE)  # obligations fell due 3 days ago
    check = _unchanged(case)
    with pytest.raises(ApplicationError, match="督促履行并登记督促记录"):
        services.case_record_non_performance(case=case, actor=people.mediator, reason="未付")
    check()


def test_record_non_performance_needs_a_reason(case_in, people):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    mediation_steps.remind(case, people)
    with pytest.raises(ApplicationError, match="须填写理由"):
        services.case_record_non_performance(case=case, actor=people.mediator, reason=" ")


def test_overpayment_is_refused(case_in, people):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    obligation = live_agreement(case).obligations.get()  # 12,000.00
    services.payment_record(
        obligation=obligation,
        actor=people.clerk,
        amount="5000",
        paid_on=timezone.localdate(),
        method=vocab.PaymentMethod.CASH,
    )
    with pytest.raises(ApplicationError, match=re.escape("本项尚欠7,000.00元，本次登记7,000.01元超出应付金额")):
        services.payment_record(
            obligation=obligation,
            actor=people.clerk,
            amount="7000.01",
            paid_on=timezone.localdate(),
            method=vocab.PaymentMethod.CASH,
        )
    assert PaymentRecord.objects.filter(obligation=obligation).count() == 1


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "abc", "１２"])
def test_bad_payment_amounts_are_refused(case_in, people, amount):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    obligation = live_agreement(case).obligations.get()
    with pytest.raises(ApplicationError) as info:
        services.payment_record(
            obligation=obligation,
            actor=people.clerk,
            amount=amount,
            paid_on=timezone.localdate(),
            method=vocab.PaymentMethod.CASH,
        )
    assert "amount" in info.value.fields
    assert not PaymentRecord.objects.exists()


def test_payment_in_the_future_is_refused(case_in, people):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    obligation = live_agreement(case).obligations.get()
    with pytest.raises(ApplicationError) as info:
        services.payment_record(
            obligation=obligation,
            actor=people.clerk,
            amount="1",
            paid_on=timezone.localdate() + dt.timedelta(days=1),
            method=vocab.PaymentMethod.CASH,
        )
    assert "paid_on" in info.value.fields


def test_auditor_cannot_record_a_payment(case_in, people, auditor):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    obligation = live_agreement(case).obligations.get()
    with pytest.raises(PermissionDeniedError):
        services.payment_record(
            obligation=obligation,
            actor=auditor,
            amount="1",
            paid_on=timezone.localdate(),
            method=vocab.PaymentMethod.CASH,
        )
    assert not PaymentRecord.objects.exists()


def test_submit_closure_refuses_while_a_document_is_unserved(case_in, people):
    case = case_in(Status.TERMINATED)
    check = _unchanged(case)
    with pytest.raises(ApplicationError, match="终止调解告知书 未送达"):
        from cases.services import case_submit_closure

        case_submit_closure(case=case, actor=people.clerk)
    check()


def test_service_methods_need_their_details(case_in, people):
    case = case_in(Status.REJECTED)
    record = case.service_records.get()
    with pytest.raises(ApplicationError) as info:
        services.service_record_serve(
            record=record, actor=people.clerk, method=vocab.ServiceMethod.POSTAL, served_on=timezone.localdate()
        )
    assert "tracking_number" in info.value.fields
    with pytest.raises(ApplicationError) as info:
        services.service_record_serve(
            record=record,
            actor=people.clerk,
            method=vocab.ServiceMethod.LEFT_WITH_WITNESS,
            served_on=timezone.localdate(),
        )
    assert "witness" in info.value.fields
    record.refresh_from_db()
    assert record.status == vocab.ServiceStatus.PENDING
