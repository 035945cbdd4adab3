"""登记 (register): draft -> registered; clerk or mediator; needs applicant, respondent, claim."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseNumberSequence
from cases.workflow import Status
from core.exceptions import ApplicationError, PermissionDeniedError
from tests.cases.services.helpers import (
    assert_transition_recorded,
    assert_unchanged,
    beijing,
    last_event,
    snapshot,
)
from tests.factories import CaseFactory, PersonFactory


@pytest.mark.parametrize("actor_name", ["clerk", "mediator"])
def test_register_from_draft_by_each_allowed_role(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.DRAFT)

    result = services.case_register(case=case, actor=actor)

    case.refresh_from_db()
    assert result.status == case.status == Status.REGISTERED


def test_register_town_case_by_town_clerk(case_in, world, town_clerk):
    case = case_in(Status.DRAFT, organization=world.town)

    services.case_register(case=case, actor=town_clerk, received_at=beijing(2026, 3, 2))

    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.registry_number == "（2026）京兴西工调登字第0001号"


def test_register_without_parties_or_claims_names_what_is_missing(world, clerk):
    case = CaseFactory(organization=world.district, created_by=clerk, with_parties=False)
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_register(case=case, actor=clerk)

    assert type(exc.value) is ApplicationError  # a guard refusal, not "no permission"
    assert exc.value.message == "登记前需补充：至少一名申请人、至少一名被申请人、至少一项请求事项。"
    assert_unchanged(case, before)
    assert not CaseNumberSequence.objects.exists()


def test_register_with_applicant_only_asks_for_respondent_and_claim(world, clerk):
    case = CaseFactory(organization=world.district, created_by=clerk, with_parties=False)
    services.case_party_add(case=case, actor=clerk, side="applicant", person=PersonFactory())
    before = snapshot(case)

    with pytest.raises(ApplicationError) as exc:
        services.case_register(case=case, actor=clerk)

    assert type(exc.value) is ApplicationError
    assert exc.value.message == "登记前需补充：至少一名被申请人、至少一项请求事项。"
    assert_unchanged(case, before)


@pytest.mark.parametrize(
    "actor_name", ["director", "auditor", "liaison", "admin_user", "town_clerk", "other_town_clerk"]
)
def test_register_refused_without_the_role_over_the_case(case_in, request, actor_name):
    actor = request.getfixturevalue(actor_name)
    case = case_in(Status.DRAFT)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError) as exc:
        services.case_register(case=case, actor=actor)

    assert exc.value.message == "您无权对本案执行“登记”。"
    assert_unchanged(case, before)
    assert not CaseNumberSequence.objects.exists()


def test_register_town_case_refused_for_the_other_towns_clerk(case_in, world, other_town_clerk):
    case = case_in(Status.DRAFT, organization=world.town)
    before = snapshot(case)

    with pytest.raises(PermissionDeniedError):
        services.case_register(case=case, actor=other_town_clerk)

    assert_unchanged(case, before)


def test_register_records_receipt_number_and_clocks(case_in, clerk):
    case = case_in(Status.DRAFT)
    before = snapshot(case)
    received = beijing(2026, 3, 2, 10, 30)  # a Monday, no holidays nearby

    services.case_register(case=case, actor=clerk, received_at=received)

    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.received_at == received
    assert case.registry_number == "（2026）京兴工调登字第0001号"
    assert case.acceptance_due_on == dt.date(2026, 3, 5)  # 3 working days, start day excluded
    assert case.arbitration_release_on == dt.date(2026, 3, 17)  # 15 calendar days
    assert case.case_number is None
    assert case.accepted_at is None
    assert_transition_recorded(
        case, before, name="register", from_status=Status.DRAFT, to_status=Status.REGISTERED, actor=clerk
    )
    assert last_event(case).payload == {"registry_number": "（2026）京兴工调登字第0001号"}
    sequence = CaseNumberSequence.objects.get()
    assert (sequence.organization_id, sequence.year, sequence.series, sequence.last_value) == (
        case.organization_id,
        2026,
        "registry",
        1,
    )


def test_register_clocks_skip_the_spring_festival(case_in, clerk):
    case = case_in(Status.DRAFT)

    services.case_register(case=case, actor=clerk, received_at=beijing(2026, 2, 13))  # Friday before 春节

    case.refresh_from_db()
    # 2-14 is a make-up working day (1), 2-15..2-23 are holidays, then 2-24 (2) and 2-25 (3).
    assert case.acceptance_due_on == dt.date(2026, 2, 25)
    # 2-28 is a Saturday but a make-up working day, so the period ends on it.
    assert case.arbitration_release_on == dt.date(2026, 2, 28)


def test_register_numbers_follow_each_other_per_organisation(case_in, world, clerk):
    first, second, town = case_in(Status.DRAFT), case_in(Status.DRAFT), case_in(Status.DRAFT, world.town)

    for case in (first, second, town):
        services.case_register(case=case, actor=clerk, received_at=beijing(2026, 3, 2))

    for case in (first, second, town):
        case.refresh_from_db()
    assert first.registry_number == "（2026）京兴工调登字第0001号"
    assert second.registry_number == "（2026）京兴工调登字第0002号"
    assert town.registry_number == "（2026）京兴西工调登字第0001号"


def test_register_numbers_by_the_beijing_year(case_in, clerk):
    new_years_eve, new_year = case_in(Status.DRAFT), case_in(Status.DRAFT)

    # 23:30 and 00:10 Beijing time are both 31 December in UTC.
    services.case_register(case=new_years_eve, actor=clerk, received_at=beijing(2026, 12, 31, 23, 30))
    services.case_register(case=new_year, actor=clerk, received_at=beijing(2027, 1, 1, 0, 10))

    new_years_eve.refresh_from_db()
    new_year.refresh_from_db()
    assert new_years_eve.registry_number == "（2026）京兴工调登字第0001号"
    assert new_year.registry_number == "（2027）京兴工调登字第0001号"


def test_register_without_a_time_uses_now(case_in, clerk):
    case = case_in(Status.DRAFT)
    start = timezone.now()

    services.case_register(case=case, actor=clerk)

    case.refresh_from_db()
    assert start <= case.received_at <= timezone.now()
    assert case.registry_number == f"（{timezone.localdate(case.received_at).year}）京兴工调登字第0001号"
