"""Attendance pages: my month, the team's days, shifts, corrections: what each role sees; forms show errors."""
import datetime as dt

import pytest
from django.urls import reverse

from oorg.attendance.days import recompute_range
from oorg.attendance.models import Correction, Shift
from oorg.core.tenancy import workspace_scope
from tests.web.pages import signed_in_client, text

from .helpers import local, make_session, make_shift

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 4)


def url(staff, name, **kwargs):
    return reverse(f"attendance:{name}", kwargs={"workspace_slug": staff["workspace"].slug, **kwargs})


def browse(staff, role):
    return signed_in_client(staff["users"][role])


def test_my_month_shows_days_with_status_and_local_times(staff):
    me = staff["employees"]["member"]
    make_shift(staff["workspace"], employee=me, grace_minutes=5)
    make_session(staff["workspace"], me, local(DAY, 9, 7), local(DAY, 17, 30))
    with workspace_scope(staff["workspace"]):
        recompute_range(me, DAY, DAY + dt.timedelta(days=1))
    page = browse(staff, "member").get(url(staff, "my") + "?month=2026-05")
    assert page.status_code == 200
    body = text(page)
    assert "May 2026" in body and "09:07" in body and "17:30" in body and "7 min" in body
    assert "Absent" in body and "Europe/Berlin" in body and "?date=2026-05-04" in body
    admin = browse(staff, "admin").get(url(staff, "my"))
    assert admin.status_code == 200 and "not linked to an employee record" in text(admin)


def test_team_page_for_managers_only(staff):
    me = staff["employees"]["member"]
    make_session(staff["workspace"], me, local(DAY, 9), local(DAY, 17))
    make_session(staff["workspace"], staff["employees"]["hr"], local(DAY, 9), local(DAY, 17))
    with workspace_scope(staff["workspace"]):
        recompute_range(me, DAY, DAY)
        recompute_range(staff["employees"]["hr"], DAY, DAY)
    team = text(browse(staff, "manager").get(url(staff, "team") + "?date=2026-05-04&span=week"))
    assert "Remy Report" in team and "Hana HR" not in team
    everyone = text(browse(staff, "hr").get(url(staff, "team") + "?date=2026-05-04&status=present"))
    assert "Remy Report" in everyone and "Hana HR" in everyone
    assert browse(staff, "member").get(url(staff, "team")).status_code == 403


def test_team_page_opens_on_this_week_so_far(staff):
    from django.utils import timezone

    me = staff["employees"]["member"]
    today = timezone.now().astimezone(local(DAY, 9).tzinfo).date()
    monday = today - dt.timedelta(days=today.weekday())
    make_session(staff["workspace"], me, local(monday, 9), local(monday, 9, 30))
    with workspace_scope(staff["workspace"]):
        recompute_range(me, monday, monday)
    page = browse(staff, "manager").get(url(staff, "team"))
    body = text(page)
    assert page.status_code == 200 and "Remy Report" in body
    assert f'value="{today.isoformat()}"' in page.content.decode()  # the form says which day it shows


def test_shift_form_shows_every_error_and_redirects(staff):
    hr = browse(staff, "hr")
    refused = hr.post(url(staff, "shift-add"), {"shift-name": "", "shift-starts": "25:00", "shift-ends": "x"})
    assert refused.status_code == 422
    body = text(refused)
    assert "A shift has a name." in body and "HH:MM" in body
    done = hr.post(url(staff, "shift-add"), {"shift-name": "Early", "shift-starts": "06:00", "shift-ends": "14:00",
                                             "shift-working_days": ["mon", "tue"]})
    assert done.status_code == 302
    with workspace_scope(staff["workspace"]):
        shift = Shift.objects.get(name="Early")
    assert shift.working_days == ["mon", "tue"]
    assert "Early" in text(browse(staff, "member").get(url(staff, "shifts")))
    assert browse(staff, "member").post(url(staff, "shift-add"), {"shift-name": "X", "shift-starts": "06:00",
                                                                  "shift-ends": "14:00"}).status_code == 403
    edit = hr.post(url(staff, "shift", shift_id=shift.pk), {"name": "Early", "starts": "07:00", "ends": "15:00"})
    assert edit.status_code == 302
    assert hr.post(url(staff, "shift-delete", shift_id=shift.pk)).status_code == 302


def test_correction_request_and_decision_through_the_pages(staff):
    member = browse(staff, "member")
    form = member.get(url(staff, "correction-new") + "?date=2026-05-04")
    assert 'value="2026-05-04T09:00"' in text(form)
    refused = member.post(url(staff, "correction-new"), {"work_date": "2026-05-04", "clock_in": "2026-05-04T17:00",
                                                         "clock_out": "2026-05-04T09:00", "reason": ""})
    assert refused.status_code == 422 and "after the clock-in" in text(refused) and "Say why" in text(refused)
    sent = member.post(url(staff, "correction-new"), {"work_date": "2026-05-04", "clock_in": "2026-05-04T09:00",
                                                      "clock_out": "2026-05-04T17:00", "reason": "Forgot"})
    assert sent.status_code == 302
    with workspace_scope(staff["workspace"]):
        correction = Correction.objects.get()
    assert correction.clock_in == local(DAY, 9)
    manager = browse(staff, "manager")
    waiting = text(manager.get(url(staff, "corrections")))
    assert "Remy Report" in waiting and "Forgot" in waiting
    assert manager.post(url(staff, "correction-approve", correction_id=correction.pk)).status_code == 302
    again = manager.post(url(staff, "correction-reject", correction_id=correction.pk), follow=True)
    assert "already approved" in text(again)
    assert "Approved" in text(member.get(url(staff, "corrections")))
