"""ASGI entry point, reserved for the realtime (/ws/) process; HTTP is served as WSGI by `oorg serve`."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
application = get_asgi_application()
