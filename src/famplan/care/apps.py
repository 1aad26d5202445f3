from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "famplan.care"
    label = "care"
    verbose_name = "特殊家庭与包村包户"

    def ready(self) -> None:
        # Registers the import record types: the worker never imports the views.
        from famplan.care import imports  # noqa: F401

        # The person page's care panel (the registry never imports care).
        from famplan.care.person_panel import PANEL
        from famplan.registry.panels import register_person_panel

        register_person_panel(PANEL)
