"""撤回 (withdraw): registered .. agreement_pending -> withdrawn; clerk or mediator; reason code."""

from __future__ import annotations

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

SOURCES = (
    Status.REGISTERED,
    Status.AWAITING_CONSENT,
    Status.ACCEPTED,
    Status.IN_MEDIATION,
    Status.AGREEMENT_PENDING,
)


@pytest.mark.parametrize("state", SOURCES)
def test_withdraw_from_each_allowed_state(case_in, clerk, state):
    case = case_in(state)

    result = services.case_withdraw(case=case, actor=clerk, reason_code="settled_privately")

    case.refresh_from_db()
    assert result.status == case.status == Status.WITHDRAWN


@pytest.mark.parametrize("note", ["", "  "])
def test_withdraw_for_other_reason_needs_an_explanation(case_in, clerk, note):
    case = case_in(Status.ACCEPTED)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_withdraw(case=case, actor=clerk, reason_code="other", note=note)

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "理由选择“其他”时须填写具体说明。"
    assert_unchanged(case, before)


@pytest.mark.parametrize("code", ["", "not_labour_dispute"])
def test_withdraw_with_an_unknown_reason_code_is_refused(case_in, clerk, code):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_withdraw(case=case, actor=clerk, reason_code=code)

    assert type(exc.value) is ApplicationError
    assert exc.value.fields == {"reason_code": ["请选择理由。"]}
    assert_unchanged(case, before)


@pytest.mark.parametrize(
    "actor_name", ["director", "auditor", "liaison", "admin_user", "town_clerk", "other_town_clerk"]
)
def test_withdraw_refused_without_the_role(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.IN_MEDIATION)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_withdraw(case=case, actor=actor, reason_code="settled_privately")

    assert exc.value.message == "您无权对本案执行“撤回”。"
    assert_unchanged(case, before)


def test_withdraw_records_reason_note_and_outcome_time(case_in, mediator):
    case = case_in(Status.IN_MEDIATION)
    before = snapshot(case)
    start = timezone.now()

    services.case_withdraw(case=case, actor=mediator, reason_code="chose_arbitration", note="申请人已向仲裁委申请")

    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert case.withdrawal_reason == "chose_arbitration"
    assert case.outcome_note == "申请人已向仲裁委申请"
    assert start <= case.outcome_at <= timezone.now()
    assert case.case_number == dict(before.fields)["case_number"]
    assert_transition_recorded(
        case,
        before,
        name="withdraw",
        from_status=Status.IN_MEDIATION,
        to_status=Status.WITHDRAWN,
        actor=mediator,
        reason="申请人已向仲裁委申请",
    )
    assert last_history(case).history_change_reason == "withdraw: 申请人已向仲裁委申请"
