"""Every registry table is reached by (unit, its date or status), through the composite
index its Meta declares; the single-column unit index beside it only slowed every
insert (a 100,000-row persons import maintains eight indexes on the person table).
The two tables without such an index get one first. The single-column indexes are
dropped by name, found by introspection: an AlterField would make SQLite rebuild
each table."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = [
    "birth", "death", "household", "householdchange", "marriage", "migration", "person",
    "residencechange",
]  # fmt: skip


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    for model_name in MODELS:
        table = apps.get_model("registry", model_name)._meta.db_table
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if (
                info["index"]
                and not info["unique"]
                and not info["primary_key"]
                and info["columns"] == ["unit_id"]
            ):
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def backwards(apps, schema_editor):
    for model_name in MODELS:
        model = apps.get_model("registry", model_name)
        field = model._meta.get_field("unit")
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


def unit_field():
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="orgunits.orgunit",
        verbose_name="所属村(居)",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orgunits", "0001_initial"),
        ("registry", "0002_birth_medical_certificate_number"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="householdchange",
            index=models.Index(fields=["unit", "changed_on"], name="household_change_unit"),
        ),
        migrations.AddIndex(
            model_name="residencechange",
            index=models.Index(fields=["unit", "moved_on"], name="residence_change_unit"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name=name, name="unit", field=unit_field())
                for name in MODELS
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
