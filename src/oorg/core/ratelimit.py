"""Rate limits counted in the database, so every server process sees the same counts.

Counting and recording happen in one transaction holding the key's lock row (see `lock`), so parallel
requests cannot all see "one below the limit" and all pass.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .crypto import hash_code
from .errors import Throttled
from .models import RateEvent, ThrottleLock


def lock(*subjects: str) -> None:
    """Inside a transaction: hold the lock rows of these subjects until it ends (created on first use).

    PostgreSQL: SELECT ... FOR UPDATE, in key order so two requests never wait on each other crosswise.
    SQLite: the IMMEDIATE transaction already holds the database's write lock; the rows cost little.
    """
    assert transaction.get_connection().in_atomic_block, "lock() outside a transaction locks nothing"
    keys = sorted({hash_code(f"lock:{s.lower()}") for s in subjects})
    if not keys:
        return
    ThrottleLock.objects.bulk_create([ThrottleLock(key=k) for k in keys], ignore_conflicts=True)
    list(ThrottleLock.objects.select_for_update().filter(key__in=keys).order_by("key").values_list("pk"))


def hit(scope: str, subject: str, *, limits: list[tuple[int, timedelta]], raise_error: bool = True) -> bool:
    """Count one event for (scope, subject); False (or Throttled) when any (count, window) limit is reached."""
    key = hash_code(f"rate:{scope}:{subject.lower()}")
    with transaction.atomic():
        lock(f"rate:{scope}:{subject}")
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
