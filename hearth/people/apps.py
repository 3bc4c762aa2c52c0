from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "hearth.people"
    label = "people"
    verbose_name = "People, consent and secure information exchange"

    def ready(self):
        from hearth.core.audit import register_actions

        from .audit_actions import ACTION_LABELS

        register_actions(ACTION_LABELS)
