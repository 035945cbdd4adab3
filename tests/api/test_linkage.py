"""Linkage through the API: a transfer from draft to an outcome with money recovered through
the court, the liaison's inbox and scope, and the refusals in the one error shape."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import system_user
from cases.workflow import Status
from core.history import save_with_history
from tests.api.conftest import assert_error, draft_payload
from tests.api.test_no_server_error import GARBAGE, _values_of_the_wrong_type
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

V1 = "/api/v1"
TODAY = timezone.localdate


@pytest.fixture
def confirmable(world: SimpleNamespace) -> None:
    """The district is on the court's list of invited mediation organisations."""
    world.district.court_listed = True
    save_with_history(world.district, actor=system_user(), reason="listed by the court")


@pytest.fixture
def arbitration(world: SimpleNamespace) -> Any:
    return AgencyFactory(code="arb", name="大兴区劳动人事争议仲裁委员会", kind="arbitration", district=world.district)


@pytest.fixture
def arbitration_liaison(arbitration: Any) -> Any:
    user = UserFactory(username="arb_liaison", full_name="arb_liaison")
    MembershipFactory(user=user, role="liaison", organization=None, agency=arbitration)
    return user


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def _draft(client: APIClient, case_id: int, transfer_type: str = "judicial_confirmation", agency: Any = "court") -> Any:
    body = {"transfer_type": transfer_type, "agency": agency, "reason": "双方共同申请司法确认。"}
    return client.post(f"{V1}/cases/{case_id}/transfers/", body, format="json")


def _sent(
    api: Callable[[Any], APIClient],
    people: SimpleNamespace,
    case_id: int,
    transfer_type: str = "judicial_confirmation",
    agency: Any = "court",
) -> dict[str, Any]:
    transfer = _ok(_draft(api(people.mediator), case_id, transfer_type, agency), 201)
    path = f"{V1}/cases/{case_id}/transfers/{transfer['id']}"
    _ok(api(people.director).post(f"{path}/approve/", format="json"))
    body = {"sent_on": TODAY().isoformat(), "channel": "in_person"}
    return _ok(api(people.clerk).post(f"{path}/send/", body, format="json"))


def test_judicial_confirmation_with_money_recovered_through_the_court(
    api: Any, case_in: Any, people: SimpleNamespace, liaison: Any, confirmable: None
) -> None:
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    mediator, director, clerk, court = api(people.mediator), api(people.director), api(people.clerk), api(liaison)

    options = _ok(mediator.get(f"{V1}/cases/{case.pk}/transfer-options/"))
    confirmation = next(o for o in options if o["transfer_type"] == "judicial_confirmation")
    assert confirmation["allowed"] is True and confirmation["reason"] is None
    assert [a["code"] for a in confirmation["agencies"]] == ["court"]
    assert {o["transfer_type"] for o in options} == {
        "judicial_confirmation",
        "payment_order",
        "litigation_guidance",
        "arbitration",
        "arbitration_review",
        "labor_inspection",
        "legal_aid",
    }

    transfer = _ok(_draft(mediator, case.pk, agency=confirmation["agencies"][0]["id"]), 201)
    assert (transfer["status"], transfer["agency"]["code"], transfer["case_id"]) == ("draft", "court", case.pk)
    path = f"{V1}/cases/{case.pk}/transfers/{transfer['id']}"
    # Not yet sent: the court's liaison sees neither the case nor the transfer.
    assert _ok(court.get(f"{V1}/transfers/"))["count"] == 0
    assert_error(court.get(f"{V1}/cases/{case.pk}/"), 404, "not_found")

    approved = _ok(director.post(f"{path}/approve/", format="json"))
    assert (approved["status"], approved["approved_by"]["name"]) == ("approved", "director")
    sent = _ok(clerk.post(f"{path}/send/", {"sent_on": TODAY().isoformat(), "channel": "in_person"}, format="json"))
    assert (sent["status"], sent["sent_on"], sent["send_channel"]) == ("sent", TODAY().isoformat(), "in_person")

    inbox = _ok(court.get(f"{V1}/transfers/"))
    assert inbox["count"] == 1
    item = inbox["results"][0]
    assert (item["id"], item["case_id"], item["case_number"]) == (transfer["id"], case.pk, case.case_number)
    assert _ok(court.get(f"{V1}/transfers/?status=sent"))["count"] == 1
    assert _ok(court.get(f"{V1}/transfers/?status=acknowledged"))["count"] == 0

    number = "（2026）京0115民特123号"
    acknowledged = _ok(court.post(f"{path}/acknowledge/", {"external_number": number}, format="json"))
    assert (acknowledged["status"], acknowledged["external_number"]) == ("acknowledged", number)
    assert acknowledged["handled_by"]["name"] == "liaison"

    obligation = _ok(court.get(f"{V1}/cases/{case.pk}/agreement/"))["obligations"][0]
    assert obligation["amount"] == "12000.00"
    outcome = {
        "outcome": "confirmed",
        "outcome_on": TODAY().isoformat(),
        "note": "裁定调解协议有效，已执行到位。",
        "amount_recovered": "12000.00",
        "obligation": obligation["id"],
    }
    recorded = _ok(court.post(f"{path}/outcome/", outcome, format="json"))
    assert (recorded["status"], recorded["outcome"], recorded["outcome_on"]) == (
        "outcome_recorded",
        "confirmed",
        TODAY().isoformat(),
    )

    detail = _ok(director.get(f"{V1}/cases/{case.pk}/"))
    assert detail["amounts"]["recovered"] == "12000.00"
    transfers = _ok(director.get(f"{V1}/cases/{case.pk}/transfers/"))
    assert transfers["recovered_by_channel"] == {
        "agreement": "0.00",
        "court": "12000.00",
        "arbitration": "0.00",
        "inspection": "0.00",
    }
    assert [t["status"] for t in transfers["transfers"]] == ["outcome_recorded"]
    payments = _ok(director.get(f"{V1}/cases/{case.pk}/obligations/{obligation['id']}/payments/"))
    assert [(p["amount"], p["channel"]) for p in payments] == [("12000.00", "court")]

    history = _ok(director.get(f"{V1}/cases/{case.pk}/history/"))
    assert [e["name"] for e in history if e["kind"] == "linkage"] == [
        "transfer_draft",
        "transfer_approve",
        "transfer_send",
        "transfer_acknowledge",
        "transfer_outcome",
    ]


def test_a_type_not_allowed_is_refused_with_the_reason(
    api: Any, case_in: Any, people: SimpleNamespace, confirmable: None
) -> None:
    case = case_in(Status.IN_MEDIATION)  # no effective agreement yet

    options = _ok(api(people.mediator).get(f"{V1}/cases/{case.pk}/transfer-options/"))
    confirmation = next(o for o in options if o["transfer_type"] == "judicial_confirmation")
    assert confirmation["allowed"] is False
    error = assert_error(_draft(api(people.mediator), case.pk), 400, "invalid")
    assert error["fields"]["transfer_type"] == [confirmation["reason"]]
    assert "生效" in confirmation["reason"]

    # The right type to the wrong kind of agency; an agency that does not exist.
    error = assert_error(_draft(api(people.mediator), case.pk, "legal_aid", "court"), 400, "invalid")
    assert "agency" in error["fields"]
    error = assert_error(_draft(api(people.mediator), case.pk, "legal_aid", "no-such-agency"), 400, "invalid")
    assert "agency" in error["fields"]


def test_refusals_of_the_steps(
    api: Any, case_in: Any, people: SimpleNamespace, liaison: Any, confirmable: None
) -> None:
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _ok(_draft(api(people.mediator), case.pk), 201)
    path = f"{V1}/cases/{case.pk}/transfers/{transfer['id']}"
    send = {"sent_on": TODAY().isoformat(), "channel": "post"}

    assert_error(api(people.mediator).post(f"{path}/approve/", format="json"), 403, "forbidden")
    assert_error(api(people.clerk).post(f"{path}/send/", send, format="json"), 409, "conflict")
    _ok(api(people.director).post(f"{path}/approve/", format="json"))
    assert_error(api(people.director).post(f"{path}/approve/", format="json"), 409, "conflict")
    future = {"sent_on": "2099-01-01", "channel": "post"}
    assert (
        "sent_on"
        in assert_error(api(people.clerk).post(f"{path}/send/", future, format="json"), 400, "invalid")["fields"]
    )
    _ok(api(people.clerk).post(f"{path}/send/", send, format="json"))
    # Only the agency's liaison acknowledges and records the outcome.
    assert_error(api(people.director).post(f"{path}/acknowledge/", {}, format="json"), 403, "forbidden")
    # Money needs its obligation; more than is owed is refused under the request's field name.
    outcome = {"outcome": "confirmed", "outcome_on": TODAY().isoformat(), "amount_recovered": "100.00"}
    error = assert_error(api(liaison).post(f"{path}/outcome/", outcome, format="json"), 400, "invalid")
    assert "obligation" in error["fields"]
    obligation = _ok(api(people.clerk).get(f"{V1}/cases/{case.pk}/agreement/"))["obligations"][0]
    too_much = {**outcome, "amount_recovered": "99999.00", "obligation": obligation["id"]}
    error = assert_error(api(liaison).post(f"{path}/outcome/", too_much, format="json"), 400, "invalid")
    assert "amount_recovered" in error["fields"]
    as_number = {**outcome, "amount_recovered": 100, "obligation": obligation["id"]}
    error = assert_error(api(liaison).post(f"{path}/outcome/", as_number, format="json"), 400, "invalid")
    assert "amount_recovered" in error["fields"]

    returned = _ok(api(liaison).post(f"{path}/return/", {"reason": "材料不全，请补充身份证明。"}, format="json"))
    assert (returned["status"], returned["returned_reason"]) == ("returned", "材料不全，请补充身份证明。")
    assert_error(api(liaison).post(f"{path}/acknowledge/", {}, format="json"), 409, "conflict")


def test_the_liaison_sees_only_what_was_sent_to_their_agency(
    api: Any, case_in: Any, people: SimpleNamespace, liaison: Any, confirmable: None
) -> None:
    transferred = case_in(Status.AGREEMENT_EFFECTIVE)
    other = case_in(Status.AGREEMENT_EFFECTIVE)
    sent = _sent(api, people, transferred.pk)
    draft = _ok(_draft(api(people.mediator), other.pk), 201)
    court = api(liaison)

    # The case not transferred (its transfer is a draft): 404 everywhere, like a missing case.
    for path in ("", "transfers/", "transfer-options/", "agreement/", "history/"):
        assert_error(court.get(f"{V1}/cases/{other.pk}/{path}"), 404, "not_found")
    other_path = f"{V1}/cases/{other.pk}/transfers/{draft['id']}"
    assert_error(court.post(f"{other_path}/acknowledge/", {}, format="json"), 404, "not_found")
    # Another case's transfer id under the transferred case: 404, for the liaison and for staff.
    assert_error(
        court.post(f"{V1}/cases/{transferred.pk}/transfers/{draft['id']}/acknowledge/", {}, format="json"),
        404,
        "not_found",
    )
    assert_error(
        api(people.director).post(f"{V1}/cases/{transferred.pk}/transfers/{draft['id']}/approve/", format="json"),
        404,
        "not_found",
    )
    assert_error(
        api(people.director).post(f"{V1}/cases/{other.pk}/transfers/{sent['id']}/approve/", format="json"),
        404,
        "not_found",
    )

    # The transferred case: readable, but the liaison writes only through their own steps.
    assert _ok(court.get(f"{V1}/cases/{transferred.pk}/"))["id"] == transferred.pk
    assert [t["id"] for t in _ok(court.get(f"{V1}/cases/{transferred.pk}/transfers/"))["transfers"]] == [sent["id"]]
    assert_error(_draft(court, transferred.pk, "legal_aid", "court"), 403, "forbidden")
    listed = _ok(api(people.clerk).get(f"{V1}/cases/"))
    assert listed["count"] == 2
    assert [c["id"] for c in _ok(court.get(f"{V1}/cases/"))["results"]] == [transferred.pk]


def test_the_inbox_shows_nothing_of_other_agencies(
    api: Any,
    case_in: Any,
    people: SimpleNamespace,
    liaison: Any,
    arbitration_liaison: Any,
    other_town_clerk: Any,
    confirmable: None,
) -> None:
    to_court = _sent(api, people, case_in(Status.AGREEMENT_EFFECTIVE).pk)
    to_arbitration = _sent(api, people, case_in(Status.TERMINATED).pk, "arbitration", "arb")

    court_inbox = _ok(api(liaison).get(f"{V1}/transfers/"))
    assert [t["id"] for t in court_inbox["results"]] == [to_court["id"]]
    arbitration_inbox = _ok(api(arbitration_liaison).get(f"{V1}/transfers/"))
    assert [t["id"] for t in arbitration_inbox["results"]] == [to_arbitration["id"]]
    assert_error(api(liaison).get(f"{V1}/cases/{to_arbitration['case_id']}/"), 404, "not_found")
    assert_error(
        api(liaison).post(
            f"{V1}/cases/{to_arbitration['case_id']}/transfers/{to_arbitration['id']}/acknowledge/", {}, format="json"
        ),
        404,
        "not_found",
    )

    # Staff see the transfers of the cases in their scope: the district all, another town none.
    staff_inbox = _ok(api(people.director).get(f"{V1}/transfers/?limit=1"))
    assert staff_inbox["count"] == 2 and len(staff_inbox["results"]) == 1 and staff_inbox["next"]
    assert _ok(api(other_town_clerk).get(f"{V1}/transfers/"))["count"] == 0
    assert_error(api(liaison).get(f"{V1}/transfers/?status=nonsense"), 400, "invalid")
    assert_error(APIClient().get(f"{V1}/transfers/"), 401, "not_authenticated")


def test_the_result_of_a_referred_case_is_reported_once(api: Any, clerk: Any) -> None:
    client = api(clerk)
    payload = draft_payload(source="court_prefiling", source_reference="（2026）京0115民诉前调100号")
    payload["referring_body"] = "北京市大兴区人民法院"
    case = _ok(client.post(f"{V1}/cases/", payload, format="json"), 201)
    report = {"reported_on": TODAY().isoformat(), "channel": "letter", "summary": "双方达成调解协议。"}

    created = _ok(client.post(f"{V1}/cases/{case['id']}/referral-report/", report, format="json"), 201)
    assert (created["case_id"], created["channel"], created["reported_by"]["name"]) == (case["id"], "letter", "clerk")
    error = assert_error(
        client.post(f"{V1}/cases/{case['id']}/referral-report/", report, format="json"), 400, "invalid"
    )
    assert "case" in error["fields"]

    walk_in = _ok(client.post(f"{V1}/cases/", draft_payload(), format="json"), 201)
    error = assert_error(
        client.post(f"{V1}/cases/{walk_in['id']}/referral-report/", report, format="json"), 400, "invalid"
    )
    assert "case" in error["fields"]


def test_no_linkage_operation_answers_500(
    api: Any,
    case_in: Any,
    people: SimpleNamespace,
    liaison: Any,
    auditor: Any,
    other_town_clerk: Any,
    confirmable: None,
) -> None:
    """test_no_server_error's check over the linkage routes, with a transfer id (its id table
    has none) and the liaison among the callers."""
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(api, people, case.pk)
    ids = {"case_id": case.pk, "transfer_id": transfer["id"]}
    schema = APIClient().get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    writers = [api(people.clerk), api(people.director), api(liaison)]
    refused = [api(auditor), api(other_town_clerk), api(None)]
    checked = 0
    for path, operations in schema["paths"].items():
        if not ("transfer" in path or "referral" in path):
            continue
        url = path.format(**ids)
        for method, operation in operations.items():
            body_schema = (
                operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            bodies = [*GARBAGE, *_values_of_the_wrong_type(body_schema, components)] if method != "get" else [None]
            for client, tried in [*((w, bodies) for w in writers), *((r, bodies[:2]) for r in refused)]:
                for body in tried:
                    response = getattr(client, method)(url, body, format="json")
                    checked += 1
                    assert response.status_code < 500, (method, url, body, response.content[:300])
                    if response.status_code >= 400:
                        assert set(response.json()) == {"error"}, (method, url, response.content[:300])
    assert checked > 200
