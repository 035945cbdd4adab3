"""T5 audit immutability and tamper evidence: CaseEvent and the cases app's history tables
refuse UPDATE and DELETE on PostgreSQL; every CaseEvent is chained per case by sha256 and
`verify_audit` finds the exact row that was changed, removed or reordered."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cases import services
from cases.audit import GENESIS_HASH, event_fields, event_hash, verify_chain
from cases.models import CaseEvent, EventKind
from cases.workflow import Status
from tests.reliability.conftest import raw, triggers_off

GUARDS = importlib.import_module("cases.migrations.0005_database_guards")
#: Every append-only table of `cases`: the guards migration and the later ones that add tables.
APPEND_ONLY_TABLES = (
    *GUARDS.APPEND_ONLY_TABLES,
    *importlib.import_module("cases.migrations.0009_append_only_intake_history").APPEND_ONLY_TABLES,
)

pytestmark = pytest.mark.django_db


def _verify(capsys, *args: str) -> tuple[int, str]:
    try:
        call_command("verify_audit", *args)
    except CommandError as exc:
        captured = capsys.readouterr()
        return exc.returncode, captured.out + captured.err
    captured = capsys.readouterr()
    return 0, captured.out + captured.err


def test_every_event_is_chained_to_the_one_before(service_case, people):
    case = service_case(Status.PERFORMED)
    services.deadlines_sweep(actor=people.clerk)  # alert events are chained as well
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    assert {e.kind for e in events} >= {EventKind.CREATED, EventKind.TRANSITION}
    previous = GENESIS_HASH
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == event_hash(event.prev_hash, event_fields(event))
        previous = event.hash
    assert verify_chain(case.pk) == (len(events), [])


def test_each_case_has_its_own_chain(service_case):
    first, second = service_case(Status.REGISTERED), service_case(Status.REGISTERED)
    for case in (first, second):
        assert CaseEvent.objects.filter(case=case).order_by("id").first().prev_hash == GENESIS_HASH


def test_bulk_create_is_refused_because_it_would_skip_the_chain(service_case, people):
    case = service_case(Status.DRAFT)
    with pytest.raises(TypeError):
        CaseEvent.objects.bulk_create([CaseEvent(case=case, kind=EventKind.NOTE, actor=people.clerk)])


def test_a_clean_database_verifies(service_case, capsys):
    service_case(Status.CLOSED)
    service_case(Status.IN_MEDIATION)
    code, output = _verify(capsys)
    assert code == 0
    assert "intact" in output


def _middle_event(case) -> CaseEvent:
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    return events[len(events) // 2]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "改过的理由"),
        ("to_status", "closed"),
        ("actor_id", None),  # set below to another user's id
        ("payload", '{"case_number": "（2026）京兴工调字第9999号"}'),
        ("created_at", "2020-01-01 00:00:00+00:00"),
    ],
)
def test_one_changed_row_is_found_by_its_id(service_case, people, capsys, column, value):
    case = service_case(Status.CLOSED)
    other = service_case(Status.REGISTERED)
    tampered = _middle_event(case)
    if column == "actor_id":
        value = people.director.pk if tampered.actor_id != people.director.pk else people.clerk.pk
    with triggers_off():
        raw(f"UPDATE cases_caseevent SET {column} = %s WHERE id = %s", [value, tampered.pk])  # noqa: S608
    code, output = _verify(capsys)
    assert code == 1
    _, breaks = verify_chain()
    assert [(b.case_id, b.event_id) for b in breaks] == [(case.pk, tampered.pk)]
    assert f"event {tampered.pk}:" in output
    assert _verify(capsys, "--case", str(other.pk))[0] == 0


def test_one_changed_byte_is_found(service_case):
    case = service_case(Status.ACCEPTED)
    tampered = _middle_event(case)
    with triggers_off():
        raw("UPDATE cases_caseevent SET name = %s WHERE id = %s", [tampered.name[:-1] + "X", tampered.pk])
    assert [b.event_id for b in verify_chain()[1]] == [tampered.pk]


def test_a_deleted_row_breaks_the_link_of_the_next_one(service_case):
    case = service_case(Status.CLOSED)
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    with triggers_off():
        raw("DELETE FROM cases_caseevent WHERE id = %s", [events[2].pk])
    breaks = verify_chain(case.pk)[1]
    assert [(b.event_id, b.problem) for b in breaks] == [(events[3].pk, "prev_hash does not match the previous event")]


def test_a_rehashed_row_is_still_found_through_the_next_link(service_case):
    """Whoever recomputes the changed row's own hash still breaks the next row's link."""
    case = service_case(Status.CLOSED)
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    target = events[1]
    target.reason = "伪造"
    forged = event_hash(target.prev_hash, event_fields(target))
    with triggers_off():
        raw("UPDATE cases_caseevent SET reason = %s, hash = %s WHERE id = %s", ["伪造", forged, target.pk])
    assert [b.event_id for b in verify_chain(case.pk)[1]] == [events[2].pk]


def test_heads_are_printed_for_shipping_off_site(service_case, capsys):
    case = service_case(Status.REGISTERED)
    last = CaseEvent.objects.filter(case=case).order_by("id").last()
    code, output = _verify(capsys, "--heads")
    assert code == 0
    assert f"head case={case.pk} event={last.pk} hash={last.hash}" in output


# --- PostgreSQL: the database refuses the change itself --------------------------------------------


def _attempt(sql: str) -> bool:
    """True when the database refused the statement."""
    try:
        with transaction.atomic():
            raw(sql)
    except DatabaseError:
        return True
    return False


def _intake_rows(people: Any) -> None:
    """A consultation, a platform client and an online application (their history rows)."""
    from accounts.services import system_user
    from cases import consultations, online

    organization = people.clerk.memberships.get().organization
    consultations.consultation_log(actor=people.clerk, organization=organization, channel="walk_in", topic="加班费")
    platform, _key = online.platform_client_issue(actor=system_user(), name="网上平台", organizations=[organization])
    online.online_application_submit(
        organization=organization,
        applicant={"name": "李四", "id_number": "11010519491231002X", "phone": "13800138000", "address": "北京市"},
        employer={"name": "北京某某物流有限公司", "uscc": ""},
        dispute_type="PAY",
        claims=[{"claim_type": "WAGE", "description": "支付工资", "amount": "3000.00"}],
        facts="拖欠工资。",
        consents={"pipl_notice": True, "voluntary": True, "truthful": True},
        platform=platform,
        platform_reference="T5-0001",
    )


@pytest.mark.postgres
def test_update_and_delete_are_refused_on_every_audit_table(service_case, people):
    from datetime import date

    service_case(Status.CLOSED)
    service_case(Status.ACCEPTED)
    services.deadlines_sweep(actor=people.clerk, today=date(2099, 1, 1))  # historicaldeadlinealert rows
    _intake_rows(people)
    refused, attempts = 0, 0
    for table in APPEND_ONLY_TABLES:
        key = "id" if table == "cases_caseevent" else "history_id"
        column = "reason" if table == "cases_caseevent" else "history_change_reason"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), min({key}) FROM {table}")  # noqa: S608
            count, first = cursor.fetchone()
        assert count > 0, f"{table} has no rows to attack"
        for sql in (
            f"UPDATE {table} SET {column} = 'x' WHERE {key} = {first}",  # noqa: S608
            f"UPDATE {table} SET {column} = {column}",  # noqa: S608
            f"DELETE FROM {table} WHERE {key} = {first}",  # noqa: S608
            f"DELETE FROM {table}",  # noqa: S608
        ):
            attempts += 1
            refused += _attempt(sql)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] == count
    assert refused == attempts == 4 * len(APPEND_ONLY_TABLES)


@pytest.mark.postgres
def test_every_history_table_of_the_cases_app_carries_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND (table_name LIKE 'cases\\_historical%%' "
            "OR table_name = 'cases_caseevent')"
        )
        tables = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE '%%append_only' AND t.tgenabled = 'O'"
        )
        guarded = {row[0] for row in cursor.fetchall() if row[0].startswith("cases_")}  # other apps: test_db_role
    assert tables == guarded


@pytest.mark.postgres
def test_transactional_tests_can_still_flush_the_tables():
    """TRUNCATE (Django's flush between transactional tests) is not a row operation: the
    row triggers do not fire. Keeping TRUNCATE from the application is a grant (docs)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%append_only' AND (tgtype & 32) <> 0")
        assert cursor.fetchone()[0] == 0  # no TRUNCATE triggers
