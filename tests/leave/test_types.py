"""Leave types and their policies: the system types, custom types, validation, archiving."""
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.leave.models import LeaveType


def test_everyone_lists_the_types_with_their_policy(staff):
    answer = staff["clients"]["member"].get("/leave/types")
    assert answer.status_code == 200
    items = {t["code"]: t for t in answer.json()["items"]}
    assert {"annual", "sick", "unpaid"} <= set(items)
    annual = items["annual"]
    assert annual["days_per_year"] == 25 and annual["accrual"] == "yearly" and annual["system"] is True
    assert annual["carry_over_max"] == 5 and annual["tracks_balance"] is True


def test_a_missing_system_type_comes_back_when_listed(staff):
    with workspace_scope(staff["workspace"]):
        LeaveType.objects.filter(code="unpaid").delete()
    codes = {t["code"] for t in staff["clients"]["member"].get("/leave/types").json()["items"]}
    assert "unpaid" in codes


def test_hr_adds_a_custom_type_and_its_code_is_unique(staff):
    client = staff["clients"]["hr"]
    payload = {"code": "parental", "name": "Parental leave", "accrual": "monthly", "days_per_year": 12,
               "carry_over_max": 2, "carry_over_expires_months": 6, "color": "#10B981", "hr_approval": True}
    answer = client.post("/leave/types", payload)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["code"] == "parental" and body["color"] == "#10b981" and body["system"] is False
    assert body["days_per_year"] == 12 and body["carry_over_expires_months"] == 6
    again = client.post("/leave/types", {**payload, "name": "Another"})
    assert again.status_code == 409 and again.json()["field"] == "code"
    with workspace_scope(staff["workspace"]):
        assert AuditEvent.objects.filter(action="leave.type.created").exists()


def test_bad_policy_values_are_all_named(staff):
    answer = staff["clients"]["hr"].post("/leave/types", {
        "code": "Bad Code!", "name": "x", "color": "blue", "days_per_year": "2.555", "carry_over_max": 10,
        "max_balance": 5})
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"code", "color", "days_per_year", "carry_over_max"} <= fields
    answer = staff["clients"]["hr"].post("/leave/types", {"code": "x", "name": "x", "days_per_year": 400})
    assert answer.status_code == 422 and answer.json()["field"] == "days_per_year"
    answer = staff["clients"]["hr"].post("/leave/types", {"code": "x", "name": "x", "accrual": "weekly"})
    assert answer.status_code == 422 and answer.json()["field"] == "accrual"
    answer = staff["clients"]["hr"].post("/leave/types", {"code": "x", "name": "x", "carry_over_expires_months": 30})
    assert answer.status_code == 422 and answer.json()["field"] == "carry_over_expires_months"


def test_system_types_keep_their_code_and_stay_active_but_their_policy_changes(staff):
    client = staff["clients"]["hr"]
    annual = next(t for t in client.get("/leave/types").json()["items"] if t["code"] == "annual")
    assert client.patch(f"/leave/types/{annual['id']}", {"code": "holiday"}).json()["field"] == "code"
    refused = client.patch(f"/leave/types/{annual['id']}", {"active": False})
    assert refused.status_code == 422 and refused.json()["field"] == "active"
    changed = client.patch(f"/leave/types/{annual['id']}", {"days_per_year": 28, "allow_negative": True})
    assert changed.status_code == 200
    assert changed.json()["days_per_year"] == 28 and changed.json()["allow_negative"] is True


def test_a_custom_type_is_archived(staff):
    client = staff["clients"]["hr"]
    created = client.post("/leave/types", {"code": "study", "name": "Study leave"}).json()
    archived = client.patch(f"/leave/types/{created['id']}", {"active": False})
    assert archived.status_code == 200 and archived.json()["active"] is False
    active = {t["code"] for t in client.get("/leave/types?active=true").json()["items"]}
    assert "study" not in active
    with workspace_scope(staff["workspace"]):
        assert AuditEvent.objects.filter(action="leave.type.archived").exists()


def test_wrong_role_and_other_workspace(staff, other_staff):
    member = staff["clients"]["member"]
    assert member.post("/leave/types", {"code": "mine", "name": "Mine"}).status_code == 403
    annual = next(t for t in member.get("/leave/types").json()["items"] if t["code"] == "annual")
    assert member.patch(f"/leave/types/{annual['id']}", {"days_per_year": 40}).status_code == 403
    with workspace_scope(other_staff["workspace"]):
        theirs = LeaveType.objects.get(code="annual")
    assert staff["clients"]["hr"].get(f"/leave/types/{theirs.pk}").status_code == 404
    assert staff["clients"]["hr"].patch(f"/leave/types/{theirs.pk}", {"name": "Mine"}).status_code == 404


def test_the_policy_admin_pages(staff):
    from tests.web.pages import signed_in_client, text

    base = f"/w/{staff['workspace'].slug}/leave/settings/types/"
    browser = signed_in_client(staff["users"]["hr"])
    page = text(browser.get(base))
    assert "Annual leave" in page and "Up to 5 days" in page
    form = {"code": "study", "name": "Study leave", "color": "#112233", "accrual": "yearly", "days_per_year": "5",
            "min_notice_days": "7", "half_days": "on", "paid": "on", "prorate": "on"}
    bad = browser.post(base + "new", {**form, "code": "Bad Code", "color": "red", "days_per_year": "500"})
    assert bad.status_code == 422
    assert "lowercase letters" in text(bad) and "#rrggbb" in text(bad)
    created = browser.post(base + "new", form)
    assert created.status_code == 302
    with workspace_scope(staff["workspace"]):
        study = LeaveType.objects.get(code="study")
        annual = LeaveType.objects.get(code="annual")
    assert study.min_notice_days == 7 and study.days_per_year == 5
    edit = text(browser.get(f"{base}{annual.pk}/"))
    assert "A system type keeps its code" in edit
    saved = browser.post(f"{base}{annual.pk}/", {**{k: v for k, v in form.items() if k != "code"},
                                                 "name": "Annual leave", "days_per_year": "30"})
    assert saved.status_code == 302
    with workspace_scope(staff["workspace"]):
        annual.refresh_from_db()
    assert annual.days_per_year == 30 and annual.code == "annual"
    member = signed_in_client(staff["users"]["member"])
    assert member.get(base).status_code == 403
