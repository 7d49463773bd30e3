"""The monthly attendance and leave report page (attendance:report) and its CSV/XLSX download
(attendance:report-export), both reading attendance/reports.py."""
from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from oorg.core.errors import DomainError
from oorg.org import downloads
from oorg.org.models import Branch, Department

from .. import reports

PER_PAGE = 25


class ReportForm(forms.Form):
    month = forms.CharField(label="Month", required=False,
                            widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
    group = forms.ChoiceField(label="Per", required=False,
                              choices=[("employee", "Employee"), ("department", "Department")])
    department = forms.TypedChoiceField(label="Department", required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label="Branch", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "All departments"), *Department.objects.order_by("name", "pk")
                                             .values_list("pk", "name")[:500]]
        self.fields["branch"].choices = [("", "All branches"), *Branch.objects.order_by("name", "pk")
                                         .values_list("pk", "name")[:500]]


def _params(request):
    shown = request.GET.copy()
    shown.setdefault("month", timezone.now().date().strftime("%Y-%m"))  # the picker shows the month it shows
    form = ReportForm(shown)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        month = reports.parse_month(data.get("month") or None, today=timezone.now().date())
    except DomainError as exc:
        form.add_error("month", exc.message if hasattr(exc, "message") else str(exc))
        month = reports.parse_month(None, today=timezone.now().date())
    return form, month, data.get("group") or "employee", data.get("department"), data.get("branch")


@require_safe
def monthly_report(request, workspace_slug):
    actor = request.actor
    reports.require_reader(actor)
    form, month, group, department_id, branch_id = _params(request)
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    result = reports.monthly(actor, month, group=group, department_id=department_id, branch_id=branch_id,
                             limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
    for row in result["items"]:
        row["leave_values"] = [row["leave"][t["code"]] for t in result["leave_types"]]
    query = request.GET.copy()
    query.pop("page", None)
    pages = max(1, -(-result["count"] // PER_PAGE))
    return render(request, "attendance/reports/monthly.html", {
        "form": form, "month": month, "group": group, "result": result, "number": number, "pages": pages,
        "query": query.urlencode(), "first": (number - 1) * PER_PAGE + 1,
        "last": (number - 1) * PER_PAGE + len(result["items"])})


@require_safe
def monthly_export(request, workspace_slug):
    actor = request.actor
    reports.require_reader(actor)
    form, month, group, department_id, branch_id = _params(request)
    fmt = request.GET.get("format") or "csv"
    data = reports.export(actor, month, group=group, fmt=fmt, department_id=department_id, branch_id=branch_id)
    return downloads.spreadsheet(data, fmt, reports.filename_for(month, group))


urlpatterns = [
    path("reports/monthly/", monthly_report, name="report"),
    path("reports/monthly/export", monthly_export, name="report-export"),
]
