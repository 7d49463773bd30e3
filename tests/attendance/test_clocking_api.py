"""Clocking in and out, and breaks, through the API: the flow, the 409s, whose clock, where and from which
network one may clock in, and two clock-ins racing each other."""
from decimal import Decimal

import pytest
from django.db import IntegrityError

from oorg.attendance.models import AttendancePolicy, Break, Session, Site
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope

BERLIN_OFFICE = (52.529, 13.401)  # Torstraße
POTSDAM = (52.396, 13.058)  # about 27 km away


def _policy(workspace, **values):
    from oorg.attendance.services.policy import policy_for

    with workspace_scope(workspace):
        policy = policy_for(workspace)
        AttendancePolicy.objects.filter(pk=policy.pk).update(**values)


def _site(staff, **values):
    with workspace_scope(staff["workspace"]):
        return Site.objects.create(workspace=staff["workspace"], **{
            "name": "Berlin office", "branch": staff["berlin"], "latitude": Decimal("52.529"),
            "longitude": Decimal("13.401"), "radius_m": 200, **values})


def test_clock_in_break_and_clock_out(staff):
    me = staff["clients"]["member"]

    clocked_in = me.post("/attendance/clock-in", {"latitude": 52.5, "longitude": 13.4, "source": "web"})
    on_break = me.post("/attendance/break-start")
    back = me.post("/attendance/break-end")
    out = me.post("/attendance/clock-out")

    assert clocked_in.status_code == 200, clocked_in.content
    body = clocked_in.json()
    assert body["state"] == "in" and body["employee"] == {"id": staff["report"].pk, "name": "Remy Report"}
    assert body["session"]["start_source"] == "web" and body["session"]["start_ip"] == "127.0.0.1"
    assert body["session"]["start_latitude"] == "52.500000"
    assert on_break.json()["state"] == "break" and len(on_break.json()["session"]["breaks"]) == 1
    assert back.json()["state"] == "in" and back.json()["session"]["breaks"][0]["ended_at"]
    assert out.json() == {"state": "out", "session": None, "employee": {"id": staff["report"].pk,
                                                                         "name": "Remy Report"}}
    with workspace_scope(staff["workspace"]):
        session = Session.objects.get(employee=staff["report"])
        assert session.ended_at and session.end_source == "api" and session.start_source == "web"
        actions = list(AuditEvent.objects.filter(action__startswith="attendance.").order_by("seq")
                       .values_list("action", "data__source"))
    assert actions == [("attendance.clocked_in", "web"), ("attendance.break_started", "api"),
                       ("attendance.break_ended", "api"), ("attendance.clocked_out", "api")]


def test_status_answers_out_in_and_break(staff):
    me = staff["clients"]["member"]
    assert me.get("/attendance/status").json()["state"] == "out"
    me.post("/attendance/clock-in")
    assert me.get("/attendance/status").json()["state"] == "in"
    me.post("/attendance/break-start")
    assert me.get("/attendance/status").json()["state"] == "break"


def test_a_second_clock_in_is_a_409(staff):
    me = staff["clients"]["member"]
    me.post("/attendance/clock-in")

    again = me.post("/attendance/clock-in")

    assert again.status_code == 409
    assert again.json()["code"] == "already_clocked_in" and "already clocked in" in again.json()["detail"]
    with workspace_scope(staff["workspace"]):
        assert Session.objects.filter(employee=staff["report"]).count() == 1


@pytest.mark.parametrize("path, code", [("/attendance/clock-out", "not_clocked_in"),
                                        ("/attendance/break-start", "not_clocked_in"),
                                        ("/attendance/break-end", "not_clocked_in")])
def test_actions_while_clocked_out_are_409s(staff, path, code):
    answer = staff["clients"]["member"].post(path)
    assert answer.status_code == 409 and answer.json()["code"] == code


def test_break_twice_and_break_end_without_a_break_are_409s(staff):
    me = staff["clients"]["member"]
    me.post("/attendance/clock-in")
    assert me.post("/attendance/break-end").json()["code"] == "not_on_break"
    me.post("/attendance/break-start")
    twice = me.post("/attendance/break-start")
    assert twice.status_code == 409 and twice.json()["code"] == "already_on_break"


def test_clocking_out_on_a_break_ends_the_break(staff):
    me = staff["clients"]["member"]
    me.post("/attendance/clock-in")
    me.post("/attendance/break-start")

    assert me.post("/attendance/clock-out").json()["state"] == "out"

    with workspace_scope(staff["workspace"]):
        assert Break.objects.get().ended_at == Session.objects.get().ended_at


def test_an_account_without_an_employee_record_gets_a_clear_409(staff):
    answer = staff["clients"]["admin"].post("/attendance/clock-in")
    assert answer.status_code == 409
    assert answer.json()["code"] == "no_employee_record"
    assert "not linked to an employee record" in answer.json()["detail"]
    assert staff["clients"]["admin"].get("/attendance/status").status_code == 409


def test_hr_clocks_someone_in_a_member_may_not(staff):
    remy = staff["report"].pk

    by_hr = staff["clients"]["hr"].post("/attendance/clock-in", {"employee_id": remy})
    by_member = staff["clients"]["member"].post("/attendance/clock-out", {"employee_id": staff["hr"].pk})

    assert by_hr.status_code == 200 and by_hr.json()["employee"]["id"] == remy
    assert by_member.status_code == 403
    assert staff["clients"]["manager"].get(f"/attendance/status?employee_id={remy}").json()["state"] == "in"
    assert staff["clients"]["member"].get(f"/attendance/status?employee_id={staff['hr'].pk}").status_code == 404
    with workspace_scope(staff["workspace"]):
        event = AuditEvent.objects.get(action="attendance.clocked_in")
        assert event.actor_label == "hr@acme.test" and event.data["employee_id"] == remy


def test_another_workspaces_employee_is_404(staff, other_staff):
    answer = staff["clients"]["hr"].post("/attendance/clock-in", {"employee_id": other_staff["employee"].pk})
    assert answer.status_code == 404
    with workspace_scope(other_staff["workspace"]):
        assert not Session.objects.exists()


def test_kiosk_source_and_unknown_fields_are_refused_by_the_api(staff):
    me = staff["clients"]["member"]
    kiosk = me.post("/attendance/clock-in", {"source": "kiosk"})
    unknown = me.post("/attendance/clock-in", {"where": "home"})
    assert kiosk.status_code == 422 and kiosk.json()["field"] == "source"
    assert unknown.status_code == 422 and unknown.json()["field"] == "where"


@pytest.mark.parametrize("body, field", [({"latitude": 91, "longitude": 13}, "latitude"),
                                         ({"latitude": 52, "longitude": -181}, "longitude"),
                                         ({"latitude": 52}, "longitude")])
def test_bad_coordinates_are_422_naming_the_field(staff, body, field):
    answer = staff["clients"]["member"].post("/attendance/clock-in", body)
    assert answer.status_code == 422 and answer.json()["field"] == field
    with workspace_scope(staff["workspace"]):
        assert not Session.objects.exists()


def test_inside_a_site_the_session_names_it(staff):
    site = _site(staff)
    answer = staff["clients"]["member"].post("/attendance/clock-in", {"latitude": BERLIN_OFFICE[0] + 0.001,
                                                                      "longitude": BERLIN_OFFICE[1]})
    assert answer.status_code == 200
    assert answer.json()["session"]["site_id"] == site.pk and not answer.json()["session"]["outside_site"]


def test_outside_every_site_is_refused_when_the_policy_says_so(staff):
    _site(staff)
    _policy(staff["workspace"], outside_site="refuse")

    far = staff["clients"]["member"].post("/attendance/clock-in", {"latitude": POTSDAM[0], "longitude": POTSDAM[1]})
    nowhere = staff["clients"]["member"].post("/attendance/clock-in")

    assert far.status_code == 403 and far.json()["code"] == "outside_allowed_sites"
    assert "km from Berlin office" in far.json()["detail"]
    assert nowhere.status_code == 403 and "Share your location" in nowhere.json()["detail"]
    with workspace_scope(staff["workspace"]):
        assert not Session.objects.exists()


def test_outside_every_site_is_accepted_and_flagged_when_the_policy_says_so(staff):
    _site(staff)
    _policy(staff["workspace"], outside_site="flag")

    far = staff["clients"]["member"].post("/attendance/clock-in", {"latitude": POTSDAM[0], "longitude": POTSDAM[1]})

    assert far.status_code == 200
    assert far.json()["session"]["outside_site"] is True and far.json()["session"]["site_id"] is None


def test_an_employees_own_site_counts_and_other_branches_sites_do_not(staff):
    _site(staff)
    _site(staff, branch=staff["remote"], latitude=Decimal(POTSDAM[0]), longitude=Decimal(POTSDAM[1]))
    _policy(staff["workspace"], outside_site="refuse")
    refused = staff["clients"]["member"].post("/attendance/clock-in", {"latitude": POTSDAM[0],
                                                                       "longitude": POTSDAM[1]})
    own = _site(staff, name="Home office", branch=None, employee=staff["report"],
                latitude=Decimal(POTSDAM[0]), longitude=Decimal(POTSDAM[1]))
    accepted = staff["clients"]["member"].post("/attendance/clock-in", {"latitude": POTSDAM[0],
                                                                        "longitude": POTSDAM[1]})
    assert refused.status_code == 403
    assert accepted.status_code == 200 and accepted.json()["session"]["site_id"] == own.pk


def test_the_ip_allow_list_refuses_other_networks(staff):
    _policy(staff["workspace"], ip_allow_list=["203.0.113.0/24"])
    me = staff["clients"]["member"]

    outside = me.post("/attendance/clock-in")
    inside = me.post("/attendance/clock-in", REMOTE_ADDR="203.0.113.7")

    assert outside.status_code == 403 and outside.json()["code"] == "ip_not_allowed"
    assert inside.status_code == 200 and inside.json()["session"]["start_ip"] == "203.0.113.7"


def test_two_clock_ins_racing_end_in_one_session(staff, monkeypatch):
    """The second request passed the "already clocked in?" check before the first committed: the partial unique
    index refuses its insert, and it answers the same 409."""
    from oorg.attendance.services import clocking

    me = staff["clients"]["member"]
    assert me.post("/attendance/clock-in").status_code == 200
    monkeypatch.setattr(clocking, "open_session", lambda employee: None)  # the racing request's stale read

    racing = me.post("/attendance/clock-in")

    assert racing.status_code == 409 and racing.json()["code"] == "already_clocked_in"
    with workspace_scope(staff["workspace"]):
        assert Session.objects.filter(employee=staff["report"]).count() == 1
        assert AuditEvent.objects.filter(action="attendance.clocked_in").count() == 1


def test_the_database_refuses_a_second_open_session(staff):
    from django.db import transaction
    from django.utils import timezone

    with workspace_scope(staff["workspace"]):
        values = {"workspace": staff["workspace"], "employee": staff["report"], "work_date": timezone.now().date(),
                  "started_at": timezone.now(), "start_source": "api"}
        Session.objects.create(**values)
        with pytest.raises(IntegrityError), transaction.atomic():
            Session.objects.create(**values)


def test_clocking_in_and_out_are_events_for_webhooks_of_those_who_see_the_employee(staff):
    from oorg.attendance.events.clocking import _visible
    from oorg.core.models import Event
    from oorg.core.permissions import Actor

    me = staff["clients"]["member"]
    me.post("/attendance/clock-in")
    me.post("/attendance/break-start")
    me.post("/attendance/clock-out")

    events = list(Event.objects.filter(workspace=staff["workspace"], type__startswith="attendance.")
                  .order_by("created_at").values_list("type", "data"))
    assert [t for t, _ in events] == ["attendance.clocked_in", "attendance.clocked_out"]
    closed = events[1][1]
    assert closed["employee_id"] == staff["report"].pk and closed["ended_at"] and len(closed["breaks"]) == 1
    with workspace_scope(staff["workspace"]):
        assert _visible(staff["actors"]["manager"], closed) and _visible(staff["actors"]["hr"], closed)
        # Hana with a member's rights sees only her own days, not Remy's
        hana_as_member = Actor(user=staff["users"]["hr"], workspace=staff["workspace"],
                               membership=staff["members"]["hr"], role="member")
        assert not _visible(hana_as_member, closed)


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the threads' own connections must see the rows
def test_ten_clock_ins_at_once_make_one_session(race):
    result = race("ten_clock_ins")

    assert result["errors"] == []
    assert result["answers"] == [200] + [409] * 9
    assert result["sessions"] == 1 and result["audited"] == 1
