"""Notification pages: the centre, the bell's partial and preferences (workspace pages), and the unsubscribe link."""
from django.urls import path

from . import views

app_name = "notifications"
W = "w/<slug:workspace_slug>/"
urlpatterns = [
    path(W + "notifications/", views.notification_list, name="list"),
    path(W + "notifications/bell", views.bell, name="bell"),
    path(W + "notifications/read-all", views.read_all, name="read-all"),
    path(W + "notifications/preferences", views.preferences_page, name="preferences"),
    path(W + "notifications/<int:notification_id>/open", views.open_notification, name="open"),
    path(W + "notifications/<int:notification_id>/read", views.read, name="read"),
    path(W + "notifications/<int:notification_id>/unread", views.unread, name="unread"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
