"""Two costs off every audit insert, each found by timing a 100,000-row import:

- The single-column org_unit index goes: audit_unit_at (org_unit, at) serves every
  lookup by unit. Dropped by name rather than by an AlterField, which on SQLite
  rebuilds the table and with it would drop the append-only triggers.
- SQLite's audit_no_overwrite trigger (0003) goes. Any BEFORE INSERT trigger makes
  SQLite build the whole new row for it: it doubled the CPU of writing audit rows
  (125,000 rows: 0.96 s without it, 2.03 s with it). Its guard against INSERT OR
  REPLACE now comes from `PRAGMA recursive_triggers=ON`, set on every connection
  famplan opens (settings.py): with it, the rows REPLACE deletes fire audit_no_delete.
  A connection that leaves it off (someone with the file and their own sqlite3) can
  as well drop the triggers; the hash chain (0004) and `famplan audit-verify` show
  what it changed. docs/decisions.md.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "audit_auditentry"
OVERWRITE_TRIGGER = f"""CREATE TRIGGER audit_no_overwrite BEFORE INSERT ON {TABLE}
    WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"""


def single_column_indexes(schema_editor, table: str, column: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and not info["primary_key"]
        and info["columns"] == [column]
    ]  # fmt: skip


def forwards(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in single_column_indexes(schema_editor, TABLE, "org_unit_id"):
        schema_editor.execute(f"DROP INDEX {quote(name)}")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_overwrite")


def backwards(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX {quote('audit_auditentry_org_unit_id_1ec3610a')} ON {TABLE} (org_unit_id)"
    )
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(OVERWRITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_tamper_evident_chain"),
        ("orgunits", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="org_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgunits.orgunit",
                        verbose_name="单位",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
