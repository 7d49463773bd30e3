from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "oorg.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self):
        from . import permissions  # noqa: F401  the crm.* permission names and audit labels
        from .events import register_all

        register_all()
