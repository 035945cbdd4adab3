"""终止调解 (terminate): accepted/in_mediation/agreement_pending -> terminated; director;
reason code; "deadline expired" only once the mediation period is over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.workflow import Status
from core.exceptions import ApplicationError, PermissionDeniedError
from tests.cases.services.helpers import (
    assert_transition_recorded,
    assert_unchanged,
    last_history,
    snapshot,
)

SOURCES = (Status.ACCEPTED, Status.IN_MEDIATION, Status.AGREEMENT_PENDING)


@pytest.mark.parametrize("state", SOURCES)
def test_terminate_from_each_allowed_state(case_in, director, state):
    case = case_in(state)

    result = services.case_terminate(case=case, actor=director, reason_code="no_agreement")

    case.refresh_from_db()
    assert result.status == case.status == Status.TERMINATED


def test_terminate_for_other_reason_needs_an_explanation(case_in, director):
    case = case_in(Status.IN_MEDIATION)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_terminate(case=case, actor=director, reason_code="other", note="")

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "理由选择“其他”时须填写具体说明。"
    assert_unchanged(case, before)


@pytest.mark.parametrize("code", ["", "settled_privately"])
def test_terminate_with_an_unknown_reason_code_is_refused(case_in, director, code):
    case = case_in(Status.IN_MEDIATION)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_terminate(case=case, actor=director, reason_code=code)

    assert type(exc.value) is ApplicationError
    assert exc.value.fields == {"reason_code": ["请选择理由。"]}
    assert_unchanged(case, before)


@pytest.mark.parametrize("state", [Status.ACCEPTED, Status.IN_MEDIATION])
def test_terminate_as_deadline_expired_before_the_due_date_is_refused(case_in, director, state):
    case = case_in(state)  # accepted today: the mediation period runs for 15 more days
    before = snapshot(case)
    assert case.mediation_due_on > timezone.localdate()

    with pytest.raises(ApplicationError) as exc:
        services.case_terminate(case=case, actor=director, reason_code="deadline_expired")

    assert type(exc.value) is ApplicationError
    assert exc.value.message == f"以“期限届满”终止须在调解期限（{case.mediation_due_on}）届满之后。"
    assert_unchanged(case, before)


def test_terminate_as_deadline_expired_after_the_due_date(case_in, director, mediator):
    case = case_in(Status.REGISTERED)
    services.case_accept(
        case=case, actor=director, mediators=[mediator], accepted_at=timezone.now() - dt.timedelta(days=40)
    )
    case.refresh_from_db()
    assert case.mediation_due_on < timezone.localdate()

    services.case_terminate(case=case, actor=director, reason_code="deadline_expired")

    case.refresh_from_db()
    assert (case.status, case.termination_reason) == (Status.TERMINATED, "deadline_expired")


@pytest.mark.parametrize(
    "actor_name", ["clerk", "mediator", "auditor", "liaison", "admin_user", "town_director", "other_town_clerk"]
)
def test_terminate_refused_without_the_director_role(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.IN_MEDIATION)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_terminate(case=case, actor=actor, reason_code="no_agreement")

    assert exc.value.message == "您无权对本案执行“终止调解”。"
    assert_unchanged(case, before)


def test_terminate_records_reason_note_and_outcome_time(case_in, director):
    case = case_in(Status.AGREEMENT_PENDING)
    before = snapshot(case)
    start = timezone.now()

    services.case_terminate(
        case=case, actor=director, reason_code="party_declined_to_sign", note="被申请人拒绝在协议上盖章"
    )

    case.refresh_from_db()
    assert case.status == Status.TERMINATED
    assert case.termination_reason == "party_declined_to_sign"
    assert case.outcome_note == "被申请人拒绝在协议上盖章"
    assert start <= case.outcome_at <= timezone.now()
    assert_transition_recorded(
        case,
        before,
        name="terminate",
        from_status=Status.AGREEMENT_PENDING,
        to_status=Status.TERMINATED,
        actor=director,
        reason="被申请人拒绝在协议上盖章",
    )
    assert last_history(case).history_change_reason == "terminate: 被申请人拒绝在协议上盖章"
