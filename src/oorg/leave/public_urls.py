"""Leave addresses that need no sign-in: the iCal feeds, behind their secret token (leave-public: namespace)."""

app_name = "leave-public"
urlpatterns = []  # TODO: the feed (leave/views/feeds.py)
