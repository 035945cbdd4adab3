"""Standard reports (DOMAIN.md §10.4 items 1-4; docs/statistics.md "Standard reports"): the
page, the XLSX (money as numbers), the A4 PDF, the background run for long periods, the API,
the deadline compliance list and who may read them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case
from cases.workflow import Status
from core.xlsx import MONEY_FORMAT
from reports.standard import KINDS, build_report, kind_titles
from tests.factories import MembershipFactory, UserFactory

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _query(start: dt.date, end: dt.date, code: str = "DX", **extra: str) -> dict[str, str]:
    return {
        "organization": code,
        "period": "custom",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "include_children": "1",
        **extra,
    }


def _short() -> tuple[dt.date, dt.date]:
    return TODAY() - dt.timedelta(days=3), TODAY() + dt.timedelta(days=3)


@pytest.fixture
def api() -> Any:
    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def cases(case_in, world) -> SimpleNamespace:
    return SimpleNamespace(
        performed=case_in(Status.PERFORMED),  # 12000.00 recovered through the agreement
        town=case_in(Status.IN_MEDIATION, world.town),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_report_renders_as_a_page(cases, director, kind):
    start, end = _short()
    response = _client(director).get(f"/reports/standard/{kind}/", _query(start, end))
    assert response.status_code == 200
    html = response.content.decode()
    assert kind_titles()[kind] in html
    assert "大兴区总工会劳动争议调解中心" in html


def test_the_periodic_report_reads_case_stats(cases, world):
    start, end = _short()
    report = build_report(
        kind="periodic", organization=world.district, date_from=start, date_to=end, include_children=True
    )
    flows = report.tables[0]
    assert [row[0] for row in flows.rows] == [world.district.name, world.other_town.name, world.town.name, "合计"]
    # 组织, 上期未结, 收案, 受理, 不予受理, 结案, 期末未结, 涉及职工人数
    assert flows.rows[-1] == ["合计", 0, 2, 2, 0, 0, 2, 2]
    channels = report.tables[4]
    assert channels.rows[-1] == ["合计", Decimal("12000.00")]


def test_the_xlsx_keeps_money_as_numbers(cases, director):
    start, end = _short()
    response = _client(director).get("/reports/standard/periodic/", _query(start, end, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    money = [cell for row in sheet.iter_rows() for cell in row if cell.number_format == MONEY_FORMAT]
    assert money
    assert all(isinstance(cell.value, int | float | Decimal) for cell in money)
    assert 12000 in [cell.value for cell in money]
    assert sheet["A1"].value == kind_titles()["periodic"]


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "")


@pytest.mark.parametrize("kind", ["periodic", "court"])
def test_the_pdf_names_the_report_and_the_organisation(cases, auditor, kind):
    start, end = _short()
    response = _client(auditor).get(f"/reports/standard/{kind}/", _query(start, end, format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert kind_titles()[kind] in text
    assert "大兴区总工会劳动争议调解中心" in text


def test_the_compliance_list_flags_late_acceptance(cases, world):
    late = cases.town
    accepted_on = late.accepted_at.astimezone(BEIJING).date()
    Case.objects.filter(pk=late.pk).update(acceptance_due_on=accepted_on - dt.timedelta(days=2))
    start, end = _short()
    report = build_report(
        kind="compliance", organization=world.district, date_from=start, date_to=end, include_children=True
    )
    summary, detail = report.tables
    rows = {(row[0], row[2]): row for row in detail.rows}
    number = late.case_number or late.registry_number
    row = rows[(number, "受理审查（3个工作日）")]
    assert row[1] == "XHM"
    assert (row[5], row[6], row[7]) == (accepted_on, 2, "超期")
    on_time = rows[(cases.performed.case_number or cases.performed.registry_number, "受理审查（3个工作日）")]
    assert (on_time[6], on_time[7]) == (0, "按期")
    assert summary.rows[0][:2] == ["受理审查（3个工作日）", 2]
    assert summary.rows[0][3] == 1  # 超期


def test_a_long_period_is_built_in_the_background(cases, director):
    start = TODAY() - dt.timedelta(days=200)
    end = TODAY() + dt.timedelta(days=3)
    client = _client(director)
    response = client.get("/reports/standard/periodic/", _query(start, end))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["done"]
    assert "收结案情况" in page.content.decode()
    token = page.context["token"]
    progress = client.get(f"/reports/standard/job/{token}/progress/")
    assert progress.status_code == 204 and progress["HX-Redirect"].endswith(f"/standard/job/{token}/")

    response = client.get("/reports/standard/periodic/", _query(start, end, format="xlsx"))
    job = client.get(response["Location"])
    download = client.get(f"/reports/standard/job/{job.context['token']}/download/")
    assert download.status_code == 200
    assert (
        load_workbook(io.BytesIO(b"".join(download.streaming_content))).active["A1"].value == kind_titles()["periodic"]
    )

    # another session does not know the token
    assert _client(director).get(f"/reports/standard/job/{token}/").status_code == 404


def test_who_may_read_the_reports(cases, world, clerk, auditor):
    start, end = _short()
    assert _client(clerk).get("/reports/standard/periodic/", _query(start, end)).status_code == 403
    assert _client(auditor).get("/reports/standard/nope/", _query(start, end)).status_code == 404
    town_director = UserFactory(username="town_director")
    MembershipFactory(user=town_director, role="director", organization=world.town)
    client = _client(town_director)
    assert client.get("/reports/standard/court/", _query(start, end, code="XHM")).status_code == 200
    assert client.get("/reports/standard/court/", _query(start, end, code="JG")).status_code == 404


def test_the_api_serves_every_format(cases, world, api, director, clerk):
    start, end = _short()
    query = {"organization": "DX", "from": start.isoformat(), "to": end.isoformat(), "include_children": "true"}
    for kind in KINDS:
        response = api(director).get(f"/api/v1/reports/{kind}/", query)
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["kind"], body["organization"], body["title"]) == (kind, "DX", kind_titles()[kind])
    periodic = api(director).get("/api/v1/reports/periodic/", query).json()
    assert periodic["tables"][4]["rows"][-1] == ["合计", "12000.00"]
    xlsx = api(director).get("/api/v1/reports/periodic/", {**query, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = api(director).get("/api/v1/reports/compliance/", {**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    assert api(clerk).get("/api/v1/reports/periodic/", query).status_code == 403
    assert api(None).get("/api/v1/reports/periodic/", query).status_code == 401
    assert api(director).get("/api/v1/reports/nope/", query).status_code == 404
    bad = api(director).get("/api/v1/reports/periodic/", {**query, "format": "doc"})
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"format"}
    town_director = UserFactory(username="town_director")
    MembershipFactory(user=town_director, role="director", organization=world.town)
    assert api(town_director).get("/api/v1/reports/court/", {**query, "organization": "JG"}).status_code == 404
    assert api(town_director).get("/api/v1/reports/court/", {**query, "organization": "XHM"}).status_code == 200
