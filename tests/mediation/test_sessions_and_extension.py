"""Sessions (double booking, automatic start), transcripts, extension and clock E."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import system_user
from cases.models import CaseEvent, DeadlineAlert
from cases.services import deadlines_sweep
from cases.workflow import Status
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import save_with_history
from mediation import services, vocab
from mediation.models import MediationSession, Room, SessionMediator
from mediation.services.agreements import live_agreement
from tests import mediation_steps

NOW = timezone.now


def _book(case, people, start, minutes=60, room=None, mediators=None):
    return services.session_schedule(
        case=case,
        actor=people.mediator,
        kind=vocab.SessionKind.JOINT,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        mediators=mediators or [people.mediator],
        room=room,
        place="" if room else "第一调解室",
    )


def test_first_session_starts_the_mediation(case_in, people):
    case = case_in(Status.ACCEPTED)
    session = _book(case, people, NOW() + dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.status == Status.IN_MEDIATION
    event = CaseEvent.objects.filter(case=case, name="start").get()
    assert event.actor == people.mediator
    assert session.history.get().history_user == people.mediator
    _book(case, people, NOW() + dt.timedelta(days=2))
    assert CaseEvent.objects.filter(case=case, name="start").count() == 1


def test_a_mediator_cannot_be_double_booked(case_in, people):
    first, second = case_in(Status.ACCEPTED), case_in(Status.ACCEPTED)
    start = NOW() + dt.timedelta(days=1)
    _book(first, people, start, minutes=90)
    with pytest.raises(ApplicationError, match="已安排案件") as info:
        _book(second, people, start + dt.timedelta(minutes=30))
    assert "starts_at" in info.value.fields
    assert not MediationSession.objects.filter(case=second).exists()
    second.refresh_from_db()
    assert second.status == Status.ACCEPTED
    _book(second, people, start + dt.timedelta(minutes=90))  # back to back is fine


def test_a_room_cannot_be_double_booked(case_in, people, mediator, world):
    from tests.factories import MembershipFactory, UserFactory

    other_mediator = UserFactory(username="mediator2")
    MembershipFactory(user=other_mediator, role="mediator", organization=world.district)
    room = Room(organization=world.district, name="第一调解室")
    save_with_history(room, actor=system_user())
    first, second = case_in(Status.ACCEPTED), case_in(Status.ACCEPTED)
    start = NOW() + dt.timedelta(days=1)
    _book(first, people, start, room=room)
    with pytest.raises(ApplicationError, match="已被案件"):
        _book(second, people, start + dt.timedelta(minutes=15), room=room, mediators=[other_mediator])
    cancelled = MediationSession.objects.get(case=first)
    services.session_cancel(session=cancelled, actor=people.mediator, reason="当事人请假")
    _book(second, people, start + dt.timedelta(minutes=15), room=room, mediators=[other_mediator])


def test_session_needs_sane_times_and_a_place(case_in, people):
    case = case_in(Status.ACCEPTED)
    start = NOW() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as info:
        services.session_schedule(
            case=case,
            actor=people.mediator,
            kind=vocab.SessionKind.JOINT,
            starts_at=start,
            ends_at=start,
            mediators=[people.mediator],
        )
    assert set(info.value.fields) == {"ends_at", "room"}


def test_sessions_only_while_mediation_is_open(case_in, people):
    case = case_in(Status.REGISTERED)
    with pytest.raises(ConflictError):
        _book(case, people, NOW())


def test_auditor_cannot_schedule(case_in, people, auditor):
    case = case_in(Status.ACCEPTED)
    with pytest.raises(PermissionDeniedError):
        services.session_schedule(
            case=case,
            actor=auditor,
            kind=vocab.SessionKind.PHONE,
            starts_at=NOW(),
            ends_at=NOW() + dt.timedelta(hours=1),
            mediators=[people.mediator],
        )


def test_transcript_completion_says_what_is_missing(case_in, people):
    case = case_in(Status.IN_MEDIATION)
    session = case.sessions.get()
    services.transcript_save(
        session=session, actor=people.clerk, blocks=[(vocab.BlockKind.APPLICANT_STATEMENT, "申请人陈述……" * 500)]
    )
    with pytest.raises(ApplicationError) as info:
        services.transcript_complete(session=session, actor=people.clerk)
    message = info.value.message
    for expected in ("告知权利义务", "调解结果及下一步安排", "未记录到场人员", "宣读"):
        assert expected in message
    attendance = services.attendance_record(
        session=session, actor=people.clerk, name="王某", capacity=vocab.Capacity.APPLICANT
    )
    with pytest.raises(ApplicationError, match="须注明拒签情况"):
        services.attendance_sign(attendance=attendance, actor=people.clerk, signed=False)
    services.attendance_sign(attendance=attendance, actor=people.clerk, signed=False, refusal_note="当场拒绝签名")
    mediation_steps.hold_session(case, people, session)
    session.refresh_from_db()
    assert session.status == vocab.SessionStatus.HELD
    assert session.transcript.blocks.count() == 2  # saved again by hold_session
    with pytest.raises(ConflictError):
        services.transcript_save(session=session, actor=people.clerk, blocks=[])


def _request_extension(case, people, days=10):
    today = timezone.localdate()
    return services.extension_request(
        case=case,
        actor=people.mediator,
        days=days,
        reason="双方同意延期，等待工资核算结果。",
        applicant_consent_on=today,
        respondent_consent_on=today,
    )


def test_extension_moves_the_due_date_with_history(case_in, people):
    case = case_in(Status.IN_MEDIATION)
    before = case.mediation_due_on
    _request_extension(case, people, days=10)
    services.case_extend(case=case, actor=people.director)
    case.refresh_from_db()
    assert case.extension_days == 10
    assert case.mediation_due_on >= before + dt.timedelta(days=10)
    event = CaseEvent.objects.filter(case=case, name="extend").get()
    assert event.reason == "双方同意延期，等待工资核算结果。"
    assert event.payload["previous_due_on"] == str(before)
    assert case.history.first().history_user == people.director


def test_extension_total_is_at_most_15_days(case_in, people):
    case = case_in(Status.IN_MEDIATION)
    _request_extension(case, people, days=10)
    services.case_extend(case=case, actor=people.director)
    case.refresh_from_db()
    with pytest.raises(ApplicationError) as info:
        _request_extension(case, people, days=6)
    assert info.value.fields["days"] == ["延期天数须为1至5天（累计不超过15天，已延期10天）。"]
    _request_extension(case, people, days=5)


def test_extension_needs_a_request_and_the_director(case_in, people):
    case = case_in(Status.IN_MEDIATION)
    with pytest.raises(ApplicationError, match="没有待审批的延期申请"):
        services.case_extend(case=case, actor=people.director)
    _request_extension(case, people)
    with pytest.raises(PermissionDeniedError):
        services.case_extend(case=case, actor=people.mediator)
    case.refresh_from_db()
    assert case.extension_days == 0


def test_extension_only_before_the_due_date(case_in, people):
    case = case_in(Status.IN_MEDIATION)
    _request_extension(case, people)
    case.mediation_due_on = timezone.localdate() - dt.timedelta(days=1)
    save_with_history(case, actor=people.director, reason="test: the period ran out")
    with pytest.raises(ApplicationError, match="已届满"):
        services.case_extend(case=case, actor=people.director)


def test_clock_e_reminders_at_day_20_and_27(case_in, people):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    agreement = live_agreement(case)
    effective = timezone.localdate(agreement.effective_at)
    assert agreement.judicial_confirmation_due_on >= effective + dt.timedelta(days=30)
    actor = system_user()
    assert deadlines_sweep(actor=actor, today=effective + dt.timedelta(days=19))["created"] == 0
    assert deadlines_sweep(actor=actor, today=effective + dt.timedelta(days=20))["created"] == 1
    assert deadlines_sweep(actor=actor, today=effective + dt.timedelta(days=27))["created"] == 1
    assert set(DeadlineAlert.objects.filter(case=case).values_list("clock", flat=True)) == {"E20", "E27"}
    assert deadlines_sweep(actor=actor, today=effective + dt.timedelta(days=27)) == {"created": 0, "resolved": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_overlapping_slots_whatever_the_path(case_in, people):
    """The exclusion constraint holds even when the service's check is bypassed."""
    case = case_in(Status.IN_MEDIATION)
    slot = SessionMediator.objects.get(session__case=case)
    other = case_in(Status.ACCEPTED)
    session = MediationSession.objects.create(
        case=other, kind="joint", starts_at=slot.starts_at, ends_at=slot.ends_at, created_by=people.mediator
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionMediator.objects.create(
            session=session, mediator=people.mediator, starts_at=slot.starts_at, ends_at=slot.ends_at
        )
