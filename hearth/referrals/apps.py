from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "hearth.referrals"
    label = "referrals"
    verbose_name = "Closed-loop referrals"

    def ready(self):
        from hearth.core.audit import register_actions
        from hearth.people.services import register_eraser

        from .audit_actions import ACTION_LABELS
        from .services import referrals_erase_for_person

        register_actions(ACTION_LABELS)
        register_eraser(referrals_erase_for_person)
