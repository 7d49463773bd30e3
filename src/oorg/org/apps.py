from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "oorg.org"
    label = "org"

    def ready(self):
        from oorg.core import images, imports, limits

        from . import permissions  # noqa: F401  registers the org.* permission names
        from .importing import EMPLOYEES, MAX_FILE_BYTES

        imports.register(EMPLOYEES)  # the job kind "org.employee.import", for the workers too
        limits.allow_upload(r"^/api/v1/employees/import(/preview)?$", MAX_FILE_BYTES)
        limits.allow_upload(r"^/w/[^/]+/organization/import/$", MAX_FILE_BYTES)
        limits.allow_upload(r"^/api/v1/employees/\d+/photo$", images.MAX_BYTES)
        limits.allow_upload(r"^/w/[^/]+/people/\d+/photo/upload$", images.MAX_BYTES)
