"""T5 with the application's own database role (`manage.py db_roles`, docs/deployment.md):
connected as that role, the application does its normal work, while UPDATE, DELETE and
TRUNCATE on every audit table (CaseEvent and every simple-history table, in every app) are
refused by PostgreSQL itself. Also: every history table of cases, accounts, mediation,
linkage and documents carries the append-only row trigger (which binds the owner too)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client

from cases import services
from cases.models import CaseEvent
from cases.workflow import Status
from core.management.commands.db_roles import audit_tables, role_problems
from documents.models import CaseDocument, DocumentStatus
from documents.services import document_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: Apps whose history tables get the row trigger from their own NNNN_append_only_history
#: migration (cases: 0005 and 0009). reports' tables are kept append-only by the role alone.
TRIGGER_APPS = ("cases", "accounts", "mediation", "linkage", "documents", "reports")


@pytest.fixture
def app_role() -> Iterator[str]:
    role = f"t5_app_{uuid.uuid4().hex[:8]}"
    call_command("db_roles", "--role", role)
    yield role
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


@contextmanager
def connected_as(role: str) -> Iterator[None]:
    """Django's own connection, re-opened as `role` (services, ORM and all)."""
    settings_dict = connection.settings_dict
    saved = settings_dict["USER"], settings_dict["PASSWORD"]
    connection.close()
    settings_dict["USER"], settings_dict["PASSWORD"] = role, ""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == role
        yield
    finally:
        connection.close()
        settings_dict["USER"], settings_dict["PASSWORD"] = saved


def _raw_connection(role: str) -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    params.update(user=role, password="", autocommit=True)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params)


def test_the_role_does_the_applications_work_but_cannot_change_the_audit_trail(
    app_role: str, service_case: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with connected_as(app_role):
        # normal work: cases through the workflow (events, history), mediation, deadlines,
        # a rendered document, a login (session, lockout bookkeeping), an API token
        closed = service_case(Status.CLOSED)
        performed = service_case(Status.PERFORMED)
        accepted = service_case(Status.ACCEPTED)
        services.deadlines_sweep(actor=people.clerk, today=date(2099, 1, 1))
        with django_capture_on_commit_callbacks(execute=True):
            document = document_request(case=accepted, actor=people.clerk, kind="D3")
        document.refresh_from_db()
        assert document.status == DocumentStatus.READY, document.error
        client = Client(REMOTE_ADDR="10.8.0.1")
        assert client.post("/accounts/login/", {"username": "clerk", "password": "wrong"}).status_code == 200
        assert client.post("/accounts/login/", {"username": "clerk", "password": "pw-12345678"}).status_code == 302
        assert client.get(f"/cases/{performed.pk}/").status_code == 200
        token = Client().post(
            "/api/v1/auth/token/", {"username": "clerk", "password": "pw-12345678"}, content_type="application/json"
        )
        assert token.status_code == 200
        assert CaseEvent.objects.filter(case=closed).count() > 3
        assert CaseDocument.objects.filter(status=DocumentStatus.READY).count() == 1

    tables = audit_tables()
    assert "cases_caseevent" in tables and "documents_historicalcasedocument" in tables
    assert {t.split("_", 1)[0] for t in tables} >= {"cases", "accounts", "mediation", "linkage", "documents"}
    refused, attempts, empty = 0, 0, []
    with _raw_connection(app_role) as conn:
        for table in tables:
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            if count == 0:
                empty.append(table)
            key = conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1", [table]
            ).fetchone()[0]
            for sql in (
                f"UPDATE {table} SET {key} = {key}",  # noqa: S608
                f"DELETE FROM {table}",  # noqa: S608
                f"TRUNCATE {table}",
                f"TRUNCATE {table} CASCADE",
                f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            ):
                attempts += 1
                try:
                    conn.execute(sql)
                except psycopg.errors.InsufficientPrivilege:
                    refused += 1
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count, table  # noqa: S608
        # what it may do to an ordinary table, it does
        assert conn.execute("UPDATE cases_case SET updated_at = updated_at WHERE id = %s", [closed.pk]).rowcount == 1
        try:
            conn.execute("TRUNCATE cases_case CASCADE")
        except psycopg.errors.InsufficientPrivilege:
            refused += 1
        attempts += 1
    assert refused == attempts == 5 * len(tables) + 1
    # the work above wrote to the audit tables of every app that has history in play
    written = set(tables) - set(empty)
    assert {t.split("_", 1)[0] for t in written} >= {"cases", "accounts", "mediation", "documents"}


def test_db_roles_check_reports_a_widened_grant(app_role: str, capsys: Any) -> None:
    call_command("db_roles", "--role", app_role, "--check")
    assert "no TRUNCATE" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE, UPDATE ON cases_caseevent TO {app_role}")
    with pytest.raises(CommandError) as raised:
        call_command("db_roles", "--role", app_role, "--check")
    assert raised.value.returncode == 1
    assert role_problems(app_role) == ["cases_caseevent: extra ['TRUNCATE', 'UPDATE'], missing -"]
    call_command("db_roles", "--role", app_role)  # re-applying repairs it
    assert role_problems(app_role) == []


def test_the_role_owns_nothing_and_holds_no_attributes(app_role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
            [app_role],
        )
        assert cursor.fetchone() == (False, False, False, False, True)
        cursor.execute("SELECT count(*) FROM pg_class WHERE pg_get_userbyid(relowner) = %s", [app_role])
        assert cursor.fetchone()[0] == 0


def test_a_bad_role_name_is_refused_before_anything_runs() -> None:
    with pytest.raises(CommandError, match="--role"):
        call_command("db_roles", "--role", "app; DROP TABLE cases_case")


def test_every_history_table_of_the_guarded_apps_carries_the_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' AND table_name LIKE '%%\\_historical%%'"
        )
        history = {row[0] for row in cursor.fetchall() if row[0].split("_", 1)[0] in TRIGGER_APPS}
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_append_only' AND t.tgenabled = 'O'"
        )
        guarded = {row[0] for row in cursor.fetchall()}
    assert {t.split("_", 1)[0] for t in history} == set(TRIGGER_APPS)
    assert history - guarded == set()
