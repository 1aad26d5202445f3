from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "famplan.assessment"
    label = "assessment"
    verbose_name = "目标管理责任制考核"
