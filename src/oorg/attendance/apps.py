from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "oorg.attendance"
    label = "attendance"
    verbose_name = "Attendance"

    def ready(self):
        from . import (
            permissions,  # noqa: F401  the attendance.* permission names and audit labels
            shell,
            tasks,  # noqa: F401  the periodic jobs (forgotten clock-outs, closing days), for Celery
        )
        from .events import register_all

        register_all()
        shell.register()
