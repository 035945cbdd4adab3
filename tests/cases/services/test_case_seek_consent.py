"""征询对方意见 (seek_consent): registered -> awaiting_consent; clerk or mediator."""

from __future__ import annotations

import pytest

from cases import services
from cases.workflow import Status
from core.exceptions import PermissionDeniedError
from tests.cases.services.helpers import (
    assert_transition_recorded,
    assert_unchanged,
    last_history,
    snapshot,
)


@pytest.mark.parametrize("actor_name", ["clerk", "mediator"])
def test_seek_consent_from_registered(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.REGISTERED)

    result = services.case_seek_consent(case=case, actor=actor)

    case.refresh_from_db()
    assert result.status == case.status == Status.AWAITING_CONSENT


@pytest.mark.parametrize(
    "actor_name", ["director", "auditor", "liaison", "admin_user", "town_clerk", "other_town_clerk"]
)
def test_seek_consent_refused_without_the_role(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_seek_consent(case=case, actor=actor)

    assert exc.value.message == "您无权对本案执行“征询对方意见”。"
    assert_unchanged(case, before)


def test_seek_consent_records_the_event_and_keeps_the_clocks(case_in, mediator):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    services.case_seek_consent(case=case, actor=mediator, note="电话联系被申请人")

    case.refresh_from_db()
    assert case.status == Status.AWAITING_CONSENT
    assert_transition_recorded(
        case,
        before,
        name="seek_consent",
        from_status=Status.REGISTERED,
        to_status=Status.AWAITING_CONSENT,
        actor=mediator,
        reason="电话联系被申请人",
    )
    assert last_history(case).history_change_reason == "seek_consent: 电话联系被申请人"
    unchanged = dict(before.fields)
    assert (case.registry_number, case.received_at, case.acceptance_due_on, case.arbitration_release_on) == (
        unchanged["registry_number"],
        unchanged["received_at"],
        unchanged["acceptance_due_on"],
        unchanged["arbitration_release_on"],
    )
    assert before.sequences == snapshot(case).sequences
