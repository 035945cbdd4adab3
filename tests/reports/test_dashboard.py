"""The statistics dashboard /reports/ (docs/statistics.md "Dashboard"): its figures are
case_stats of the same scope and period, the stock-and-flow line balances, and only
directors and auditors see it, for their organisation and those below it."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case
from cases.workflow import Status
from reports.dashboard import preset_period
from reports.selectors import case_stats
from tests.conftest import drive
from tests.factories import MembershipFactory, UserFactory

BEIJING = ZoneInfo("Asia/Shanghai")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


@pytest.fixture
def cases(case_in, people, world) -> SimpleNamespace:
    performed = case_in(Status.PERFORMED)  # 12000.00 paid through the agreement
    performed = drive(drive(performed, "submit_closure", people), "approve_closure", people)
    terminated = case_in(Status.TERMINATED, world.town)
    in_mediation = case_in(Status.IN_MEDIATION, world.other_town)
    rejected = case_in(Status.REJECTED)
    return SimpleNamespace(performed=performed, terminated=terminated, in_mediation=in_mediation, rejected=rejected)


def _query(start: dt.date, end: dt.date, code: str = "DX", children: bool = True) -> dict[str, str]:
    query = {"organization": code, "period": "custom", "from": start.isoformat(), "to": end.isoformat()}
    return {**query, "include_children": "1"} if children else query


def test_the_dashboard_shows_case_stats(cases, world, director):
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=3), today + dt.timedelta(days=3)
    response = _client(director).get("/reports/", _query(start, end))
    assert response.status_code == 200
    expected = case_stats(organization=world.district, date_from=start, date_to=end, include_children=True)
    assert response.context["stats"] == expected  # the selector's object itself, not a recount
    figures = _figures(response.content.decode())
    assert figures["cases_accepted"] == str(expected["cases_accepted"]) == "3"
    assert figures["cases_closed"] == str(expected["cases_closed"]) == "1"
    assert figures["settled"] == str(expected["by_outcome"]["settled"]["cases"]) == "1"
    assert figures["amount_recovered"] == "12,000.00"
    assert figures["success_rate"] == "50.00%"  # 1 / (1 + 1)
    towns = {row["key"]: row["data"]["stats"] for row in response.context["towns"]}
    assert list(towns) == ["DX", "JG", "XHM"]
    for code, org in (("DX", world.district), ("XHM", world.town), ("JG", world.other_town)):
        assert towns[code] == case_stats(organization=org, date_from=start, date_to=end)
    channels = {row["key"]: row["data"] for row in response.context["channels"]}
    assert channels == expected["by_channel"]

    alone = _client(director).get("/reports/", _query(start, end, children=False))
    assert alone.context["stats"] == case_stats(organization=world.district, date_from=start, date_to=end)


def _at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=BEIJING)


def test_the_stock_and_flow_line_balances_for_two_periods(cases, world, auditor):
    moves = {
        cases.performed: {"accepted_at": _at(2024, 12, 20), "closed_at": _at(2025, 1, 15)},
        cases.terminated: {"accepted_at": _at(2025, 1, 20), "closed_at": _at(2025, 2, 10)},
        cases.in_mediation: {"accepted_at": _at(2025, 2, 3), "closed_at": None},
    }
    for case, fields in moves.items():
        Case.objects.filter(pk=case.pk).update(**fields)
    periods = [
        ((dt.date(2025, 1, 1), dt.date(2025, 1, 31)), ("1", "1", "1", "1")),
        ((dt.date(2025, 2, 1), dt.date(2025, 2, 28)), ("1", "1", "1", "1")),
        ((dt.date(2024, 12, 1), dt.date(2025, 2, 28)), ("0", "3", "2", "1")),
    ]
    for (start, end), expected in periods:
        response = _client(auditor).get("/reports/", _query(start, end))
        figures = _figures(response.content.decode())
        numbers = tuple(figures[key] for key in ("opening", "accepted", "closed", "closing"))
        assert numbers == expected, (start, end)
        opening, accepted, closed, closing = map(int, numbers)
        assert opening + accepted - closed == closing
        assert response.context["flow"]["balanced"]


def test_period_presets(world, director):
    today = timezone.localdate()
    response = _client(director).get("/reports/", {"period": "quarter"})
    period = response.context["period"]
    assert (period.date_from, period.date_to) == preset_period("quarter", today)
    assert period.date_from.month in (1, 4, 7, 10) and period.date_from.day == 1
    response = _client(director).get("/reports/", {"period": "year"})
    assert (response.context["period"].date_from, response.context["period"].date_to) == (
        dt.date(today.year, 1, 1),
        dt.date(today.year, 12, 31),
    )
    response = _client(director).get("/reports/", {"period": "custom", "from": "2025-02-01", "to": "2025-01-01"})
    assert response.status_code == 400
    assert "stats" not in response.context


def test_only_directors_and_auditors_of_the_organisation(world, clerk, mediator, liaison, auditor):
    assert _client(clerk).get("/reports/").status_code == 403
    assert _client(mediator).get("/reports/").status_code == 403
    assert _client(liaison).get("/reports/").status_code == 403
    assert Client().get("/reports/").status_code == 302  # to the login page
    assert _client(auditor).get("/reports/", {"organization": "XHM"}).status_code == 200

    town_director = UserFactory(username="town_director")
    MembershipFactory(user=town_director, role="director", organization=world.town)
    client = _client(town_director)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert [org.code for org in response.context["organizations"]] == ["XHM"]
    assert response.context["organization"] == world.town
    assert client.get("/reports/", {"organization": "JG"}).status_code == 404  # a sibling town
    assert client.get("/reports/", {"organization": "DX"}).status_code == 404  # the district above
    assert client.get("/reports/", {"organization": "NOPE"}).status_code == 404
