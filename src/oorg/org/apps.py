from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "oorg.org"
    label = "org"

    def ready(self):
        from . import permissions  # noqa: F401  registers the org.* permission names
