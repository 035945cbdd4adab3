"""Database guards (RELIABILITY.md T3, T5), PostgreSQL only; a no-op on SQLite.

1. cases_case.status may change only along the workflow graph. The pairs below were generated
   from cases.workflow.TRANSITIONS (cases.audit.allowed_status_pairs) when this migration was
   written; tests/reliability/test_t3_status_trigger.py fails if the two ever differ. A change
   to the graph needs a new migration that replaces the function with the new pairs.
2. cases_caseevent and the cases app's simple-history tables are append-only: UPDATE and
   DELETE raise. (TRUNCATE is not a row operation; keep it from the application role with
   grants, docs/reliability.md.)
"""

from django.db import migrations

ALLOWED_STATUS_PAIRS = (
    ('accepted', 'in_mediation'),
    ('accepted', 'terminated'),
    ('accepted', 'withdrawn'),
    ('agreement_effective', 'not_performed'),
    ('agreement_effective', 'performed'),
    ('agreement_pending', 'agreement_effective'),
    ('agreement_pending', 'in_mediation'),
    ('agreement_pending', 'terminated'),
    ('agreement_pending', 'withdrawn'),
    ('awaiting_consent', 'accepted'),
    ('awaiting_consent', 'rejected'),
    ('awaiting_consent', 'withdrawn'),
    ('closed', 'archived'),
    ('closing', 'closed'),
    ('closing', 'not_performed'),
    ('closing', 'performed'),
    ('closing', 'rejected'),
    ('closing', 'terminated'),
    ('closing', 'withdrawn'),
    ('draft', 'registered'),
    ('in_mediation', 'agreement_pending'),
    ('in_mediation', 'terminated'),
    ('in_mediation', 'withdrawn'),
    ('not_performed', 'closing'),
    ('not_performed', 'performed'),
    ('performed', 'closing'),
    ('registered', 'accepted'),
    ('registered', 'awaiting_consent'),
    ('registered', 'rejected'),
    ('registered', 'withdrawn'),
    ('rejected', 'closing'),
    ('terminated', 'closing'),
    ('withdrawn', 'closing'),
)

APPEND_ONLY_TABLES = (
    'cases_caseevent',
    'cases_historicalcase',
    'cases_historicalcaseassignment',
    'cases_historicalcasenumbersequence',
    'cases_historicalcaseparty',
    'cases_historicalclaimitem',
    'cases_historicaldeadlinealert',
    'cases_historicalemployer',
    'cases_historicalholidaycalendar',
    'cases_historicalperson',
)

_PAIRS_SQL = ",\n        ".join(f"('{a}', '{b}')" for a, b in ALLOWED_STATUS_PAIRS)

STATUS_GUARD = f"""
CREATE OR REPLACE FUNCTION cases_case_status_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.status, NEW.status) NOT IN (
        {_PAIRS_SQL}
    ) THEN
        RAISE EXCEPTION 'case % status change % -> % is not in the workflow graph', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_case_status_guard
    BEFORE UPDATE OF status ON cases_case
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION cases_case_status_guard();
"""

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION cases_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _append_only_trigger(table):
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION cases_append_only();"
    )


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(STATUS_GUARD, params=None)
    schema_editor.execute(APPEND_ONLY_FUNCTION, params=None)
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(_append_only_trigger(table))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS cases_append_only();")
    schema_editor.execute("DROP TRIGGER IF EXISTS cases_case_status_guard ON cases_case;")
    schema_editor.execute("DROP FUNCTION IF EXISTS cases_case_status_guard();")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_caseevent_hash_chain'),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
