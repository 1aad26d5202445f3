"""App configuration of indicators, targets and statistical reports."""

from __future__ import annotations

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "famplan.indicators"
    label = "indicators"
    verbose_name = "统计指标"

    def ready(self) -> None:
        # The worker process never imports the views: register the refresh job kind here.
        from famplan.indicators import jobs  # noqa: F401
