"""Shift templates and assignments through the API: validation named by field, overlaps, roles, workspaces."""
import pytest

from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope

pytestmark = pytest.mark.django_db

NINE = {"name": "Day", "starts": "09:00", "ends": "17:00", "break_minutes": 30, "grace_minutes": 5,
        "working_days": ["mon", "tue", "wed", "thu", "fri"]}


def test_hr_creates_reads_changes_and_deletes_a_shift(staff):
    api = staff["clients"]["hr"]
    response = api.post("/attendance/shifts", NINE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts"] == "09:00" and body["ends"] == "17:00" and body["overnight"] is False
    night = api.post("/attendance/shifts", {"name": "Night", "starts": "22:00", "ends": "06:00"}).json()
    assert night["overnight"] is True and night["working_days"] == []
    listing = staff["clients"]["member"].get("/attendance/shifts").json()
    assert listing["count"] == 2 and {s["name"] for s in listing["items"]} == {"Day", "Night"}
    changed = api.patch(f"/attendance/shifts/{body['id']}", {"grace_minutes": 10})
    assert changed.status_code == 200 and changed.json()["grace_minutes"] == 10
    assert api.delete(f"/attendance/shifts/{body['id']}").status_code == 204
    assert api.get(f"/attendance/shifts/{body['id']}").status_code == 404
    with workspace_scope(staff["workspace"]):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"attendance.shift.created", "attendance.shift.updated", "attendance.shift.deleted"} <= actions


def test_bad_shift_input_names_every_field(staff):
    api = staff["clients"]["hr"]
    response = api.post("/attendance/shifts", {"name": "", "starts": "25:00", "ends": "9am", "grace_minutes": 500,
                                               "working_days": ["mon", "funday"]})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "starts", "ends", "grace_minutes", "working_days"} <= fields
    api.post("/attendance/shifts", NINE)
    duplicate = api.post("/attendance/shifts", NINE)
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "name"
    same = api.post("/attendance/shifts", {**NINE, "name": "Same", "ends": "09:00"})
    assert same.status_code == 422 and same.json()["field"] == "ends"


def test_members_and_managers_may_not_write_shifts(staff):
    for role in ("member", "manager"):
        assert staff["clients"][role].post("/attendance/shifts", NINE).status_code == 403
    shift = staff["clients"]["hr"].post("/attendance/shifts", NINE).json()
    assert staff["clients"]["member"].patch(f"/attendance/shifts/{shift['id']}", {"name": "X"}).status_code == 403
    assert staff["clients"]["manager"].delete(f"/attendance/shifts/{shift['id']}").status_code == 403


def test_assignments_one_target_dates_and_overlaps(staff):
    api = staff["clients"]["hr"]
    shift = api.post("/attendance/shifts", NINE).json()
    report = staff["employees"]["member"]
    both = api.post("/attendance/shift-assignments", {"shift_id": shift["id"], "employee_id": report.pk,
                                                       "branch_id": staff["berlin"].pk, "starts_on": "2026-01-01"})
    assert both.status_code == 422 and both.json()["field"] == "employee_id"
    neither = api.post("/attendance/shift-assignments", {"shift_id": shift["id"], "starts_on": "2026-01-01"})
    assert neither.status_code == 422
    backwards = api.post("/attendance/shift-assignments", {"shift_id": shift["id"], "employee_id": report.pk,
                                                            "starts_on": "2026-02-01", "ends_on": "2026-01-01"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "ends_on"
    first = api.post("/attendance/shift-assignments", {"shift_id": shift["id"], "employee_id": report.pk,
                                                        "starts_on": "2026-01-01", "ends_on": "2026-06-30"})
    assert first.status_code == 201, first.content
    overlap = api.post("/attendance/shift-assignments", {"shift_id": shift["id"], "employee_id": report.pk,
                                                          "starts_on": "2026-06-01"})
    assert overlap.status_code == 409
    after = api.post("/attendance/shift-assignments", {"shift_id": shift["id"], "employee_id": report.pk,
                                                        "starts_on": "2026-07-01"})
    assert after.status_code == 201
    branch = api.post("/attendance/shift-assignments", {"shift_id": shift["id"], "branch_id": staff["berlin"].pk,
                                                         "starts_on": "2026-01-01"})
    assert branch.status_code == 201
    listing = api.get(f"/attendance/shift-assignments?employee_id={report.pk}").json()
    assert listing["count"] == 2
    assert api.get(f"/attendance/shift-assignments?branch_id={staff['berlin'].pk}").json()["count"] == 1
    moved = api.patch(f"/attendance/shift-assignments/{after.json()['id']}", {"starts_on": "2026-06-15"})
    assert moved.status_code == 409
    ok = api.patch(f"/attendance/shift-assignments/{after.json()['id']}", {"ends_on": "2026-12-31"})
    assert ok.status_code == 200 and ok.json()["ends_on"] == "2026-12-31"
    assert staff["clients"]["member"].delete(f"/attendance/shift-assignments/{ok.json()['id']}").status_code == 403
    assert api.delete(f"/attendance/shift-assignments/{ok.json()['id']}").status_code == 204


def test_other_workspace_ids_answer_404(staff, other_staff):
    theirs = other_staff["client"].post("/attendance/shifts", NINE).json()
    api = staff["clients"]["hr"]
    assert api.get(f"/attendance/shifts/{theirs['id']}").status_code == 404
    assert api.patch(f"/attendance/shifts/{theirs['id']}", {"name": "Mine"}).status_code == 404
    assert api.post("/attendance/shift-assignments", {"shift_id": theirs["id"], "branch_id": staff["berlin"].pk,
                                                       "starts_on": "2026-01-01"}).status_code == 422
    mine = api.post("/attendance/shifts", NINE).json()
    foreign = api.post("/attendance/shift-assignments", {"shift_id": mine["id"],
                                                          "employee_id": other_staff["employee"].pk,
                                                          "starts_on": "2026-01-01"})
    assert foreign.status_code == 422 and foreign.json()["field"] == "employee_id"
