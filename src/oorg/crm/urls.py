"""CRM pages under /w/<workspace_slug>/crm/ (crm: namespace), one module per kind of page."""
from .views import (
    activities,
    board,
    companies,
    contacts,
    deals,
    forecast,
    imports,
    leads,
    lists,
    pipelines,
    settings,
    timeline,
    web_forms,
)

app_name = "crm"
urlpatterns = [pattern for module in (lists, leads, contacts, companies, deals, board, forecast, pipelines,
                                      activities, timeline, imports, settings, web_forms)
               for pattern in module.urlpatterns]
