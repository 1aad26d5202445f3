from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "famplan.registration"
    label = "registration"
    verbose_name = "生育登记"

    def ready(self) -> None:
        # The birth is linked when it happens: a registry Birth saved by any path that
        # saves through the ORM (forms, services) is matched to its registration.
        from famplan.registration import signals  # noqa: F401
