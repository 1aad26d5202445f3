"""Births record the birth medical certificate number (出生医学证明编号), unique when present."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="birth",
            name="medical_certificate_number",
            field=models.CharField(
                blank=True, max_length=20, null=True, verbose_name="出生医学证明编号"
            ),
        ),
        migrations.AddConstraint(
            model_name="birth",
            constraint=models.UniqueConstraint(
                condition=models.Q(("medical_certificate_number__isnull", False)),
                fields=("medical_certificate_number",),
                name="birth_certificate_unique",
            ),
        ),
    ]
