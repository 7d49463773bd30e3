"""Leave addresses that need no sign-in: the iCal feeds, behind their secret token (leave-public: namespace)."""
from .views import feeds

app_name = "leave-public"
urlpatterns = feeds.urlpatterns
