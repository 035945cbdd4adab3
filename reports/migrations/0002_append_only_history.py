"""The reports app's simple-history tables are append-only on PostgreSQL, like those of `cases`
(RELIABILITY.md T5, docs/reliability.md): a row trigger refuses UPDATE and DELETE. The
function cases_append_only() comes from cases/0005_database_guards. TRUNCATE is kept from
the application by its database role (manage.py db_roles)."""

from django.db import migrations

APPEND_ONLY_TABLES = (
    "reports_historicalreportsubmission",
    "reports_historicalsubmissionfile",
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cases_append_only();"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("cases", "0005_database_guards"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
