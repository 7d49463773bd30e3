"""The leave types every workspace has: annual (25 days a year by default), sick and unpaid.

Created with the workspace (a post_save signal, leave/apps.py), by a migration for workspaces that existed
before, and again on demand (`ensure_types`) so a workspace can never be without them.
"""
from __future__ import annotations

from decimal import Decimal

from oorg.core.tenancy import workspace_scope

from .models import LeaveType

SYSTEM_TYPES = (
    dict(code="annual", name="Annual leave", color="#2563eb", paid=True, accrual="yearly", days_per_year=Decimal(25),
         prorate=True, carry_over_max=Decimal(5), carry_over_expires_months=3, min_notice_days=0, position=0),
    dict(code="sick", name="Sick leave", color="#dc2626", paid=True, accrual="none", days_per_year=Decimal(0),
         attachment_after_days=3, allow_negative=True, position=1),
    dict(code="unpaid", name="Unpaid leave", color="#6b7280", paid=False, accrual="none", days_per_year=Decimal(0),
         allow_negative=True, position=2),
)


def ensure_types(workspace) -> None:
    """Create whichever system types the workspace lacks (never changes existing ones)."""
    with workspace_scope(workspace):
        have = set(LeaveType.objects.values_list("code", flat=True))
        missing = [LeaveType(workspace=workspace, **spec) for spec in SYSTEM_TYPES if spec["code"] not in have]
        if missing:
            LeaveType.objects.bulk_create(missing, ignore_conflicts=True)
