"""Leave's periodic job: the daily accrual run (leave/services/accrual.py). A plain task that visits every
workspace inside its own scope, like crm/services/reminders.py; registered with Celery by leave/events/balances.py
importing this module, scheduled daily in settings.CELERY_BEAT_SCHEDULE."""
from __future__ import annotations

from oorg.celery import app

from .services.accrual import run_accruals


@app.task(name="leave.run_accruals")
def run_accruals_task() -> dict:
    """Grants, accruals, carry-overs and expiries due today, in every workspace (idempotent)."""
    return run_accruals()
