"""/api/v1/attendance/reports/monthly: the month's attendance and leave per employee or department
(attendance/reports.py), as JSON pages or a streamed CSV/XLSX export."""
from __future__ import annotations

from typing import Literal

from ninja import Query, Router, Schema

from oorg.core.schemas import Id, Limit, Offset
from oorg.org import downloads

from .. import reports

router = Router(tags=["attendance"])


class ReportFilters(Schema):
    month: str | None = None
    group: Literal["employee", "department"] = "employee"
    department_id: Id | None = None
    branch_id: Id | None = None


class ReportPage(ReportFilters):
    limit: Limit = 50
    offset: Offset = 0


class ExportFilters(ReportFilters):
    format: Literal["csv", "xlsx"] = "csv"


class ReportLeaveTypeOut(Schema):
    code: str
    name: str
    color: str


class ReportOut(Schema):
    month: str
    group: str
    count: int
    items: list[dict]
    leave_types: list[ReportLeaveTypeOut]


@router.get("/attendance/reports/monthly", response=ReportOut,
            summary="The month's attendance and leave per employee or department (managers: their reports; HR: "
                    "everyone). Each item has days_present, late_count, late_minutes, early_leaves, "
                    "early_leave_minutes, overtime_minutes, absences, worked_minutes, leave_days and `leave` "
                    "(days per leave type code)")
def monthly_report(request, filters: Query[ReportPage]):
    month = reports.parse_month(filters.month)
    return reports.monthly(request.actor, month, group=filters.group, department_id=filters.department_id,
                           branch_id=filters.branch_id, limit=filters.limit, offset=filters.offset)


@router.get("/attendance/reports/monthly/export", response={200: None},
            summary="The whole monthly report as CSV or XLSX, streamed (audited)")
def monthly_report_export(request, filters: Query[ExportFilters]):
    month = reports.parse_month(filters.month)
    data = reports.export(request.actor, month, group=filters.group, fmt=filters.format,
                          department_id=filters.department_id, branch_id=filters.branch_id)
    return downloads.spreadsheet(data, filters.format, reports.filename_for(month, filters.group))
