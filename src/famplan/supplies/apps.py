from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "famplan.supplies"
    label = "supplies"
    verbose_name = "免费避孕药具"

    def ready(self) -> None:
        # Registers the monthly issue counts with the import framework: the worker
        # process never imports the views, so the type must be known from startup on.
        from famplan.supplies import imports  # noqa: F401
