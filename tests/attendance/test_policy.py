"""The clocking policy: read and changed by those who manage attendance, every bad value named."""
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope


def test_the_policy_starts_with_its_defaults(staff):
    answer = staff["clients"]["hr"].get("/attendance/policy")
    assert answer.status_code == 200
    body = answer.json()
    assert body["outside_site"] == "flag" and body["ip_allow_list"] == [] and body["kiosk_enabled"] is False
    assert body["forgotten_after_hours"] == 4 and body["overtime_threshold_minutes"] == 15


def test_hr_changes_the_policy_and_it_is_audited(staff):
    answer = staff["clients"]["hr"].request("PUT", "/attendance/policy", {
        "outside_site": "refuse", "require_location": True, "ip_allow_list": ["203.0.113.9/24", "2001:db8::/32"],
        "forgotten_after_hours": 6, "overtime_threshold_minutes": 30, "kiosk_enabled": True})

    assert answer.status_code == 200, answer.content
    assert answer.json()["ip_allow_list"] == ["203.0.113.0/24", "2001:db8::/32"]
    assert staff["clients"]["admin"].get("/attendance/policy").json()["outside_site"] == "refuse"
    with workspace_scope(staff["workspace"]):
        event = AuditEvent.objects.get(action="attendance.policy.updated")
    assert "ip_allow_list" in event.data["fields"] and "kiosk_enabled" in event.data["fields"]


def test_members_and_managers_may_not_see_or_change_it(staff):
    for role in ("member", "manager"):
        assert staff["clients"][role].get("/attendance/policy").status_code == 403
        assert staff["clients"][role].request("PUT", "/attendance/policy", {"kiosk_enabled": True}).status_code == 403


def test_bad_values_are_named_all_at_once(staff):
    answer = staff["clients"]["hr"].request("PUT", "/attendance/policy", {
        "ip_allow_list": ["10.0.0.0/8", "not-a-network", "300.1.1.1"]})

    assert answer.status_code == 422
    fields = [e["field"] for e in answer.json()["errors"]]
    assert fields == ["ip_allow_list[1]", "ip_allow_list[2]"]
    assert staff["clients"]["hr"].get("/attendance/policy").json()["ip_allow_list"] == []


def test_out_of_range_numbers_and_unknown_fields_are_422(staff):
    hr = staff["clients"]["hr"]
    assert hr.request("PUT", "/attendance/policy", {"forgotten_after_hours": 49}).json()["field"] == \
        "forgotten_after_hours"
    assert hr.request("PUT", "/attendance/policy", {"overtime_threshold_minutes": -1}).status_code == 422
    assert hr.request("PUT", "/attendance/policy", {"outside_site": "ignore"}).json()["field"] == "outside_site"
    assert hr.request("PUT", "/attendance/policy", {"kiosk": True}).json()["field"] == "kiosk"


def test_the_service_checks_what_the_page_sends(staff):
    from oorg.attendance.services.policy import check_policy

    _clean, problems = check_policy({"forgotten_after_hours": "0", "ip_allow_list": ["x"], "outside_site": "flag"})
    assert sorted(p.field for p in problems) == ["forgotten_after_hours", "ip_allow_list[0]"]
