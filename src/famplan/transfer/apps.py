"""App configuration of the import/export framework."""

from __future__ import annotations

from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "famplan.transfer"
    label = "transfer"
    verbose_name = "数据导入导出"

    def ready(self) -> None:
        # Registers the import job kind: the worker process never imports the views,
        # so the handler must be known from startup on.
        from famplan.transfer import jobs  # noqa: F401
