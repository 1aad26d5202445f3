from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "famplan.campaigns"
    label = "campaigns"
    verbose_name = "工作方案与专项活动"
