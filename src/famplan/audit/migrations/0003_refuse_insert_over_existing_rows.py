"""SQLite: refuse an INSERT that names an existing row's id.

`INSERT OR REPLACE` / `REPLACE INTO` delete the conflicting row without firing DELETE
triggers (unless the connection turned recursive_triggers on), so they could overwrite
a row past audit_no_delete. The check runs before SQLite resolves the conflict, so it
stops REPLACE, and UPSERT (`ON CONFLICT DO UPDATE`, which audit_no_update stops too).
A new row's id is not yet assigned here (NEW.id is -1), so normal inserts pass.

PostgreSQL has no REPLACE, and its `ON CONFLICT DO UPDATE` and MERGE fire the UPDATE and
DELETE triggers of 0002; tests/audit/test_append_only.py proves both databases refuse.
"""

from django.db import migrations

TABLE = "audit_auditentry"

SQLITE_UP = f"""CREATE TRIGGER audit_no_overwrite BEFORE INSERT ON {TABLE}
    WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_no_overwrite;"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(_run(SQLITE_UP), _run(SQLITE_DOWN))]
