"""Bulk actions on many employees: the services, with real actors, and POST /api/v1/employees/bulk.

The `company` fixture (tests/conftest.py): Olivia Owner (E001) at the top; Mia Manager (E002) reports to her,
Remy Report (E003, the member) to Mia, Ines Indirect (E004) to Remy, Sam Sales (E005) to Olivia; Hana HR (E006)
has no manager. Every refusal below changes nothing: the rows are compared before and after.
"""
import datetime as dt

import pytest

from oorg.core.errors import PermissionDenied, ValidationFailed
from oorg.core.models import AuditEvent, Membership
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import selectors, services
from oorg.org.models import Department, Employee

from ..conftest import actor_for

pytestmark = pytest.mark.django_db


def rows(workspace):
    """What a user would notice: each employee's department, branch, manager, status and end date."""
    with workspace_scope(workspace):
        return sorted(Employee.objects.values_list("code", "department_id", "branch_id", "manager_id", "status",
                                                   "end_date"))


def events(workspace, action):
    return AuditEvent.objects.filter(workspace=workspace, action=action).count()


def people(workspace, actor, *keys, company):
    with workspace_scope(workspace):
        return selectors.employees_for_bulk(selectors.viewer_for(actor), [company[k].pk for k in keys])


# --- move ---------------------------------------------------------------------------------------------------


def test_hr_moves_people_to_a_department_and_each_move_is_audited(workspace, company, hr):
    actor = actor_for(hr, workspace)
    selected = people(workspace, actor, "sales_rep", "hr", "indirect", company=company)
    before = events(workspace, "org.employee.updated")

    with workspace_scope(workspace):
        result = services.bulk_move_employees(actor, selected, department=company["backend"].pk)

    assert result.selected == 3 and len(result.changed) == 2  # Ines already was in Backend
    with workspace_scope(workspace):
        moved = dict(Employee.objects.filter(code__in=["E004", "E005", "E006"]).values_list("code", "department"))
    assert moved == {"E004": company["backend"].pk, "E005": company["backend"].pk, "E006": company["backend"].pk}
    assert events(workspace, "org.employee.updated") == before + 2


def test_a_manager_moves_their_team_but_not_someone_outside_it(workspace, company, manager):
    actor = actor_for(manager, workspace)
    team = people(workspace, actor, "report", "indirect", company=company)
    with workspace_scope(workspace):
        services.bulk_move_employees(actor, team, branch=company["remote"].pk)
        assert set(Employee.objects.filter(code__in=["E003", "E004"]).values_list("branch_id", flat=True)) == {
            company["remote"].pk}

    mixed = people(workspace, actor, "report", "sales_rep", company=company)  # Sam is not in Mia's team
    before = rows(workspace)
    with workspace_scope(workspace), pytest.raises(services.BulkRefused) as refused:
        services.bulk_move_employees(actor, mixed, department=company["sales"].pk)

    assert refused.value.status == 403
    assert [r["name"] for r in refused.value.refused] == ["Sam Sales"]
    assert rows(workspace) == before  # Remy, who was allowed, did not move either


def test_a_member_may_not_move_anyone(workspace, company, member):
    actor = actor_for(member, workspace)
    selected = people(workspace, actor, "sales_rep", company=company)
    before = rows(workspace)

    with workspace_scope(workspace), pytest.raises(PermissionDenied):
        services.bulk_move_employees(actor, selected, department=company["backend"].pk)
    assert rows(workspace) == before


def test_a_move_needs_a_target_of_this_workspace(workspace, company, hr, other_workspace):
    actor = actor_for(hr, workspace)
    selected = people(workspace, actor, "sales_rep", company=company)
    with workspace_scope(other_workspace):
        elsewhere = services.create_department(Actor.system(other_workspace), name="Elsewhere")
    before = rows(workspace)

    with workspace_scope(workspace):
        with pytest.raises(ValidationFailed) as nothing:
            services.bulk_move_employees(actor, selected)
        with pytest.raises(ValidationFailed) as foreign:
            services.bulk_move_employees(actor, selected, department=elsewhere.pk)

    assert nothing.value.field == "department" and foreign.value.field == "department"
    assert rows(workspace) == before


# --- change manager ---------------------------------------------------------------------------------------------


def test_hr_changes_the_manager_of_several_people(workspace, company, hr):
    actor = actor_for(hr, workspace)
    selected = people(workspace, actor, "sales_rep", "indirect", company=company)

    with workspace_scope(workspace):
        result = services.bulk_change_manager(actor, selected, manager=company["hr"])

    assert len(result.changed) == 2
    with workspace_scope(workspace):
        assert set(Employee.objects.filter(code__in=["E004", "E005"]).values_list("manager_id", flat=True)) == {
            company["hr"].pk}


def test_a_manager_loop_is_refused_naming_the_row_and_nothing_changes(workspace, company, hr):
    actor = actor_for(hr, workspace)
    # Ines is below Mia (Mia > Remy > Ines): Mia can't report to Ines. Sam could, but the action is all or nothing.
    selected = people(workspace, actor, "boss", "sales_rep", "indirect", company=company)
    before = rows(workspace)

    with workspace_scope(workspace), pytest.raises(services.BulkRefused) as refused:
        services.bulk_change_manager(actor, selected, manager=company["indirect"])

    names = {r["name"]: r["message"] for r in refused.value.refused}
    assert set(names) == {"Mia Manager", "Ines Indirect"}
    assert "loop" in names["Mia Manager"] and "themself" in names["Ines Indirect"]
    assert refused.value.as_json()["code"] == "bulk_refused" and len(refused.value.as_json()["errors"]) == 2
    assert rows(workspace) == before


def test_a_manager_who_has_left_is_refused(workspace, company, hr):
    actor = actor_for(hr, workspace)
    with workspace_scope(workspace):
        services.terminate_employee(actor, company["sales_rep"])
    selected = people(workspace, actor, "hr", company=company)
    before = rows(workspace)

    with workspace_scope(workspace), pytest.raises(ValidationFailed) as refused:
        services.bulk_change_manager(actor, selected, manager=company["sales_rep"].pk)
    assert refused.value.field == "manager" and rows(workspace) == before


def test_a_manager_role_may_not_change_managers(workspace, company, manager):
    actor = actor_for(manager, workspace)
    selected = people(workspace, actor, "indirect", company=company)
    before = rows(workspace)

    with workspace_scope(workspace), pytest.raises(PermissionDenied):
        services.bulk_change_manager(actor, selected, manager=company["boss"])
    assert rows(workspace) == before


# --- terminate ---------------------------------------------------------------------------------------------------


def test_hr_terminates_a_manager_and_their_manager_and_the_team_moves_up_past_both(workspace, company, hr):
    actor = actor_for(hr, workspace)
    with workspace_scope(workspace):
        services.update_department(actor, company["backend"], head=company["report"].pk)
    selected = people(workspace, actor, "boss", "report", company=company)
    before = events(workspace, "org.employee.terminated")

    with workspace_scope(workspace):
        services.bulk_terminate(actor, selected, end_date=dt.date(2026, 6, 30))
        by_code = {e.code: e for e in Employee.objects.all()}
        backend = Department.objects.get(pk=company["backend"].pk)
        remy_access = Membership.objects.get(pk=by_code["E003"].member_id).is_active

    assert by_code["E002"].status == by_code["E003"].status == "terminated"
    assert by_code["E003"].end_date == dt.date(2026, 6, 30)
    assert by_code["E004"].manager_id == company["ceo"].pk  # Ines: past Remy and Mia, both leaving, to Olivia
    assert backend.head_id is None
    assert remy_access is False
    assert events(workspace, "org.employee.terminated") == before + 2


def test_terminating_someone_already_gone_or_before_they_started_is_refused_and_nothing_changes(workspace, company,
                                                                                                hr):
    actor = actor_for(hr, workspace)
    with workspace_scope(workspace):
        services.terminate_employee(actor, company["sales_rep"])
    selected = people(workspace, actor, "sales_rep", "report", "indirect", company=company)
    before = rows(workspace)

    with workspace_scope(workspace), pytest.raises(services.BulkRefused) as refused:
        # Remy started on 2024-01-02: a last day before that is refused too.
        services.bulk_terminate(actor, selected, end_date=dt.date(2023, 12, 31))

    assert {r["name"] for r in refused.value.refused} == {"Sam Sales", "Remy Report"}
    assert rows(workspace) == before


def test_terminating_the_only_owner_is_refused_and_the_others_keep_their_access(workspace, company, owner):
    actor = actor_for(owner, workspace)
    selected = people(workspace, actor, "ceo", "boss", company=company)  # Olivia is the workspace's only owner
    before = rows(workspace)

    with workspace_scope(workspace), pytest.raises(services.BulkRefused) as refused:
        services.bulk_terminate(actor, selected)

    assert [r["name"] for r in refused.value.refused] == ["Olivia Owner"]
    assert rows(workspace) == before
    with workspace_scope(workspace):
        assert Membership.objects.get(pk=company["boss"].member_id).is_active  # Mia's access was restored


def test_a_member_may_not_terminate(workspace, company, member):
    actor = actor_for(member, workspace)
    selected = people(workspace, actor, "sales_rep", company=company)
    before = rows(workspace)
    with workspace_scope(workspace), pytest.raises(PermissionDenied):
        services.bulk_terminate(actor, selected)
    assert rows(workspace) == before


# --- the selection -----------------------------------------------------------------------------------------------


def test_a_selection_over_the_cap_is_refused_before_anything_is_read(workspace, company, hr):
    actor = actor_for(hr, workspace)
    too_many = [Employee(pk=n) for n in range(1, selectors.BULK_LIMIT + 2)]
    before = rows(workspace)

    with workspace_scope(workspace):
        with pytest.raises(ValidationFailed) as refused:
            services.bulk_move_employees(actor, too_many, department=company["sales"].pk)
        with pytest.raises(ValidationFailed) as selector:
            selectors.employees_for_bulk(selectors.viewer_for(actor), range(1, selectors.BULK_LIMIT + 2))

    assert "at most 500" in refused.value.message and refused.value.field == "employee_ids"
    assert selector.value.field == "employee_ids"
    assert rows(workspace) == before


def test_another_workspaces_people_or_leavers_a_member_may_not_see_are_not_found(workspace, company, member,
                                                                                 other_workspace):
    with workspace_scope(other_workspace):
        stranger = services.create_employee(Actor.system(other_workspace), code="B-1", full_name="Bea Stranger")
    with workspace_scope(workspace):
        services.terminate_employee(Actor.system(workspace), company["sales_rep"])
        viewer = selectors.viewer_for(actor_for(member, workspace))
        with pytest.raises(ValidationFailed) as foreign:
            selectors.employees_for_bulk(viewer, [company["indirect"].pk, stranger.pk])
        with pytest.raises(ValidationFailed) as hidden:
            selectors.employees_for_bulk(viewer, [company["sales_rep"].pk])

    assert foreign.value.field == hidden.value.field == "employee_ids"
    assert "1 of the selected people were not found" in foreign.value.message


# --- the API ------------------------------------------------------------------------------------------------------


def test_api_moves_people_and_says_how_many_changed(workspace, company, clients):
    ids = [company["sales_rep"].pk, company["indirect"].pk]
    response = clients["hr"].request("POST", "/employees/bulk", {"action": "move", "employee_ids": ids,
                                                                 "branch_id": company["berlin"].pk})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["selected"] == 2 and body["changed"] == 2 and sorted(body["changed_ids"]) == sorted(ids)


def test_api_refuses_a_loop_naming_each_refused_employee(workspace, company, clients):
    before = rows(workspace)
    response = clients["hr"].request("POST", "/employees/bulk", {
        "action": "change_manager", "employee_ids": [company["ceo"].pk, company["sales_rep"].pk],
        "manager_id": company["indirect"].pk})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bulk_refused" and body["field"] == "employee_ids"
    assert [e["id"] for e in body["errors"]] == [company["ceo"].pk]
    assert "Olivia Owner (E001)" in body["errors"][0]["message"]
    assert rows(workspace) == before


def test_api_terminates_and_clears_a_manager(workspace, company, clients):
    response = clients["hr"].request("POST", "/employees/bulk", {
        "action": "change_manager", "employee_ids": [company["sales_rep"].pk], "manager_id": None})
    assert response.status_code == 200 and response.json()["changed"] == 1

    response = clients["hr"].request("POST", "/employees/bulk", {
        "action": "terminate", "employee_ids": [company["sales_rep"].pk], "end_date": "2026-07-01"})
    assert response.status_code == 200
    with workspace_scope(workspace):
        sam = Employee.objects.get(pk=company["sales_rep"].pk)
    assert sam.manager_id is None and sam.status == "terminated" and sam.end_date == dt.date(2026, 7, 1)


@pytest.mark.parametrize("role", ["member", "manager"])
def test_api_refuses_a_role_without_the_permission_and_changes_nothing(workspace, company, clients, role):
    before = rows(workspace)
    response = clients[role].request("POST", "/employees/bulk", {
        "action": "terminate", "employee_ids": [company["indirect"].pk]})
    assert response.status_code == 403 and response.json()["detail"]
    assert rows(workspace) == before


@pytest.mark.parametrize("body, field", [
    ({"action": "move", "employee_ids": [1], "manager_id": 1}, "manager_id"),  # not a field of a move
    ({"action": "change_manager", "employee_ids": [1]}, "manager_id"),  # say who, or null
    ({"action": "move", "employee_ids": list(range(1, 502)), "branch_id": 1}, "employee_ids"),  # over the cap
    ({"action": "move", "employee_ids": [], "branch_id": 1}, "employee_ids"),
    ({"action": "fire", "employee_ids": [1]}, "action"),
])
def test_api_names_the_field_of_a_bad_request(workspace, company, clients, body, field):
    if body["employee_ids"] == [1]:
        body["employee_ids"] = [company["indirect"].pk]
    before = rows(workspace)
    response = clients["hr"].request("POST", "/employees/bulk", body)
    assert response.status_code == 422, response.content
    assert field in response.content.decode()
    assert rows(workspace) == before


def test_api_refuses_another_workspaces_ids_and_changes_nothing(workspace, company, clients, other_workspace):
    with workspace_scope(other_workspace):
        stranger = services.create_employee(Actor.system(other_workspace), code="B-1", full_name="Bea Stranger")
    before, theirs = rows(workspace), rows(other_workspace)

    response = clients["owner"].request("POST", "/employees/bulk", {
        "action": "terminate", "employee_ids": [company["indirect"].pk, stranger.pk]})

    assert response.status_code == 422 and response.json()["field"] == "employee_ids"
    assert rows(workspace) == before and rows(other_workspace) == theirs
