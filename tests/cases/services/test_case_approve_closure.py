"""批准结案 (approve_closure): closing -> closed; a director who is not a mediator of the case."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases import services
from cases.workflow import Status
from core.exceptions import PermissionDeniedError
from tests.cases.services.helpers import (
    assert_transition_recorded,
    assert_unchanged,
    serve_pending_documents,
    snapshot,
)


@pytest.fixture
def closing_case_mediated_by(case_in, director, clerk):
    """A case in closing whose (only) assigned mediator is `mediator_user`."""

    def make(mediator_user):
        case = case_in(Status.REGISTERED)
        services.case_accept(case=case, actor=director, mediators=[mediator_user])
        services.case_terminate(case=case, actor=director, reason_code="no_agreement")
        serve_pending_documents(case, clerk)
        return services.case_submit_closure(case=case, actor=clerk)

    return make


def test_approve_closure_from_closing(case_in, director):
    case = case_in(Status.CLOSING)

    result = services.case_approve_closure(case=case, actor=director)

    case.refresh_from_db()
    assert result.status == case.status == Status.CLOSED


@pytest.mark.parametrize(
    "actor_name", ["clerk", "mediator", "auditor", "liaison", "admin_user", "town_director", "other_town_clerk"]
)
def test_approve_closure_refused_without_the_director_role(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.CLOSING)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_approve_closure(case=case, actor=actor)

    assert exc.value.message == "您无权对本案执行“批准结案”。"
    assert_unchanged(case, before)


def test_assigned_mediator_of_the_case_cannot_approve_even_as_director(closing_case_mediated_by, director_mediator):
    case = closing_case_mediated_by(director_mediator)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_approve_closure(case=case, actor=director_mediator)

    assert exc.value.message == "您无权对本案执行“批准结案”。"
    assert_unchanged(case, before)


def test_the_plain_mediator_of_the_case_cannot_approve(closing_case_mediated_by, mediator):
    case = closing_case_mediated_by(mediator)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError):
        services.case_approve_closure(case=case, actor=mediator)

    assert_unchanged(case, before)


def test_a_director_who_did_not_mediate_the_case_approves(closing_case_mediated_by, director_mediator, second_director):
    case = closing_case_mediated_by(director_mediator)

    services.case_approve_closure(case=case, actor=second_director)

    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_director_mediator_approves_a_case_he_did_not_mediate(closing_case_mediated_by, mediator, director_mediator):
    case = closing_case_mediated_by(mediator)

    services.case_approve_closure(case=case, actor=director_mediator)

    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_approve_closure_sets_closed_at_and_records_the_event(case_in, director):
    case = case_in(Status.CLOSING)
    before = snapshot(case)
    outcome_at = dict(before.fields)["outcome_at"]
    start = timezone.now()

    services.case_approve_closure(case=case, actor=director, note="同意结案")

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert start <= case.closed_at <= timezone.now()
    assert case.outcome_at == outcome_at
    assert_transition_recorded(
        case,
        before,
        name="approve_closure",
        from_status=Status.CLOSING,
        to_status=Status.CLOSED,
        actor=director,
        reason="同意结案",
    )
