"""PATCH/DELETE /api/v1/cases/{id}/parties/{party_id}/ and …/claims/{claim_id}/: parties and
claims are corrected or removed while the case is editable (草稿/待审查), 409 after; history
names the actor, bad input changes nothing, another town's ids are 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cases.models import CaseParty, ClaimItem
from cases.workflow import Status
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _applicant(case: Any) -> CaseParty:
    return case.parties.filter(person__isnull=False).order_by("pk").first()


def _respondent(case: Any) -> CaseParty:
    return case.parties.filter(employer__isnull=False).order_by("pk").first()


def test_a_claim_is_corrected_and_its_history_names_the_clerk(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.REGISTERED)
    claim = case.claims.filter(amount__isnull=False).order_by("pk").first()
    response = api(clerk).patch(
        f"{V1}/cases/{case.pk}/claims/{claim.pk}/",
        {"amount": "12000.50", "description": "  2026年1月至3月工资  "},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "12000.50"
    claim.refresh_from_db()
    assert claim.amount == Decimal("12000.50") and claim.description == "2026年1月至3月工资"
    latest = claim.history.latest()
    assert latest.history_user == clerk and latest.history_change_reason == "correct claim"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "１２３"}, "amount"),
        ({"claim_type": "nonsense"}, "claim_type"),
        ({"description": ""}, "description"),
        ({"period_start": "2026-03-01", "period_end": "2026-01-01"}, "period_end"),
    ],
)
def test_bad_claim_values_are_refused_field_by_field(
    api: Any, clerk: Any, case_in: Any, body: dict[str, Any], field: str
) -> None:
    case = case_in(Status.DRAFT)
    claim = case.claims.filter(amount__isnull=False).order_by("pk").first()
    before = (claim.amount, claim.description, claim.claim_type, claim.history.count())
    error = assert_error(
        api(clerk).patch(f"{V1}/cases/{case.pk}/claims/{claim.pk}/", body, format="json"), 400, "invalid"
    )
    assert field in error["fields"]
    claim.refresh_from_db()
    assert (claim.amount, claim.description, claim.claim_type, claim.history.count()) == before


def test_a_claimant_from_another_case_is_refused_like_a_missing_one(api: Any, clerk: Any, case_in: Any) -> None:
    case, other = case_in(Status.DRAFT), case_in(Status.DRAFT)
    claim = case.claims.order_by("pk").first()
    foreign = _applicant(other)
    url = f"{V1}/cases/{case.pk}/claims/{claim.pk}/"
    foreign_error = assert_error(api(clerk).patch(url, {"claimant": foreign.pk}, format="json"), 400, "invalid")
    missing_error = assert_error(api(clerk).patch(url, {"claimant": 10**9}, format="json"), 400, "invalid")
    assert foreign_error["fields"]["claimant"] == [
        m.replace(str(10**9), str(foreign.pk)) for m in missing_error["fields"]["claimant"]
    ]
    response = api(clerk).patch(url, {"claimant": _applicant(case).pk}, format="json")
    assert response.status_code == 200 and response.json()["claimant_id"] == _applicant(case).pk


def test_a_claim_is_removed_with_a_deletion_row_in_its_history(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    claim = case.claims.order_by("pk").first()
    response = api(clerk).delete(f"{V1}/cases/{case.pk}/claims/{claim.pk}/")
    assert response.status_code == 204
    assert not ClaimItem.objects.filter(pk=claim.pk).exists()
    deleted = ClaimItem.history.filter(id=claim.pk, history_type="-").get()
    assert deleted.history_user == clerk and deleted.history_change_reason == "remove claim"
    assert api(clerk).delete(f"{V1}/cases/{case.pk}/claims/{claim.pk}/").status_code == 404


def test_a_party_contact_is_corrected_on_the_person(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    party = _applicant(case)
    response = api(clerk).patch(
        f"{V1}/cases/{case.pk}/parties/{party.pk}/",
        {"phone": "139 1234 5678", "address": "北京市大兴区黄村镇兴华大街1号", "position": "焊工"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["position"] == "焊工" and body["person"]["phone_masked"] == "139****5678"
    assert "13912345678" not in response.content.decode()
    party.refresh_from_db()
    assert party.person.phone == "13912345678" and party.person.address.startswith("北京市大兴区")
    assert party.person.history.latest().history_user == clerk


def test_bad_party_values_and_identity_fields_are_refused(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    party = _applicant(case)
    url = f"{V1}/cases/{case.pk}/parties/{party.pk}/"
    assert "phone" in assert_error(api(clerk).patch(url, {"phone": "12345"}, format="json"), 400, "invalid")["fields"]
    # an employer's field on a person, and an identity field, are not corrections
    error = assert_error(api(clerk).patch(url, {"contact_name": "张三"}, format="json"), 400, "invalid")
    assert "contact_name" in error["fields"]
    respondent = _respondent(case)
    response = api(clerk).patch(
        f"{V1}/cases/{case.pk}/parties/{respondent.pk}/", {"contact_phone": "010-6925 1234"}, format="json"
    )
    assert response.status_code == 200, response.content
    respondent.refresh_from_db()
    assert respondent.employer.contact_phone == "010-69251234"


def test_a_party_named_as_claimant_is_kept_until_the_claim_changes(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    party = _applicant(case)
    claim = case.claims.order_by("pk").first()
    claim.claimant = party
    claim.save()
    url = f"{V1}/cases/{case.pk}/parties/{party.pk}/"
    assert_error(api(clerk).delete(url), 409, "conflict")
    assert CaseParty.objects.filter(pk=party.pk).exists()
    assert (
        api(clerk).patch(f"{V1}/cases/{case.pk}/claims/{claim.pk}/", {"claimant": None}, format="json").status_code
        == 200
    )
    assert api(clerk).delete(url).status_code == 204
    assert not CaseParty.objects.filter(pk=party.pk).exists()
    assert CaseParty.history.filter(id=party.pk, history_type="-").get().history_user == clerk


def test_after_acceptance_nothing_changes_and_scope_is_kept(
    api: Any, clerk: Any, auditor: Any, other_town_clerk: Any, case_in: Any
) -> None:
    accepted = case_in(Status.ACCEPTED)
    claim = accepted.claims.order_by("pk").first()
    party = _applicant(accepted)
    assert_error(
        api(clerk).patch(f"{V1}/cases/{accepted.pk}/claims/{claim.pk}/", {"amount": "1"}, format="json"),
        409,
        "conflict",
    )
    assert_error(api(clerk).delete(f"{V1}/cases/{accepted.pk}/parties/{party.pk}/"), 409, "conflict")
    draft = case_in(Status.DRAFT)
    claim = draft.claims.order_by("pk").first()
    assert api(auditor).delete(f"{V1}/cases/{draft.pk}/claims/{claim.pk}/").status_code == 403
    assert api(other_town_clerk).delete(f"{V1}/cases/{draft.pk}/claims/{claim.pk}/").status_code == 404
    # another case's claim through this case's URL is missing, not someone else's
    assert api(clerk).delete(f"{V1}/cases/{accepted.pk}/claims/{claim.pk}/").status_code == 404
    assert ClaimItem.objects.filter(pk=claim.pk).exists()
