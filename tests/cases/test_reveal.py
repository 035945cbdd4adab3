"""Reveal of a party's full ID number or phone (cases.reveal): a reason first, every reveal
and every refused attempt logged, the value never in the log, an event or a URL."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from rest_framework.test import APIClient

from cases.models import CaseEvent, PersonalDataReveal
from cases.workflow import Status
from core.history import save_with_history

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
EMPLOYER_PHONE = "13900001111"
REASON = "核对申请人身份，准备受理通知书"


@pytest.fixture
def case(case_in, clerk):
    """A registered case of the district whose applicant has an ID number and a phone."""
    case = case_in(Status.REGISTERED)
    person = case.parties.get(side="applicant").person
    person.id_number, person.phone = ID_NUMBER, PHONE
    save_with_history(person, actor=clerk, reason="补录证件号码")
    employer = case.parties.get(side="respondent").employer
    employer.contact_phone = EMPLOYER_PHONE
    save_with_history(employer, actor=clerk, reason="补录电话")
    return case


@pytest.fixture
def town_case(case_in, world, clerk):
    case = case_in(Status.REGISTERED, world.town)
    person = case.parties.get(side="applicant").person
    person.id_number = ID_NUMBER
    save_with_history(person, actor=clerk, reason="补录证件号码")
    return case


def _applicant(case):
    return case.parties.get(side="applicant")


def _url(case, party) -> str:
    return f"/cases/{case.pk}/parties/{party.pk}/reveal/"


def _api_url(case, party) -> str:
    return f"/api/v1/cases/{case.pk}/parties/{party.pk}/reveal/"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _stored_text(row: PersonalDataReveal) -> str:
    return " ".join(str(getattr(row, f.attname)) for f in PersonalDataReveal._meta.concrete_fields)


def _reveal_events(case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, name="reveal"))


# --- web ------------------------------------------------------------------------------------------


def test_the_case_page_shows_masked_values_with_a_reveal_button_for_the_clerk(client, case, clerk):
    client.force_login(clerk)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    assert ID_NUMBER not in html and PHONE not in html and EMPLOYER_PHONE not in html
    assert "110***********002X" in html
    assert f"{_url(case, _applicant(case))}?field=id_number" in html
    assert html.count('class="reveal-link"') == 3  # ID number and phone of the worker, employer's phone


def test_an_auditor_sees_no_reveal_button(client, case, auditor):
    client.force_login(auditor)

    html = client.get(f"/cases/{case.pk}/").content.decode()

    assert "110***********002X" in html
    assert "reveal-link" not in html
    assert ID_NUMBER not in html


def test_the_form_asks_for_a_reason(client, case, clerk):
    client.force_login(clerk)

    page = client.get(_url(case, _applicant(case)), {"field": "id_number"})
    fragment = client.get(_url(case, _applicant(case)), {"field": "id_number"}, HTTP_HX_REQUEST="true")

    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert ID_NUMBER not in page.content.decode()
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "hx-post" in body and "<html" not in body and ID_NUMBER not in body
    assert not PersonalDataReveal.objects.exists()


def test_the_clerk_reveals_the_id_number_with_a_reason_and_it_is_logged(client, case, clerk):
    client.force_login(clerk)
    party = _applicant(case)

    response = client.post(_url(case, party), {"field": "id_number", "reason": REASON})

    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    row = PersonalDataReveal.objects.get()
    assert (row.case, row.party, row.user, row.field, row.reason, row.granted, row.via) == (
        case,
        party,
        clerk,
        "id_number",
        REASON,
        True,
        "web",
    )
    assert row.remote_addr == "127.0.0.1"
    assert ID_NUMBER not in _stored_text(row)
    (event,) = _reveal_events(case)
    assert (event.kind, event.actor, event.reason, event.payload) == (
        "note",
        clerk,
        REASON,
        {"party": party.pk, "field": "id_number"},
    )
    assert ID_NUMBER not in str(event.payload) + event.reason


def test_htmx_swaps_the_masked_value_for_the_full_one(client, case, mediator):
    client.force_login(mediator)

    response = client.post(_url(case, _applicant(case)), {"field": "phone", "reason": REASON}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert PHONE in body and "<html" not in body
    assert PersonalDataReveal.objects.get().field == "phone"


def test_the_employer_contact_phone_can_be_revealed(client, case, director):
    client.force_login(director)
    party = case.parties.get(side="respondent")

    response = client.post(_url(case, party), {"field": "phone", "reason": REASON})

    assert response.status_code == 200
    assert EMPLOYER_PHONE in response.content.decode()
    assert PersonalDataReveal.objects.get().party == party


@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_without_a_reason_of_four_characters_nothing_is_revealed(client, case, clerk, reason):
    client.force_login(clerk)

    response = client.post(_url(case, _applicant(case)), {"field": "id_number", "reason": reason})

    assert response.status_code == 400
    assert ID_NUMBER not in response.content.decode()
    assert "至少 4 个字" in response.content.decode()
    assert not PersonalDataReveal.objects.exists()
    assert _reveal_events(case) == []


def test_an_unknown_field_is_refused(client, case, clerk):
    client.force_login(clerk)

    response = client.post(_url(case, _applicant(case)), {"field": "address", "reason": REASON})

    assert response.status_code == 400
    assert not PersonalDataReveal.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "admin_user"])
def test_a_role_that_may_not_reveal_gets_403_and_the_attempt_is_logged(client, case, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    party = _applicant(case)

    response = client.post(_url(case, party), {"field": "id_number", "reason": REASON})

    if persona == "admin_user":  # admins see no case content: outside scope
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    row = PersonalDataReveal.objects.get()
    assert (row.user, row.party, row.field, row.granted) == (user, party, "id_number", False)
    assert _reveal_events(case) == []


def test_a_refused_htmx_attempt_answers_a_fragment(client, case, auditor):
    client.force_login(auditor)

    response = client.post(
        _url(case, _applicant(case)), {"field": "id_number", "reason": REASON}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 403
    assert "<html" not in response.content.decode()
    assert PersonalDataReveal.objects.get().granted is False


def test_a_clerk_of_another_town_gets_404_and_the_attempt_is_logged(client, town_case, other_town_clerk):
    client.force_login(other_town_clerk)
    party = _applicant(town_case)

    response = client.post(_url(town_case, party), {"field": "id_number", "reason": REASON})

    assert response.status_code == 404
    assert ID_NUMBER not in response.content.decode()
    row = PersonalDataReveal.objects.get()
    assert (row.user, row.case, row.granted) == (other_town_clerk, town_case, False)
    assert _reveal_events(town_case) == []


def test_a_party_of_another_case_answers_404(client, case, case_in, clerk):
    other = case_in(Status.REGISTERED)
    client.force_login(clerk)

    response = client.post(_url(case, _applicant(other)), {"field": "id_number", "reason": REASON})

    assert response.status_code == 404
    assert not PersonalDataReveal.objects.filter(granted=True).exists()


def test_the_value_never_reaches_the_logs(client, case, clerk, caplog):
    client.force_login(clerk)

    with caplog.at_level(logging.DEBUG):
        client.post(_url(case, _applicant(case)), {"field": "id_number", "reason": REASON})
        _api(clerk).post(_api_url(case, _applicant(case)), {"field": "phone", "reason": REASON}, format="json")

    assert PersonalDataReveal.objects.filter(granted=True).count() == 2
    assert ID_NUMBER not in caplog.text and PHONE not in caplog.text


def test_the_timeline_shows_the_reveal_without_the_value(client, case, clerk):
    client.force_login(clerk)
    client.post(_url(case, _applicant(case)), {"field": "id_number", "reason": REASON})

    html = client.get(f"/cases/{case.pk}/").content.decode()

    assert "查看个人信息（证件号码）" in html and REASON in html
    assert ID_NUMBER not in html


def test_the_reveal_log_is_append_only(client, case, clerk):
    client.force_login(clerk)
    client.post(_url(case, _applicant(case)), {"field": "id_number", "reason": REASON})
    row = PersonalDataReveal.objects.get()

    row.reason = "changed"
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        PersonalDataReveal.objects.update(reason="x")
    with pytest.raises(TypeError):
        PersonalDataReveal.objects.all().delete()
    assert PersonalDataReveal.objects.get().reason == REASON


# --- API ------------------------------------------------------------------------------------------


def test_api_reveals_one_value_and_logs_it(case, director):
    party = _applicant(case)

    response = _api(director).post(_api_url(case, party), {"field": "id_number", "reason": REASON}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"field": "id_number", "value": ID_NUMBER}
    assert response["Cache-Control"] == "no-store"
    row = PersonalDataReveal.objects.get()
    assert (row.user, row.field, row.granted, row.via, row.reason) == (director, "id_number", True, "api", REASON)
    assert len(_reveal_events(case)) == 1


def test_api_without_a_reason_is_400(case, clerk):
    response = _api(clerk).post(_api_url(case, _applicant(case)), {"field": "id_number"}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert not PersonalDataReveal.objects.exists()


def test_api_refuses_the_auditor_with_403_and_logs_it(case, auditor):
    response = _api(auditor).post(_api_url(case, _applicant(case)), {"field": "phone", "reason": REASON}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert PHONE not in response.content.decode()
    row = PersonalDataReveal.objects.get()
    assert (row.granted, row.via, row.field) == (False, "api", "phone")


@pytest.mark.parametrize("persona", ["other_town_clerk", "liaison"])
def test_api_outside_scope_is_404_and_logged(town_case, persona, request):
    user: Any = request.getfixturevalue(persona)

    response = _api(user).post(
        _api_url(town_case, _applicant(town_case)), {"field": "id_number", "reason": REASON}, format="json"
    )

    assert response.status_code == 404
    assert ID_NUMBER not in response.content.decode()
    row = PersonalDataReveal.objects.get()
    assert (row.user, row.granted) == (user, False)


def test_api_unknown_party_is_404_without_a_log_row(case, clerk):
    response = _api(clerk).post(
        f"/api/v1/cases/{case.pk}/parties/999999/reveal/", {"field": "phone", "reason": REASON}, format="json"
    )

    assert response.status_code == 404
    assert not PersonalDataReveal.objects.exists()
