from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "oorg.core"
    label = "core"

    def ready(self):
        from . import roles  # noqa: F401  registers the roles.* audit actions, as areas register theirs
