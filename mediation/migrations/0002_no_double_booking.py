"""PostgreSQL refuses overlapping sessions of one mediator or one room (exclusion
constraints over time ranges). Other databases rely on the check in the service."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE mediation_sessionmediator ADD CONSTRAINT session_mediator_no_overlap
       EXCLUDE USING gist (mediator_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (active)""",
    """ALTER TABLE mediation_mediationsession ADD CONSTRAINT session_room_no_overlap
       EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
       WHERE (room_id IS NOT NULL AND status <> 'cancelled')""",
]
BACKWARD = [
    "ALTER TABLE mediation_mediationsession DROP CONSTRAINT IF EXISTS session_room_no_overlap",
    "ALTER TABLE mediation_sessionmediator DROP CONSTRAINT IF EXISTS session_mediator_no_overlap",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
