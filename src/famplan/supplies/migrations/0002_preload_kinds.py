"""The kinds of supply a county starts with (免费避孕药具目录); the county edits them."""

from django.db import migrations

KINDS = [
    # code, name, unit, essential, order
    ("condom_male", "男用避孕套", "只", True, 10),
    ("oral_pill", "短效口服避孕药", "板", True, 20),
    ("emergency_pill", "紧急避孕药", "片", True, 30),
    ("condom_female", "女用避孕套", "只", False, 40),
    ("topical", "外用避孕药(栓、膜、凝胶)", "支", False, 50),
]


def preload(apps, schema_editor):
    SupplyKind = apps.get_model("supplies", "SupplyKind")
    for code, name, unit, essential, order in KINDS:
        SupplyKind.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "essential": essential, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]
    operations = [migrations.RunPython(preload, migrations.RunPython.noop)]
