"""T3 transition-bypass guard: on PostgreSQL a trigger refuses every status change that is
not an edge of the workflow graph, whichever path writes it (QuerySet.update, bulk_update,
raw SQL). The pairs in the trigger are generated from cases.workflow; these tests fail if
the graph and the trigger ever drift apart."""

from __future__ import annotations

import importlib
import itertools
import re

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from cases import services
from cases.audit import allowed_status_pairs
from cases.models import Case, CaseEvent
from cases.workflow import TRANSITIONS, Status
from tests.factories import CaseFactory
from tests.reliability.conftest import raw

GUARDS = importlib.import_module("cases.migrations.0005_database_guards")
#: Every append-only table of `cases`: the guards migration and the later ones that add tables.
APPEND_ONLY_TABLES = (
    *GUARDS.APPEND_ONLY_TABLES,
    *importlib.import_module("cases.migrations.0009_append_only_intake_history").APPEND_ONLY_TABLES,
)
ALL_PAIRS = set(itertools.permutations(Status.values, 2))


def test_the_migration_embeds_exactly_the_workflow_graph():
    assert set(GUARDS.ALLOWED_STATUS_PAIRS) == allowed_status_pairs(), (
        "cases.workflow.TRANSITIONS changed: write a migration that replaces cases_case_status_guard() "
        "with the pairs of cases.audit.allowed_status_pairs()"
    )


def test_the_graph_pairs_are_derived_from_every_transition():
    pairs = allowed_status_pairs()
    for spec in TRANSITIONS.values():
        for source in spec.sources:
            if spec.target is None:  # return_closure: back to the outcome it came from
                assert {
                    (source, s) for s in ("rejected", "withdrawn", "terminated", "performed", "not_performed")
                } <= pairs
            elif spec.target != source:
                assert (source, spec.target) in pairs
    assert not any(a == b for a, b in pairs)
    assert not any(a in (Status.ARCHIVED,) for a, _ in pairs)  # archived is terminal


def test_every_cases_history_table_is_append_only_in_the_migration():
    tables = {m._meta.db_table for m in apps.get_app_config("cases").get_models()}
    expected = {t for t in tables if t.startswith("cases_historical")} | {"cases_caseevent"}
    assert set(APPEND_ONLY_TABLES) == expected


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pairs_in_database() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'cases_case_status_guard'")
        (source,) = cursor.fetchone()
    return set(re.findall(r"\('([a-z_]+)', '([a-z_]+)'\)", source))


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_installed_trigger_holds_the_workflow_graph():
    assert _pairs_in_database() == allowed_status_pairs()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'cases_case_status_guard'")
        assert cursor.fetchall() == [("O",)]


def _refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except DatabaseError:
        return True
    return False


@pytest.mark.postgres
@pytest.mark.django_db
def test_no_illegal_pair_persists_by_any_path(world, clerk):
    # One case per source state, inserted directly (the trigger guards changes, not inserts).
    cases = {state: CaseFactory(organization=world.district, created_by=clerk, status=state) for state in Status.values}
    illegal = sorted(ALL_PAIRS - allowed_status_pairs())
    assert len(illegal) == 15 * 14 - len(allowed_status_pairs())
    writers = {
        "queryset.update": lambda pk, to: Case.objects.filter(pk=pk).update(status=to),
        "bulk_update": lambda pk, to: Case.objects.bulk_update([Case(pk=pk, status=to)], ["status"]),
        "raw sql": lambda pk, to: raw("UPDATE cases_case SET status = %s WHERE id = %s", [to, pk]),
    }
    persisted = [
        (path, source, target)
        for source, target in illegal
        for path, write in writers.items()
        if not _refused(lambda w=write, s=source, t=target: w(cases[s].pk, t))
    ]
    assert persisted == []
    for state, case in cases.items():
        assert Case.objects.get(pk=case.pk).status == state


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_trigger_lets_every_edge_of_the_graph_through(world, clerk):
    """Positive control: the trigger checks the graph, not the path (the checker of T8 and
    the static rule catch edges taken without a transition)."""
    for source, target in sorted(allowed_status_pairs()):
        case = CaseFactory(organization=world.district, created_by=clerk, status=source)
        assert not _refused(lambda c=case, t=target: raw("UPDATE cases_case SET status = %s WHERE id = %s", [t, c.pk]))
        assert Case.objects.get(pk=case.pk).status == target


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_services_still_walk_the_graph(service_case, people):
    closed = service_case(Status.CLOSED)
    services.case_transition(case=closed, actor=people.clerk, name="archive")
    returned = service_case(Status.CLOSING)
    services.case_return_closure(case=returned, actor=people.director, comment="补充材料")
    assert Case.objects.get(pk=returned.pk).status == Status.REJECTED
    effective = service_case(Status.NOT_PERFORMED)
    assert Case.objects.get(pk=closed.pk).status == Status.ARCHIVED
    assert CaseEvent.objects.filter(case=effective, kind="transition").count() == 6
