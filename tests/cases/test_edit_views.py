"""The case page's corrections (web): a clerk adds, corrects and removes parties and claims of a
draft; errors come back in Chinese beside the field and change nothing; an accepted case shows
no edit links and refuses the pages; another town's case is 404; an auditor 403."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseParty, ClaimItem
from cases.workflow import Status

pytestmark = pytest.mark.django_db


def _client(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def test_the_draft_page_offers_corrections_and_an_accepted_one_does_not(client: Any, clerk: Any, case_in: Any) -> None:
    draft = case_in(Status.DRAFT)
    page = _client(client, clerk).get(reverse("cases:detail", args=[draft.pk])).content.decode()
    assert reverse("cases:claim_add", args=[draft.pk]) in page
    claim = draft.claims.order_by("pk").first()
    assert reverse("cases:claim_edit", args=[draft.pk, claim.pk]) in page
    accepted = case_in(Status.ACCEPTED)
    page = client.get(reverse("cases:detail", args=[accepted.pk])).content.decode()
    assert reverse("cases:claim_add", args=[accepted.pk]) not in page
    response = client.get(reverse("cases:claim_add", args=[accepted.pk]))
    assert "不能再修改当事人和请求事项" in response.content.decode()
    before = accepted.claims.count()
    response = client.post(
        reverse("cases:claim_add", args=[accepted.pk]), {"claim_type": "WAGE", "description": "x", "amount": "1"}
    )
    assert response.status_code == 409 and accepted.claims.count() == before


def test_a_claim_is_added_corrected_and_removed(client: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.REGISTERED)
    c = _client(client, clerk)
    response = c.post(
        reverse("cases:claim_add", args=[case.pk]),
        {"claim_type": "WAGE", "description": "2026年3月工资", "amount": "8,500.00"},
    )
    assert response.status_code == 302
    claim = case.claims.get(description="2026年3月工资")
    assert claim.amount == Decimal("8500.00")
    response = c.post(
        reverse("cases:claim_edit", args=[case.pk, claim.pk]),
        {"claim_type": "WAGE", "description": "2026年3月工资", "amount": "9000"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.amount == Decimal("9000.00") and claim.history.latest().history_user == clerk
    assert "确认删除" in c.get(reverse("cases:claim_remove", args=[case.pk, claim.pk])).content.decode()
    assert c.post(reverse("cases:claim_remove", args=[case.pk, claim.pk])).status_code == 302
    assert not ClaimItem.objects.filter(pk=claim.pk).exists()


def test_bad_claim_input_is_shown_beside_the_field_and_changes_nothing(client: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    claim = case.claims.filter(amount__isnull=False).order_by("pk").first()
    before = claim.amount
    response = _client(client, clerk).post(
        reverse("cases:claim_edit", args=[case.pk, claim.pk]),
        {"claim_type": claim.claim_type, "description": claim.description, "amount": "-5"},
    )
    assert response.status_code == 400
    assert "金额应为不小于0的数字" in response.content.decode()
    claim.refresh_from_db()
    assert claim.amount == before


def test_parties_are_added_corrected_and_removed(client: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    c = _client(client, clerk)
    response = c.post(
        reverse("cases:party_add", args=[case.pk, "applicant"]),
        {"name": "李秀英", "id_number": "11010519491231002X", "phone": "13800138000", "address": "北京市大兴区"},
    )
    assert response.status_code == 302, response.content.decode()
    party = case.parties.get(person__name="李秀英")
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "李秀英" in page and "13800138000" not in page
    # the edit page shows the phone masked, and an empty field keeps it
    form = c.get(reverse("cases:party_edit", args=[case.pk, party.pk])).content.decode()
    assert "138****8000" in form and "13800138000" not in form
    response = c.post(
        reverse("cases:party_edit", args=[case.pk, party.pk]),
        {"position": "保洁员", "phone": "", "address": "北京市大兴区清源路5号"},
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.position == "保洁员" and party.person.phone == "13800138000"
    assert party.person.address == "北京市大兴区清源路5号"
    response = c.post(reverse("cases:party_edit", args=[case.pk, party.pk]), {"phone": "12"})
    assert response.status_code == 400 and "error-text" in response.content.decode()
    assert c.post(reverse("cases:party_remove", args=[case.pk, party.pk])).status_code == 302
    assert not CaseParty.objects.filter(pk=party.pk).exists()


def test_a_bad_id_number_on_a_new_party_adds_nothing(client: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    before = case.parties.count()
    response = _client(client, clerk).post(
        reverse("cases:party_add", args=[case.pk, "applicant"]), {"name": "王强", "id_number": "110105194912310022"}
    )
    assert response.status_code == 400 and case.parties.count() == before
    assert "error-text" in response.content.decode()


def test_a_claimant_party_is_kept_with_the_reason(client: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    party = case.parties.filter(person__isnull=False).order_by("pk").first()
    claim = case.claims.order_by("pk").first()
    claim.claimant = party
    claim.save()
    response = _client(client, clerk).post(reverse("cases:party_remove", args=[case.pk, party.pk]))
    assert response.status_code == 409 and "请先修改或删除该请求事项" in response.content.decode()
    assert CaseParty.objects.filter(pk=party.pk).exists()


def test_scope_other_town_404_auditor_403(client: Any, auditor: Any, other_town_clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    claim = case.claims.order_by("pk").first()
    url = reverse("cases:claim_remove", args=[case.pk, claim.pk])
    assert _client(client, other_town_clerk).post(url).status_code == 404
    assert _client(client, auditor).post(url).status_code == 403
    assert ClaimItem.objects.filter(pk=claim.pk).exists()
    assert client.get(reverse("cases:party_add", args=[case.pk, "nobody"])).status_code == 404
