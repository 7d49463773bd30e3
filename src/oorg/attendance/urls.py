"""Attendance pages under /w/<workspace_slug>/attendance/ (attendance: namespace), one module per kind of page."""
from .views import clocking, corrections, days, holidays, reports, settings, shifts

app_name = "attendance"
urlpatterns = [pattern for module in (clocking, days, corrections, shifts, holidays, settings, reports)
               for pattern in module.urlpatterns]
