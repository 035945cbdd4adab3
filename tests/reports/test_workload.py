"""Workload of lawyer mediators and their firms (reports.workload, docs/lawyers.md): figures
against a hand-counted fixture, the page with its XLSX, the API, and who may see it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services
from cases.workflow import Status
from reports.workload import workload_report, workload_scope
from tests.conftest import drive
from tests.factories import CaseFactory
from tests.lawyer_helpers import make_firm, make_lawyer, make_zone, on_duty

TODAY = timezone.localdate
FIGURES = ("duty_days", "cases_accepted", "sessions_held", "cases_closed", "cases_settled", "amount_recovered")


def _figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[key] for key in FIGURES)


@pytest.fixture
def work(world, people) -> SimpleNamespace:
    """Hand-counted, for the period [today-10, today]:

    - duty: wu on 2 days in the period (and 1 before it), zheng on 1 day, qian only tomorrow;
    - case 1: accepted by wu (lead) and qian (firm A), one session held by wu, agreement
      effective and performed, 12000.00 paid today;
    - case 2: accepted by zheng (firm B), terminated, closure approved today;
    - case 3: accepted by zheng 40 days ago (outside the period), still in mediation;
    - case 4: accepted by the staff mediator (no lawyer): counts for nobody.
    """
    firm_a, firm_b = make_firm("甲律师事务所"), make_firm("乙律师事务所")
    wu = make_lawyer("wu", firm_a, world.district)
    qian = make_lawyer("qian", firm_a, world.district)
    zheng = make_lawyer("zheng", firm_b, world.district)
    west = make_zone(world.district, "西片区", towns=[world.town])
    city = make_zone(world.district, "城区片区", streets="兴丰街道")
    on_duty(west, wu, TODAY() - dt.timedelta(days=2))
    on_duty(west, wu, TODAY() - dt.timedelta(days=1))
    on_duty(city, zheng, TODAY() - dt.timedelta(days=1))
    on_duty(city, wu, TODAY() - dt.timedelta(days=20))
    on_duty(west, qian, TODAY() + dt.timedelta(days=1))

    def accepted(mediators: list[Any], at: dt.datetime | None = None) -> Any:
        case = CaseFactory(organization=world.district, created_by=people.clerk)
        case = services.case_register(case=case, actor=people.clerk)
        return services.case_accept(case=case, actor=people.director, mediators=mediators, accepted_at=at)

    as_wu = SimpleNamespace(director=people.director, mediator=wu, clerk=people.clerk)
    case1 = accepted([wu, qian])
    for step in ("start", "draft_agreement", "make_effective", "confirm_performance"):
        case1 = drive(case1, step, as_wu)
    assert case1.status == Status.PERFORMED
    case2 = accepted([zheng])
    for step in ("terminate", "submit_closure", "approve_closure"):
        case2 = drive(case2, step, people)
    assert case2.status == Status.CLOSED
    accepted([zheng], at=timezone.now() - dt.timedelta(days=40))
    accepted([people.mediator])
    return SimpleNamespace(wu=wu, qian=qian, zheng=zheng, firm_a=firm_a, firm_b=firm_b)


def _report(user: Any) -> dict[str, Any]:
    scope = workload_scope(user)
    assert scope is not None
    return workload_report(scope=scope, date_from=TODAY() - dt.timedelta(days=10), date_to=TODAY())


def test_the_figures_match_the_hand_count(work, director, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        report = _report(director)
    rows = {row["name"]: _figures(row) for row in report["lawyers"]}
    paid = Decimal("12000.00")
    assert rows == {
        #       duty accepted sessions closed settled recovered
        "wu": (2, 1, 1, 0, 1, paid),
        "qian": (0, 1, 0, 0, 1, paid),
        "zheng": (1, 1, 0, 1, 0, Decimal("0.00")),
    }
    firms = {row["name"]: (row["lawyers_count"], *_figures(row)) for row in report["firms"]}
    assert firms == {
        # case 1 counts once for firm A although two of its lawyers mediated it
        "甲律师事务所": (2, 2, 1, 1, 0, 1, paid),
        "乙律师事务所": (1, 1, 1, 0, 1, 0, Decimal("0.00")),
    }
    assert _figures(report["totals"]) == (3, 2, 1, 1, 1, paid)


def test_the_query_count_does_not_grow_with_the_cases(work, director, people, django_assert_max_num_queries):
    for _ in range(3):
        case = CaseFactory(created_by=people.clerk, organization=director.memberships.get().organization)
        services.case_register(case=case, actor=people.clerk)
        services.case_accept(case=case, actor=people.director, mediators=[work.wu])
    with django_assert_max_num_queries(6):
        report = _report(director)
    assert next(r for r in report["lawyers"] if r["name"] == "wu")["cases_accepted"] == 4


def test_the_page_and_its_spreadsheet(client, work, auditor):
    client.force_login(auditor)
    url = reverse("reports:workload")
    query = {"from": (TODAY() - dt.timedelta(days=10)).isoformat(), "to": TODAY().isoformat()}
    page = client.get(url, query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "甲律师事务所" in text and "12,000.00" in text
    xlsx = client.get(url, {**query, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["律师", "执业证号", "律师事务所"]
    wu = next(r for r in rows if r[0] == "wu")
    assert wu[3:] == [2, 1, 1, 0, 1, 12000]  # money is a number, not text
    assert sheet.cell(row=rows.index(wu) + 1, column=9).number_format == "#,##0.00"
    assert rows[-1][0] == "合计"
    # no party names anywhere: only lawyers, firms and counts
    cells = {str(c) for r in rows for c in r if c is not None}
    assert not any("张" in c or "公司" in c for c in cells)


def test_bad_periods_and_forbidden_roles(client, work, clerk, mediator, director):
    client.force_login(director)
    assert client.get(reverse("reports:workload"), {"from": "2026-13-01"}).status_code == 400
    assert client.get(reverse("reports:workload"), {"from": "2026-02-01", "to": "2026-01-01"}).status_code == 400
    assert client.get(reverse("reports:workload")).status_code == 200  # this month by default
    for user in (clerk, mediator, work.wu):
        client.force_login(user)
        assert client.get(reverse("reports:workload")).status_code == 403


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_api(work, director, clerk):
    query = f"?from={(TODAY() - dt.timedelta(days=10)).isoformat()}&to={TODAY().isoformat()}"
    body = _api(director).get("/api/v1/workload/" + query).json()
    wu = next(r for r in body["lawyers"] if r["name"] == "wu")
    assert wu == {
        "name": "wu",
        "licence_number": work.wu.lawyer_profile.licence_number,
        "firm": "甲律师事务所",
        "duty_days": 2,
        "cases_accepted": 1,
        "sessions_held": 1,
        "cases_closed": 0,
        "cases_settled": 1,
        "amount_recovered": "12000.00",
    }
    assert body["totals"]["amount_recovered"] == "12000.00"
    assert _api(clerk).get("/api/v1/workload/" + query).status_code == 403
    assert _api(director).get("/api/v1/workload/?from=2026-02-01&to=2026-01-01").status_code == 400
    assert _api(director).get("/api/v1/workload/").status_code == 400
