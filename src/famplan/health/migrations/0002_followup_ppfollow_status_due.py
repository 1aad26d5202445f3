"""The county-wide follow-up worklist's index, on PostgreSQL only.

The county's open follow-ups by due date: with (status, due_on) PostgreSQL reads them in
index order and stops at the first page instead of sorting every open follow-up of the
county. Not on SQLite: with no statistics its planner takes this index for a village's
due and overdue lists as well (a range on due_on with no sort) and filters the whole
county's rows, three times slower than the (status, unit, due_on) index it uses now. So
the model does not declare it (the state would differ by database), and this migration
makes it where it helps.
"""

from django.db import migrations

NAME = "ppfollow_status_due"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "health_followup" ("status", "due_on")'
        )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
