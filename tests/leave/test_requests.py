"""Asking for leave: the working-day count over the branch's calendar, the balance, and every refusal."""
import datetime as dt

from .helpers import ask, grant, holiday, leave_type, weekday_ahead


def test_friday_to_monday_with_monday_a_holiday_counts_one_day(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    grant(ws, me, 10)
    friday = weekday_ahead(4)
    monday = friday + dt.timedelta(days=3)
    holiday(ws, staff["berlin"], monday, "Easter Monday")
    r = ask(staff["clients"]["member"], ws, friday, monday, note="Family")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["working_days"] == 1
    assert float(body["balance_before"]) == 10 and float(body["balance_after"]) == 9
    assert body["status"] == "pending" and body["step"] == "manager"
    assert body["employee_id"] == me.pk and body["approvals"] == []
    preview = staff["clients"]["member"].get(
        f"/leave/requests/preview?leave_type_id={body['leave_type_id']}&start_date={friday}&end_date={monday}")
    assert preview.status_code == 200
    kinds = [d["kind"] for d in preview.json()["days"]]
    assert kinds == ["working", "weekend", "weekend", "holiday"]
    assert preview.json()["days"][3]["holiday"] == "Easter Monday"
    # the first request is pending: the second one sees 9 available
    assert float(preview.json()["balance_before"]) == 9


def test_half_day_counts_half(staff):
    ws = staff["workspace"]
    grant(ws, staff["employees"]["member"], 2)
    day = weekday_ahead(2)
    r = ask(staff["clients"]["member"], ws, day, day, half_day=True)
    assert r.status_code == 201, r.json()
    assert float(r.json()["working_days"]) == 0.5


def test_every_problem_at_once(staff):
    ws = staff["workspace"]
    leave_type(ws, "annual", half_days=False)
    start = weekday_ahead(0)
    r = ask(staff["clients"]["member"], ws, start, start - dt.timedelta(days=1), half_day=True)
    assert r.status_code == 422 and r.json()["field"] == "end_date"
    saturday = weekday_ahead(5)
    r = ask(staff["clients"]["member"], ws, saturday, saturday + dt.timedelta(days=1))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "no_working_days"
    r = ask(staff["clients"]["member"], ws, start, start + dt.timedelta(days=1), half_day=True)
    fields = {e["field"] for e in r.json()["errors"]}
    assert r.status_code == 422 and "half_day" in fields and "end_date" in fields  # and no balance either
    r = ask(staff["clients"]["member"], ws, start, start + dt.timedelta(days=400))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_long"


def test_insufficient_balance_names_the_numbers(staff):
    ws = staff["workspace"]
    grant(ws, staff["employees"]["member"], 2)
    monday = weekday_ahead(0)
    r = ask(staff["clients"]["member"], ws, monday, monday + dt.timedelta(days=4))
    assert r.status_code == 422
    assert r.json()["code"] == "insufficient_balance"
    assert r.json()["available"] == "2" or float(r.json()["available"]) == 2
    assert float(r.json()["requested"]) == 5
    # unpaid leave has no balance: allowed
    r = ask(staff["clients"]["member"], ws, monday, monday + dt.timedelta(days=4), code="unpaid")
    assert r.status_code == 201 and r.json()["balance_before"] is None


def test_overlap_is_409_naming_the_other_request(staff):
    ws = staff["workspace"]
    grant(ws, staff["employees"]["member"], 10)
    monday = weekday_ahead(0)
    first = ask(staff["clients"]["member"], ws, monday, monday + dt.timedelta(days=2)).json()
    r = ask(staff["clients"]["member"], ws, monday + dt.timedelta(days=2), monday + dt.timedelta(days=3))
    assert r.status_code == 409 and r.json()["code"] == "overlap"
    assert r.json()["other"]["id"] == first["id"]
    assert str(first["id"]) in r.json()["detail"]


def test_min_notice(staff):
    ws = staff["workspace"]
    grant(ws, staff["employees"]["member"], 10)
    leave_type(ws, "annual", min_notice_days=14)
    soon = weekday_ahead(2, weeks=1)
    r = ask(staff["clients"]["member"], ws, soon, soon)
    assert r.status_code == 422 and r.json()["code"] == "min_notice"
    # HR entering it for the employee is exempt
    r = ask(staff["clients"]["hr"], ws, soon, soon, employee_id=staff["employees"]["member"].pk)
    assert r.status_code == 201, r.json()
    assert r.json()["employee_id"] == staff["employees"]["member"].pk


def test_only_hr_asks_for_someone_else(staff):
    ws = staff["workspace"]
    day = weekday_ahead(2)
    r = ask(staff["clients"]["manager"], ws, day, day, code="unpaid", employee_id=staff["employees"]["member"].pk)
    assert r.status_code == 403


def test_attachment_required_after_n_days(staff):
    ws = staff["workspace"]
    monday = weekday_ahead(0)
    r = ask(staff["clients"]["member"], ws, monday, monday + dt.timedelta(days=4), code="sick")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "attachment_required"
    t = leave_type(ws, "sick")
    client = staff["clients"]["member"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"leave_type_id": t.pk, "start_date": str(monday), "end_date": str(monday + dt.timedelta(days=4))}
    bad = client.client.post("/api/v1/leave/requests/upload",
                             {**data, "attachment": SimpleUploadedFile("note.exe", b"MZ...")}, **client._headers())
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "file_type"
    ok = client.client.post("/api/v1/leave/requests/upload",
                            {**data, "attachment": SimpleUploadedFile("note.pdf", b"%PDF-1.4 test")},
                            **client._headers())
    assert ok.status_code == 201, ok.json()
    assert ok.json()["has_attachment"] is True


def test_no_employee_record_is_409(staff):
    ws = staff["workspace"]
    day = weekday_ahead(2)
    r = ask(staff["clients"]["admin"], ws, day, day, code="unpaid")
    assert r.status_code == 409 and r.json()["code"] == "no_employee_record"


def test_lists_follow_the_scope(staff):
    ws = staff["workspace"]
    day = weekday_ahead(2)
    mine = ask(staff["clients"]["member"], ws, day, day, code="unpaid").json()
    assert staff["clients"]["member"].get("/leave/requests").json()["count"] == 1
    assert staff["clients"]["manager"].get(f"/leave/requests/{mine['id']}").status_code == 200
    assert staff["clients"]["hr"].get("/leave/requests?status=pending").json()["count"] == 1
    other = ask(staff["clients"]["hr"], ws, day, day, code="unpaid").json()
    assert staff["clients"]["member"].get(f"/leave/requests/{other['id']}").status_code == 404
    assert staff["clients"]["manager"].get(f"/leave/requests/{other['id']}").status_code == 404
    r = staff["clients"]["hr"].get("/leave/requests?from=2026-01-01&to=2028-01-02")
    assert r.status_code == 422 and r.json()["field"] == "to"


def test_other_workspace_is_404(staff, other_staff):
    day = weekday_ahead(2)
    theirs = ask(other_staff["client"], other_staff["workspace"], day, day, code="unpaid")
    assert theirs.status_code == 201, theirs.json()
    rid = theirs.json()["id"]
    for path in (f"/leave/requests/{rid}", ):
        assert staff["clients"]["owner"].get(path).status_code == 404
    for action in ("approve", "cancel", "comment"):
        assert staff["clients"]["owner"].post(f"/leave/requests/{rid}/{action}", {"comment": "x"}).status_code == 404
