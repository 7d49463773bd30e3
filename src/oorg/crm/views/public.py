"""Pages anyone may open without signing in: the web-to-lead form (/f/<key>)."""
urlpatterns = []
