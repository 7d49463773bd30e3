"""Rate limits counted in the database, so every server process sees the same counts."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .crypto import hash_code
from .errors import Throttled
from .models import RateEvent


def hit(scope: str, subject: str, *, limits: list[tuple[int, timedelta]], raise_error: bool = True) -> bool:
    """Count one event for (scope, subject); False (or Throttled) when any (count, window) limit is reached."""
    key = hash_code(f"rate:{scope}:{subject.lower()}")
    now = timezone.now()
    for count, window in limits:
        recent = RateEvent.objects.filter(key=key, at__gt=now - window)
        if recent.count() >= count:
            if raise_error:
                oldest = recent.order_by("at").values_list("at", flat=True).first()
                raise Throttled(retry_after=max(1, int((oldest + window - now).total_seconds())))
            return False
    RateEvent.objects.create(key=key, at=now)
    RateEvent.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return True
