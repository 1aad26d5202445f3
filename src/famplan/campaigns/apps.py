from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "famplan.campaigns"
    label = "campaigns"
    verbose_name = "工作方案与专项活动"

    def ready(self) -> None:
        # Registers the import record types: the worker never imports the views.
        from famplan.campaigns import imports  # noqa: F401
