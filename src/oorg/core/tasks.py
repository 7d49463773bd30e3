"""Background jobs. Workspace jobs use `workspace_task`, which re-enters the workspace scope."""
from __future__ import annotations

import functools
from datetime import timedelta

from oorg.celery import app

from .tenancy import workspace_scope


def workspace_task(name: str, **options):
    """A Celery task whose first argument is `workspace_id`; the body runs inside that scope."""

    def decorate(func):
        @app.task(name=name, **options)
        @functools.wraps(func)
        def run(workspace_id: int, *args, **kwargs):
            with workspace_scope(workspace_id):
                return func(workspace_id, *args, **kwargs)

        return run

    return decorate


@app.task(name="core.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_email(*, email_id: int | None = None, **queued_before_upgrade) -> None:
    # Account-level mail (codes, notices) belongs to no workspace, so this is a plain task. It carries
    # only the id of the encrypted OutgoingEmail row (core/mail.py), never the message.
    from django.conf import settings
    from django.core.mail import EmailMessage

    from .mail import deliver

    if email_id is not None:
        deliver(email_id)
    elif queued_before_upgrade:  # a task queued by an older release carried the message itself
        m = queued_before_upgrade
        EmailMessage(m["subject"], m["body"], settings.DEFAULT_FROM_EMAIL, [m["to"]]).send()


@app.task(name="core.resend_unsent_emails")
def resend_unsent_emails() -> int:
    from .mail import resend_unsent

    return resend_unsent()


# Checked but never confirmed import uploads hold personal data: they go after a day.
UPLOAD_LIFETIME = timedelta(days=1)


@app.task(name="core.purge_stale_uploads")
def purge_stale_uploads() -> int:
    # Storage-wide housekeeping across workspaces (no rows read), hence a plain task.
    from . import files

    return sum(files.delete_older_than(folder, UPLOAD_LIFETIME) for folder in files.workspace_folders("imports"))


@app.task(name="core.anchor_audit_chains")
def anchor_audit_chains() -> list[str]:
    # Every chain at once (heads only, no workspace rows read), hence a plain task.
    from .audit_anchors import write_checkpoint

    return write_checkpoint()


@workspace_task("core.run_job")
def run_job(workspace_id: int, job_id: int) -> None:
    # Carries only the job's id: the upload and the options are on the row, which the creator can watch.
    from . import jobs

    jobs.run(job_id)


@app.task(name="core.recover_stale_jobs")
def recover_stale_jobs() -> dict:
    # Jobs of every workspace, read by state and time only (core/jobs.py), hence a plain task.
    from . import jobs

    return jobs.recover_stale()


@app.task(name="core.dispatch_events", acks_late=True)
def dispatch_events(ids: list[str]) -> int:
    # Events of any workspace (and account events, of none): consumers scope what they write themselves.
    from . import events

    return events.dispatch(ids)


@app.task(name="core.redispatch_stuck_events")
def redispatch_stuck_events() -> int:
    from . import events

    return events.redispatch_stuck()
