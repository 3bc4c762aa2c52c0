from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "hearth.directory"
    label = "directory"
    verbose_name = "Shared service directory (HSDS 3.0)"

    def ready(self):
        from hearth.core.audit import register_actions

        from .audit_actions import ACTION_LABELS

        register_actions(ACTION_LABELS)
