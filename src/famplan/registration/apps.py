from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "famplan.registration"
    label = "registration"
    verbose_name = "生育登记"

    def ready(self) -> None:
        # A birth recorded anywhere (form, import, API: all through births_write) is
        # linked to the couple's open registration in the same transaction.
        from famplan.registration.services import on_births_recorded
        from famplan.registry.services.births import births_recorded

        births_recorded.connect(on_births_recorded, dispatch_uid="registration.link_on_birth")
