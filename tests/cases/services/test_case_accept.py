"""受理 (accept): registered/awaiting_consent -> accepted; director; allocates the case number,
assigns mediators and starts the mediation clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseAssignment, CaseNumberSequence
from cases.workflow import Status
from core.exceptions import ApplicationError, PermissionDeniedError
from tests.cases.services.helpers import (
    assert_transition_recorded,
    assert_unchanged,
    beijing,
    last_event,
    last_history,
    snapshot,
)

SOURCES = (Status.REGISTERED, Status.AWAITING_CONSENT)


@pytest.fixture
def registered(case_in, clerk):
    """A case registered on Monday 2 March 2026 (so numbering years and clocks are fixed)."""

    def make(organization=None):
        case = case_in(Status.DRAFT, organization)
        return services.case_register(case=case, actor=clerk, received_at=beijing(2026, 3, 2))

    return make


@pytest.mark.parametrize("state", SOURCES)
def test_accept_from_each_allowed_state(case_in, director, mediator, state):
    case = case_in(state)

    result = services.case_accept(case=case, actor=director, mediators=[mediator])

    case.refresh_from_db()
    assert result.status == case.status == Status.ACCEPTED


def test_accept_without_mediators_is_refused(case_in, director):
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_accept(case=case, actor=director, mediators=[])

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "受理时须指派至少一名调解员。"
    assert exc.value.fields == {"mediators": ["请选择调解员。"]}
    assert_unchanged(case, before)


@pytest.mark.parametrize("not_a_mediator", ["clerk", "auditor", "town_mediator"])
def test_accept_with_someone_who_is_not_a_mediator_of_the_centre_is_refused(
    case_in, request, director, mediator, not_a_mediator
):
    # town_mediator mediates for a sub-centre, not for the district centre that owns the case.
    other = request.getfixturevalue(not_a_mediator)
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_accept(case=case, actor=director, mediators=[mediator, other])

    assert type(exc.value) is ApplicationError
    assert exc.value.message == f"{other} 不是本中心的调解员。"
    assert exc.value.fields == {"mediators": ["请选择本中心的调解员。"]}
    assert_unchanged(case, before)


@pytest.mark.parametrize(
    "actor_name", ["clerk", "mediator", "auditor", "liaison", "admin_user", "town_director", "town_clerk"]
)
def test_accept_refused_without_the_director_role_over_the_case(case_in, request, mediator, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.REGISTERED)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_accept(case=case, actor=actor, mediators=[mediator])

    assert exc.value.message == "您无权对本案执行“受理”。"
    assert_unchanged(case, before)
    assert not CaseNumberSequence.objects.filter(series="case").exists()
    assert not CaseAssignment.objects.filter(case=case).exists()


def test_accept_allocates_number_assigns_mediator_and_starts_the_clock(registered, director, mediator):
    case = registered()
    before = snapshot(case)
    accepted = beijing(2026, 3, 5, 14, 0)

    services.case_accept(case=case, actor=director, mediators=[mediator], accepted_at=accepted, note="符合受理条件")

    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.case_number == "（2026）京兴工调字第0001号"
    assert case.registry_number == "（2026）京兴工调登字第0001号"  # the registry number is kept
    assert case.accepted_at == accepted
    assert case.mediation_due_on == dt.date(2026, 3, 20)  # 15 calendar days, start day excluded
    assert case.clerk is None
    assert list(CaseAssignment.objects.filter(case=case).values_list("user_id", "role", "active")) == [
        (mediator.pk, "lead", True)
    ]
    assert_transition_recorded(
        case,
        before,
        name="accept",
        from_status=Status.REGISTERED,
        to_status=Status.ACCEPTED,
        actor=director,
        reason="符合受理条件",
    )
    assert last_history(case).history_change_reason == "accept: 符合受理条件"
    assert last_event(case).payload == {"case_number": "（2026）京兴工调字第0001号", "mediators": [mediator.pk]}
    assert sorted(CaseNumberSequence.objects.values_list("series", "year", "last_value")) == [
        ("case", 2026, 1),
        ("registry", 2026, 1),
    ]


def test_accept_records_the_assignment_history_with_the_director(registered, director, mediator):
    case = registered()

    services.case_accept(case=case, actor=director, mediators=[mediator])

    assignment = CaseAssignment.objects.get(case=case)
    assert [(row.history_user_id, row.history_type) for row in assignment.history.all()] == [(director.pk, "+")]


def test_accept_from_awaiting_consent_records_that_source(case_in, director, mediator):
    case = case_in(Status.AWAITING_CONSENT)
    before = snapshot(case)

    services.case_accept(case=case, actor=director, mediators=[mediator])

    case.refresh_from_db()
    assert_transition_recorded(
        case, before, name="accept", from_status=Status.AWAITING_CONSENT, to_status=Status.ACCEPTED, actor=director
    )


def test_accept_first_mediator_leads_and_clerk_is_recorded(registered, director, mediator, director_mediator, clerk):
    case = registered()

    services.case_accept(case=case, actor=director, mediators=[director_mediator, mediator], clerk=clerk)

    case.refresh_from_db()
    assert case.clerk == clerk
    assert list(CaseAssignment.objects.filter(case=case).order_by("pk").values_list("user_id", "role")) == [
        (director_mediator.pk, "lead"),
        (mediator.pk, "co"),
    ]


def test_accept_numbers_run_per_organisation(registered, world, director, mediator):
    first, second, town = registered(), registered(), registered(world.town)

    for case in (first, second, town):
        services.case_accept(case=case, actor=director, mediators=[mediator], accepted_at=beijing(2026, 3, 5))

    for case in (first, second, town):
        case.refresh_from_db()
    assert first.case_number == "（2026）京兴工调字第0001号"
    assert second.case_number == "（2026）京兴工调字第0002号"
    assert town.case_number == "（2026）京兴西工调字第0001号"


def test_town_director_accepts_a_town_case(registered, world, town_director, town_mediator):
    case = registered(world.town)

    services.case_accept(case=case, actor=town_director, mediators=[town_mediator], accepted_at=beijing(2026, 3, 5))

    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.case_number == "（2026）京兴西工调字第0001号"


def test_accept_number_year_is_the_beijing_year_of_acceptance(registered, director, mediator):
    case = registered()

    # 00:10 on 1 January in Beijing is still 31 December in UTC.
    services.case_accept(case=case, actor=director, mediators=[mediator], accepted_at=beijing(2027, 1, 1, 0, 10))

    case.refresh_from_db()
    assert case.case_number == "（2027）京兴工调字第0001号"
    assert case.mediation_due_on == dt.date(2027, 1, 18)  # 1-16 is a Saturday: rolled to Monday


def test_accept_without_a_time_uses_now(case_in, director, mediator):
    case = case_in(Status.REGISTERED)
    start = timezone.now()

    services.case_accept(case=case, actor=director, mediators=[mediator])

    case.refresh_from_db()
    assert start <= case.accepted_at <= timezone.now()
    assert case.case_number == f"（{timezone.localdate(case.accepted_at).year}）京兴工调字第0001号"
