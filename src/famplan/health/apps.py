"""App configuration of pre-pregnancy checks, their follow-ups and folic acid."""

from __future__ import annotations

from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "famplan.health"
    label = "health"
    verbose_name = "孕前优生与叶酸"

    def ready(self) -> None:
        # Registers the import record types: the worker never imports the views.
        from famplan.health import imports  # noqa: F401

        # The person page's health panel (the registry never imports health).
        from famplan.health.person_panel import PANEL
        from famplan.registry.panels import register_person_panel

        register_person_panel(PANEL)
