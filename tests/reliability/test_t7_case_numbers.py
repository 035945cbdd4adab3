"""T7 case numbers (RELIABILITY.md §3): numbers taken concurrently have neither duplicates
nor gaps, each centre and year counts on its own, the year is the year in Beijing time, and
the database itself refuses a number used twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Organization, User
from cases import services
from cases.models import Case, CaseNumberSequence, NumberSeries
from cases.workflow import Status
from tests.factories import CaseFactory
from tests.reliability.conftest import run_threads

UTC = dt.UTC
MID_2026 = dt.datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
THREADS, PER_THREAD = 10, 100


def _allocate(organization: Organization, actor: User, when: dt.datetime, series: str = NumberSeries.CASE) -> str:
    with transaction.atomic():
        return services.number_allocate(organization=organization, series=series, when=when, actor=actor)


def _expected(organization: Organization, year: int, count: int) -> list[str]:
    template = organization.case_number_template
    return [template.format(year=year, short_code=organization.short_code, seq=n) for n in range(1, count + 1)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_have_no_duplicates_and_no_gaps(world, clerk):
    """10 threads x 100 numbers for one centre, and in parallel 10 x 100 for a second one:
    2 x 1,000 numbers, each exactly once."""
    centres = [world.district, world.town]

    def work(index: int) -> list[str]:
        organization = centres[index % 2]
        return [_allocate(organization, clerk, MID_2026) for _ in range(PER_THREAD)]

    results = run_threads(2 * THREADS, work)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    for parity, organization in enumerate(centres):
        numbers = [n for i, r in enumerate(results) if i % 2 == parity for n in r]
        duplicates = [n for n, count in Counter(numbers).items() if count > 1]
        assert duplicates == []
        assert sorted(numbers) == sorted(_expected(organization, 2026, THREADS * PER_THREAD))  # no gaps
        counter = CaseNumberSequence.objects.get(organization=organization, year=2026, series=NumberSeries.CASE)
        assert counter.last_value == THREADS * PER_THREAD
        # one history row per number taken (+ the one that opened the counter), all with an actor
        rows = counter.history.all()
        assert rows.count() == THREADS * PER_THREAD + 1
        assert not rows.filter(history_user__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_number_every_case_once(service_case, people):
    """The numbers the acceptance itself takes (case_accept), 10 cases accepted at once."""
    cases = [service_case(Status.REGISTERED) for _ in range(THREADS)]
    results = run_threads(
        THREADS, lambda i: services.case_accept(case=cases[i], actor=people.director, mediators=[people.mediator])
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    year = timezone.localdate().year
    numbers = list(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("case_number", flat=True))
    assert sorted(numbers) == sorted(_expected(cases[0].organization, year, THREADS))


# --- the year is the year in Beijing time --------------------------------------------------------

LAST_SECOND_2026 = dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)  # 2026-12-31 23:59:59 Beijing
FIRST_SECOND_2027 = dt.datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC)  # 2027-01-01 00:00:00 Beijing


@pytest.mark.django_db
def test_the_sequence_restarts_at_one_on_new_year_in_beijing(world, clerk):
    org = world.district
    assert _allocate(org, clerk, LAST_SECOND_2026 - dt.timedelta(days=1)) == _expected(org, 2026, 1)[0]
    assert _allocate(org, clerk, LAST_SECOND_2026) == _expected(org, 2026, 2)[1]
    # 16:00 UTC on Dec 31 is already 2027 in Beijing: a new series starts at 1
    assert _allocate(org, clerk, FIRST_SECOND_2027) == _expected(org, 2027, 1)[0]
    assert _allocate(org, clerk, FIRST_SECOND_2027 + dt.timedelta(hours=8)) == _expected(org, 2027, 2)[1]
    # a late entry for the old year continues the old series, without touching the new one
    assert _allocate(org, clerk, LAST_SECOND_2026) == _expected(org, 2026, 3)[2]
    # each centre and each series counts on its own
    assert _allocate(world.town, clerk, FIRST_SECOND_2027) == _expected(world.town, 2027, 1)[0]
    registry = _allocate(org, clerk, FIRST_SECOND_2027, series=NumberSeries.REGISTRY)
    assert registry == org.registry_number_template.format(year=2027, short_code=org.short_code, seq=1)
    counters = {
        (c.organization_id, c.year, c.series): c.last_value
        for c in CaseNumberSequence.objects.filter(organization__in=[org, world.town])
    }
    assert counters == {
        (org.pk, 2026, "case"): 3,
        (org.pk, 2027, "case"): 2,
        (world.town.pk, 2027, "case"): 1,
        (org.pk, 2027, "registry"): 1,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accepted_at", "year"),
    [(LAST_SECOND_2026, 2026), (FIRST_SECOND_2027, 2027)],
    ids=["2026-12-31 23:59:59 Beijing", "2027-01-01 00:00 Beijing (2026-12-31 16:00 UTC)"],
)
def test_an_acceptance_is_numbered_in_its_beijing_year(service_case, people, accepted_at, year):
    case = service_case(Status.REGISTERED)
    accepted = services.case_accept(
        case=case, actor=people.director, mediators=[people.mediator], accepted_at=accepted_at
    )
    assert accepted.case_number == _expected(case.organization, year, 1)[0]


# --- the database refuses a number used twice -----------------------------------------------------


def _unique_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [sorted(c["columns"]) for c in constraints.values() if c["unique"] and not c["primary_key"]]


@pytest.mark.django_db
def test_the_database_holds_the_unique_constraints():
    assert ["case_number", "organization_id"] in _unique_columns(Case._meta.db_table)
    assert ["organization_id", "series", "year"] in _unique_columns(CaseNumberSequence._meta.db_table)


@pytest.mark.django_db
def test_a_number_used_twice_is_refused_by_the_database(world, clerk):
    first = CaseFactory(organization=world.district, created_by=clerk, case_number="（2026）京兴工调字第0001号")
    second = CaseFactory(organization=world.district, created_by=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(case_number=first.case_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseNumberSequence.objects.create(organization=world.district, year=2026, series="case")
        CaseNumberSequence.objects.create(organization=world.district, year=2026, series="case")
