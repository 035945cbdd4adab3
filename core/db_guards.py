"""Migration operations shared by the apps' database guards (RELIABILITY.md T5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def append_only(tables: Sequence[str]) -> migrations.RunPython:
    """On PostgreSQL, a row trigger on each table that refuses UPDATE and DELETE, using
    cases_append_only() from cases/0005_database_guards (depend on that migration).
    TRUNCATE is kept from the application by its database role (manage.py db_roles)."""

    def install(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION cases_append_only();"
            )

    def uninstall(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")

    return migrations.RunPython(install, uninstall)
