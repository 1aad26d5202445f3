"""App configuration of the division tree."""

from __future__ import annotations

from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "famplan.orgunits"
    label = "orgunits"
    verbose_name = "行政区划"

    def ready(self) -> None:
        # Registers the division import job kind: the worker process never imports the
        # views, so the handler must be known from startup on.
        from famplan.orgunits import checks, jobs  # noqa: F401
