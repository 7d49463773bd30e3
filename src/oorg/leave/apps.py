from django.apps import AppConfig
from django.db.models.signals import post_save


class LeaveConfig(AppConfig):
    name = "oorg.leave"
    label = "leave"
    verbose_name = "Leave"

    def ready(self):
        from oorg.core.models import Workspace

        from . import (
            permissions,  # noqa: F401  the leave.* permission names and audit labels
            shell,
            tasks,  # noqa: F401  the daily accrual job, for Celery
        )
        from .events import register_all

        register_all()
        shell.register()
        post_save.connect(_leave_types_for_new_workspace, sender=Workspace, dispatch_uid="leave-system-types")


def _leave_types_for_new_workspace(sender, instance, created, raw=False, **kwargs):
    """Annual, sick and unpaid leave exist in every workspace from its first moment."""
    if created and not raw:
        from .defaults import ensure_types

        ensure_types(instance)
