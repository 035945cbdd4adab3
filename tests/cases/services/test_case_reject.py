"""不予受理 (reject): registered/awaiting_consent -> rejected; director; reason code required."""

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

SOURCES = (Status.REGISTERED, Status.AWAITING_CONSENT)


@pytest.mark.parametrize("state", SOURCES)
def test_reject_from_each_allowed_state(case_in, director, state):
    case = case_in(state)

    result = services.case_reject(case=case, actor=director, reason_code="not_labour_dispute")

    case.refresh_from_db()
    assert result.status == case.status == Status.REJECTED


@pytest.mark.parametrize("note", ["", "   \n"])
def test_reject_for_other_reason_needs_an_explanation(case_in, director, note):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_reject(case=case, actor=director, reason_code="other", note=note)

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "理由选择“其他”时须填写具体说明。"
    assert_unchanged(case, before)


@pytest.mark.parametrize("code", ["", "no_such_reason", "settled_privately"])
def test_reject_with_an_unknown_reason_code_is_refused(case_in, director, code):
    # settled_privately is a withdrawal reason, not a rejection reason.
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_reject(case=case, actor=director, reason_code=code)

    assert type(exc.value) is ApplicationError
    assert exc.value.fields == {"reason_code": ["请选择理由。"]}
    assert_unchanged(case, before)


@pytest.mark.parametrize(
    "actor_name", ["clerk", "mediator", "auditor", "liaison", "admin_user", "town_director", "other_town_clerk"]
)
def test_reject_refused_without_the_director_role(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_reject(case=case, actor=actor, reason_code="not_labour_dispute")

    assert exc.value.message == "您无权对本案执行“不予受理”。"
    assert_unchanged(case, before)


def test_reject_records_reason_note_and_outcome_time(case_in, director):
    case = case_in(Status.AWAITING_CONSENT)
    before = snapshot(case)
    start = timezone.now()

    services.case_reject(case=case, actor=director, reason_code="respondent_refused", note="被申请人书面拒绝调解")

    case.refresh_from_db()
    assert case.status == Status.REJECTED
    assert case.rejection_reason == "respondent_refused"
    assert case.outcome_note == "被申请人书面拒绝调解"
    assert start <= case.outcome_at <= timezone.now()
    assert case.case_number is None
    assert_transition_recorded(
        case,
        before,
        name="reject",
        from_status=Status.AWAITING_CONSENT,
        to_status=Status.REJECTED,
        actor=director,
        reason="被申请人书面拒绝调解",
    )
    assert last_history(case).history_change_reason == "reject: 被申请人书面拒绝调解"


def test_reject_for_other_reason_with_an_explanation(case_in, director):
    case = case_in(Status.REGISTERED)

    services.case_reject(case=case, actor=director, reason_code="other", note="申请人系公务员，不属劳动争议调解范围")

    case.refresh_from_db()
    assert (case.status, case.rejection_reason, case.outcome_note) == (
        Status.REJECTED,
        "other",
        "申请人系公务员，不属劳动争议调解范围",
    )
