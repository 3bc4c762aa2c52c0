from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "hearth.governance"
    label = "governance"
    verbose_name = "Democratic governance and open books"

    def ready(self):
        from hearth.core.audit import register_actions

        from .audit_actions import ACTION_LABELS

        register_actions(ACTION_LABELS)
