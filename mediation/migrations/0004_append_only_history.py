"""The mediation app's simple-history tables are append-only on PostgreSQL, like those of `cases`
(RELIABILITY.md T5, docs/reliability.md): a row trigger refuses UPDATE and DELETE. The
function cases_append_only() comes from cases/0005_database_guards. TRUNCATE is kept from
the application by its database role (manage.py db_roles)."""

from django.db import migrations

from core.db_guards import append_only

APPEND_ONLY_TABLES = (
    "mediation_historicalroom",
    "mediation_historicalmediationsession",
    "mediation_historicalsessionmediator",
    "mediation_historicalattendance",
    "mediation_historicaltranscript",
    "mediation_historicaltranscriptblock",
    "mediation_historicalextension",
    "mediation_historicalagreement",
    "mediation_historicalagreementterm",
    "mediation_historicalobligation",
    "mediation_historicalagreementsignature",
    "mediation_historicalpaymentrecord",
    "mediation_historicalfollowup",
    "mediation_historicalservicerecord",
)


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0003_historicalpaymentrecord_agency_paymentrecord_agency"),
        ("cases", "0005_database_guards"),
    ]

    operations = [
        append_only(APPEND_ONLY_TABLES),
    ]
