from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oorg.web"
    label = "web"

    def ready(self):
        from oorg.core.errors import set_error_page

        from .middleware import render_error

        set_error_page(render_error)
