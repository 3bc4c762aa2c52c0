from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "hearth.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and evaluation"

    def ready(self):
        from hearth.core.audit import register_actions
        from hearth.people.services import register_eraser, register_revocation_listener

        from .audit_actions import ACTION_LABELS
        from .services import on_consent_revoked, outcomes_erase_for_person

        register_actions(ACTION_LABELS)
        register_eraser(outcomes_erase_for_person)
        register_revocation_listener(on_consent_revoked)
