"""Cases through the API: list with the UI's filters, create, detail, history; money as
strings with two decimals, times with +08:00, personal data masked as on the case page."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.workflow import Status
from tests.api.conftest import ID_NUMBER, USCC, assert_error, draft_payload
from tests.factories import CaseFactory

V1 = "/api/v1"
BEIJING_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$")


def test_create_a_draft_with_parties_and_claims(api: Any, clerk: Any) -> None:
    response = api(clerk).post(f"{V1}/cases/", draft_payload(), format="json")

    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "draft"
    assert case["organization"] == {"code": "DX", "name": "大兴区总工会劳动争议调解中心"}
    assert [p["side"] for p in case["parties"]] == ["applicant", "respondent"]
    assert [(c["claim_type"], c["amount"]) for c in case["claims"]] == [("WAGE", "12000.00"), ("CERT", None)]
    assert case["amounts"] == {"claimed": "12000.00", "agreed": "0.00", "recovered": "0.00"}
    assert [(t["name"], t["blockers"]) for t in case["available_transitions"]] == [("register", [])]
    assert Case.objects.get().created_by == clerk


def test_personal_data_is_masked_as_in_the_ui(api: Any, clerk: Any) -> None:
    response = api(clerk).post(f"{V1}/cases/", draft_payload(), format="json")
    case = api(clerk).get(f"{V1}/cases/{response.json()['id']}/")

    applicant, respondent = case.json()["parties"]
    assert applicant["person"] == {
        "name": "王小明",
        "id_type": "resident_id",
        "id_number_masked": "110***********002X",
        "phone_masked": "138****8000",
    }
    assert respondent["employer"]["uscc"] == USCC  # not personal data: in clear, as on the case page
    for body in (response.content, case.content):
        assert ID_NUMBER.encode() not in body
        assert b"13800138000" not in body
        assert "北京市大兴区".encode() not in body  # the address is not on the case page either


def test_times_are_beijing_time_and_money_has_two_decimals(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.ACCEPTED)

    body = api(clerk).get(f"{V1}/cases/{case.pk}/").json()

    for field in ("created_at", "updated_at", "received_at", "accepted_at"):
        assert BEIJING_TIME.match(body[field]), (field, body[field])
    assert BEIJING_TIME.match(body["assignments"][0]["assigned_at"])
    assert body["claims"][0]["amount"] == "12000.00"
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", body["mediation_due_on"])
    listed = api(clerk).get(f"{V1}/cases/").json()["results"][0]
    assert listed["amount_claimed"] == "12000.00"
    assert BEIJING_TIME.match(listed["received_at"])


def test_detail_lists_what_the_caller_may_do(api: Any, director: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.REGISTERED)

    for_director = api(director).get(f"{V1}/cases/{case.pk}/").json()["available_transitions"]
    for_clerk = api(clerk).get(f"{V1}/cases/{case.pk}/").json()["available_transitions"]

    assert {t["name"] for t in for_director} == {"accept", "reject"}
    assert {t["name"] for t in for_clerk} == {"seek_consent", "withdraw"}
    assert all(t["label"] and t["blockers"] == [] for t in for_director)


def test_history(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.REJECTED)

    events = api(clerk).get(f"{V1}/cases/{case.pk}/history/").json()

    assert [(e["kind"], e["name"], e["from_status"], e["to_status"]) for e in events[-2:]] == [
        ("transition", "register", "draft", "registered"),
        ("transition", "reject", "registered", "rejected"),
    ]
    assert events[-1]["actor"]["name"] == "director"
    assert BEIJING_TIME.match(events[-1]["time"])


def test_list_filters_like_the_ui(api: Any, clerk: Any, case_in: Any, world: Any) -> None:
    registered = case_in(Status.REGISTERED)
    in_town = case_in(Status.DRAFT, world.town)
    client = api(clerk)

    def ids(query: str) -> set[int]:
        response = client.get(f"{V1}/cases/{query}")
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert ids("") == {registered.pk, in_town.pk}
    assert ids("?status=registered") == {registered.pk}
    assert ids("?organization=XHM") == {in_town.pk}
    assert ids(f"?q={registered.registry_number}") == {registered.pk}
    assert ids("?overdue=true") == set()
    assert ids("?order=-received_at&dispute_type=PAY") == {registered.pk, in_town.pk}
    assert_error(client.get(f"{V1}/cases/?status=bogus"), 400, "invalid")
    assert_error(client.get(f"{V1}/cases/?received_from=2024-02-30"), 400, "invalid")


def test_list_is_scoped_and_paginated(api: Any, town_clerk: Any, clerk: Any, world: Any) -> None:
    for _ in range(3):
        CaseFactory(organization=world.town, created_by=clerk)
    CaseFactory(organization=world.other_town, created_by=clerk)

    page = api(town_clerk).get(f"{V1}/cases/?limit=2").json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert "offset=2" in page["next"]
    assert api(town_clerk).get(f"{V1}/cases/?limit=100000").status_code == 200


def test_list_query_count_does_not_grow_with_rows(api: Any, clerk: Any, world: Any) -> None:
    client = api(clerk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{V1}/cases/").status_code == 200
        return len(captured)

    CaseFactory(organization=world.town, created_by=clerk)
    few = queries()
    for _ in range(12):
        CaseFactory(organization=world.district, created_by=clerk)
    assert queries() == few
    assert few <= 8


def test_parties_and_claims_added_to_a_draft(api: Any, clerk: Any) -> None:
    client = api(clerk)
    case = client.post(f"{V1}/cases/", draft_payload(applicants=[], claims=[]), format="json").json()

    party = client.post(
        f"{V1}/cases/{case['id']}/parties/",
        {"side": "applicant", "person": {"name": "赵六", "phone": "010-69243456"}},
        format="json",
    )
    assert party.status_code == 201, party.content
    assert party.json()["person"]["phone_masked"] == "010-****3456"
    claim = client.post(
        f"{V1}/cases/{case['id']}/claims/",
        {"claim_type": "OT", "description": "加班费", "amount": "3000.5", "claimant": party.json()["id"]},
        format="json",
    )
    assert claim.status_code == 201, claim.content
    assert claim.json()["amount"] == "3000.50"
    both = client.post(
        f"{V1}/cases/{case['id']}/parties/",
        {"side": "applicant", "person": {"name": "甲"}, "employer": {"name": "乙"}},
        format="json",
    )
    assert_error(both, 400, "invalid")
    assert client.post(f"{V1}/cases/{case['id']}/transitions/register/").json()["status"] == "registered"
