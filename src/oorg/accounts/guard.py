"""The one throttled door every secret check goes through, and the registry of those checks.

A secret check (a password, an emailed code, an invitation code, a TOTP or recovery code) first calls
`reserve()`: in one transaction holding the lock rows of its keys (the account's email and the client
IP) it counts their recent failures, refuses with 429 when a limit is reached, and otherwise records
this attempt as a failure. Only then is the secret compared; a right one turns the record into a
success (`passed()`, which clears the account's count) or removes it (`uncounted()`). So parallel
guesses queue on the lock and exactly the allowed number is evaluated, a crash after the compare
still counts, and once throttled the right secret is refused too.

Every check shares one ledger (LoginAttempt): 5 failures per account or 20 per IP within 15 minutes,
counted since the last success of that account (or from that IP).

`tests/accounts/test_secret_checks.py` fails when code compares a secret outside SECRET_CHECKS
(helpers in UNDER_THE_DOOR may, but only registered checks call them), and drives each registered
check with wrong secrets until 429.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from oorg.core import request_context
from oorg.core.errors import Throttled
from oorg.core.ratelimit import lock

from .models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_IP = 20
# Sign-ups per client IP (the 409 for a taken email would otherwise enumerate accounts freely).
SIGNUP_LIMITS = [(10, timedelta(hours=1))]

# "module.function" -> what it checks. Filled by @secret_check.
SECRET_CHECKS: dict[str, str] = {}
# Compare secrets, but run only inside a registered check (the test checks who calls them).
UNDER_THE_DOOR = {
    "oorg.accounts.codes.consume_code": "the newest live emailed code; 5 wrong tries also burn the code",
    "oorg.accounts.codes.was_last_code": "a repeated submit of the code just used",
    "oorg.accounts.services.accept_totp": "a fresh TOTP code of the user's app (spends its time step)",
}
# Compare or hash secrets without a door, and why.
EXEMPT = {
    "oorg.accounts.auth.actor_for_token": (
        "bearer tokens: 256 random bits looked up by keyed hash, nothing to guess; a per-IP lock would let one "
        "client lock an office out of the API and cost a write on every request"
    ),
    "oorg.workspaces.demo.demo_signin": "checks whether the demo owner still uses the published demo password; no input",
    "oorg.accounts.services._device_hash": (
        "a browser's device id (random, in a signed cookie) looked up by keyed hash after the sign-in is proven; "
        "it grants nothing: an unknown one only tells the owner of a sign-in from a new browser"
    ),
    "oorg.core.crypto.constant_time_equal": "the compare itself",
    "oorg.core.audit._check_chain": "audit hash chain, verified by the operator's command; no secret to guess",
    "oorg.core.audit_anchors._parse": "audit anchor signatures, read by the operator's command; no secret to guess",
}
# Make secrets (hash them to store), compare nothing.
PRODUCERS = {
    "oorg.accounts.codes.issue_code": "stores a new emailed code's hash",
    "oorg.accounts.services.issue_token": "stores a new API token's hash",
    "oorg.accounts.services.begin_two_factor_setup": "makes a TOTP secret",
    "oorg.accounts.services.replace_recovery_codes": "stores new recovery codes' hashes",
    "oorg.accounts.services.pending_two_factor_setup": "shows the TOTP secret being set up again (a reload)",
    "oorg.workspaces.services.invite_member": "stores a new invitation code's hash",
    "oorg.workspaces.services._live_invitation": ("looks an invitation up by its code's hash, for accept_invitation "
                                                  "and describe_invitation only"),
    "oorg.core.ratelimit.hit": "hashes the rate-limit key",
    "oorg.core.ratelimit.lock": "hashes the lock key",
}


def secret_check(what: str):
    """Register a function that compares a secret; it must open the door with `reserve()` first."""

    def register(func):
        SECRET_CHECKS[f"{func.__module__}.{func.__qualname__}"] = what
        return func

    return register


class Attempt:
    def __init__(self, pk: int):
        self.pk = pk

    def passed(self) -> None:
        """The secret was right, and this proves the account: its failure count starts again."""
        LoginAttempt.objects.filter(pk=self.pk).update(succeeded=True)

    def uncounted(self) -> None:
        """The secret was right but proves less than a sign-in (e.g. a password before its second factor)."""
        LoginAttempt.objects.filter(pk=self.pk).delete()


def _failures(since, **filters) -> int:
    last_success = (LoginAttempt.objects.filter(succeeded=True, at__gt=since, **filters)
                    .order_by("-at").values_list("at", flat=True).first())
    return LoginAttempt.objects.filter(succeeded=False, at__gt=last_success or since, **filters).count()


def reserve(*, email: str | None) -> Attempt:
    """Count-and-decide in one locked transaction: 429 when the account (`email`, if any) or the client IP has
    too many recent failures; otherwise this attempt is recorded as a failure until the caller says otherwise."""
    email = (email or "").strip().lower()
    ip = request_context.client_ip.get()
    with transaction.atomic():
        lock(*([f"secret:account:{email}"] if email else []), *([f"secret:ip:{ip}"] if ip else []))
        since = timezone.now() - WINDOW
        if (email and _failures(since, email=email) >= MAX_FAILURES_PER_ACCOUNT) or (
            ip and _failures(since, ip_address=ip) >= MAX_FAILURES_PER_IP
        ):
            raise Throttled("Too many failed sign-in attempts. Wait 15 minutes and try again.", retry_after=900)
        row = LoginAttempt.objects.create(email=email, ip_address=ip, succeeded=False)
    return Attempt(row.pk)
