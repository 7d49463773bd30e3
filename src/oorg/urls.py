from django.db import DatabaseError
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from .api import api
from .core.db import ping


def healthz(request):
    try:
        ping()
        return JsonResponse({"status": "ok"})
    except DatabaseError:  # its detail stays out of the response
        return JsonResponse({"status": "database unavailable"}, status=503)


@csrf_exempt  # else a POST/PUT/PATCH/DELETE would meet the CSRF check's 403 before this 404
def api_not_found(request):
    # API clients get JSON for an unknown path too, never the HTML 404 page.
    return JsonResponse({"detail": "No such API endpoint.", "code": "not_found"}, status=404)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("", include("oorg.web.urls")),
]
