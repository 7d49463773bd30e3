from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Literal

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from oorg.core.api import Page, check_page, list_of, paginate
from oorg.core.errors import DomainError, ValidationFailed
from oorg.core.jobs_api import JobOut, job_out
from oorg.core.schemas import Id

from . import downloads, importing, selectors, services
from .schemas import (
    BranchIn,
    BranchOut,
    BranchPatch,
    DepartmentIn,
    DepartmentOut,
    DepartmentPatch,
    EmployeeBulkIn,
    EmployeeBulkOut,
    EmployeeIn,
    EmployeeOut,
    EmployeePatch,
    ImportPreviewOut,
    OrgChartNode,
    OrgChartPathOut,
    OrgSettingsIn,
    OrgSettingsOut,
    StatusFilter,
    TerminateIn,
)

router = Router(tags=["organization"])
RENAMED = {"department_id": "department", "branch_id": "branch", "manager_id": "manager", "member_id": "member",
           "parent_id": "parent", "head_id": "head"}


def fields_of(payload: Schema, *, exclude_unset: bool = True) -> dict:
    return {RENAMED.get(k, k): v for k, v in payload.model_dump(exclude_unset=exclude_unset).items()}


SENT_AS = {service_name: body_name for body_name, service_name in RENAMED.items()}


@contextmanager
def fields_as_sent():
    """A refusal names the body's fields, as a schema error does: the services say `department`, the body
    `department_id`."""
    try:
        yield
    except DomainError as exc:
        for problem in {id(p): p for p in (exc, *exc.problems)}.values():
            problem.field = SENT_AS.get(problem.field, problem.field)
        raise


# --- branches ------------------------------------------------------------------------------------------


@router.get("/branches", response=list_of(BranchOut), summary="Branches (offices and sites)")
def branch_list(request, page: Query[Page]):
    return paginate(selectors.branches_visible_to(request.actor), page)


@router.post("/branches", response={201: BranchOut}, summary="Create a branch (org.branch.manage)")
def branch_create(request, payload: BranchIn):
    fields = fields_of(payload, exclude_unset=False)
    if fields["time_zone"] is None:
        fields.pop("time_zone")
    return Status(201, services.create_branch(request.actor, **fields))


@router.get("/branches/{int:branch_id}", response=BranchOut, summary="One branch")
def branch_detail(request, branch_id: Id):
    return selectors.get_branch(request.actor, branch_id)


@router.patch("/branches/{int:branch_id}", response=BranchOut, summary="Change a branch")
def branch_update(request, branch_id: Id, payload: BranchPatch):
    branch = selectors.get_branch(request.actor, branch_id)
    return services.update_branch(request.actor, branch, **fields_of(payload))


@router.delete("/branches/{int:branch_id}", response={204: None}, summary="Delete an empty branch (409 if staffed)")
def branch_delete(request, branch_id: Id):
    services.delete_branch(request.actor, selectors.get_branch(request.actor, branch_id))
    return Status(204, None)


# --- departments -----------------------------------------------------------------------------------------


def department_out(department, counts: dict[int, int]) -> dict:
    head = department.head
    return {"id": department.pk, "name": department.name, "parent_id": department.parent_id,
            "head": {"id": head.pk, "name": head.full_name} if head else None,
            "employee_count": counts.get(department.pk, 0)}


def employee_counts(request) -> dict[int, int]:
    return selectors.headcounts(selectors.viewer_for(request.actor), "department_id")


@router.get("/departments", response=list_of(DepartmentOut), summary="Departments, in tree order")
def department_list(request, page: Query[Page]):
    check_page(page)
    tree = [d for d, _depth in selectors.department_tree(request.actor)]
    counts = employee_counts(request)
    items = [department_out(d, counts) for d in tree[page.offset: page.offset + page.limit]]
    return {"items": items, "count": len(tree)}


@router.post("/departments", response={201: DepartmentOut}, summary="Create a department (org.department.manage)")
def department_create(request, payload: DepartmentIn):
    with fields_as_sent():
        department = services.create_department(request.actor, **fields_of(payload))
    return Status(201, department_out(department, {}))


@router.get("/departments/{int:department_id}", response=DepartmentOut, summary="One department")
def department_detail(request, department_id: Id):
    return department_out(selectors.get_department(request.actor, department_id), employee_counts(request))


@router.patch("/departments/{int:department_id}", response=DepartmentOut,
              summary="Rename, move (400 if it would make a loop) or change the head")
def department_update(request, department_id: Id, payload: DepartmentPatch):
    department = selectors.get_department(request.actor, department_id)
    with fields_as_sent():
        department = services.update_department(request.actor, department, **fields_of(payload))
    return department_out(department, employee_counts(request))


@router.delete("/departments/{int:department_id}", response={204: None},
               summary="Delete a department with no sub-departments and no employees (409 otherwise)")
def department_delete(request, department_id: Id):
    services.delete_department(request.actor, selectors.get_department(request.actor, department_id))
    return Status(204, None)


# --- employees -------------------------------------------------------------------------------------------


class EmployeeFilters(Page):
    department: Id | None = None
    include_subdepartments: bool = False
    branch: Id | None = None
    manager: Id | None = None
    status: StatusFilter | None = None
    q: str | None = None


def _filters(f: EmployeeFilters) -> dict:
    if f.q is not None and len(f.q) > 100:
        raise ValidationFailed("Search with at most 100 characters.", field="q")
    return {"department": f.department, "include_subdepartments": f.include_subdepartments, "branch": f.branch,
            "manager": f.manager, "status": f.status, "q": f.q}


@router.get("/employees", response=list_of(EmployeeOut), exclude_unset=True,
            summary="The directory: filter by department, branch, manager, status, q")
def employee_list(request, filters: Query[EmployeeFilters]):
    viewer = selectors.viewer_for(request.actor)
    return _profiles(viewer, paginate(selectors.employees_visible_to(viewer, **_filters(filters)), filters))


def _profiles(viewer, data: dict) -> dict:
    viewer.learn_team(data["items"])  # one query tells which rows of the page are in the viewer's team
    data["items"] = [selectors.profile_of(viewer, e) for e in data["items"]]
    return data


@router.post("/employees", response={201: EmployeeOut}, exclude_unset=True,
             summary="Create an employee (org.employee.edit)")
def employee_create(request, payload: EmployeeIn):
    with fields_as_sent():
        employee = services.create_employee(request.actor, **fields_of(payload))
    return Status(201, selectors.profile_of(selectors.viewer_for(request.actor), employee))


class ExportQuery(EmployeeFilters):
    format: str = "csv"


@router.get("/employees/export", response={200: None}, summary="Download the directory as CSV or XLSX")
def employee_export(request, filters: Query[ExportQuery]):
    viewer = selectors.viewer_for(request.actor)
    data = importing.export_employees(request.actor, viewer, fmt=filters.format, **_filters(filters))
    return downloads.spreadsheet(data, filters.format, "employees")


def _import_upload(file: UploadedFile, mapping: str | None) -> dict | None:
    if file.size > importing.MAX_FILE_BYTES:
        raise ValidationFailed("The file is larger than 20 MB; split it.", field="file")
    if not mapping:
        return None
    try:
        return json.loads(mapping)
    except ValueError:
        raise ValidationFailed('mapping is JSON: {"header": "column"}, "" to ignore a header.', field="mapping") from None


@router.post("/employees/import", response={202: JobOut},
             summary="Import employees from CSV or XLSX as a background job: 202 with the job to poll at "
                     "/jobs/{id}; dry_run=true (the default) only checks; mode=all_or_nothing|valid_rows; "
                     'mapping (a form field) is JSON {"header": "column"}, "" ignores a header')
def employee_import(request, dry_run: bool = True, mode: str = "all_or_nothing", file: UploadedFile = File(...),
                    mapping: str | None = Form(None)):
    chosen = _import_upload(file, mapping)
    job = importing.start_import(request.actor, upload=file, filename=file.name or "", mapping=chosen, mode=mode,
                                 dry_run=dry_run)
    return Status(202, job_out(job))


@router.post("/employees/import/preview", response=ImportPreviewOut,
             summary="Headers, the column each maps to (auto or as sent), header problems and the first rows")
def employee_import_preview(request, file: UploadedFile = File(...), mapping: str | None = Form(None)):
    chosen = _import_upload(file, mapping)
    return importing.preview_import(request.actor, upload=file, filename=file.name or "", mapping=chosen)


@router.get("/employees/{int:employee_id}", response=EmployeeOut, exclude_unset=True,
            summary="One employee, with the fields you may see")
def employee_detail(request, employee_id: Id):
    viewer = selectors.viewer_for(request.actor)
    return selectors.profile_of(viewer, selectors.get_employee(viewer, employee_id))


@router.patch("/employees/{int:employee_id}", response=EmployeeOut, exclude_unset=True,
              summary="Change the fields you may change (HR: all; managers: their reports'; you: self-service)")
def employee_update(request, employee_id: Id, payload: EmployeePatch):
    viewer = selectors.viewer_for(request.actor)
    employee = selectors.get_employee(viewer, employee_id)
    with fields_as_sent():
        employee = services.update_employee(request.actor, employee, **fields_of(payload))
    return selectors.profile_of(selectors.viewer_for(request.actor), employee)


@router.post("/employees/{int:employee_id}/terminate", response=EmployeeOut, exclude_unset=True,
             summary="Terminate: the record stays, access ends, reports move to their manager")
def employee_terminate(request, employee_id: Id, payload: TerminateIn):
    viewer = selectors.viewer_for(request.actor)
    employee = services.terminate_employee(request.actor, selectors.get_employee(viewer, employee_id),
                                           end_date=payload.end_date)
    return selectors.profile_of(viewer, employee)


class ReportsQuery(Page):
    depth: Literal["direct", "all"] = "direct"


@router.get("/employees/{int:employee_id}/reports", response=list_of(EmployeeOut), exclude_unset=True,
            summary="Direct reports, or everyone below with depth=all; by name, a page at a time")
def employee_reports(request, employee_id: Id, query: Query[ReportsQuery]):
    viewer = selectors.viewer_for(request.actor)
    reports = selectors.reports_of(viewer, selectors.get_employee(viewer, employee_id), all_levels=query.depth == "all")
    return _profiles(viewer, paginate(reports, query))


@router.get("/employees/{int:employee_id}/photo", response={200: None}, summary="The employee's photo (JPEG)")
def employee_photo(request, employee_id: Id):
    return downloads.photo(selectors.get_employee(selectors.viewer_for(request.actor), employee_id))


@router.post("/employees/{int:employee_id}/photo", response=EmployeeOut, exclude_unset=True,
             summary="Upload a photo (JPEG, PNG, WebP or GIF up to 5 MB; stored resized, without metadata)")
def employee_photo_upload(request, employee_id: Id, file: UploadedFile = File(...)):
    viewer = selectors.viewer_for(request.actor)
    employee = selectors.get_employee(viewer, employee_id)
    services.set_employee_photo(request.actor, employee, file.read())
    return selectors.profile_of(viewer, employee)


@router.delete("/employees/{int:employee_id}/photo", response={204: None}, summary="Remove the photo")
def employee_photo_delete(request, employee_id: Id):
    viewer = selectors.viewer_for(request.actor)
    services.set_employee_photo(request.actor, selectors.get_employee(viewer, employee_id), None)
    return Status(204, None)


def chart_node(employee) -> dict:
    return {"id": employee.pk, "full_name": employee.full_name, "job_title": employee.job_title,
            "department": selectors._ref(employee.department), "manager_id": employee.manager_id,
            "has_photo": bool(employee.photo), "report_count": employee.report_count}


class ChartQuery(Page):
    parent_id: Id | None = None
    q: str | None = Field(None, max_length=100, description="people to jump to; open one with /org-chart/path/{id}")


@router.get("/org-chart", response=list_of(OrgChartNode),
            summary="One level of the org chart: the top, with parent_id one person's direct reports, with q a search")
def org_chart(request, query: Query[ChartQuery]):
    viewer = selectors.viewer_for(request.actor)
    parent = None if query.parent_id is None else selectors.get_employee(viewer, query.parent_id)
    if query.q and parent is not None:
        raise ValidationFailed("Search the whole chart (q) or open one level (parent_id), not both.", field="q")
    people = selectors.chart_search(viewer, query.q) if query.q else selectors.chart_level(viewer, parent)
    data = paginate(people, query)
    data["items"] = [chart_node(e) for e in data["items"]]
    return data


@router.get("/org-chart/path/{int:employee_id}", response=OrgChartPathOut,
            summary="The chain of managers down to one person: what the chart opens to show them")
def org_chart_path(request, employee_id: Id):
    viewer = selectors.viewer_for(request.actor)
    return {"items": [chart_node(e) for e in selectors.chart_path(viewer, selectors.get_employee(viewer, employee_id))]}


@router.get("/org-settings", response=OrgSettingsOut, summary="What employees may edit on their own profile")
def org_settings(request):
    return selectors.org_settings(request.actor)


@router.patch("/org-settings", response=OrgSettingsOut, summary="Choose the self-service fields (org.settings.manage)")
def org_settings_update(request, payload: OrgSettingsIn):
    return services.update_org_settings(request.actor, self_service_fields=payload.self_service_fields)


# --- bulk actions -----------------------------------------------------------------------------------------------

BULK_FIELDS = {"move": {"department_id", "branch_id"}, "change_manager": {"manager_id"}, "terminate": {"end_date"}}


@router.post("/employees/bulk", response=EmployeeBulkOut,
             summary="One action for up to 500 employees, all or nothing: move (department_id, branch_id), "
                     "change_manager (manager_id, null for none) or terminate (end_date); a 4xx names every "
                     "refused employee in `errors`")
def employee_bulk(request, payload: EmployeeBulkIn):
    sent = payload.model_fields_set - {"action", "employee_ids"}
    stray = sorted(sent - BULK_FIELDS[payload.action])
    if stray:
        raise ValidationFailed(f"{stray[0]} does not go with the action {payload.action!r}.", field=stray[0])
    viewer = selectors.viewer_for(request.actor)
    employees = selectors.employees_for_bulk(viewer, payload.employee_ids)
    if payload.action == "move":
        result = services.bulk_move_employees(request.actor, employees, department=payload.department_id,
                                              branch=payload.branch_id)
    elif payload.action == "change_manager":
        if "manager_id" not in sent:
            raise ValidationFailed("Send manager_id: the new manager's id, or null for no manager.", field="manager_id")
        result = services.bulk_change_manager(request.actor, employees, manager=payload.manager_id)
    else:
        result = services.bulk_terminate(request.actor, employees, end_date=payload.end_date)
    return {"action": payload.action, "selected": result.selected, "changed": len(result.changed),
            "changed_ids": [e.pk for e in result.changed]}
