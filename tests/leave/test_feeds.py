"""Secret iCal feeds: addresses per member, valid RFC 5545 parsed back by icalendar, rotation, revocation."""
import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from oorg.core.models import AuditEvent, Membership
from oorg.core.tenancy import workspace_scope
from oorg.leave import ical
from oorg.leave.models import CalendarFeed

from .test_calendar import make_request

pytestmark = pytest.mark.django_db


def feed_urls(client):
    r = client.get("/leave/calendar/feeds")
    assert r.status_code == 200, r.json()
    return {i["scope"]: i["url"] for i in r.json()["items"]}


def fetch(url):
    return Client().get(urlsplit(url).path)


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}, calendar


@pytest.fixture
def leave(staff, other_staff):
    today = timezone.now().date()
    ws, e = staff["workspace"], staff["employees"]
    return {
        "remy": make_request(ws, e["member"], "sick", today + dt.timedelta(days=10), today + dt.timedelta(days=12)),
        "remy_pending": make_request(ws, e["member"], "annual", today + dt.timedelta(days=30),
                                     today + dt.timedelta(days=30), status="pending"),
        "mia": make_request(ws, e["manager"], "annual", today - dt.timedelta(days=5), today - dt.timedelta(days=5),
                            half_day=True),
        "hana": make_request(ws, e["hr"], "annual", today + dt.timedelta(days=3), today + dt.timedelta(days=4)),
        "old": make_request(ws, e["member"], "annual", today - dt.timedelta(days=200), today - dt.timedelta(days=199)),
        "other": make_request(other_staff["workspace"], other_staff["employee"], "annual", today, today),
        "today": today,
    }


def test_member_gets_only_a_personal_feed_made_once(staff):
    first = feed_urls(staff["clients"]["member"])
    assert set(first) == {"me"}
    assert "/feeds/leave/" in first["me"] and first["me"].endswith(".ics")
    assert feed_urls(staff["clients"]["member"]) == first
    with workspace_scope(staff["workspace"]):
        feed = CalendarFeed.objects.get(member=staff["members"]["member"])
    token = urlsplit(first["me"]).path.split("/")[-1].removesuffix(".ics")
    assert token not in feed.token_hash and token not in feed.token_sealed and len(feed.token_hash) == 64


def test_personal_feed_is_valid_ical_with_the_right_dates(staff, leave):
    r = fetch(feed_urls(staff["clients"]["member"])["me"])
    assert r.status_code == 200
    assert r["Content-Type"] == "text/calendar; charset=utf-8" and r["Cache-Control"] in ("no-store", "private")
    found, calendar = events(r)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] and calendar["X-WR-CALNAME"]
    (summary, event), = found.items()
    assert summary == f"Remy Report — {leave['remy'].leave_type.name}"
    assert event.decoded("dtstart") == leave["remy"].start_date
    assert event.decoded("dtend") == leave["remy"].end_date + dt.timedelta(days=1)  # exclusive
    assert isinstance(event.decoded("dtstart"), dt.date) and not isinstance(event.decoded("dtstart"), dt.datetime)
    assert str(event["uid"]) == f"leave-{leave['remy'].pk}@{ical.host()}"
    assert str(event["transp"]) == "TRANSPARENT" and event.get("dtstamp") is not None


def test_team_feed_for_manager_shows_reports_only(staff, leave):
    urls = feed_urls(staff["clients"]["manager"])
    assert set(urls) == {"me", "team"}
    found, _ = events(fetch(urls["team"]))
    people = sorted(s.split(" — ")[0] for s in found)
    assert people == ["Mia Manager", "Remy Report"]  # no pending, nothing outside the team or the window
    assert any("(half day)" in s for s in found)
    assert sorted(found) == ["Mia Manager — away (half day)", "Remy Report — away"]  # no type: sick leave stays in
    assert "Gus Globex" not in fetch(urls["team"]).content.decode()


def test_hr_team_feed_has_everyone(staff, leave):
    found, _ = events(fetch(feed_urls(staff["clients"]["hr"])["team"]))
    assert sorted(s.split(" — ")[0] for s in found) == ["Hana HR", "Mia Manager", "Remy Report"]


def test_rotate_retires_the_old_address(staff, leave):
    client = staff["clients"]["manager"]
    old = feed_urls(client)["team"]
    r = client.post("/leave/calendar/feeds/team/rotate")
    assert r.status_code == 200 and r.json()["scope"] == "team"
    new = r.json()["url"]
    assert new != old and fetch(old).status_code == 404 and fetch(new).status_code == 200
    assert feed_urls(client)["team"] == new
    with workspace_scope(staff["workspace"]):
        assert AuditEvent.objects.filter(action="leave.feed.rotated").count() == 1


def test_member_cannot_have_or_rotate_a_team_feed(staff):
    assert staff["clients"]["member"].post("/leave/calendar/feeds/team/rotate").status_code == 403
    assert staff["clients"]["member"].post("/leave/calendar/feeds/everyone/rotate").status_code == 422


def test_feed_dies_with_the_membership_or_the_right(staff, leave):
    urls = feed_urls(staff["clients"]["manager"])
    with workspace_scope(staff["workspace"]):
        Membership.objects.filter(pk=staff["members"]["manager"].pk).update(role="member")
    assert fetch(urls["team"]).status_code == 404
    assert fetch(urls["me"]).status_code == 200
    with workspace_scope(staff["workspace"]):
        Membership.objects.filter(pk=staff["members"]["manager"].pk).update(is_active=False)
    assert fetch(urls["me"]).status_code == 404


def test_unknown_tokens_and_methods(staff):
    assert Client().get("/feeds/leave/nope.ics").status_code == 404
    assert Client().get("/feeds/leave/" + "x" * 200 + ".ics").status_code == 404
    url = urlsplit(feed_urls(staff["clients"]["member"])["me"]).path
    assert Client().post(url).status_code == 405


def test_feed_is_throttled(staff, monkeypatch):
    from datetime import timedelta

    from oorg.leave.services import feeds

    monkeypatch.setattr(feeds, "FEED_LIMITS", [(2, timedelta(hours=1))])
    url = feed_urls(staff["clients"]["member"])["me"]
    assert [fetch(url).status_code for _ in range(3)] == [200, 200, 429]


def test_other_workspace_feed_shows_its_own_only(other_staff, leave):
    found, _ = events(fetch(feed_urls(other_staff["client"])["team"]))
    assert [s.split(" — ")[0] for s in found] == ["Gus Globex"]
