from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "oorg.core"
    label = "core"
