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
