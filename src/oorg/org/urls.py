"""People pages (views.py) and organization setup pages (setup_views.py), under /w/<workspace_slug>/."""
from . import setup_views, views

app_name = "org"
urlpatterns = views.urlpatterns + setup_views.urlpatterns
