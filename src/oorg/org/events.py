"""The org area's events: people, departments and branches created, changed and removed (for webhooks and
later search), and the notice an importer gets when their import is written.

An employee's payload is what a directory reader sees of them: identity, work contact and employment. Never
the personal fields (birth date, home address, emergency contact: Category.SENSITIVE) nor the phone. An
import records one audit event for the file and, through events.emit_each, one event per employee it created
or changed (importing.EmployeeImport.finish).
"""
from __future__ import annotations

import datetime as dt

from django.urls import reverse

from oorg.core import events
from oorg.core.models import Workspace
from oorg.core.schemas import StrictSchema

from .schemas import BranchOut


class DepartmentRef(StrictSchema):  # strict: a payload carries these keys and nothing else
    id: int
    name: str


class EmployeeData(StrictSchema):
    id: int
    code: str
    full_name: str
    work_email: str
    job_title: str
    employment_type: str
    status: str
    department: DepartmentRef | None
    branch_id: int | None
    manager_id: int | None
    start_date: dt.date | None
    end_date: dt.date | None


class EmployeeUpdatedData(EmployeeData):
    fields: list[str]  # what the change set ("department", "manager", ...)


class EmployeeTerminatedData(EmployeeData):
    reports_moved_to: int | None  # the manager their direct reports now report to
    reports_moved: int


class EmployeesImportedData(StrictSchema):
    created: int
    updated: int
    unchanged: int


class DepartmentData(StrictSchema):
    id: int
    name: str
    parent_id: int | None
    head_id: int | None


class DepartmentUpdatedData(DepartmentData):
    fields: list[str]


class BranchUpdatedData(BranchOut):  # a branch's payload is its API answer
    fields: list[str]


class DeletedData(StrictSchema):
    id: int
    name: str


# What employee_data reads: a batch of employees is read with only these (importing.EmployeeImport.finish).
EMPLOYEE_COLUMNS = ("code", "full_name", "work_email", "job_title", "employment_type", "status", "department",
                    "branch", "manager", "start_date", "end_date", "department__name")


def employee_data(employee, data: dict | None = None) -> dict:
    department = employee.department if employee.department_id else None
    return {"id": employee.pk, "code": employee.code, "full_name": employee.full_name,
            "work_email": employee.work_email, "job_title": employee.job_title,
            "employment_type": employee.employment_type, "status": employee.status,
            "department": {"id": department.pk, "name": department.name} if department else None,
            "branch_id": employee.branch_id, "manager_id": employee.manager_id,
            "start_date": employee.start_date, "end_date": employee.end_date}


def _employee_updated(employee, data: dict) -> dict:
    return {**employee_data(employee), "fields": list(data.get("fields") or [])}


def _employee_terminated(employee, data: dict) -> dict:
    return {**employee_data(employee), "reports_moved_to": data.get("reports_moved_to"),
            "reports_moved": int(data.get("reports_moved") or 0)}


def _imported(workspace, data: dict) -> dict:
    return {name: int(data.get(name) or 0) for name in ("created", "updated", "unchanged")}


def _department(department, data: dict) -> dict:
    return {"id": department.pk, "name": department.name, "parent_id": department.parent_id,
            "head_id": department.head_id}


def _department_updated(department, data: dict) -> dict:
    return {**_department(department, data), "fields": list(data.get("fields") or [])}


def _branch(branch, data: dict) -> dict:
    return BranchOut.from_orm(branch).model_dump(mode="json")


def _branch_updated(branch, data: dict) -> dict:
    return {**_branch(branch, data), "fields": list(data.get("fields") or [])}


def _deleted(target, data: dict) -> dict:  # built before the row goes, so it still has its id
    return {"id": target.pk, "name": target.name}


# --- notices ------------------------------------------------------------------------------------------------

IMPORT_FINISHED = "org.import_finished"


def notify_import_finished(event) -> list[events.Notice]:
    """The person who started the import (it ran in the background) learns what it wrote. Their own action,
    told to them on purpose: they may have left the page long ago. An import by the system tells no one."""
    if event.actor_user_id is None or "created" not in event.data:
        return []
    slug = Workspace.objects.filter(pk=event.workspace_id).values_list("slug", flat=True).first()
    if slug is None:
        return []
    created, updated, unchanged = (event.data[k] for k in ("created", "updated", "unchanged"))
    return [events.Notice(user_id=event.actor_user_id, kind=IMPORT_FINISHED,
                          title=f"Your import is done: {created} created, {updated} updated",
                          body=f"{created} employee(s) created, {updated} updated, {unchanged} unchanged.",
                          url=reverse("org:directory", kwargs={"workspace_slug": slug}))]


events.register_types([
    events.EventType("org.employee.created", "An employee record was added (by hand or by an import).",
                     payload=EmployeeData, build=employee_data),
    events.EventType("org.employee.updated", "An employee record changed; `fields` names what changed.",
                     payload=EmployeeUpdatedData, build=_employee_updated),
    events.EventType("org.employee.terminated", "An employee left: the record stays, their access ended.",
                     payload=EmployeeTerminatedData, build=_employee_terminated),
    events.EventType("org.employee.imported", "An import of employees was written (one event per file).",
                     payload=EmployeesImportedData, build=_imported,
                     notify=notify_import_finished),
    events.EventType("org.department.created", "A department was added.", payload=DepartmentData,
                     build=_department),
    events.EventType("org.department.updated", "A department changed.", payload=DepartmentUpdatedData,
                     build=_department_updated),
    events.EventType("org.department.deleted", "A department was deleted.", payload=DeletedData,
                     build=_deleted),
    events.EventType("org.branch.created", "A branch (office or site) was added.", payload=BranchOut,
                     build=_branch),
    events.EventType("org.branch.updated", "A branch changed.", payload=BranchUpdatedData,
                     build=_branch_updated),
    events.EventType("org.branch.deleted", "A branch was deleted.", payload=DeletedData, build=_deleted),
], group="People")

events.register_kinds([
    events.Kind(IMPORT_FINISHED, "An import you started finished",
                description="How many employees your import created and changed."),
], group="People")
