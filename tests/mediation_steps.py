"""The mediation steps of a case, done through the real services with minimal data; used
by `case_in` (tests/conftest.py) to reach any state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from cases.models import Case
from mediation import services, vocab
from mediation.models import MediationSession
from mediation.services.agreements import live_agreement, obligation_set_due
from mediation.services.performance import outstanding

DUE_DAYS_AGO = 3  # obligations fall due a few days ago, so non-performance can be recorded


def start(case: Case, people: SimpleNamespace) -> MediationSession:
    # One hour per case, so that sessions of different cases never overlap for the mediator;
    # within the last 8 days whatever the case's id (periods in tests are at least 10 days).
    starts_at = timezone.now() - dt.timedelta(hours=1 + case.pk % 192)
    return services.session_schedule(
        case=case,
        actor=people.mediator,
        kind=vocab.SessionKind.JOINT,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        mediators=[people.mediator],
        place="第一调解室",
    )


def hold_session(case: Case, people: SimpleNamespace, session: MediationSession | None = None) -> MediationSession:
    session = session or case.sessions.exclude(status=vocab.SessionStatus.CANCELLED).first() or start(case, people)
    for party in case.parties.all():
        capacity = vocab.Capacity.APPLICANT if party.side == "applicant" else vocab.Capacity.RESPONDENT
        attendance = services.attendance_record(
            session=session, actor=people.clerk, name=party.name, capacity=capacity, party=party, identity_checked=True
        )
        services.attendance_sign(attendance=attendance, actor=people.clerk, signed=True)
    services.transcript_save(
        session=session,
        actor=people.clerk,
        blocks=[(vocab.BlockKind.RIGHTS_NOTICE, "已告知双方权利义务。"), (vocab.BlockKind.RESULT, "双方同意调解。")],
    )
    services.transcript_confirm_read_back(session=session, actor=people.clerk)
    services.transcript_complete(session=session, actor=people.clerk)
    return session


def draft_agreement(case: Case, people: SimpleNamespace) -> None:
    hold_session(case, people)
    services.agreement_draft(case=case, actor=people.mediator)


def sign_everything(case: Case, people: SimpleNamespace, due_on: dt.date | None = None) -> None:
    agreement = live_agreement(case)
    assert agreement is not None
    for obligation in agreement.obligations.all():
        obligation_set_due(
            obligation=obligation,
            actor=people.mediator,
            due_on=due_on or timezone.localdate() - dt.timedelta(days=DUE_DAYS_AGO),
        )
    for party in case.parties.all():
        services.agreement_sign(agreement=agreement, actor=people.mediator, party=party)
    services.agreement_mediator_sign(agreement=agreement, actor=people.mediator)
    services.agreement_seal(agreement=agreement, actor=people.director)


def make_effective(case: Case, people: SimpleNamespace) -> None:
    sign_everything(case, people)
    services.case_make_effective(case=case, actor=people.mediator)


def pay_everything(case: Case, people: SimpleNamespace) -> Decimal:
    agreement = live_agreement(case)
    assert agreement is not None
    total = Decimal("0")
    for obligation in agreement.obligations.all():
        if obligation.is_payment:
            left = outstanding(obligation)
            services.payment_record(
                obligation=obligation,
                actor=people.clerk,
                amount=left,
                paid_on=timezone.localdate(),
                method=vocab.PaymentMethod.BANK_TRANSFER,
            )
            total += left
        else:
            services.obligation_mark_performed(
                obligation=obligation, actor=people.clerk, performed_on=timezone.localdate()
            )
    return total


def confirm_performance(case: Case, people: SimpleNamespace) -> None:
    pay_everything(case, people)
    services.case_confirm_performance(case=case, actor=people.clerk)


def remind(case: Case, people: SimpleNamespace) -> None:
    services.follow_up_record(
        case=case,
        actor=people.mediator,
        method=vocab.ContactMethod.PHONE,
        reached="被申请人人事经理",
        performance_status=vocab.PerformanceStatus.UNPAID,
        notes="电话督促履行，对方称资金紧张。",
    )


def record_non_performance(case: Case, people: SimpleNamespace) -> None:
    remind(case, people)
    services.case_record_non_performance(case=case, actor=people.mediator, reason="逾期未支付，已督促仍未履行。")


def serve_everything(case: Case, clerk: object) -> None:
    for record in case.service_records.filter(status=vocab.ServiceStatus.PENDING):
        services.service_record_serve(
            record=record,
            actor=clerk,
            method=vocab.ServiceMethod.DIRECT,
            served_on=timezone.localdate(),  # type: ignore[arg-type]
        )
