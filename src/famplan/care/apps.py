from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "famplan.care"
    label = "care"
    verbose_name = "特殊家庭与包村包户"
