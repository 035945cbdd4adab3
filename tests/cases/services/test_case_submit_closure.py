"""提交结案 (submit_closure): any outcome state -> closing; clerk or mediator; remembers the
outcome so that a returned closure goes back to it."""

from __future__ import annotations

import pytest

from cases import services
from cases.workflow import OUTCOME_STATES, Status
from core.exceptions import ApplicationError, PermissionDeniedError
from tests.cases.services.helpers import (
    assert_transition_recorded,
    assert_unchanged,
    serve_pending_documents,
    snapshot,
)


@pytest.mark.parametrize("state", OUTCOME_STATES)
def test_submit_closure_from_each_outcome_remembers_it(case_in, clerk, state):
    case = case_in(state)
    serve_pending_documents(case, clerk)

    result = services.case_submit_closure(case=case, actor=clerk)

    case.refresh_from_db()
    assert result.status == case.status == Status.CLOSING
    assert case.pre_closure_status == state


@pytest.mark.parametrize("state", [Status.REJECTED, Status.TERMINATED])
def test_submit_closure_refused_while_the_outcome_notice_is_unserved(case_in, clerk, state):
    case = case_in(state)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_submit_closure(case=case, actor=clerk)

    assert type(exc.value) is ApplicationError  # a guard refusal, not "no permission"
    assert "送达" in exc.value.message
    assert_unchanged(case, before)


@pytest.mark.parametrize(
    "actor_name", ["director", "auditor", "liaison", "admin_user", "town_clerk", "other_town_clerk"]
)
def test_submit_closure_refused_without_the_role(case_in, request, clerk, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.WITHDRAWN)
    serve_pending_documents(case, clerk)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_submit_closure(case=case, actor=actor)

    assert exc.value.message == "您无权对本案执行“提交结案”。"
    assert_unchanged(case, before)


def test_submit_closure_records_the_event_and_keeps_the_outcome(case_in, clerk, mediator):
    case = case_in(Status.TERMINATED)
    serve_pending_documents(case, clerk)
    before = snapshot(case)
    outcome = dict(before.fields)

    services.case_submit_closure(case=case, actor=mediator, note="卷宗材料齐全")

    case.refresh_from_db()
    assert (case.status, case.pre_closure_status) == (Status.CLOSING, Status.TERMINATED)
    assert case.outcome_at == outcome["outcome_at"]
    assert case.termination_reason == outcome["termination_reason"] == "no_agreement"
    assert case.closed_at is None
    assert_transition_recorded(
        case,
        before,
        name="submit_closure",
        from_status=Status.TERMINATED,
        to_status=Status.CLOSING,
        actor=mediator,
        reason="卷宗材料齐全",
    )
