"""Every list and detail page and API costs a fixed number of SQL queries whatever the
number of rows it shows (CONVENTIONS.md §13): each is fetched with few rows and with many
under the same bound, so an N+1 (a query per row) fails the test. The bounds are today's
counts; lower them when a page gets cheaper, never raise them to let an N+1 in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, PartnerAgency, Role, User
from cases.models import Case
from cases.workflow import Status
from core.history import save_with_history
from documents.models import CaseDocument
from linkage import vocab as linkage_vocab
from linkage.models import Transfer
from reports.bench import dataset

# Queries of the request itself (session, user, memberships, the organisation subtree).
CASE_LIST = 10
CASE_LIST_API = 7
CASE_PAGE = 33
CASE_API = 22
HOME = 14
INBOX = 8
HISTORY = 50  # one query per historised table, whatever the rows
DOCUMENTS_API = 13
CASE_HISTORY_API = 7

Grow = Callable[[int], list[int]]
ClientOf = Callable[[Any], Client]


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_case_list_page_costs_the_same_for_5_and_50_rows(
    bench_world: dataset.BenchWorld, grow: Grow, client_of: ClientOf, django_assert_max_num_queries: Any
) -> None:
    grow(60)
    client = client_of(bench_world.director)
    _get(client, "/cases/")
    for size in (5, 50):
        with mock.patch("cases.views.PAGE_SIZE", size), django_assert_max_num_queries(CASE_LIST):
            response = _get(client, "/cases/")
        assert len(response.context["page"].object_list) == size
    for query in ("?status=closed&order=-received_at", "?dispute_type=PAY&order=case_number", "?overdue=1", "?q=王"):
        with django_assert_max_num_queries(CASE_LIST):
            _get(client, "/cases/" + query)


def test_case_list_api_costs_the_same_for_5_and_50_rows(
    bench_world: dataset.BenchWorld, grow: Grow, client_of: ClientOf, django_assert_max_num_queries: Any
) -> None:
    grow(60)
    client = client_of(bench_world.director)
    for size in (5, 50):
        with django_assert_max_num_queries(CASE_LIST_API):
            response = _get(client, f"/api/v1/cases/?limit={size}")
        assert len(response.json()["results"]) == size


def test_case_page_and_api_cost_the_same_for_a_small_and_a_large_case(
    bench_world: dataset.BenchWorld, grow: Grow, client_of: ClientOf, django_assert_max_num_queries: Any
) -> None:
    grow(40)
    small = Case.objects.filter(organization=bench_world.district, status=Status.PERFORMED).first()
    assert small is not None
    large = dataset.detail_case_get_or_create(world=bench_world)
    assert large.parties.count() >= 5 and large.claims.count() >= 8 and large.sessions.count() >= 6
    for user in (bench_world.director, bench_world.mediator, bench_world.clerk):
        client = client_of(user)
        for case in (small, large):
            with django_assert_max_num_queries(CASE_PAGE):
                _get(client, f"/cases/{case.pk}/")
            with django_assert_max_num_queries(CASE_API):
                _get(client, f"/api/v1/cases/{case.pk}/")
            with django_assert_max_num_queries(CASE_HISTORY_API):
                _get(client, f"/api/v1/cases/{case.pk}/history/")


def test_case_page_shows_what_the_prefetch_loaded(bench_world: dataset.BenchWorld, client_of: ClientOf) -> None:
    """The prefetched page shows the same money, parties and claims as the database holds."""
    case = dataset.detail_case_get_or_create(world=bench_world)
    response = _get(client_of(bench_world.mediator), f"/cases/{case.pk}/")
    claims = list(case.claims.order_by("id"))
    assert [c.pk for c in response.context["claims"]] == [c.pk for c in claims]
    assert response.context["claimed_total"] == sum(c.amount for c in claims if c.amount is not None)
    parties = {p.pk for p in case.parties.all()}
    assert {p.pk for p in response.context["applicants"]} | {p.pk for p in response.context["respondents"]} == parties
    mediation = next(p for p in response.context["panels"] if p.template == "mediation/_panel.html")
    agreement = mediation.context["agreement"]
    assert agreement is not None and len(agreement.obligations) == 4
    assert mediation.context["money"].agreed == sum(row.obligation.amount for row in agreement.obligations)
    assert len(mediation.context["sessions"]) == 6


def test_work_lists_cost_the_same_with_few_and_many_cases(
    bench_world: dataset.BenchWorld, grow: Grow, client_of: ClientOf, django_assert_max_num_queries: Any
) -> None:
    clients = [client_of(u) for u in (bench_world.director, bench_world.clerk, bench_world.mediator)]
    grow(5)
    for client in clients:
        with django_assert_max_num_queries(HOME):
            _get(client, "/")
    grow(150)
    for client in clients:
        with django_assert_max_num_queries(HOME):
            response = _get(client, "/")
        assert any(section.cases for section in response.context["sections"])


def _liaison(world: dataset.BenchWorld) -> tuple[User, PartnerAgency]:
    agency = PartnerAgency.objects.create(code="bench-court", name="基准法院", kind="court", district=world.district)
    user = User.objects.create(username="bench_liaison", full_name="基准联络员")
    Membership.objects.create(user=user, role=Role.LIAISON, agency=agency)
    return user, agency


def _transfers(world: dataset.BenchWorld, agency: PartnerAgency, case_ids: list[int]) -> None:
    cases = Case.objects.filter(pk__in=case_ids).exclude(status=Status.DRAFT)
    statuses = [linkage_vocab.TransferStatus.SENT, linkage_vocab.TransferStatus.ACKNOWLEDGED]
    for index, case in enumerate(cases):
        transfer = Transfer(
            case=case,
            agency=agency,
            transfer_type=linkage_vocab.TransferType.values[0],
            status=statuses[index % 2],
            reason="基准移送",
            requested_by=world.clerk,
            approved_by=world.director,
            approved_at=timezone.now(),
            sent_on=timezone.localdate() - dt.timedelta(days=index % 9),
        )
        save_with_history(transfer, actor=world.clerk, reason="bench")


def test_transfer_inbox_and_liaison_work_list_cost_the_same_with_few_and_many_transfers(
    bench_world: dataset.BenchWorld, grow: Grow, client_of: ClientOf, django_assert_max_num_queries: Any
) -> None:
    liaison, agency = _liaison(bench_world)
    client = client_of(liaison)
    _transfers(bench_world, agency, grow(4))
    for url, bound in (("/linkage/inbox/", INBOX), ("/", HOME), ("/api/v1/transfers/", INBOX)):
        with django_assert_max_num_queries(bound):
            _get(client, url)
    _transfers(bench_world, agency, grow(60))
    assert Transfer.objects.filter(agency=agency).count() > 40
    for url, bound in (("/linkage/inbox/", INBOX), ("/", HOME), ("/api/v1/transfers/", INBOX)):
        with django_assert_max_num_queries(bound):
            _get(client, url)


def test_history_page_costs_the_same_with_few_and_many_changes(
    bench_world: dataset.BenchWorld, grow: Grow, client_of: ClientOf, django_assert_max_num_queries: Any
) -> None:
    client = client_of(bench_world.director)
    grow(3)
    with django_assert_max_num_queries(HISTORY):
        _get(client, "/cases/history/")
    grow(80)
    with django_assert_max_num_queries(HISTORY):
        response = _get(client, "/cases/history/")
    assert len(response.context["entries"]) == 50


def test_document_list_costs_the_same_for_one_and_many_documents(
    bench_world: dataset.BenchWorld, client_of: ClientOf, django_assert_max_num_queries: Any
) -> None:
    case = dataset.detail_case_get_or_create(world=bench_world)
    client = client_of(bench_world.clerk)

    def add(versions: range) -> None:
        for version in versions:
            CaseDocument.objects.create(
                case=case, kind="D10", version=version, title="调解协议书", requested_by=bench_world.clerk
            )

    add(range(1, 2))
    for url, bound in ((f"/api/v1/cases/{case.pk}/documents/", DOCUMENTS_API), (f"/cases/{case.pk}/", CASE_PAGE)):
        with django_assert_max_num_queries(bound):
            _get(client, url)
    add(range(2, 15))
    for url, bound in ((f"/api/v1/cases/{case.pk}/documents/", DOCUMENTS_API), (f"/cases/{case.pk}/", CASE_PAGE)):
        with django_assert_max_num_queries(bound):
            response = _get(client, url)
    assert CaseDocument.objects.filter(case=case).count() == 14
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_bench_query_counts_match_the_bounds(bench_world: dataset.BenchWorld, grow: Grow, size: int) -> None:
    """`manage.py bench` reports the same counts the tests bound (docs/performance.md)."""
    from reports.bench.measures import Bench

    grow(size + 5)
    counts = Bench(bench_world, dataset.detail_case_get_or_create(world=bench_world), 1, 10).query_counts()
    assert counts["case_list"]["rows_10"] == counts["case_list"]["rows_50"] <= CASE_LIST
    assert counts["case_list_api"]["rows_10"] == counts["case_list_api"]["rows_50"] <= CASE_LIST_API
    assert counts["case_detail"]["rows_detail"] <= CASE_PAGE
    assert counts["case_detail_api"]["rows_detail"] <= CASE_API
