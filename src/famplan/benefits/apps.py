from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "famplan.benefits"
    label = "benefits"
    verbose_name = "奖励扶助"

    def ready(self) -> None:
        # The 出生一件事 checklist's subsidy line (registration never imports benefits).
        from famplan.benefits.public import subsidy_lines, subsidy_missing
        from famplan.registration.selectors import SUBSIDY_LABEL, register_bundle_line

        register_bundle_line(SUBSIDY_LABEL, subsidy_lines, subsidy_missing)

        # The person page's benefits panel (the registry never imports benefits).
        from famplan.benefits.person_panel import PANEL
        from famplan.registry.panels import register_person_panel

        register_person_panel(PANEL)
