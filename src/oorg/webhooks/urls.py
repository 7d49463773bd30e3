"""Webhook pages, under /w/<workspace_slug>/webhooks/."""
from django.urls import path

from . import views

app_name = "webhooks"
W = "w/<slug:workspace_slug>/webhooks/"
urlpatterns = [
    path(W, views.webhook_list, name="list"),
    path(W + "new", views.webhook_new, name="new"),
    path(W + "<int:webhook_id>/", views.webhook_detail, name="detail"),
    path(W + "<int:webhook_id>/edit", views.webhook_edit, name="edit"),
    path(W + "<int:webhook_id>/pause", views.webhook_pause, name="pause"),
    path(W + "<int:webhook_id>/resume", views.webhook_resume, name="resume"),
    path(W + "<int:webhook_id>/rotate-secret", views.webhook_rotate, name="rotate"),
    path(W + "<int:webhook_id>/test", views.webhook_test, name="test"),
    path(W + "<int:webhook_id>/delete", views.webhook_delete, name="delete"),
    path(W + "<int:webhook_id>/deliveries/<int:delivery_id>/resend", views.delivery_resend, name="resend"),
]
