"""The issue's done-when: two sessions, an agreement with two instalments, both payments ->
performed; one instalment unpaid -> not_performed. Every step in the case history."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from cases.models import CaseEvent
from cases.workflow import Status
from core.exceptions import ApplicationError
from mediation import services, vocab
from mediation.models import FollowUp, Obligation, PaymentRecord, ServiceRecord
from mediation.services.agreements import live_agreement, obligation_set_due
from tests import mediation_steps

TODAY = timezone.localdate


def _two_instalments(case, people, first_due: dt.date, second_due: dt.date) -> list[Obligation]:
    """Negotiated 10,000 in two instalments of 6,000 and 4,000 instead of the 12,000 claimed."""
    agreement = live_agreement(case)
    first = agreement.obligations.get()
    obligation_set_due(obligation=first, actor=people.mediator, due_on=first_due, amount="6000")
    second = services.obligation_add(
        agreement=agreement,
        actor=people.mediator,
        kind=vocab.ObligationKind.PAYMENT,
        obligor=first.obligor,
        obligee=first.obligee,
        description="第二期工资款",
        amount="4000.00",
        due_on=second_due,
    )
    services.agreement_set_terms(
        agreement=agreement,
        actor=people.mediator,
        terms=["一、被申请人分两期向申请人支付工资共计人民币壹万元整。", "二、双方就本争议再无其他争议。"],
    )
    return [first, second]


def _to_effective(case_in, people, first_due, second_due):
    case = case_in(Status.ACCEPTED)
    first_session = mediation_steps.start(case, people)
    case.refresh_from_db()
    assert case.status == Status.IN_MEDIATION
    mediation_steps.hold_session(case, people, first_session)
    now = timezone.now()
    second_session = services.session_schedule(
        case=case,
        actor=people.mediator,
        kind=vocab.SessionKind.SHUTTLE,
        starts_at=now - dt.timedelta(minutes=50),
        ends_at=now - dt.timedelta(minutes=10),
        mediators=[people.mediator],
        place="第二调解室",
    )
    mediation_steps.hold_session(case, people, second_session)
    services.agreement_draft(case=case, actor=people.mediator)
    obligations = _two_instalments(case, people, first_due, second_due)
    agreement = live_agreement(case)
    for party in case.parties.all():
        services.agreement_sign(agreement=agreement, actor=people.mediator, party=party)
    services.agreement_mediator_sign(agreement=agreement, actor=people.mediator)
    services.agreement_seal(agreement=agreement, actor=people.director)
    services.case_make_effective(case=case, actor=people.mediator)
    case.refresh_from_db()
    return case, obligations


def test_two_sessions_two_instalments_both_paid_reach_performed(case_in, people):
    today = TODAY()
    case, (first, second) = _to_effective(case_in, people, today, today + dt.timedelta(days=20))
    assert case.status == Status.AGREEMENT_EFFECTIVE
    agreement = live_agreement(case)
    assert agreement.judicial_confirmation_due_on is not None
    assert set(FollowUp.objects.filter(case=case).values_list("planned_on", flat=True)) == {
        today + dt.timedelta(days=3),
        today + dt.timedelta(days=23),
    }
    assert ServiceRecord.objects.filter(case=case, document="D10", status="pending").count() == 2

    for obligation in (first, second):
        services.payment_record(
            obligation=obligation,
            actor=people.clerk,
            amount=obligation.amount,
            paid_on=today,
            method=vocab.PaymentMethod.BANK_TRANSFER,
        )
    services.case_confirm_performance(case=case, actor=people.mediator)
    case.refresh_from_db()
    assert case.status == Status.PERFORMED
    recovered = PaymentRecord.objects.filter(obligation__agreement__case=case).aggregate(s=Sum("amount"))["s"]
    assert recovered == Decimal("10000.00")
    names = list(CaseEvent.objects.filter(case=case, kind="transition").values_list("name", flat=True))
    assert names == ["register", "accept", "start", "draft_agreement", "make_effective", "confirm_performance"]
    assert FollowUp.objects.filter(case=case, purpose="performance").count() == 1


def test_one_instalment_unpaid_reaches_not_performed(case_in, people):
    today = TODAY()
    case, (first, second) = _to_effective(case_in, people, today - dt.timedelta(days=10), today - dt.timedelta(days=2))
    services.payment_record(
        obligation=first, actor=people.clerk, amount="6000", paid_on=today, method=vocab.PaymentMethod.CASH
    )
    with pytest.raises(ApplicationError, match=re.escape("尚欠4,000.00元")):
        services.case_confirm_performance(case=case, actor=people.mediator)
    mediation_steps.remind(case, people)
    services.case_record_non_performance(case=case, actor=people.mediator, reason="第二期逾期未付，督促无果。")
    case.refresh_from_db()
    assert case.status == Status.NOT_PERFORMED
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.name, event.from_status, event.to_status, event.actor) == (
        "record_non_performance",
        "agreement_effective",
        "not_performed",
        people.mediator,
    )
    # Late payment: not_performed -> performed.
    services.payment_record(
        obligation=second, actor=people.clerk, amount="4000", paid_on=today, method=vocab.PaymentMethod.MOBILE
    )
    services.case_confirm_performance(case=case, actor=people.clerk)
    case.refresh_from_db()
    assert case.status == Status.PERFORMED
