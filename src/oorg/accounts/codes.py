"""6-digit one-time codes sent by email: stored as a keyed hash, valid 10 minutes, 5 wrong tries burn one."""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from oorg.core.crypto import constant_time_equal, hash_code, numeric_code
from oorg.core.errors import DomainError

from .models import EmailCode, User

CODE_LIFETIME = timedelta(minutes=10)
CODE_MAX_TRIES = 5


class InvalidCode(DomainError):
    status = 400
    code = "invalid_code"
    message = "That code is wrong or has expired. Request a new one if needed."


def issue_code(user: User, purpose: str, *, new_email: str = "") -> str:
    code = numeric_code()
    now = timezone.now()
    # A new code replaces any earlier one of the same purpose.
    EmailCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
    EmailCode.objects.create(
        user=user, purpose=purpose, code_hash=hash_code(f"{purpose}:{user.pk}:{code}"),
        created_at=now, expires_at=now + CODE_LIFETIME, new_email=new_email,
    )
    return code


def consume_code(user: User | None, purpose: str, code: str) -> EmailCode:
    """Accept the newest live code (returned, now spent) or raise InvalidCode; a wrong try counts, the 5th burns
    the code."""
    now = timezone.now()
    with transaction.atomic():
        pending = None
        if user is not None:
            pending = (
                EmailCode.objects.select_for_update()
                .filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
                .order_by("-created_at")
                .first()
            )
        if pending is None:
            raise InvalidCode()
        if not constant_time_equal(pending.code_hash, hash_code(f"{purpose}:{user.pk}:{code.strip()}")):
            pending.failed_attempts += 1
            if pending.failed_attempts >= CODE_MAX_TRIES:
                pending.used_at = now
            pending.save(update_fields=["failed_attempts", "used_at"])
            burned = pending.used_at is not None  # raised below, after the counted try commits
        else:
            pending.used_at = now
            pending.save(update_fields=["used_at"])
            return pending
    raise InvalidCode(
        "Too many wrong tries: that code no longer works. Request a new one." if burned else None, field="code"
    )


def was_last_code(user: User, purpose: str, code: str) -> bool:
    last = EmailCode.objects.filter(user=user, purpose=purpose, used_at__isnull=False).order_by("-used_at").first()
    return last is not None and constant_time_equal(last.code_hash, hash_code(f"{purpose}:{user.pk}:{code.strip()}"))
