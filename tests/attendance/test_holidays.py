"""Holidays per branch: by hand, filled from the `holidays` package, imported from iCal or CSV."""
import datetime as dt

from oorg.attendance import calendar
from oorg.attendance.models import Holiday
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope

from ..conftest import _run_pending_on_commit

ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//holidays//EN
BEGIN:VEVENT
UID:1@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261224
DTEND;VALUE=DATE:20261227
SUMMARY:Christmas break
END:VEVENT
BEGIN:VEVENT
UID:2@test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20280229
SUMMARY:Leap day off
END:VEVENT
END:VCALENDAR
"""


def _count(workspace, **filters):
    with workspace_scope(workspace):
        return Holiday.objects.filter(**filters).count()


def test_hr_adds_a_holiday_and_everyone_reads_it(staff):
    berlin = staff["berlin"]
    answer = staff["clients"]["hr"].post("/holidays", {"date": "2026-06-01", "name": "Company day",
                                                       "branch_id": berlin.pk})
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["date"] == "2026-06-01" and body["branch_id"] == berlin.pk and body["origin"] == "manual"
    listed = staff["clients"]["member"].get(f"/holidays?branch_id={berlin.pk}&year=2026").json()
    assert [h["name"] for h in listed["items"]] == ["Company day"]
    with workspace_scope(staff["workspace"]):
        assert AuditEvent.objects.filter(action="attendance.holiday.created").exists()
        assert calendar.working_days(staff["report"], dt.date(2026, 6, 1), dt.date(2026, 6, 5)) == 4


def test_a_second_holiday_on_the_same_date_for_the_branch_is_a_conflict(staff):
    client = staff["clients"]["hr"]
    payload = {"date": "2026-06-01", "name": "Company day", "branch_id": staff["berlin"].pk}
    assert client.post("/holidays", payload).status_code == 201
    again = client.post("/holidays", {**payload, "name": "Again"})
    assert again.status_code == 409 and again.json()["field"] == "date"
    # Another branch (or every branch) may have the same date.
    assert client.post("/holidays", {**payload, "branch_id": staff["remote"].pk}).status_code == 201
    assert client.post("/holidays", {**payload, "branch_id": None}).status_code == 201


def test_a_member_may_not_add_change_or_delete_holidays(staff):
    member = staff["clients"]["member"]
    assert member.post("/holidays", {"date": "2026-06-01", "name": "Mine", "branch_id": None}).status_code == 403
    created = staff["clients"]["hr"].post("/holidays", {"date": "2026-06-02", "name": "Day", "branch_id": None})
    holiday_id = created.json()["id"]
    assert member.patch(f"/holidays/{holiday_id}", {"name": "Renamed"}).status_code == 403
    assert member.delete(f"/holidays/{holiday_id}").status_code == 403
    assert member.post("/holidays/fill", {"branch_id": staff["berlin"].pk, "year": 2026}).status_code == 403
    assert member.get(f"/holidays/{holiday_id}").status_code == 200


def test_bad_input_names_every_field(staff):
    answer = staff["clients"]["hr"].post("/holidays", {"date": "2026-06-01", "name": "  ", "branch_id": 999999})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"name", "branch_id"}
    answer = staff["clients"]["hr"].get("/holidays?from=2026-01-01&to=2027-06-01")
    assert answer.status_code == 422 and answer.json()["field"] == "to"


def test_change_and_delete_a_holiday(staff):
    client = staff["clients"]["hr"]
    holiday_id = client.post("/holidays", {"date": "2026-06-01", "name": "Day", "branch_id": None}).json()["id"]
    changed = client.patch(f"/holidays/{holiday_id}", {"name": "Better day", "date": "2026-06-03"})
    assert changed.status_code == 200 and changed.json()["date"] == "2026-06-03"
    assert client.delete(f"/holidays/{holiday_id}").status_code == 204
    assert client.get(f"/holidays/{holiday_id}").status_code == 404


def test_fill_from_the_package_uses_the_branch_country_and_region(staff):
    berlin = staff["berlin"]
    with workspace_scope(staff["workspace"]):
        berlin.holiday_calendar = "BE"
        berlin.save(update_fields=["holiday_calendar"])
    client = staff["clients"]["hr"]
    answer = client.post("/holidays/fill", {"branch_id": berlin.pk, "year": 2026})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["country"] == "DE" and body["subdivision"] == "BE" and body["created"] == 10
    with workspace_scope(staff["workspace"]):
        dates = set(Holiday.objects.filter(branch=berlin).values_list("date", flat=True))
        assert dt.date(2026, 3, 8) in dates  # Internationaler Frauentag: Berlin only
        assert dt.date(2026, 12, 25) in dates
        assert Holiday.objects.get(branch=berlin, date=dt.date(2026, 12, 25)).origin == "package"
    again = client.post("/holidays/fill", {"branch_id": berlin.pk, "year": 2026}).json()
    assert again["created"] == 0 and again["skipped"] == 10


def test_fill_without_a_known_country_or_region_names_the_field(staff):
    client = staff["clients"]["hr"]
    answer = client.post("/holidays/fill", {"branch_id": staff["remote"].pk, "year": 2026})
    assert answer.status_code == 422 and answer.json()["field"] == "country"
    answer = client.post("/holidays/fill", {"branch_id": staff["berlin"].pk, "year": 2026, "subdivision": "ZZ"})
    assert answer.status_code == 422 and answer.json()["field"] == "subdivision"
    answer = client.post("/holidays/fill", {"branch_id": staff["remote"].pk, "year": 2026, "country": "XX"})
    assert answer.status_code == 422 and answer.json()["field"] == "country"
    assert _count(staff["workspace"]) == 0


def test_ical_import_expands_multi_day_events_and_keeps_leap_day(staff):
    client = staff["clients"]["hr"]
    berlin = staff["berlin"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(dry_run):
        return client.client.post("/api/v1/holidays/import",
                                  {"file": SimpleUploadedFile("holidays.ics", ICS), "branch_id": str(berlin.pk),
                                   "dry_run": "true" if dry_run else "false"}, **client._headers())

    dry = send(True)
    assert dry.status_code == 200, dry.json()
    assert dry.json()["created"] == 4 and dry.json()["dry_run"] is True
    assert _count(staff["workspace"]) == 0
    done = send(False).json()
    assert done["dates"] == ["2026-12-24", "2026-12-25", "2026-12-26", "2028-02-29"]
    with workspace_scope(staff["workspace"]):
        leap = Holiday.objects.get(date=dt.date(2028, 2, 29))
        assert leap.name == "Leap day off" and leap.origin == "ical" and leap.branch_id == berlin.pk
        # 28 Feb – 1 Mar 2028 (Mon–Wed): the leap day is a holiday, two working days are left.
        assert calendar.working_days(staff["report"], dt.date(2028, 2, 28), dt.date(2028, 3, 1)) == 2


def test_csv_import_with_a_bad_row_reports_every_problem_and_writes_nothing(staff):
    content = b"date,name\n2026-06-01,Company day\n2026-13-01,Bad month\n2026-06-02,\n2026-06-01,Twice\n"
    answer = staff["clients"]["hr"].upload("/holidays/import", "days.csv", content)
    assert answer.status_code == 422
    messages = [e["message"] for e in answer.json()["errors"]]
    assert any(m.startswith("Row 3:") for m in messages)
    assert any(m.startswith("Row 4:") for m in messages)
    assert any(m.startswith("Row 5:") for m in messages)
    assert _count(staff["workspace"]) == 0
    good = staff["clients"]["hr"].upload("/holidays/import", "days.csv", b"date,name\n2026-06-01,Company day\n")
    assert good.status_code == 200 and good.json()["created"] == 1
    with workspace_scope(staff["workspace"]):
        assert Holiday.objects.get(date=dt.date(2026, 6, 1)).branch_id is None


def test_an_oversized_or_garbage_file_is_refused(staff):
    client = staff["clients"]["hr"]
    big = b"date,name\n" + b"2026-06-01,x\n" * 50_000
    assert client.upload("/holidays/import", "big.csv", big).json()["field"] == "file"
    answer = client.upload("/holidays/import", "cal.ics", b"BEGIN:VCALENDAR\nthis is not ical")
    assert answer.status_code == 422 and answer.json()["field"] == "file"


def test_other_workspace_holidays_are_invisible(staff, other_staff):
    with workspace_scope(other_staff["workspace"]):
        theirs = Holiday.objects.create(workspace=other_staff["workspace"], date=dt.date(2026, 7, 4), name="B day",
                                        branch=other_staff["branch"])
    client = staff["clients"]["hr"]
    assert client.get(f"/holidays/{theirs.pk}").status_code == 404
    assert client.patch(f"/holidays/{theirs.pk}", {"name": "Mine"}).status_code == 404
    assert client.delete(f"/holidays/{theirs.pk}").status_code == 404
    assert client.get("/holidays").json()["count"] == 0
    answer = client.post("/holidays", {"date": "2026-07-04", "name": "x", "branch_id": other_staff["branch"].pk})
    assert answer.status_code == 422 and answer.json()["field"] == "branch_id"


# --- the page --------------------------------------------------------------------------------------------------


def _page_url(staff, rest=""):
    return f"/w/{staff['workspace'].slug}/attendance/holidays/{rest}"


def test_the_holidays_page_adds_fills_imports_and_deletes(staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web.pages import signed_in_client, text

    berlin = staff["berlin"]
    with workspace_scope(staff["workspace"]):
        berlin.holiday_calendar = "BE"
        berlin.save(update_fields=["holiday_calendar"])
    browser = signed_in_client(staff["users"]["hr"])
    page = text(browser.get(_page_url(staff, f"?branch={berlin.pk}&year=2026")))
    assert "Fill from public holidays" in page and 'value="BE"' in page and 'value="DE"' in page
    filled = browser.post(_page_url(staff, "fill"), {"branch": str(berlin.pk), "year": "2026", "country": "",
                                                     "subdivision": ""})
    assert filled.status_code == 302
    page = text(browser.get(filled["Location"]))
    assert "10 added" in page and "Women" in page
    added = browser.post(_page_url(staff, "add"), {"date": "2026-06-01", "name": "Company day", "branch": "all"})
    assert added.status_code == 302
    twice = browser.post(_page_url(staff, "add"), {"date": "2026-06-01", "name": "Again", "branch": "all"})
    assert twice.status_code == 422 and "already a holiday" in text(twice)
    bad = browser.post(_page_url(staff, "import"), {
        "file": SimpleUploadedFile("x.csv", b"date,name\nnope,Day\n2026-07-01,\n"), "branch": "all"})
    assert bad.status_code == 422 and "Row 2:" in text(bad) and "Row 3:" in text(bad)
    good = browser.post(_page_url(staff, "import"), {"file": SimpleUploadedFile("x.ics", ICS), "branch": "all"})
    assert good.status_code == 302
    with workspace_scope(staff["workspace"]):
        holiday = Holiday.objects.get(name="Company day")
    deleted = browser.post(_page_url(staff, f"{holiday.pk}/delete"))
    assert deleted.status_code == 302
    assert _count(staff["workspace"], name="Company day") == 0


def test_a_member_sees_holidays_but_no_forms(staff):
    from tests.web.pages import signed_in_client, text

    browser = signed_in_client(staff["users"]["member"])
    response = browser.get(_page_url(staff))
    assert response.status_code == 200 and "Add a holiday" not in text(response)
    assert browser.post(_page_url(staff, "add"), {"date": "2026-06-01", "name": "x"}).status_code == 403


def test_a_holiday_added_later_turns_a_closed_absence_into_a_holiday_and_back(staff):
    """Days already computed on a holiday's date are computed again after it is added, moved or removed."""
    from oorg.attendance import days
    from oorg.attendance.models import AttendanceDay

    ws, remy, sales_rep = staff["workspace"], staff["employees"]["member"], staff["sales_rep"]
    monday = dt.date(2026, 6, 8)
    with workspace_scope(ws):
        days.recompute(remy, [monday])  # Berlin
        days.recompute(sales_rep, [monday])  # Remote: another branch

    def status(employee):
        _run_pending_on_commit()  # the recomputation is queued for after the commit
        with workspace_scope(ws):
            return AttendanceDay.objects.get(employee=employee, date=monday).status

    assert status(remy) == "absent" and status(sales_rep) == "absent"
    hr = staff["clients"]["hr"]
    added = hr.post("/holidays", {"date": "2026-06-08", "name": "Company day", "branch_id": staff["berlin"].pk})
    assert added.status_code == 201
    assert status(remy) == "holiday" and status(sales_rep) == "absent"  # only the branch's people
    moved = hr.patch(f"/holidays/{added.json()['id']}", {"date": "2026-06-09"})
    assert moved.status_code == 200 and status(remy) == "absent"
    everyone = hr.post("/holidays", {"date": "2026-06-08", "name": "Founders' day", "branch_id": None})
    assert everyone.status_code == 201 and status(remy) == "holiday" and status(sales_rep) == "holiday"
    assert hr.delete(f"/holidays/{everyone.json()['id']}").status_code == 204
    assert status(remy) == "absent" and status(sales_rep) == "absent"
