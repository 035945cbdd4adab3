"""Re-encrypt every encrypted personal-data column under the current FIELD_ENCRYPTION_KEY
(RELIABILITY.md T22).

Rotation: set FIELD_ENCRYPTION_KEY to the new key and FIELD_ENCRYPTION_OLD_KEYS to the old
one, run this command, then drop the old key. It rewrites the ciphertext of every
`EncryptedTextField` in the main and the history tables, and the lookup hashes beside them
(`<field>_hash`, keyed by the current key). The history tables are append-only on
PostgreSQL: the command switches their guard trigger off inside its own transaction, so it
must run as the role that owns the tables (the one that runs the migrations). Rows that no
key can read are left as they are, listed, and make the exit status 1.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction

from core import crypto
from core.fields import EncryptedTextField


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every model (history models included) with its encrypted column names."""
    found = []
    for model in apps.get_models():
        fields = [str(f.column) for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def _guard_triggers(table: str) -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s AND NOT tgisinternal",
            [connection.ops.quote_name(table), "%append_only"],
        )
        return [row[0] for row in cursor.fetchall()]


def rotate_table(model: type[models.Model], columns: list[str]) -> tuple[int, list[str]]:
    """Rewrite one table; returns (rows rewritten, descriptions of unreadable rows)."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    pk = str(model._meta.pk.column)  # type: ignore[union-attr]
    hashes = {c: f"{c}_hash" for c in columns if f"{c}_hash" in {f.column for f in model._meta.concrete_fields}}
    rewritten, failures = 0, []
    triggers = _guard_triggers(table)
    with transaction.atomic():
        if triggers:  # ALTER TABLE refuses while deferred FK checks of this transaction are pending
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        for trigger in triggers:
            connection.cursor().execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(trigger)}")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(pk)}, {', '.join(quote(c) for c in columns)} FROM {quote(table)}")  # noqa: S608
            rows = cursor.fetchall()
        for row in rows:
            assignments: dict[str, Any] = {}
            for column, token in zip(columns, row[1:], strict=True):
                if not token:
                    continue
                try:
                    plain = crypto.decrypt(token)
                except ValueError:
                    failures.append(f"{table} {pk}={row[0]} {column}")
                    continue
                assignments[column] = crypto.encrypt(plain)
                if column in hashes:
                    assignments[hashes[column]] = crypto.lookup_hash(plain)
            if assignments:
                sets = ", ".join(f"{quote(c)} = %s" for c in assignments)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {sets} WHERE {quote(pk)} = %s",  # noqa: S608
                        [*assignments.values(), row[0]],
                    )
                rewritten += 1
        for trigger in triggers:
            connection.cursor().execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(trigger)}")
    return rewritten, failures


class Command(BaseCommand):
    help = "Re-encrypt ID numbers and phones (main and history tables) under FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        all_failures: list[str] = []
        for model, columns in encrypted_models():
            rewritten, failures = rotate_table(model, columns)
            all_failures += failures
            self.stdout.write(f"{model._meta.db_table}: {rewritten} rows re-encrypted, {len(failures)} unreadable")
        for failure in all_failures:
            self.stderr.write(f"UNREADABLE {failure}")
        if all_failures:
            raise CommandError(f"{len(all_failures)} values could not be decrypted with any configured key")
