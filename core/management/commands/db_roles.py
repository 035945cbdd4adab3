"""`manage.py db_roles`: the application's own PostgreSQL role (RELIABILITY.md T5,
docs/deployment.md).

Run it as the role that owns the tables (the one `migrate` runs as), after every `migrate`:
it is idempotent. It creates (or updates) a LOGIN role that owns nothing and may only:

- SELECT, INSERT, UPDATE, DELETE the ordinary tables;
- SELECT and INSERT the audit tables: `cases_caseevent`, every simple-history table
  (`*_historical*`, in every app) and every other table guarded by `cases_append_only()`;
- use the sequences.

It never gets TRUNCATE, REFERENCES or TRIGGER, nor ownership, so it cannot empty an audit
table (TRUNCATE bypasses row triggers), disable a trigger or alter a table. The web
processes and the Celery workers connect as this role; migrations, `rotate_field_key` (which
lifts the history triggers for its rewrite) and backups run as the owner.

`--check` changes nothing and exits 1 listing every privilege that differs.
"""

from __future__ import annotations

import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
ORDINARY = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})
APPEND_ONLY = frozenset({"SELECT", "INSERT"})


def schema_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        )
        return [row[0] for row in cursor.fetchall()]


def audit_tables() -> list[str]:
    """The tables the application may only read and append to."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND p.proname = 'cases_append_only' AND NOT t.tgisinternal"
        )
        guarded = {row[0] for row in cursor.fetchall()}
    return sorted(
        table for table in schema_tables() if table == "cases_caseevent" or "_historical" in table or table in guarded
    )


def expected_privileges() -> dict[str, frozenset[str]]:
    audit = set(audit_tables())
    return {table: APPEND_ONLY if table in audit else ORDINARY for table in schema_tables()}


def actual_privileges(role: str) -> dict[str, frozenset[str]]:
    with connection.cursor() as cursor:
        result = {}
        for table in schema_tables():
            held = set()
            for privilege in TABLE_PRIVILEGES:
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
                if cursor.fetchone()[0]:
                    held.add(privilege)
            result[table] = frozenset(held)
        return result


def role_problems(role: str) -> list[str]:
    """Every way the role differs from the model (empty: as it should be)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            return [f"role {role} does not exist"]
        problems = [
            f"role {role} has {name}"
            for name, value in zip(("SUPERUSER", "CREATEROLE", "CREATEDB", "BYPASSRLS"), row[:4], strict=True)
            if value
        ]
        if not row[4]:
            problems.append(f"role {role} cannot log in")
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND pg_has_role(%s, c.relowner, 'USAGE')",
            [role],
        )
        problems += [f"role {role} owns (or is a member of the owner of) {r[0]}" for r in cursor.fetchall()]
    actual = actual_privileges(role)
    for table, wanted in expected_privileges().items():
        held = actual.get(table, frozenset())
        if held != wanted:
            extra, missing = sorted(held - wanted), sorted(wanted - held)
            problems.append(f"{table}: extra {extra or '-'}, missing {missing or '-'}")
    return problems


def apply_role(role: str, password: str | None) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        cursor.execute(f"{verb} ROLE {quote(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        if password:
            cursor.execute(f"ALTER ROLE {quote(role)} PASSWORD %s", [password])
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        cursor.execute(f"GRANT CONNECT ON DATABASE {quote(database)} TO {quote(role)}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA {quote(schema)} FROM {quote(role)}")
        for table, privileges in expected_privileges().items():
            cursor.execute(f"REVOKE ALL ON TABLE {quote(table)} FROM {quote(role)}")
            cursor.execute(f"GRANT {', '.join(sorted(privileges))} ON TABLE {quote(table)} TO {quote(role)}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {quote(role)}")


class Command(BaseCommand):
    help = "Create or update the application's PostgreSQL role: no TRUNCATE, no UPDATE/DELETE on audit tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", default=os.environ.get("DB_APP_ROLE", "mediation_app"))
        parser.add_argument(
            "--password-env",
            default="DB_APP_PASSWORD",
            help="environment variable holding the role's password (not set: the password is left as it is)",
        )
        parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the grants differ")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db_roles needs PostgreSQL (DATABASE_URL=postgres://...).")
        role = options["role"]
        if not ROLE_NAME.fullmatch(role):
            raise CommandError(f"--role {role!r}: use lower-case letters, digits and _ (max 63).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            if cursor.fetchone()[0] == role:
                raise CommandError("Run db_roles as the owner of the tables, not as the application role.")
        if not options["check"]:
            apply_role(role, os.environ.get(options["password_env"]) or None)
        problems = role_problems(role)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"role {role}: {len(problems)} privilege(s) differ from the model", returncode=1)
        audit = audit_tables()
        self.stdout.write(
            f"role {role}: {len(schema_tables()) - len(audit)} tables read/write, "
            f"{len(audit)} audit tables read/append only, no TRUNCATE."
        )
