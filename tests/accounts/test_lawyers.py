"""Duty lawyers at acceptance (accounts.lawyers, docs/lawyers.md): the zone of the case, the
lawyer on duty, the conflict check, the record of the director's choice, the accept form and
GET /api/v1/cases/{id}/lawyer-suggestion/."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.lawyers import lawyer_suggest, place_name
from accounts.models import LawFirm, LawyerProfile, LawyerRepresentation, LawyerSuggestion, SuggestionReason
from cases import services
from cases.models import CaseEvent
from cases.workflow import Status
from core.exceptions import PermissionDeniedError
from tests.factories import EmployerFactory
from tests.lawyer_helpers import make_firm, make_lawyer, make_zone, on_duty

TODAY = timezone.localdate


@pytest.fixture
def roster(world: SimpleNamespace) -> SimpleNamespace:
    """Two firms; lawyers wu (firm A), zheng (firm B) and qian (firm A); the west zone (the town
    XHM) with wu on duty today, the city zone (兴丰街道) with zheng on duty today."""
    firm_a, firm_b = make_firm("甲律师事务所"), make_firm("乙律师事务所")
    wu = make_lawyer("wu", firm_a, world.district)
    zheng = make_lawyer("zheng", firm_b, world.district)
    qian = make_lawyer("qian", firm_a, world.district)
    west = make_zone(world.district, "西片区", towns=[world.town])
    city = make_zone(world.district, "城区片区", streets="兴丰街道\n清源街道")
    on_duty(west, wu, TODAY())
    on_duty(city, zheng, TODAY())
    return SimpleNamespace(firm_a=firm_a, firm_b=firm_b, wu=wu, zheng=zheng, qian=qian, west=west, city=city)


def _respondent(case: Any) -> Any:
    return case.parties.get(side="respondent").employer


def test_a_town_case_gets_the_duty_lawyer_of_the_towns_zone(case_in, world, roster):
    case = case_in(Status.REGISTERED, world.town)
    suggestion = lawyer_suggest(case=case)
    assert (suggestion.lawyer, suggestion.zone, suggestion.reason) == (roster.wu, roster.west, "zone_duty")
    assert suggestion.skipped == []
    assert suggestion.note == "值班律师（片区：西片区）：wu"


def test_a_district_case_goes_to_the_zone_named_in_the_employers_address(case_in, roster):
    case = case_in(Status.REGISTERED)
    employer = _respondent(case)
    employer.business_address = "北京市大兴区兴丰街道兴丰大街二段32号"
    employer.save()
    suggestion = lawyer_suggest(case=case)
    assert (suggestion.lawyer, suggestion.zone, suggestion.reason) == (roster.zheng, roster.city, "zone_duty")


def test_the_town_part_of_a_sub_centres_name_matches_addresses(case_in, world, roster):
    assert place_name(world.town) == "西红门镇"
    case = case_in(Status.REGISTERED)
    employer = _respondent(case)
    employer.registered_address = "北京市大兴区西红门镇宏业路9号"
    employer.save()
    assert lawyer_suggest(case=case).zone == roster.west


def test_a_lawyer_who_represented_a_party_is_skipped(case_in, world, roster):
    case = case_in(Status.REGISTERED, world.town)
    LawyerRepresentation.objects.create(lawyer=roster.wu, employer=_respondent(case), note="2024年常年法律顾问")
    suggestion = lawyer_suggest(case=case)
    # wu is skipped; zheng, on duty in the other zone today, is suggested instead
    assert (suggestion.lawyer, suggestion.zone, suggestion.reason) == (roster.zheng, roster.city, "other_zone_duty")
    assert [(s.user_id, s.reason) for s in suggestion.skipped] == [(roster.wu.pk, "曾代理本案当事人")]
    assert "回避：wu（曾代理本案当事人）" in suggestion.note


def test_a_colleague_of_the_same_firm_counts_as_a_conflict_and_the_worker_is_checked_too(case_in, world, roster):
    case = case_in(Status.REGISTERED, world.town)
    worker = case.parties.get(side="applicant").person
    LawyerRepresentation.objects.create(lawyer=roster.qian, person=worker)
    suggestion = lawyer_suggest(case=case)
    assert suggestion.lawyer == roster.zheng
    assert [s.reason for s in suggestion.skipped] == ["同所律师qian曾代理本案当事人"]


def test_when_every_duty_lawyer_conflicts_nobody_is_suggested(case_in, world, roster):
    case = case_in(Status.REGISTERED, world.town)
    for lawyer in (roster.wu, roster.zheng):
        LawyerRepresentation.objects.create(lawyer=lawyer, employer=_respondent(case))
    suggestion = lawyer_suggest(case=case)
    assert (suggestion.lawyer, suggestion.reason) == (None, "all_conflicted")
    assert [s.user_id for s in suggestion.skipped] == [roster.wu.pk, roster.zheng.pk]


def test_no_zone_and_no_roster(case_in, world, roster):
    district_case = case_in(Status.REGISTERED)  # the employer has no address
    assert lawyer_suggest(case=district_case).reason == SuggestionReason.NO_ZONE
    town_case = case_in(Status.REGISTERED, world.town)
    tomorrow = lawyer_suggest(case=town_case, on_date=TODAY() + dt.timedelta(days=1))
    assert (tomorrow.lawyer, tomorrow.reason, tomorrow.zone) == (None, "no_roster", roster.west)


def test_a_duty_lawyer_who_is_not_a_mediator_of_the_centre_is_skipped(case_in, world, roster):
    roster.wu.memberships.update(active=False)
    suggestion = lawyer_suggest(case=case_in(Status.REGISTERED, world.town))
    assert suggestion.lawyer == roster.zheng
    assert [s.reason for s in suggestion.skipped] == ["不是本中心的调解员"]


@pytest.mark.parametrize("taken", [True, False])
def test_acceptance_records_the_suggestion_and_the_choice(case_in, world, roster, people, taken):
    case = case_in(Status.REGISTERED, world.town)
    mediators = [roster.wu, people.mediator] if taken else [people.mediator]
    services.case_accept(case=case, actor=people.director, mediators=mediators)
    record = LawyerSuggestion.objects.get(case=case)
    assert (record.suggested_lawyer, record.zone, record.reason) == (roster.wu, roster.west, "zone_duty")
    assert record.suggestion_taken is taken
    assert record.chosen_mediators == [m.pk for m in mediators]
    assert record.on_date == TODAY()
    assert record.history.get().history_user == people.director


def test_acceptance_records_the_skipped_conflict(case_in, world, roster, people):
    case = case_in(Status.REGISTERED, world.town)
    LawyerRepresentation.objects.create(lawyer=roster.wu, employer=_respondent(case))
    services.case_accept(case=case, actor=people.director, mediators=[roster.zheng])
    record = LawyerSuggestion.objects.get(case=case)
    assert (record.suggested_lawyer, record.suggestion_taken) == (roster.zheng, True)
    assert record.skipped == [{"user_id": roster.wu.pk, "name": "wu", "reason": "曾代理本案当事人"}]


def test_a_refused_acceptance_records_nothing(case_in, world, roster, people, clerk):
    case = case_in(Status.REGISTERED, world.town)
    with pytest.raises(PermissionDeniedError):  # the clerk may not accept
        services.case_accept(case=case, actor=clerk, mediators=[roster.wu])
    assert not LawyerSuggestion.objects.exists()
    assert not CaseEvent.objects.filter(case=case, name="accept").exists()


def test_the_accept_form_preselects_the_duty_lawyer(client, case_in, world, roster, people):
    case = case_in(Status.REGISTERED, world.town)
    LawyerRepresentation.objects.create(lawyer=roster.wu, employer=EmployerFactory())  # another employer: no conflict
    client.force_login(people.director)
    url = reverse("cases:transition", args=[case.pk, "accept"])
    page = client.get(url).content.decode()
    assert "值班律师（片区：西片区）：wu" in page
    assert f'<option value="{roster.wu.pk}" selected>' in page
    response = client.post(url, {"lead_mediator": roster.wu.pk, "note": ""})
    assert response.status_code == 302
    assert LawyerSuggestion.objects.get(case=case).suggestion_taken is True


def test_the_accept_form_shows_the_skipped_conflict(client, case_in, world, roster, people):
    case = case_in(Status.REGISTERED, world.town)
    LawyerRepresentation.objects.create(lawyer=roster.wu, employer=_respondent(case))
    client.force_login(people.director)
    page = client.get(reverse("cases:transition", args=[case.pk, "accept"])).content.decode()
    assert "回避：wu（曾代理本案当事人）" in page
    assert f'<option value="{roster.zheng.pk}" selected>' in page


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_suggestion_api_before_and_after_acceptance(case_in, world, roster, people, other_town_clerk):
    case = case_in(Status.REGISTERED, world.town)
    LawyerRepresentation.objects.create(lawyer=roster.wu, employer=_respondent(case))
    url = f"/api/v1/cases/{case.pk}/lawyer-suggestion/"
    before = _api(people.director).get(url).json()
    assert before["recorded"] is False and before["suggestion_taken"] is None
    assert before["lawyer"] == {
        "user_id": roster.zheng.pk,
        "name": "zheng",
        "licence_number": roster.zheng.lawyer_profile.licence_number,
        "firm": "乙律师事务所",
    }
    assert (before["zone"]["name"], before["reason"]) == ("城区片区", "other_zone_duty")
    assert before["skipped"] == [{"user_id": roster.wu.pk, "name": "wu", "reason": "曾代理本案当事人"}]

    services.case_accept(case=case, actor=people.director, mediators=[people.mediator])
    after = _api(people.clerk).get(url).json()
    assert (after["recorded"], after["suggestion_taken"], after["chosen_mediators"]) == (
        True,
        False,
        [people.mediator.pk],
    )
    assert after["lawyer"]["user_id"] == roster.zheng.pk
    assert _api(other_town_clerk).get(url).status_code == 404


def test_licence_numbers_have_17_digits(world):
    firm = LawFirm(name="丙律师事务所", uscc="91110000MA01ABCD1X")
    with pytest.raises(ValidationError) as error:
        firm.full_clean()
    assert "uscc" in error.value.message_dict
    firm = LawFirm.objects.create(name="丙律师事务所")
    user = make_lawyer("li", firm, world.district)
    profile = LawyerProfile.objects.get(user=user)
    for wrong in ("1110120151000000", "111012015100000001", "1110120151000000X"):
        profile.licence_number = wrong
        with pytest.raises(ValidationError):
            profile.full_clean()
