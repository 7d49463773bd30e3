"""The leave calendar: who is away, as the viewer may see (own / reports / everyone), holidays, bounds."""
import datetime as dt

import pytest

from oorg.attendance.models import Holiday
from oorg.core.tenancy import workspace_scope
from oorg.leave.defaults import ensure_types
from oorg.leave.models import LeaveRequest, LeaveType

pytestmark = pytest.mark.django_db

D = dt.date


def make_request(workspace, employee, code, start, end, *, status="approved", half_day=False):
    with workspace_scope(workspace):
        ensure_types(workspace)
        kind = LeaveType.objects.get(code=code)
        return LeaveRequest.objects.create(workspace=workspace, employee=employee, leave_type=kind, start_date=start,
                                           end_date=end, half_day=half_day, working_days=1, status=status)


@pytest.fixture
def away(staff, other_staff):
    ws, e = staff["workspace"], staff["employees"]
    rows = {
        "remy": make_request(ws, e["member"], "sick", D(2026, 3, 2), D(2026, 3, 4)),
        "mia": make_request(ws, e["manager"], "annual", D(2026, 3, 10), D(2026, 3, 10), half_day=True),
        "hana": make_request(ws, e["hr"], "annual", D(2026, 3, 20), D(2026, 4, 2)),
        "ines": make_request(ws, staff["indirect"], "annual", D(2026, 2, 25), D(2026, 3, 1)),
        "remy_pending": make_request(ws, e["member"], "annual", D(2026, 3, 23), D(2026, 3, 24), status="pending"),
        "rejected": make_request(ws, staff["sales_rep"], "annual", D(2026, 3, 5), D(2026, 3, 5), status="rejected"),
        "outside": make_request(ws, staff["sales_rep"], "annual", D(2026, 5, 5), D(2026, 5, 5)),
        "other": make_request(other_staff["workspace"], other_staff["employee"], "annual", D(2026, 3, 2),
                              D(2026, 3, 3)),
    }
    with workspace_scope(ws):
        Holiday.objects.create(workspace=ws, branch=staff["berlin"], date=D(2026, 3, 8), name="Frauentag")
        Holiday.objects.create(workspace=ws, branch=None, date=D(2026, 4, 3), name="Good Friday")
    with workspace_scope(other_staff["workspace"]):
        Holiday.objects.create(workspace=other_staff["workspace"], date=D(2026, 3, 9), name="Elsewhere day")
    return rows


def names(answer):
    return sorted(i["employee"]["name"] for i in answer["items"])


def get(client, query):
    return client.get(f"/leave/calendar?{query}")


def test_hr_sees_everyone_approved_with_types_and_holidays(staff, away):
    r = get(staff["clients"]["hr"], "from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200, r.json()
    data = r.json()
    assert names(data) == ["Hana HR", "Ines Indirect", "Mia Manager", "Remy Report"]
    assert data["count"] == 4
    remy = next(i for i in data["items"] if i["employee"]["name"] == "Remy Report")
    assert remy["start_date"] == "2026-03-02" and remy["end_date"] == "2026-03-04" and remy["status"] == "approved"
    assert remy["leave_type"]["code"] == "sick" and remy["leave_type"]["color"].startswith("#")
    mia = next(i for i in data["items"] if i["employee"]["name"] == "Mia Manager")
    assert mia["half_day"] is True
    assert [h["name"] for h in data["holidays"]] == ["Frauentag"]
    assert "Elsewhere day" not in str(data)


def test_pending_only_when_asked(staff, away):
    data = get(staff["clients"]["hr"], "from=2026-03-01&to=2026-03-31&include_pending=true").json()
    statuses = sorted((i["employee"]["name"], i["status"]) for i in data["items"])
    assert ("Remy Report", "pending") in statuses and data["count"] == 5


def test_member_sees_their_own_and_their_department_colleagues_only_as_away(staff, away):
    ines_pending = make_request(staff["workspace"], staff["indirect"], "sick", D(2026, 3, 16), D(2026, 3, 16),
                                status="pending")
    data = get(staff["clients"]["member"], "from=2026-03-01&to=2026-03-31&include_pending=true").json()
    # Ines is in Remy's department (Backend): her approved leave shows, without its type; her pending request
    # and anyone of another department (Mia: Engineering, Hana: none, Sam: Sales) do not.
    assert names(data) == ["Ines Indirect", "Remy Report", "Remy Report"]
    ines = next(i for i in data["items"] if i["employee"]["name"] == "Ines Indirect")
    assert ines["leave_type"] is None and ines["status"] == "approved" and ines["id"] != ines_pending.pk
    own = [i for i in data["items"] if i["employee"]["name"] == "Remy Report"]
    assert {i["leave_type"]["code"] for i in own} == {"sick", "annual"}


def test_manager_sees_themself_and_reports_at_any_depth(staff, away):
    data = get(staff["clients"]["manager"], "from=2026-03-01&to=2026-03-31").json()
    assert names(data) == ["Ines Indirect", "Mia Manager", "Remy Report"]


def test_filters_by_department_and_branch(staff, away):
    hr = staff["clients"]["hr"]
    data = get(hr, f"from=2026-03-01&to=2026-03-31&department_id={staff['engineering'].pk}").json()
    assert names(data) == ["Ines Indirect", "Mia Manager", "Remy Report"]  # Backend is below Engineering
    data = get(hr, f"from=2026-03-01&to=2026-05-31&branch_id={staff['remote'].pk}").json()
    assert names(data) == ["Ines Indirect", "Sam Sales"]
    assert [h["name"] for h in data["holidays"]] == ["Good Friday"]


def test_other_workspace_never_shows_and_its_ids_answer_404(staff, other_staff, away):
    data = get(other_staff["client"], "from=2026-03-01&to=2026-03-31").json()
    assert names(data) == ["Gus Globex"]
    r = get(staff["clients"]["hr"], f"from=2026-03-01&to=2026-03-31&branch_id={other_staff['branch'].pk}")
    assert r.status_code == 404


def test_range_is_bounded_and_checked(staff, away):
    hr = staff["clients"]["hr"]
    r = get(hr, "from=2026-01-01&to=2026-04-30")
    assert r.status_code == 422 and r.json()["field"] == "to"
    r = get(hr, "from=2026-03-10&to=2026-03-01")
    assert r.status_code == 422 and r.json()["field"] == "to"
    r = get(hr, "to=2026-03-01")
    assert r.status_code == 422 and r.json()["field"] == "from"
    r = get(hr, "from=soon&to=2026-03-01")
    assert r.status_code == 422


def test_pages(staff, away):
    hr = staff["clients"]["hr"]
    first = get(hr, "from=2026-03-01&to=2026-03-31&limit=3").json()
    assert len(first["items"]) == 3 and first["count"] == 4
    rest = get(hr, f"from=2026-03-01&to=2026-03-31&limit=3&cursor={first['next_cursor']}").json()
    assert len(rest["items"]) == 1
    assert get(hr, "from=2026-03-01&to=2026-03-31&limit=3&offset=3").json()["items"] == rest["items"]


def test_admin_without_employee_record_sees_everyone(staff, away):
    data = get(staff["clients"]["admin"], "from=2026-03-01&to=2026-03-31").json()
    assert len(data["items"]) == 4


# --- the team calendar page -----------------------------------------------------------------------------------

def page(staff, role, query=""):
    from tests.web.pages import signed_in_client

    client = signed_in_client(staff["users"][role])
    return client, client.get(f"/w/{staff['workspace'].slug}/leave/calendar/{query}")


def test_page_shows_the_month_as_a_table_for_a_manager(staff, away):
    _client, r = page(staff, "manager", "?month=2026-03")
    assert r.status_code == 200
    html = r.content.decode()
    assert "March 2026" in html and "<table" in html and 'scope="row"' in html
    for name in ("Mia Manager", "Remy Report", "Ines Indirect"):
        assert name in html
    assert "Hana HR" not in html and "Gus Globex" not in html
    assert "cal-leave" in html and "cal-weekend" in html and "cal-holiday" in html and "Frauentag" in html
    assert "2 Mar: Sick leave" in html or "Sick" in html
    assert "style=" not in html.split("<main", 1)[-1] and "<script>" not in html


def test_page_member_sees_themself_their_department_and_their_feed(staff, away):
    _client, r = page(staff, "member", "?month=2026-03&pending=on")
    html = r.content.decode()
    assert "Remy Report" in html and "Mia Manager" not in html
    # Ines, of Remy's department, is on the page as away; her kind of leave is not.
    ines_row = html[html.index("Ines Indirect"):][:html[html.index("Ines Indirect"):].index("</tr>")]
    assert "leave-away" in ines_row and "Away" in ines_row and "Annual leave" not in ines_row
    assert "waiting for approval" in html
    assert "/feeds/leave/" in html and "Leave of the people I see" not in html


def test_page_bad_month_and_filters(staff, away):
    _client, r = page(staff, "hr", f"?month=soon&branch={staff['remote'].pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Give a month as YYYY-MM." in html and "Ines Indirect" in html and "Remy Report" not in html


def test_page_rotates_a_feed_and_comes_back(staff):
    from urllib.parse import urlsplit

    from django.test import Client

    client, r = page(staff, "manager")
    html = r.content.decode()
    import re

    old = re.search(r'id="feed-team" type="text" readonly value="([^"]+)"', html).group(1)
    r = client.post(f"/w/{staff['workspace'].slug}/leave/calendar/feeds/rotate", {"scope": "team"})
    assert r.status_code == 302 and r["Location"].endswith("/leave/calendar/")
    html = client.get(r["Location"]).content.decode()
    assert "The old address no longer works" in html and old not in html
    assert Client().get(urlsplit(old).path).status_code == 404
    _client, r = page(staff, "member")
    r = _client.post(f"/w/{staff['workspace'].slug}/leave/calendar/feeds/rotate", {"scope": "team"})
    assert r.status_code == 403


def test_a_role_without_leave_rights_is_refused(staff, away):
    from oorg.core.models import Membership
    from oorg.core.roles import create_role

    with workspace_scope(staff["workspace"]):
        role = create_role(staff["system"], name="Directory only", permissions=["org.directory.view"])
        Membership.objects.filter(pk=staff["members"]["member"].pk).update(role=role.key)
    client = staff["clients"]["member"]
    r = get(client, "from=2026-03-01&to=2026-03-31")
    assert r.status_code == 403 and r.json()["detail"]
    assert client.get("/leave/calendar/feeds").status_code == 403
    assert client.post("/leave/calendar/feeds/me/rotate").status_code == 403
    _client, r = page(staff, "member")
    assert r.status_code == 403


def test_one_query_for_a_page_of_absences(staff, away, django_assert_num_queries):
    from oorg.leave import calendar

    with workspace_scope(staff["workspace"]):
        actor = staff["actors"]["hr"]
        actor.permissions  # noqa: B018  built-in role: no query, read once
        with django_assert_num_queries(1):
            rows = [calendar.item(r) for r in calendar.absences(actor, D(2026, 3, 1), D(2026, 3, 31))[:50]]
    assert len(rows) == 4
