"""Attendance pages that need no sign-in: the kiosk, behind its secret address (attendance-public: namespace)."""

app_name = "attendance-public"
urlpatterns = []  # TODO: the kiosk page (attendance/views/kiosk.py)
