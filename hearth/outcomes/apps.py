from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What each outcomes notification means, in words (the reader opens the link to see more).
NOTIFICATION_KINDS = {
    "outcomes.safety": _("Someone's check-in answers call for a safety follow-up"),
    "outcomes.checkin_due": _("A check-in is due for someone you support"),
}


class OutcomesConfig(AppConfig):
    name = "hearth.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and evaluation"

    def ready(self):
        from hearth.core.audit import register_actions
        from hearth.core.notifications import register_kinds
        from hearth.people.services import register_eraser, register_revocation_listener

        from .audit_actions import ACTION_LABELS
        from .services import on_consent_revoked, outcomes_erase_for_person

        register_actions(ACTION_LABELS)
        register_kinds(NOTIFICATION_KINDS)
        register_eraser(outcomes_erase_for_person)
        register_revocation_listener(on_consent_revoked)
