"""T13 Money property tests (RELIABILITY.md §3).

- Hypothesis over Decimal amounts 0..10^9 with two places: the API string, the XLSX number
  and the Chinese capitals all carry exactly the amount (1,000 examples, pure functions).
- Hypothesis over sequences of partial payments (through the services): the DB sum == the
  API's recovered string == the number in the XLSX export.
- One PDF (申请书 D1) with the claims of a case: each amount and the total printed == DB.
- ROUND_HALF_UP where the business rounds (quantize_yuan, report strings).
- -1, 12.345, NaN, Infinity, 1e20, full-width １２３ (and JSON numbers) -> 400 on the
  amount field in the API and in the form, nothing stored.

Pass: 0 mismatches; every bad amount refused with a field message."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import Case, ClaimItem
from cases.workflow import Status
from core.api import MoneyField
from core.exceptions import ApplicationError
from core.money import format_yuan, quantize_yuan, to_chinese_capitals
from core.xlsx import workbook_bytes
from mediation import services, vocab
from mediation.models import Obligation, PaymentRecord
from mediation.services.agreements import live_agreement
from reports.exports import case_list_xlsx
from reports.selectors import _money as report_money
from tests.documents.pdfs import pdf_text
from tests.documents.test_access_and_safety import ready_document

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000000"), places=2, allow_nan=False)
SPEC_BAD_AMOUNTS = ["-1", "12.345", "NaN", "Infinity", "1e20", "１２３"]
#: The API also refuses JSON numbers and separators (the form accepts "12,000.50" as typed on paper).
BAD_AMOUNTS: list[Any] = [*SPEC_BAD_AMOUNTS, "1,000", " ", 12.5, -1]
RECOVERED_COLUMN = 13  # 挽回金额（元）
CLAIMED_COLUMN = 11


def _xlsx_numbers(content: bytes, column: int) -> list[Any]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(amount=amounts)
def test_every_amount_is_carried_exactly_by_api_strings_and_capitals(amount: Decimal) -> None:
    text = MoneyField().to_representation(amount)
    assert text == f"{amount:.2f}" and "." in text and len(text.split(".")[1]) == 2
    assert MoneyField().to_internal_value(text) == amount
    assert format_yuan(amount) == f"{amount:,.2f}"
    assert to_chinese_capitals(amount)  # defined for every amount in range (exactness: tests/core/test_money.py)


@settings(max_examples=5, deadline=None, derandomize=True)
@given(batch=st.lists(amounts, min_size=200, max_size=200))
def test_every_amount_is_a_number_in_the_xlsx(batch: list[Decimal]) -> None:
    """1,000 amounts in 5 workbooks (a workbook per amount would cost 40 s)."""
    content = workbook_bytes(title="t", headers=["金额"], rows=[[a] for a in batch], widths=[10])
    cells = _xlsx_numbers(content, 1)
    assert [c.data_type for c in cells] == ["n"] * len(batch)
    assert [Decimal(str(c.value)).quantize(Decimal("0.01")) for c in cells] == batch


def test_rounding_is_half_up_where_the_business_rounds() -> None:
    assert quantize_yuan(Decimal("2.665")) == Decimal("2.67")  # HALF_EVEN would give 2.66
    assert quantize_yuan(Decimal("2.675")) == Decimal("2.68")
    assert format_yuan(Decimal("0.005")) == "0.01"
    assert report_money(Decimal("2.665")) == "2.67"


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def effective_case(case_in: Any) -> Case:
    return case_in(Status.AGREEMENT_EFFECTIVE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agreed=amounts.filter(lambda a: a > 0), payments=st.lists(amounts.filter(lambda a: a > 0), max_size=6))
def test_partial_payments_sum_the_same_in_db_api_and_export(
    effective_case: Case, people: Any, agreed: Decimal, payments: list[Decimal]
) -> None:
    template = live_agreement(effective_case).obligations.first()
    assert template is not None
    with transaction.atomic():
        obligation = Obligation.objects.create(
            agreement=template.agreement,
            kind=vocab.ObligationKind.PAYMENT,
            obligor=template.obligor,
            obligee=template.obligee,
            description="性质测试",
            amount=agreed,
            due_on=timezone.localdate(),
        )
        for amount in payments:
            try:
                services.payment_record(
                    obligation=obligation,
                    actor=people.clerk,
                    amount=str(amount),
                    paid_on=timezone.localdate(),
                    method=vocab.PaymentMethod.BANK_TRANSFER,
                )
            except ApplicationError:  # an overpayment is refused; the sums are what is checked
                continue
        db_sum = sum(
            (p.amount for p in PaymentRecord.objects.filter(obligation__agreement__case=effective_case)),
            Decimal("0"),
        )
        api = _api(people.clerk).get(f"/api/v1/cases/{effective_case.pk}/").json()["amounts"]
        (cell,) = _xlsx_numbers(case_list_xlsx(cases=Case.objects.filter(pk=effective_case.pk)), RECOVERED_COLUMN)
        transaction.set_rollback(True)
    assert api["recovered"] == f"{db_sum:.2f}"
    assert isinstance(api["claimed"], str) and isinstance(api["agreed"], str)
    assert cell.data_type == "n" and Decimal(str(cell.value)).quantize(Decimal("0.01")) == db_sum


@pytest.mark.django_db
def test_the_pdf_prints_the_amounts_and_the_total_of_the_database(
    case_in: Any, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_in(Status.REGISTERED)
    for amount in ("987654321.99", "0.01", "12300.50"):
        case_services.claim_add(case=case, actor=clerk, claim_type="WAGE", description="工资", amount=amount)
    claims = [c.amount for c in ClaimItem.objects.filter(case=case, amount__isnull=False)]
    total = sum(claims, Decimal("0"))
    document = ready_document(case, clerk, django_capture_on_commit_callbacks, kind="D1")

    text = pdf_text(document.file.open("rb").read())

    for amount in claims:
        assert format_yuan(amount) in text
    assert f"合计：¥{format_yuan(total)}元" in text and to_chinese_capitals(total) in text
    api = _api(clerk).get(f"/api/v1/cases/{case.pk}/").json()["amounts"]
    assert api["claimed"] == f"{total:.2f}"
    (cell,) = _xlsx_numbers(case_list_xlsx(cases=Case.objects.filter(pk=case.pk)), CLAIMED_COLUMN)
    assert Decimal(str(cell.value)).quantize(Decimal("0.01")) == total


@pytest.mark.django_db
@pytest.mark.parametrize("raw", BAD_AMOUNTS)
def test_a_bad_amount_is_a_400_on_its_field_in_the_api_and_the_form(case_in: Any, clerk: Any, raw: Any) -> None:
    case = case_in(Status.DRAFT)
    before = ClaimItem.objects.count()
    response = _api(clerk).post(
        f"/api/v1/cases/{case.pk}/claims/",
        {"claim_type": "WAGE", "description": "支付拖欠工资", "amount": raw},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["amount"]

    if raw in SPEC_BAD_AMOUNTS:
        web = Client()
        web.force_login(clerk)
        page = web.post(
            reverse("cases:claim_add", kwargs={"case_id": case.pk}),
            {"claim_type": "WAGE", "description": "支付拖欠工资", "amount": raw},
        )
        assert page.status_code == 400
        assert "金额" in page.content.decode()
    assert ClaimItem.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("raw", SPEC_BAD_AMOUNTS)
def test_a_bad_payment_amount_is_a_400_on_its_field(effective_case: Case, clerk: Any, raw: str) -> None:
    obligation = live_agreement(effective_case).obligations.filter(kind="payment").first()
    assert obligation is not None
    response = _api(clerk).post(
        f"/api/v1/cases/{effective_case.pk}/obligations/{obligation.pk}/payments/",
        {"amount": raw, "paid_on": timezone.localdate().isoformat(), "method": "bank_transfer"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["amount"]
    assert not PaymentRecord.objects.filter(obligation=obligation).exists()
