from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    name = "famplan.deliveries"
    label = "deliveries"
    verbose_name = "住院分娩实名登记"
