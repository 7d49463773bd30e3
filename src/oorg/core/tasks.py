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
def send_email(*, to: str, subject: str, body: str) -> None:
    # Account-level mail (codes, notices) belongs to no workspace, so this is a plain task.
    from .mail import deliver

    deliver(to, subject, body)


# Checked but never confirmed import uploads hold personal data: they go after a day.
UPLOAD_LIFETIME = timedelta(days=1)


@app.task(name="core.purge_stale_uploads")
def purge_stale_uploads() -> int:
    # Storage-wide housekeeping across workspaces (no rows read), hence a plain task.
    from . import files

    return sum(files.delete_older_than(folder, UPLOAD_LIFETIME) for folder in files.workspace_folders("imports"))
