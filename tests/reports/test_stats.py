"""Statistics (docs/statistics.md): exact figures of a small district, the stock-and-flow
identity over two consecutive periods, the command and the API serving the selector, and a
query count that does not grow with the cases."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.services import system_user
from cases import services as case_services
from cases.models import Case
from cases.workflow import Status
from core.history import save_with_history
from linkage import services as linkage_services
from linkage import vocab as linkage_vocab
from mediation.services.agreements import live_agreement
from reports.selectors import case_stats, open_case_count
from tests.conftest import drive

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate


def _bucket(cases: int, workers: int, claimed: str, agreed: str = "0.00", recovered: str = "0.00") -> dict[str, Any]:
    return {
        "cases": cases,
        "workers_involved": workers,
        "amount_claimed": claimed,
        "amount_agreed": agreed,
        "amount_recovered": recovered,
    }


EMPTY = _bucket(0, 0, "0.00")


def _close(case: Case, people: SimpleNamespace) -> Case:
    case = drive(case, "submit_closure", people)
    return drive(case, "approve_closure", people)


def _recover_through_court(case: Case, people: SimpleNamespace, liaison: Any, world: SimpleNamespace) -> None:
    """The court confirms the agreement and records 5000.00 recovered (tests/linkage)."""
    for organization in (world.district, world.town):
        organization.court_listed = True
        save_with_history(organization, actor=system_user(), reason="listed by the court")
    transfer = linkage_services.transfer_create(
        case=case,
        actor=people.mediator,
        agency=world.court,
        transfer_type=linkage_vocab.TransferType.JUDICIAL_CONFIRMATION,
        reason="双方共同申请司法确认。",
    )
    linkage_services.transfer_approve(transfer=transfer, actor=people.director)
    linkage_services.transfer_send(
        transfer=transfer, actor=people.clerk, sent_on=TODAY(), channel=linkage_vocab.SendChannel.IN_PERSON
    )
    linkage_services.transfer_acknowledge(transfer=transfer, actor=liaison, external_number="（2026）京0115民特1号")
    linkage_services.transfer_record_outcome(
        transfer=transfer,
        actor=liaison,
        outcome=linkage_vocab.TransferOutcome.CONFIRMED,
        outcome_on=TODAY(),
        note="裁定调解协议有效，已执行部分款项。",
        amount_recovered="5000.00",
        obligation=live_agreement(case).obligations.get(),
    )


@pytest.fixture
def cases(case_in, people, world, liaison) -> SimpleNamespace:
    """Seven cases, all received (and the accepted ones accepted) today, 12000.00 claimed each:

    - a: district, performed (12000.00 paid through the agreement), then closed; 3 workers
    - b: town XHM, agreement effective, 5000.00 recovered through the court
    - c: town XHM, terminated, then closed
    - d: town JG, rejected, then closed (attributed by its received date; never accepted)
    - e: district, in mediation, simple file, dispute type TER
    - f: district, accepted then withdrawn
    - g: district, registered (received only)
    """
    a = _close(case_in(Status.PERFORMED), people)
    Case.objects.filter(pk=a.pk).update(workers_involved=3)
    b = case_in(Status.AGREEMENT_EFFECTIVE, world.town)
    _recover_through_court(b, people, liaison, world)
    c = _close(case_in(Status.TERMINATED, world.town), people)
    d = case_in(Status.CLOSED, world.other_town)
    e = case_in(Status.IN_MEDIATION)
    Case.objects.filter(pk=e.pk).update(file_type="simple", dispute_type="TER")
    f = case_services.case_withdraw(case=case_in(Status.ACCEPTED), actor=people.clerk, reason_code="settled_privately")
    g = case_in(Status.REGISTERED)
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, f=f, g=g)


def _today_stats(world: SimpleNamespace, *, include_children: bool, organization: Any = None) -> dict[str, Any]:
    return case_stats(
        organization=organization or world.district,
        date_from=TODAY() - dt.timedelta(days=1),
        date_to=TODAY() + dt.timedelta(days=1),
        include_children=include_children,
    )


def test_the_district_with_its_towns(cases, world):
    assert cases.d.pre_closure_status == Status.REJECTED
    stats = _today_stats(world, include_children=True)
    assert stats == {
        "organization": "DX",
        "from": (TODAY() - dt.timedelta(days=1)).isoformat(),
        "to": (TODAY() + dt.timedelta(days=1)).isoformat(),
        "cases_received": 7,
        "cases_accepted": 5,
        "cases_closed": 2,  # a and c; d was never accepted
        "workers_involved": 8,
        "amount_claimed": "72000.00",
        "amount_agreed": "24000.00",
        "amount_recovered": "17000.00",
        "success_rate": "0.5000",  # 2 / (2 + 1 + 1)
        "by_outcome": {
            "settled": _bucket(2, 4, "24000.00", "24000.00", "17000.00"),
            "terminated": _bucket(1, 1, "12000.00"),
            "withdrawn": _bucket(1, 1, "12000.00"),
            "rejected": _bucket(1, 1, "12000.00"),
            "in_progress": _bucket(1, 1, "12000.00"),
        },
        "by_file_type": {
            "formal": _bucket(5, 7, "60000.00", "24000.00", "17000.00"),
            "simple": _bucket(1, 1, "12000.00"),
        },
        "by_dispute_type": {
            **dict.fromkeys(stats["by_dispute_type"], EMPTY),
            "PAY": _bucket(5, 7, "60000.00", "24000.00", "17000.00"),
            "TER": _bucket(1, 1, "12000.00"),
        },
        "by_channel": {"agreement": "12000.00", "court": "5000.00", "arbitration": "0.00", "inspection": "0.00"},
        "by_organization": {
            "DX": _bucket(3, 5, "36000.00", "12000.00", "12000.00"),
            "JG": _bucket(1, 1, "12000.00"),
            "XHM": _bucket(2, 2, "24000.00", "12000.00", "5000.00"),
        },
    }
    assert list(stats["by_organization"]) == ["DX", "JG", "XHM"]
    assert len(stats["by_dispute_type"]) == 13


def test_the_district_alone(cases, world):
    stats = _today_stats(world, include_children=False)
    assert {key: stats[key] for key in list(stats)[3:11]} == {
        "cases_received": 4,
        "cases_accepted": 3,
        "cases_closed": 1,
        "workers_involved": 5,
        "amount_claimed": "36000.00",
        "amount_agreed": "12000.00",
        "amount_recovered": "12000.00",
        "success_rate": "0.5000",  # a / (a + f)
    }
    assert stats["by_outcome"]["settled"] == _bucket(1, 3, "12000.00", "12000.00", "12000.00")
    assert stats["by_outcome"]["rejected"] == EMPTY
    assert stats["by_channel"]["court"] == "0.00"
    assert stats["by_organization"] == {"DX": _bucket(3, 5, "36000.00", "12000.00", "12000.00")}


def test_every_breakdown_adds_up_to_the_total(cases, world):
    stats = _today_stats(world, include_children=True)
    for breakdown in ("by_outcome", "by_file_type", "by_dispute_type", "by_organization"):
        parts = stats[breakdown].values()
        assert sum(p["workers_involved"] for p in parts) == stats["workers_involved"]
        for key in ("amount_claimed", "amount_agreed", "amount_recovered"):
            assert sum(Decimal(p[key]) for p in parts) == Decimal(stats[key]), (breakdown, key)
    assert sum(Decimal(v) for v in stats["by_channel"].values()) == Decimal(stats["amount_recovered"])


def test_an_empty_period_has_zero_rates(cases, world):
    stats = case_stats(
        organization=world.district, date_from=dt.date(2000, 1, 1), date_to=dt.date(2000, 12, 31), include_children=True
    )
    assert (stats["cases_received"], stats["success_rate"], stats["amount_claimed"]) == (0, "0.0000", "0.00")
    assert stats["by_organization"]["XHM"] == EMPTY


def _at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def test_stock_and_flow_identity_over_two_periods(cases, world):
    """期末未结 = 上期未结 + 本期受理 − 本期结案, with Beijing-day boundaries."""
    moves = {
        cases.a: {"accepted_at": _at(2024, 12, 20), "closed_at": _at(2025, 1, 15)},
        cases.f: {"accepted_at": _at(2024, 12, 1), "closed_at": None},
        cases.b: {"accepted_at": _at(2025, 1, 31, 23, 30), "closed_at": None},  # 15:30 UTC: still January
        cases.c: {"accepted_at": _at(2025, 1, 20), "closed_at": _at(2025, 2, 10)},
        cases.e: {"accepted_at": _at(2025, 2, 1, 0, 10), "closed_at": None},  # 1 Feb in Beijing, 31 Jan UTC
        cases.d: {"received_at": _at(2025, 1, 5), "closed_at": _at(2025, 1, 25)},  # rejected: not in the stock
    }
    for case, fields in moves.items():
        Case.objects.filter(pk=case.pk).update(**fields)
    periods = [(dt.date(2025, 1, 1), dt.date(2025, 1, 31)), (dt.date(2025, 2, 1), dt.date(2025, 2, 28))]
    expected = [(2, 2, 1, 3), (3, 1, 1, 3)]  # (上期未结, 受理, 结案, 期末未结)
    for (start, end), numbers in zip(periods, expected, strict=True):
        stats = case_stats(organization=world.district, date_from=start, date_to=end, include_children=True)
        before = open_case_count(organization=world.district, on=start - dt.timedelta(days=1), include_children=True)
        after = open_case_count(organization=world.district, on=end, include_children=True)
        assert (before, stats["cases_accepted"], stats["cases_closed"], after) == numbers
        assert after == before + stats["cases_accepted"] - stats["cases_closed"]
    january = case_stats(
        organization=world.district, date_from=periods[0][0], date_to=periods[0][1], include_children=True
    )
    assert january["by_outcome"]["rejected"]["cases"] == 1  # d, by its received date
    assert january["by_outcome"]["settled"]["cases"] == 1  # b; e counts in February


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("case_stats", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_selector(cases, world):
    start, end = TODAY() - dt.timedelta(days=1), TODAY() + dt.timedelta(days=1)
    args = ["--organization", "DX", "--from", start.isoformat(), "--to", end.isoformat(), "--format", "json"]
    assert json.loads(_command(*args, "--include-children")) == _today_stats(world, include_children=True)
    assert json.loads(_command(*args)) == _today_stats(world, include_children=False)
    assert json.loads(_command(*args[:-2])) == _today_stats(world, include_children=False)  # json is the default


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organization", "NOPE", "--from", "2025-01-01", "--to", "2025-01-31"], "Unknown organisation 'NOPE'"),
        (["--organization", "DX", "--from", "2025-13-01", "--to", "2025-01-31"], "--from '2025-13-01' is not a date"),
        (["--organization", "DX", "--from", "2025-02-01", "--to", "2025-01-31"], "is after --to"),
        (["--organization", "DX", "--from", "2025-01-01", "--to", "9999-01-31"], "out of range"),
        (["--organization", "DX", "--from", "2025-01-01"], "--to"),
        (["--organization", "DX", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "csv"], "--format"),
    ],
)
def test_the_command_refuses_bad_arguments(world, args, message):
    with pytest.raises(CommandError, match=message):
        _command(*args)


def _client(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_api_serves_the_selector_within_the_callers_scope(cases, world, people, town_clerk, other_town_clerk):
    start, end = TODAY() - dt.timedelta(days=1), TODAY() + dt.timedelta(days=1)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    response = _client(people.clerk).get("/api/v1/stats/", {**query, "organization": "DX", "include_children": "true"})
    assert response.status_code == 200, response.content
    assert response.json() == _today_stats(world, include_children=True)
    response = _client(people.clerk).get("/api/v1/stats/", {**query, "organization": "DX"})
    assert response.json() == _today_stats(world, include_children=False)

    response = _client(town_clerk).get("/api/v1/stats/", {**query, "organization": "XHM"})
    assert response.status_code == 200
    assert response.json() == _today_stats(world, include_children=False, organization=world.town)

    for user, code in [(other_town_clerk, "XHM"), (town_clerk, "DX"), (town_clerk, "NOPE")]:
        response = _client(user).get("/api/v1/stats/", {**query, "organization": code})
        assert response.status_code == 404, (user, code)
        assert response.json()["error"]["code"] == "not_found"


def test_the_api_validates_its_parameters(world, people):
    client = _client(people.clerk)
    response = client.get("/api/v1/stats/", {"organization": "DX", "from": "2025-02-01", "to": "2025-01-01"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"to"}
    response = client.get("/api/v1/stats/", {"organization": "DX", "from": "x"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"from", "to"}
    assert APIClient().get("/api/v1/stats/", {"organization": "DX"}).status_code == 401


def test_the_query_count_does_not_grow_with_the_cases(cases, case_in, world, people, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as first:
        before = _today_stats(world, include_children=True)
    for state in (Status.PERFORMED, Status.TERMINATED, Status.CLOSED, Status.IN_MEDIATION, Status.WITHDRAWN):
        case_in(state, world.town)
    case_in(Status.AGREEMENT_EFFECTIVE, world.other_town)
    case_in(Status.REGISTERED)
    with django_assert_max_num_queries(len(first.captured_queries)):
        after = _today_stats(world, include_children=True)
    assert after["cases_received"] == 2 * before["cases_received"]
