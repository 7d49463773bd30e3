"""Account jobs: they belong to no workspace, so they are plain tasks (like core.send_email).

The requests that queue them (password reset, resend of a verification code) only count and queue, so
their work is the same for any address; the job is where the account is looked up.
"""
from __future__ import annotations

from oorg.celery import app
from oorg.core.crypto import decrypt


@app.task(name="accounts.send_password_reset_code")
def send_password_reset_code(sealed_email: str) -> None:
    from .services import send_password_reset_code as send

    send(email=decrypt(sealed_email))


@app.task(name="accounts.send_verification_code")
def send_verification_code(sealed_email: str) -> None:
    from .services import send_verification_code as send

    send(email=decrypt(sealed_email))
