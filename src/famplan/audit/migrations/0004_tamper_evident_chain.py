"""The tamper-evidence chain (audit/chain.py): three columns, the chain computed over the
rows already written (in id order), and PostgreSQL's locked read of the chain's head.

The columns are nullable so that SQLite adds them with ALTER TABLE ADD COLUMN: a NOT
NULL column makes Django rebuild the table, which drops its append-only triggers.
`at` moves from auto_now_add to default=timezone.now (the writer must know the time it
hashes); that is Django state only, the column does not change.
"""

import django.utils.timezone
from django.db import migrations, models

TABLE = "audit_auditentry"
BATCH = 2000

# Appends take this transaction-scoped advisory lock, then read the chain's head with a
# fresh snapshot (a VOLATILE function's queries each take one), so a writer that waited
# sees what the one before it committed. The key is famplan's own: 620422 (Huining),
# then 1 for "audit chain".
POSTGRES_UP = f"""CREATE OR REPLACE FUNCTION audit_chain_head()
    RETURNS TABLE (head_seq bigint, head_hash varchar) AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(6204220001);
        RETURN QUERY SELECT a.seq, a.row_hash FROM {TABLE} a
            WHERE a.row_hash IS NOT NULL ORDER BY a.id DESC LIMIT 1;
    END; $$ LANGUAGE plpgsql VOLATILE;"""
POSTGRES_DOWN = "DROP FUNCTION IF EXISTS audit_chain_head();"

# The only UPDATE the audit table ever takes: filling the chain for rows written before it.
SQLITE_NO_UPDATE = f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"""


def chain_existing_rows(apps, schema_editor):
    from famplan.audit import chain

    connection = schema_editor.connection
    entries = apps.get_model("audit", "AuditEntry").objects.order_by("id")
    rows = entries.values_list(
        "id", "at", "user_id", "username", "ip", "action", "result", "detail",
        "target_type", "org_unit_id", "target_id", "target_label",
    ).iterator(chunk_size=BATCH)  # fmt: skip
    head = chain.Head(0, chain.GENESIS)
    updates = []
    for row_id, at, user_id, username, ip, action, result, detail, ttype, unit, tid, label in rows:
        fixed = chain.fixed_part(
            at=at, user_id=user_id, username=username, ip=ip, action=action,
            result=result, detail=detail, target_type=ttype,
        )  # fmt: skip
        updates.append((*head.extend(fixed, unit, tid, label), row_id))
    if not updates:
        return
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_no_update")
        elif vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_change")
        cursor.executemany(
            f"UPDATE {TABLE} SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",  # noqa: S608
            updates,
        )
        if vendor == "sqlite":
            cursor.execute(SQLITE_NO_UPDATE)
        elif vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_no_change")


def _postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_refuse_insert_over_existing_rows")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="at",
                    field=models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="时间",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="上一行哈希"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="row_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="本行哈希"
            ),
        ),
        migrations.RunPython(_postgres(POSTGRES_UP), _postgres(POSTGRES_DOWN)),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
