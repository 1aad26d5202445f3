"""App configuration of data-quality checks."""

from __future__ import annotations

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "famplan.quality"
    label = "quality"
    verbose_name = "数据质量"

    def ready(self) -> None:
        # The worker process never imports the views: register the run job kind here.
        from famplan.quality import jobs  # noqa: F401
        from famplan.quality.conflicts import on_number_conflict
        from famplan.registry.services.checks import number_conflict

        number_conflict.connect(on_number_conflict, dispatch_uid="quality.number_conflict")
