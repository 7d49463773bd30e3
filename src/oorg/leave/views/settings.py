"""TODO: filled by its owner"""

urlpatterns = []
