"""Leave pages under /w/<workspace_slug>/leave/ (leave: namespace), one module per kind of page."""
from .views import approvals, calendar, requests, settings

app_name = "leave"
urlpatterns = [pattern for module in (requests, approvals, calendar, settings) for pattern in module.urlpatterns]
