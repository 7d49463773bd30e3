"""The CRM's public pages (crm-public: namespace): the web-to-lead form, outside any workspace's URL."""
from .views import public

app_name = "crm-public"
urlpatterns = public.urlpatterns
