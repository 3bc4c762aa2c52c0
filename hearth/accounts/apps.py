from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hearth.accounts"
    label = "accounts"
    verbose_name = "Accounts, organizations and networks"

    def ready(self):
        from hearth.core.audit import register_actions

        from .audit_actions import ACTION_LABELS

        register_actions(ACTION_LABELS)
