from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "famplan.registration"
    label = "registration"
    verbose_name = "生育登记"
