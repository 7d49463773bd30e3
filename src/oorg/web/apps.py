from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oorg.web"
    label = "web"
