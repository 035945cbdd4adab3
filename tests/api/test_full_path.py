"""A partner system's script: a case from draft to closed, and one whose second instalment
is never paid, using nothing but the token endpoint and the documented API."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import draft_payload

V1 = "/api/v1"


class Script:
    """One logged-in user of the script: every call must succeed."""

    def __init__(self, username: str) -> None:
        self.client = APIClient()
        response = self.client.post(f"{V1}/auth/token/", {"username": username, "password": "pw-12345678"}, "json")
        assert response.status_code == 200, response.content
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    def call(self, method: str, path: str, data: Any = None, expect: int = 200, **kwargs: Any) -> Any:
        fmt = kwargs.pop("format", "json")
        response = getattr(self.client, method)(f"{V1}{path}", data, format=fmt, **kwargs)
        assert response.status_code == expect, (method, path, response.content.decode())
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        return self.call("get", path)

    def post(self, path: str, data: Any = None, expect: int = 200, **kwargs: Any) -> Any:
        return self.call("post", path, data if data is not None else {}, expect, **kwargs)

    def transition(self, case_id: int, name: str, data: Any = None) -> Any:
        return self.post(f"/cases/{case_id}/transitions/{name}/", data)


@pytest.fixture
def team(director: Any, mediator: Any, clerk: Any) -> SimpleNamespace:
    return SimpleNamespace(director=Script("director"), mediator=Script("mediator"), clerk=Script("clerk"))


def _through_effective(team: SimpleNamespace) -> tuple[int, dict[str, Any]]:
    """Draft -> registered -> accepted -> in mediation (a held session with a completed
    transcript) -> agreement drafted, split into two instalments, signed, sealed, effective."""
    clerk, director, mediator = team.clerk, team.director, team.mediator
    case = clerk.post("/cases/", draft_payload(), expect=201)
    case_id = case["id"]
    assert case["status"] == "draft"

    assert clerk.transition(case_id, "register")["status"] == "registered"
    mediators = director.get("/staff/?role=mediator&organization=DX")
    case = director.transition(case_id, "accept", {"mediators": [mediators[0]["user_id"]], "note": "符合受理条件"})
    assert case["status"] == "accepted"
    assert case["case_number"]

    now = timezone.localtime()
    session = mediator.post(
        f"/cases/{case_id}/sessions/",
        {
            "kind": "joint",
            "starts_at": (now - dt.timedelta(hours=2)).isoformat(),
            "ends_at": (now - dt.timedelta(hours=1)).isoformat(),
            "mediators": [mediators[0]["user_id"]],
            "place": "第一调解室",
        },
        expect=201,
    )
    session_path = f"/cases/{case_id}/sessions/{session['id']}"
    assert clerk.get(f"/cases/{case_id}/")["status"] == "in_mediation"
    for party in case["parties"]:
        capacity = "applicant" if party["side"] == "applicant" else "respondent"
        attendance = clerk.post(
            f"{session_path}/attendances/",
            {"name": party["name"], "capacity": capacity, "party": party["id"], "identity_checked": True},
            expect=201,
        )
        clerk.post(f"{session_path}/attendances/{attendance['id']}/sign/", {"signed": True})
    blocks = [
        {"kind": "rights_notice", "text": "已告知双方权利义务。"},
        {"kind": "result", "text": "双方同意分两期支付。"},
    ]
    assert clerk.call("put", f"{session_path}/transcript/", {"blocks": blocks})["blocks"] == blocks
    clerk.post(f"{session_path}/transcript/read-back/")
    assert clerk.post(f"{session_path}/transcript/complete/")["completed_at"]

    assert mediator.transition(case_id, "draft_agreement")["status"] == "agreement_pending"
    agreement = mediator.get(f"/cases/{case_id}/agreement/")
    payment = next(o for o in agreement["obligations"] if o["kind"] == "payment")
    certificate = next(o for o in agreement["obligations"] if o["kind"] == "certificate")
    due = (timezone.localdate() - dt.timedelta(days=3)).isoformat()  # fallen due: performance can be checked
    path = f"/cases/{case_id}/agreement/obligations"
    mediator.call("put", f"{path}/{payment['id']}/", {"due_on": due, "amount": "7000.00"})
    mediator.call("put", f"{path}/{certificate['id']}/", {"due_on": due})
    second = mediator.post(
        f"{path}/",
        {
            "kind": "payment",
            "obligor": payment["obligor"]["id"],
            "obligee": payment["obligee"]["id"],
            "description": "第二期工资",
            "amount": "5000",
            "due_on": due,
        },
        expect=201,
    )
    assert second["amount"] == "5000.00"
    mediator.call("put", f"/cases/{case_id}/agreement/terms/", {"terms": ["被申请人分两期支付工资。"]})
    for party in case["parties"]:
        mediator.post(f"/cases/{case_id}/agreement/signatures/", {"party": party["id"]}, expect=201)
    mediator.post(f"/cases/{case_id}/agreement/mediator-signature/")
    sealed = director.post(f"/cases/{case_id}/agreement/seal/")
    assert sealed["blockers"] == []
    assert sealed["amount_agreed"] == "12000.00"

    case = mediator.transition(case_id, "make_effective")
    assert case["status"] == "agreement_effective"
    obligations = {"first": payment["id"], "second": second["id"], "certificate": certificate["id"]}
    return case_id, obligations


def _pay(clerk: Script, case_id: int, obligation_id: int, amount: str, *, evidence: bool = False) -> None:
    path = f"/cases/{case_id}/obligations/{obligation_id}/payments/"
    data: dict[str, Any] = {"amount": amount, "paid_on": timezone.localdate().isoformat(), "method": "bank_transfer"}
    if evidence:
        data["evidence"] = SimpleUploadedFile("回单.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
        payment = clerk.post(path, data, expect=201, format="multipart")
        assert payment["has_evidence"] is True
    else:
        payment = clerk.post(path, data, expect=201)
    assert payment["amount"] == f"{amount}"


def test_draft_to_closed_through_the_api_only(team: SimpleNamespace) -> None:
    clerk, director = team.clerk, team.director
    case_id, obligations = _through_effective(team)

    _pay(clerk, case_id, obligations["first"], "7000.00", evidence=True)
    _pay(clerk, case_id, obligations["second"], "5000.00")
    assert [p["amount"] for p in clerk.get(f"/cases/{case_id}/obligations/{obligations['second']}/payments/")] == [
        "5000.00"
    ]
    performed_on = timezone.localdate().isoformat()
    clerk.post(f"/cases/{case_id}/obligations/{obligations['certificate']}/performed/", {"performed_on": performed_on})
    assert clerk.transition(case_id, "confirm_performance")["status"] == "performed"

    records = clerk.get(f"/cases/{case_id}/service-records/")
    assert records and {r["document"] for r in records} == {"D10"}
    for record in records:
        served = clerk.post(
            f"/cases/{case_id}/service-records/{record['id']}/serve/",
            {"method": "direct", "served_on": timezone.localdate().isoformat()},
        )
        assert served["status"] == "served"

    assert clerk.transition(case_id, "submit_closure", {"note": "履行完毕"})["status"] == "closing"
    case = director.transition(case_id, "approve_closure")
    assert case["status"] == "closed"
    assert case["amounts"] == {"claimed": "12000.00", "agreed": "12000.00", "recovered": "12000.00"}
    assert case["available_transitions"] == []

    history = director.get(f"/cases/{case_id}/history/")
    names = [event["name"] for event in history if event["kind"] == "transition"]
    assert names == [
        "register",
        "accept",
        "start",
        "draft_agreement",
        "make_effective",
        "confirm_performance",
        "submit_closure",
        "approve_closure",
    ]
    assert history[-1]["to_status"] == "closed"
    assert history[-1]["actor"]["name"] == "director"


def test_an_unpaid_instalment_ends_not_performed(team: SimpleNamespace) -> None:
    clerk, mediator = team.clerk, team.mediator
    case_id, obligations = _through_effective(team)

    _pay(clerk, case_id, obligations["first"], "7000.00")
    clerk.post(
        f"/cases/{case_id}/obligations/{obligations['certificate']}/performed/",
        {"performed_on": timezone.localdate().isoformat()},
    )
    case = clerk.get(f"/cases/{case_id}/")
    confirm = next(t for t in case["available_transitions"] if t["name"] == "confirm_performance")
    assert any("5,000.00" in blocker for blocker in confirm["blockers"])

    mediator.post(
        f"/cases/{case_id}/follow-ups/",
        {
            "method": "phone",
            "reached": "被申请人人事经理",
            "performance_status": "partial",
            "notes": "第二期未付，已督促。",
        },
        expect=201,
    )
    case = mediator.transition(case_id, "record_non_performance", {"reason": "第二期逾期未支付，经督促仍未履行。"})
    assert case["status"] == "not_performed"
    assert case["amounts"] == {"claimed": "12000.00", "agreed": "12000.00", "recovered": "7000.00"}
    follow_ups = clerk.get(f"/cases/{case_id}/follow-ups/")
    assert any(f["purpose"] == "reminder" and f["done_at"] for f in follow_ups)
