from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "famplan.benefits"
    label = "benefits"
    verbose_name = "奖励扶助"
