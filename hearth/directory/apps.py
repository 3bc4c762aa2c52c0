from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "hearth.directory"
    label = "directory"
    verbose_name = "Shared service directory (HSDS 3.0)"
