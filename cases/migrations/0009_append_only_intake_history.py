"""The history tables of the intake models (consultations, platform clients, online
applications) are append-only on PostgreSQL, like the other history tables of `cases`
(0005_database_guards: the function cases_append_only() is defined there)."""

from django.db import migrations

APPEND_ONLY_TABLES = (
    "cases_historicalconsultation",
    "cases_historicalonlineapplication",
    "cases_historicalplatformclient",
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
        ("cases", "0008_online_intake"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
