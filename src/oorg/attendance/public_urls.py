"""Attendance pages that need no sign-in: the kiosk, behind its secret address (attendance-public: namespace)."""
from .views import kiosk

app_name = "attendance-public"
urlpatterns = kiosk.urlpatterns
