import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")

app = Celery("oorg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["oorg.core", "oorg.accounts"])
