"""The reports app's simple-history tables are append-only on PostgreSQL, like those of `cases`
(RELIABILITY.md T5, docs/reliability.md): a row trigger refuses UPDATE and DELETE. The
function cases_append_only() comes from cases/0005_database_guards. TRUNCATE is kept from
the application by its database role (manage.py db_roles)."""

from django.db import migrations

from core.db_guards import append_only

APPEND_ONLY_TABLES = (
    "reports_historicalreportsubmission",
    "reports_historicalsubmissionfile",
)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("cases", "0005_database_guards"),
    ]

    operations = [
        append_only(APPEND_ONLY_TABLES),
    ]
