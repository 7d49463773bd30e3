"""Allowed sites: per branch or per employee, a point and a radius; managed by HR and admins."""
import pytest

from oorg.attendance.models import Site
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope

OFFICE = {"name": "Berlin office", "latitude": 52.529, "longitude": 13.401, "radius_m": 150}


def test_hr_adds_lists_changes_and_removes_sites(staff):
    hr = staff["clients"]["hr"]
    branch_site = hr.post("/attendance/sites", {**OFFICE, "branch_id": staff["berlin"].pk})
    home = hr.post("/attendance/sites", {**OFFICE, "name": "Remy's home", "employee_id": staff["report"].pk})

    assert branch_site.status_code == 201, branch_site.content
    assert branch_site.json()["branch_id"] == staff["berlin"].pk and branch_site.json()["employee_id"] is None
    assert home.json()["employee_id"] == staff["report"].pk
    assert hr.get("/attendance/sites").json()["count"] == 2
    assert [s["name"] for s in hr.get(f"/attendance/sites?employee_id={staff['report'].pk}").json()["items"]] == \
        ["Remy's home"]
    assert [s["name"] for s in hr.get(f"/attendance/sites?branch_id={staff['berlin'].pk}").json()["items"]] == \
        ["Berlin office"]

    site_id = branch_site.json()["id"]
    changed = hr.patch(f"/attendance/sites/{site_id}", {"radius_m": 300, "name": "HQ"})
    assert changed.status_code == 200 and changed.json()["radius_m"] == 300 and changed.json()["name"] == "HQ"
    assert hr.get(f"/attendance/sites/{site_id}").json()["name"] == "HQ"
    assert hr.delete(f"/attendance/sites/{site_id}").status_code == 204
    assert hr.get(f"/attendance/sites/{site_id}").status_code == 404
    with workspace_scope(staff["workspace"]):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"attendance.site.created", "attendance.site.updated", "attendance.site.deleted"} <= actions


@pytest.mark.parametrize("body, field", [
    ({**OFFICE}, "branch_id"),
    ({**OFFICE, "radius_m": 5, "branch_id": 0}, "radius_m"),
    ({**OFFICE, "radius_m": 10_001}, "radius_m"),
    ({**OFFICE, "latitude": 95}, "latitude"),
    ({**OFFICE, "longitude": 200}, "longitude"),
    ({**OFFICE, "name": ""}, "name"),
    ({**OFFICE, "name": "Office\x00"}, "name"),
])
def test_bad_sites_are_422_naming_the_field(staff, body, field):
    body = {**body, "branch_id": staff["berlin"].pk} if "branch_id" not in body and field != "branch_id" else body
    body = {k: v for k, v in body.items() if v != 0 or k != "branch_id"}
    answer = staff["clients"]["hr"].post("/attendance/sites", body)
    assert answer.status_code == 422, answer.content
    assert field in [e["field"] for e in answer.json()["errors"]]


def test_both_a_branch_and_an_employee_is_refused(staff):
    answer = staff["clients"]["hr"].post("/attendance/sites", {**OFFICE, "branch_id": staff["berlin"].pk,
                                                                "employee_id": staff["report"].pk})
    assert answer.status_code == 422 and answer.json()["field"] in ("branch_id", "employee_id")


def test_another_workspaces_branch_is_refused(staff, other_staff):
    answer = staff["clients"]["hr"].post("/attendance/sites", {**OFFICE, "branch_id": other_staff["branch"].pk})
    assert answer.status_code == 422 and answer.json()["field"] == "branch_id"
    with workspace_scope(staff["workspace"]):
        assert not Site.objects.exists()


def test_members_and_managers_may_not_manage_sites(staff):
    for role in ("member", "manager"):
        assert staff["clients"][role].get("/attendance/sites").status_code == 403
        assert staff["clients"][role].post("/attendance/sites", {**OFFICE, "branch_id": staff["berlin"].pk}) \
            .status_code == 403
