"""The only place raw SQL is allowed (a lint test enforces it)."""
import hashlib

from django.db import connection


def lock_for_transaction(key: str) -> None:
    """Serialize writers of one logical resource until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every write transaction already
    takes the database write lock at BEGIN (transaction_mode IMMEDIATE), so nothing to do.
    """
    if connection.vendor != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def ping() -> None:
    """The cheapest database round trip (for /healthz)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
