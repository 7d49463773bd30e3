from django.db import DatabaseError
from django.http import JsonResponse
from django.urls import include, path

from .api import api
from .core.db import ping


def healthz(request):
    try:
        ping()
        return JsonResponse({"status": "ok"})
    except DatabaseError:  # its detail stays out of the response
        return JsonResponse({"status": "database unavailable"}, status=503)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("oorg.web.urls")),
]
