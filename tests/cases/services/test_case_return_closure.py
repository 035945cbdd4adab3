"""退回结案 (return_closure): closing -> the outcome state it came from; director; comment."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case
from cases.workflow import OUTCOME_STATES, Status
from core.exceptions import ApplicationError, PermissionDeniedError
from core.history import save_with_history
from tests.cases.services.helpers import (
    assert_transition_recorded,
    assert_unchanged,
    last_history,
    serve_pending_documents,
    snapshot,
)


@pytest.fixture
def submitted_from(case_in, clerk):
    def make(outcome):
        case = case_in(outcome)
        serve_pending_documents(case, clerk)
        return services.case_submit_closure(case=case, actor=clerk)

    return make


@pytest.mark.parametrize("outcome", OUTCOME_STATES)
def test_return_closure_goes_back_to_the_exact_outcome(submitted_from, director, outcome):
    case = submitted_from(outcome)
    before = snapshot(case)

    result = services.case_return_closure(case=case, actor=director, comment="缺少送达回证")

    case.refresh_from_db()
    assert result.status == case.status == outcome
    assert_transition_recorded(
        case,
        before,
        name="return_closure",
        from_status=Status.CLOSING,
        to_status=outcome,
        actor=director,
        reason="缺少送达回证",
    )
    assert last_history(case).history_change_reason == "return_closure: 缺少送达回证"


def test_return_closure_keeps_the_outcome_details(submitted_from, director):
    case = submitted_from(Status.REJECTED)
    fields = dict(snapshot(case).fields)

    services.case_return_closure(case=case, actor=director, comment="理由表述不准确")

    case.refresh_from_db()
    assert case.status == Status.REJECTED
    assert case.rejection_reason == fields["rejection_reason"] == "not_labour_dispute"
    assert case.outcome_at == fields["outcome_at"]  # the outcome did not happen again
    assert case.closed_at is None


def test_returned_closure_can_be_submitted_again(submitted_from, director, clerk):
    case = submitted_from(Status.WITHDRAWN)
    services.case_return_closure(case=case, actor=director, comment="补充撤回申请书")

    services.case_submit_closure(case=case, actor=clerk)

    case.refresh_from_db()
    assert (case.status, case.pre_closure_status) == (Status.CLOSING, Status.WITHDRAWN)


@pytest.mark.parametrize("comment", ["", "  \n "])
def test_return_closure_needs_a_comment(submitted_from, director, comment):
    case = submitted_from(Status.TERMINATED)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_return_closure(case=case, actor=director, comment=comment)

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "“退回结案”须填写理由。"
    assert exc.value.fields == {"reason": ["请填写理由。"]}
    assert_unchanged(case, before)


def test_return_closure_without_a_recorded_outcome_is_refused(submitted_from, director, clerk):
    case = submitted_from(Status.TERMINATED)
    damaged = Case.objects.get(pk=case.pk)
    damaged.pre_closure_status = ""
    save_with_history(damaged, actor=clerk, reason="test: lost pre-closure state")
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_return_closure(case=case, actor=director, comment="退回")

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "找不到结案前的状态，无法退回。"
    assert_unchanged(case, before)


@pytest.mark.parametrize(
    "actor_name", ["clerk", "mediator", "auditor", "liaison", "admin_user", "town_director", "other_town_clerk"]
)
def test_return_closure_refused_without_the_director_role(submitted_from, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = submitted_from(Status.REJECTED)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_return_closure(case=case, actor=actor, comment="退回")

    assert exc.value.message == "您无权对本案执行“退回结案”。"
    assert_unchanged(case, before)
