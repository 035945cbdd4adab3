"""One error shape for every error, with the right status; nothing changes on a refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cases.models import Case, CaseEvent, Person
from cases.workflow import Status
from tests.api.conftest import assert_error, draft_payload

V1 = "/api/v1"


# --- 400 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["12.345", "-5", "1e3", "12,000", "１２０００", ""])
def test_bad_amount_is_400_naming_the_claim(api: Any, clerk: Any, amount: str) -> None:
    payload = draft_payload(claims=[{"claim_type": "WAGE", "description": "工资", "amount": amount}])

    error = assert_error(api(clerk).post(f"{V1}/cases/", payload, format="json"), 400, "invalid")

    assert error["message"] == "请求数据有误，请按提示修改。"
    assert list(error["fields"]) == ["claims.0.amount"]
    assert not Case.objects.exists()


def test_amount_as_a_json_number_is_refused(api: Any, clerk: Any) -> None:
    payload = draft_payload(claims=[{"claim_type": "WAGE", "description": "工资", "amount": 12000}])

    error = assert_error(api(clerk).post(f"{V1}/cases/", payload, format="json"), 400, "invalid")

    assert list(error["fields"]) == ["claims.0.amount"]


def test_bad_id_number_is_400_and_nothing_is_saved(api: Any, clerk: Any) -> None:
    payload = draft_payload(
        applicants=[
            {"name": "甲", "id_number": "110105198001011238"},
            {"name": "乙", "id_number": "110105194912310021"},  # wrong check digit
        ]
    )

    error = assert_error(api(clerk).post(f"{V1}/cases/", payload, format="json"), 400, "invalid")

    assert error["fields"] == {"applicants.1.id_number": ["居民身份证号码校验位不正确，请核对。"]}
    assert not Case.objects.exists()
    assert not Person.objects.exists()  # the first applicant was rolled back too


def test_malformed_json_is_400(api: Any, clerk: Any) -> None:
    response = api(clerk).post(f"{V1}/cases/", "{not json", content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_unsupported_media_type_is_415(api: Any, clerk: Any) -> None:
    response = api(clerk).post(f"{V1}/cases/", "dispute_type=PAY", content_type="text/plain")

    assert_error(response, 415, "unsupported_media_type")


def test_guard_refusal_is_400_with_the_reason(api: Any, clerk: Any, case_in: Any) -> None:
    case = Case.objects.create(organization=case_in(Status.DRAFT).organization, dispute_type="PAY", created_by=clerk)

    error = assert_error(api(clerk).post(f"{V1}/cases/{case.pk}/transitions/register/"), 400, "invalid")

    assert "至少一名申请人" in error["message"]
    case.refresh_from_db()
    assert case.status == Status.DRAFT


# --- 403 ----------------------------------------------------------------------------------------


def test_auditor_may_read_but_not_write(api: Any, auditor: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    events = CaseEvent.objects.count()
    client = api(auditor)

    assert client.get(f"{V1}/cases/{case.pk}/").status_code == 200
    error = assert_error(client.post(f"{V1}/cases/{case.pk}/transitions/register/"), 403, "forbidden")
    assert error["message"] == "您的角色只能查看，不能修改案件。"
    assert_error(client.post(f"{V1}/cases/", draft_payload(), format="json"), 403, "forbidden")

    case.refresh_from_db()
    assert case.status == Status.DRAFT
    assert CaseEvent.objects.count() == events
    assert Case.objects.count() == 1


def test_role_without_the_transition_is_403(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.REGISTERED)

    response = api(clerk).post(f"{V1}/cases/{case.pk}/transitions/reject/", {"reason_code": "duplicate"})

    error = assert_error(response, 403, "forbidden")
    assert error["message"] == "您无权对本案执行“不予受理”。"
    # state and role come before the body, as in the services: an empty body is still a 403
    assert_error(api(clerk).post(f"{V1}/cases/{case.pk}/transitions/accept/", {}), 403, "forbidden")

    case.refresh_from_db()
    assert case.status == Status.REGISTERED


# --- 404 ----------------------------------------------------------------------------------------


def test_other_towns_case_is_404_like_a_missing_one(api: Any, town_clerk: Any, case_in: Any, world: Any) -> None:
    theirs = case_in(Status.IN_MEDIATION, world.other_town)
    client = api(town_clerk)
    session = theirs.sessions.get()

    for response in (
        client.get(f"{V1}/cases/{theirs.pk}/"),
        client.get(f"{V1}/cases/{theirs.pk}/history/"),
        client.get(f"{V1}/cases/{theirs.pk}/sessions/{session.pk}/"),
        client.post(f"{V1}/cases/{theirs.pk}/transitions/withdraw/", {"reason_code": "other", "note": "x"}),
        client.get(f"{V1}/cases/999999/"),
    ):
        error = assert_error(response, 404, "not_found")
        assert error["message"] == "未找到该对象，或不在您的权限范围内。"
    theirs.refresh_from_db()
    assert theirs.status == Status.IN_MEDIATION


def test_creating_in_another_towns_organization_is_404(api: Any, town_clerk: Any) -> None:
    response = api(town_clerk).post(f"{V1}/cases/", draft_payload(organization="JG"), format="json")

    assert_error(response, 404, "not_found")
    assert not Case.objects.exists()


def test_another_cases_session_id_is_404(api: Any, clerk: Any, case_in: Any, people: Any) -> None:
    mine = case_in(Status.IN_MEDIATION)
    other = case_in(Status.IN_MEDIATION)
    their_session = other.sessions.get()
    client = api(clerk)

    for response in (
        client.get(f"{V1}/cases/{mine.pk}/sessions/{their_session.pk}/"),
        client.post(f"{V1}/cases/{mine.pk}/sessions/{their_session.pk}/cancel/", {"reason": "x"}),
        client.put(f"{V1}/cases/{mine.pk}/sessions/{their_session.pk}/transcript/", {"blocks": []}, format="json"),
    ):
        assert_error(response, 404, "not_found")
    assert client.get(f"{V1}/cases/{other.pk}/sessions/{their_session.pk}/").status_code == 200


def test_another_cases_obligation_and_party_are_refused(api: Any, clerk: Any, case_in: Any, people: Any) -> None:
    mine = case_in(Status.AGREEMENT_EFFECTIVE)
    other = case_in(Status.AGREEMENT_EFFECTIVE)
    their_obligation = other.agreements.get().obligations.first()
    client = api(clerk)
    payment = {"amount": "1.00", "paid_on": "2020-01-01", "method": "cash"}

    assert_error(
        client.post(f"{V1}/cases/{mine.pk}/obligations/{their_obligation.pk}/payments/", payment), 404, "not_found"
    )
    error = assert_error(
        client.post(
            f"{V1}/cases/{mine.pk}/service-records/",
            {"document": "D3", "recipient": other.parties.first().pk},
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["recipient"]


def test_unknown_transition_is_404(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.ACCEPTED)

    for name in ("fly", "start"):  # start happens by itself with the first session
        assert_error(api(clerk).post(f"{V1}/cases/{case.pk}/transitions/{name}/"), 404, "not_found")


# --- 405 / 409 / 413 ------------------------------------------------------------------------------


def test_wrong_method_is_405(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)

    assert_error(api(clerk).delete(f"{V1}/cases/{case.pk}/"), 405, "method_not_allowed")
    response = api(clerk).delete(f"{V1}/cases/")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert api(clerk).get(f"{V1}/cases/")["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_accepting_twice_is_409(api: Any, director: Any, mediator: Any, case_in: Any) -> None:
    case = case_in(Status.REGISTERED)
    client = api(director)
    body = {"mediators": [mediator.pk]}

    assert client.post(f"{V1}/cases/{case.pk}/transitions/accept/", body, format="json").status_code == 200
    error = assert_error(client.post(f"{V1}/cases/{case.pk}/transitions/accept/", body, format="json"), 409, "conflict")

    assert error["message"] == "案件当前状态为“已受理”，不能“受理”。"
    assert_error(client.post(f"{V1}/cases/{case.pk}/transitions/accept/", {}), 409, "conflict")
    assert CaseEvent.objects.filter(case=case, name="accept").count() == 1
    assert case.assignments.count() == 1


def test_archiving_a_case_that_is_not_closed_is_a_conflict(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.CLOSING)

    error = assert_error(api(clerk).post(f"{V1}/cases/{case.pk}/transitions/archive/"), 409, "conflict")

    assert "归档" in error["message"]


def test_three_megabyte_body_is_413(api: Any, clerk: Any) -> None:
    body = json.dumps(draft_payload(facts_summary="事" * 1_100_000))  # 3 bytes each in UTF-8
    assert len(body.encode()) > 3_000_000

    response = api(clerk).post(f"{V1}/cases/", body, content_type="application/json")

    assert_error(response, 413, "request_too_large")
    assert not Case.objects.exists()


def test_oversized_body_without_a_length_is_413(api: Any, clerk: Any) -> None:
    """A chunked body declares no length: the parser still stops at the limit."""
    from core.api import JSONParser

    class Stream:
        def __init__(self) -> None:
            self.data = b'{"facts_summary": "' + b"x" * 3_000_000 + b'"}'

        def read(self, size: int = -1) -> bytes:
            return self.data[:size] if size >= 0 else self.data

    from django.core.exceptions import RequestDataTooBig

    with pytest.raises(RequestDataTooBig):
        JSONParser().parse(Stream())


# --- input that must never be a 500 -----------------------------------------------------------


def test_extreme_numbers_and_dates_are_refused_not_crashed(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.AGREEMENT_PENDING)
    obligation = case.agreements.get().obligations.first()
    client = api(clerk)
    huge = 10**30

    assert client.get(f"{V1}/cases/?offset={huge}").status_code == 200
    assert client.get(f"{V1}/cases/?mediator={huge}").status_code == 400
    assert_error(client.get(f"{V1}/cases/{huge}/"), 404, "not_found")
    assert_error(client.get(f"{V1}/cases/{case.pk}/sessions/{huge}/"), 404, "not_found")
    error = assert_error(
        client.put(f"{V1}/cases/{case.pk}/agreement/obligations/{obligation.pk}/", {"due_on": "9999-12-31"}),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["due_on"]
    session = {
        "kind": "phone",
        "starts_at": "0001-01-01T00:00:00",
        "ends_at": "0001-01-01T01:00:00+08:00",
        "mediators": [],
    }
    error = assert_error(client.post(f"{V1}/cases/{case.pk}/sessions/", session), 400, "invalid")
    assert {"starts_at", "ends_at", "mediators"} <= set(error["fields"])


def test_text_with_nul_characters_is_refused(api: Any, clerk: Any) -> None:
    payload = draft_payload(facts_summary="a\x00b")

    error = assert_error(api(clerk).post(f"{V1}/cases/", payload), 400, "invalid")

    assert list(error["fields"]) == ["facts_summary"]


def test_body_of_the_wrong_shape_is_400(api: Any, clerk: Any) -> None:
    assert_error(api(clerk).post(f"{V1}/cases/", [1, 2]), 400, "invalid")
    assert_error(api(clerk).post(f"{V1}/cases/", "null", content_type="application/json"), 400, "invalid")
    error = assert_error(api(clerk).post(f"{V1}/cases/", draft_payload(applicants="x")), 400, "invalid")
    assert list(error["fields"]) == ["applicants"]


def test_browser_session_without_csrf_token_is_403(clerk: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clerk)

    error = assert_error(client.post(f"{V1}/cases/", draft_payload()), 403, "forbidden")

    assert "CSRF" in error["message"]
    assert not Case.objects.exists()


def test_deeply_nested_json_is_400(api: Any, clerk: Any) -> None:
    body = "[" * 100_000 + "]" * 100_000

    assert_error(api(clerk).post(f"{V1}/cases/", body, content_type="application/json"), 400, "parse_error")
