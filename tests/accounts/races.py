"""Parallel requests against one account, run on real threads (each with its own database connection).

On PostgreSQL the tests call these in-process (transaction=True). SQLite's in-memory test database cannot
hold concurrent writers, so on SQLite the tests run `python -m tests.accounts.races NAME` on a fresh
file database configured as in production (WAL, IMMEDIATE transactions) and read its JSON answer.
"""
from __future__ import annotations

import json
import sys
import threading


def _parallel(n_threads: int, work) -> tuple[list, list]:
    from django.db import connections

    answers, errors = [], []
    start = threading.Barrier(n_threads)

    def run(n):
        try:
            start.wait()
            answers.extend(work(n))
        except Exception as e:  # reported by the caller; a thread's exception would otherwise vanish
            errors.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(answers), errors


def forty_wrong_passwords() -> dict:
    """8 threads x 5 wrong passwords for one account, each from its own IP (only the account's limit applies)."""
    from django.test import Client

    from oorg.accounts.models import LoginAttempt, User
    from oorg.core.models import AuditEvent

    User.objects.create_user("ada@example.test", "Sturdy-Passphrase-42", full_name="Ada")

    def guess(n):
        client = Client(REMOTE_ADDR=f"10.0.{n}.1")
        return [client.post("/api/v1/auth/token", {"email": "ada@example.test", "password": "Not-the-password-1"},
                            content_type="application/json").status_code for _ in range(5)]

    answers, errors = _parallel(8, guess)
    return {"answers": answers, "errors": errors,
            "failures": LoginAttempt.objects.filter(email="ada@example.test", succeeded=False).count(),
            "audited": AuditEvent.objects.filter(action="auth.signin_failed").count()}


def ten_resends() -> dict:
    """10 threads ask for a new verification code for one address at once: one per minute may pass."""
    from django.test import Client

    from oorg.accounts.models import User
    from oorg.core.models import RateEvent

    User.objects.create_user("late@example.test", "Sturdy-Passphrase-42", full_name="Late")

    def resend(n):
        return [Client().post("/api/v1/auth/verify-email/resend", {"email": "late@example.test"},
                              content_type="application/json").status_code]

    answers, errors = _parallel(10, resend)
    return {"answers": answers, "errors": errors, "events": RateEvent.objects.count()}


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps(globals()[sys.argv[1]]()))
