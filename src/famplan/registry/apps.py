"""App configuration of the population registry."""

from __future__ import annotations

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "famplan.registry"
    label = "registry"
    verbose_name = "全员人口"

    def ready(self) -> None:
        # Registers the registry's import record types with the import framework: the
        # worker process never imports the views, so they must be known from startup on.
        from famplan.registry import imports  # noqa: F401
