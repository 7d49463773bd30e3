"""Ties a Django login to a UserSession row: revoked, idle or too-old sessions are signed out."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import logout
from django.utils import timezone

from .models import UserSession

SESSION_KEY = "oorg_sid"
LAST_SEEN_PRECISION = timedelta(seconds=60)
# Sent by requests a page makes on its own (the bell's poll): they are not the person being active, so they
# must not keep an unattended tab's session alive past the idle limit.
BACKGROUND_HEADER = "HTTP_X_OORG_BACKGROUND"


class UserSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user_session = None
        if request.path_info.startswith(("/api/", "/static/", "/healthz")):
            return self.get_response(request)  # the API authenticates by token, not by cookie
        user = request.user
        if user.is_authenticated:
            public_id = request.session.get(SESSION_KEY)
            row = UserSession.objects.filter(public_id=public_id, user=user).first() if public_id else None
            now = timezone.now()
            if row is None or not row.is_live(now):
                logout(request)
            else:
                if now - row.last_seen_at > LAST_SEEN_PRECISION and not request.META.get(BACKGROUND_HEADER):
                    UserSession.objects.filter(pk=row.pk).update(last_seen_at=now)
                request.user_session = row
        return self.get_response(request)
