"""Preferences: every kind with its choice, quiet hours in the person's time zone; bad input is a 422 naming the
field; security kinds cannot be turned off. And when an email is due, across midnight and DST changes."""
from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from oorg.notifications import scheduling
from oorg.notifications.models import Notification, NotificationPreferences
from oorg.notifications.scheduling import QuietHours, email_due_at

from .conftest import NEWS, PING, SECURITY, notifications_of, ping

pytestmark = pytest.mark.django_db
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NIGHT = QuietHours(True, dt.time(22, 0), dt.time(7, 0))


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def kind_of(state, name):
    return next(k for k in state["kinds"] if k["kind"] == name)


def test_get_lists_every_kind_with_its_default(workspace, member, api_client):
    state = api_client(member, workspace).get("/notification-preferences").json()

    assert set(state) == {"kinds", "quiet_hours", "time_zone"}
    assert kind_of(state, PING) == {"kind": PING, "label": "You were pinged", "group": "Testing", "description": "",
                                    "in_app": True, "email": "immediately", "locked": False}
    assert kind_of(state, NEWS)["email"] == "daily"
    assert kind_of(state, SECURITY)["locked"] is True
    assert state["quiet_hours"] == {"enabled": False, "start": "22:00", "end": "07:00"}
    assert state["time_zone"] == "UTC"


def test_put_changes_some_choices_and_answers_the_whole_state(workspace, member, admin, api_client):
    client = api_client(member, workspace)

    response = client.request("PUT", "/notification-preferences", {"kinds": [{"kind": PING, "email": "hourly"},
                                                                  {"kind": NEWS, "in_app": False}],
                                                        "quiet_hours": {"enabled": True, "start": "21:30"}})

    assert response.status_code == 200, response.content
    state = response.json()
    assert (kind_of(state, PING)["email"], kind_of(state, PING)["in_app"]) == ("hourly", True)
    assert (kind_of(state, NEWS)["email"], kind_of(state, NEWS)["in_app"]) == ("daily", False)
    assert state["quiet_hours"] == {"enabled": True, "start": "21:30", "end": "07:00"}
    assert client.get("/notification-preferences").json() == state
    # Per person, in every workspace: another person keeps the defaults.
    assert kind_of(api_client(admin, workspace).get("/notification-preferences").json(), PING)["email"] == (
        "immediately")


def test_every_problem_is_a_422_naming_its_field_and_nothing_changes(workspace, member, api_client):
    client = api_client(member, workspace)
    before = client.get("/notification-preferences").json()

    response = client.request("PUT", "/notification-preferences", {
        "kinds": [{"kind": PING, "email": "weekly"}, {"kind": "no.such.kind", "in_app": True},
                  {"kind": PING, "in_app": False}],
        "quiet_hours": {"start": "25:00", "end": "7"}})

    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["kinds[0].email", "kinds[1].kind", "kinds[2].kind", "quiet_hours.start", "quiet_hours.end"]
    assert client.get("/notification-preferences").json() == before


def test_unknown_fields_and_bad_types_are_422(workspace, member, api_client):
    client = api_client(member, workspace)

    for body in ({"time_zone": "Europe/Berlin"}, {"kinds": [{"kind": PING, "push": True}]},
                 {"quiet_hours": {"enabled": "sometimes"}}):
        assert client.request("PUT", "/notification-preferences", body).status_code == 422, body


def test_quiet_hours_cannot_be_empty(workspace, member, api_client):
    response = api_client(member, workspace).request("PUT", "/notification-preferences", {
        "quiet_hours": {"enabled": True, "start": "07:00", "end": "07:00"}})

    assert response.status_code == 422 and response.json()["field"] == "quiet_hours.end"


def test_security_kinds_cannot_be_turned_off(workspace, member, api_client):
    client = api_client(member, workspace)

    response = client.request("PUT", "/notification-preferences", {"kinds": [{"kind": SECURITY, "in_app": False,
                                                                   "email": "daily"}]})

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("kinds[0].in_app", "locked"), ("kinds[0].email", "locked")]
    assert "cannot be turned off" in response.json()["detail"]
    # Saying what it already is, is fine.
    ok = client.request("PUT", "/notification-preferences", {"kinds": [{"kind": SECURITY, "in_app": True,
                                                             "email": "immediately"}]})
    assert ok.status_code == 200 and kind_of(ok.json(), SECURITY)["locked"] is True


def test_preferences_decide_what_is_made(workspace, owner, member):
    NotificationPreferences.objects.create(user=member, kinds={PING: {"in_app": False, "email": "off"},
                                                               NEWS: {"in_app": False}})
    ping(workspace, owner, [member], kind=PING, title="Muted entirely")
    ping(workspace, owner, [member], kind=NEWS, title="Email only")
    ping(workspace, owner, [member], kind=SECURITY, title="Always")

    made = {n.title: n for n in notifications_of(member)}
    assert set(made) == {"Email only", "Always"}
    assert (made["Email only"].in_app, made["Email only"].email_mode) == (False, "daily")
    assert made["Always"].in_app and made["Always"].email_mode == "immediately"


# --- when an email is due --------------------------------------------------------------------------------------


@pytest.mark.parametrize("evening, morning_utc", [
    (dt.datetime(2026, 3, 28, 23, 30, tzinfo=BERLIN), utc(2026, 3, 29, 5, 0)),  # CET evening, CEST morning
    (dt.datetime(2026, 3, 29, 23, 30, tzinfo=BERLIN), utc(2026, 3, 30, 5, 0)),  # the evening of the change
    (dt.datetime(2026, 10, 24, 23, 30, tzinfo=BERLIN), utc(2026, 10, 25, 6, 0)),  # CEST evening, CET morning
    (dt.datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN), utc(2026, 10, 26, 6, 0)),
])
def test_at_2330_with_quiet_hours_2200_to_0700_the_email_waits_until_0700_local(evening, morning_utc):
    due = email_due_at("immediately", now=evening, tz=BERLIN, quiet=NIGHT)

    assert due == morning_utc
    assert due.astimezone(BERLIN).time() == dt.time(7, 0)


def test_quiet_hours_after_midnight_end_the_same_morning():
    assert email_due_at("immediately", now=utc(2026, 3, 29, 0, 30), tz=BERLIN, quiet=NIGHT) == utc(2026, 3, 29, 5)
    # Outside them: at once.
    assert email_due_at("immediately", now=utc(2026, 3, 29, 12, 0), tz=BERLIN, quiet=NIGHT) == utc(2026, 3, 29, 12)


def test_hourly_and_daily_and_off():
    noon = dt.datetime(2026, 10, 25, 12, 20, tzinfo=BERLIN)
    assert email_due_at("hourly", now=noon, tz=BERLIN, quiet=NIGHT).astimezone(BERLIN).time() == dt.time(13, 0)
    # The next 08:00 local: tomorrow; on the long day of October, 08:00 CET is 07:00 UTC.
    assert email_due_at("daily", now=dt.datetime(2026, 10, 24, 9, 0, tzinfo=BERLIN), tz=BERLIN,
                        quiet=QuietHours()) == utc(2026, 10, 25, 7, 0)
    assert email_due_at("daily", now=dt.datetime(2026, 10, 25, 6, 0, tzinfo=BERLIN), tz=BERLIN,
                        quiet=QuietHours()) == utc(2026, 10, 25, 7, 0)
    # Hourly at 21:40 is due at 22:00, inside quiet hours: moved to 07:00 the next morning.
    assert email_due_at("hourly", now=dt.datetime(2026, 3, 28, 21, 40, tzinfo=BERLIN), tz=BERLIN,
                        quiet=NIGHT) == utc(2026, 3, 29, 5, 0)
    # Daily at 08:00 with quiet hours until 09:00: at 09:00.
    late = QuietHours(True, dt.time(22, 0), dt.time(9, 0))
    assert email_due_at("daily", now=utc(2026, 6, 1, 12), tz=BERLIN, quiet=late).astimezone(BERLIN).time() == (
        dt.time(9, 0))
    assert email_due_at("off", now=utc(2026, 6, 1, 12), tz=BERLIN, quiet=NIGHT) is None


def test_a_daytime_window_and_security_notices():
    lunch = QuietHours(True, dt.time(12, 0), dt.time(13, 30))
    assert email_due_at("immediately", now=utc(2026, 6, 1, 10, 15), tz=BERLIN, quiet=lunch) == utc(2026, 6, 1, 11, 30)
    assert email_due_at("immediately", now=utc(2026, 6, 1, 12, 0), tz=BERLIN, quiet=lunch) == utc(2026, 6, 1, 12, 0)
    # Security notices: at once, quiet hours or not, whatever the choice.
    night = dt.datetime(2026, 3, 28, 23, 30, tzinfo=BERLIN)
    assert email_due_at("off", now=night, tz=BERLIN, quiet=NIGHT, security=True) == night


def test_an_unknown_time_zone_is_utc():
    assert scheduling.zone("Mars/Olympus") == zoneinfo.ZoneInfo("UTC")


def test_a_notification_made_in_quiet_hours_is_due_when_they_end(workspace, owner, member, monkeypatch):
    from django.utils import timezone

    member.time_zone = "Europe/Berlin"
    member.save(update_fields=["time_zone"])
    NotificationPreferences.objects.create(user=member, quiet_hours_enabled=True, quiet_start=dt.time(22),
                                           quiet_end=dt.time(7))
    monkeypatch.setattr(timezone, "now", lambda: utc(2026, 10, 24, 21, 30))  # 23:30 in Berlin (CEST)

    ping(workspace, owner, [member], run=False)
    from ..conftest import _run_pending_on_commit
    _run_pending_on_commit()

    notification = Notification.objects.get(user=member)
    assert notification.email_due_at == utc(2026, 10, 25, 6, 0)  # 07:00 CET
    assert notification.emailed_at is None
