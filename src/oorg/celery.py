import os

from celery import Celery

from oorg.core.broker import register as register_broker

register_broker()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")

app = Celery("oorg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["oorg.core", "oorg.accounts", "oorg.notifications", "oorg.webhooks"])
