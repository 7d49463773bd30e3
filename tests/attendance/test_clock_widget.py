"""The clock widget on the home dashboard, its POST, one's own kiosk PIN, and the clocking settings pages."""
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from oorg.attendance import dashboard
from oorg.attendance.models import AttendancePolicy, Kiosk, KioskPin, Session, Site
from oorg.core.tenancy import workspace_scope

from ..web.pages import signed_in_client, text

BASE = "/w/acme-corp/attendance"


def _widget(staff, role="member"):
    actor = staff["actors"][role]
    with workspace_scope(staff["workspace"]):
        context = dashboard.clock_widget(actor)
        request = RequestFactory().get("/")
        return context, render_to_string("attendance/cards/clock.html", context, request=request)


def test_the_widget_shows_the_state_and_the_right_buttons(staff):
    context, html = _widget(staff)
    assert context["state"] == "out" and "Clocked out" in html and 'value="in"' in html and 'value="out"' not in html

    client = signed_in_client(staff["users"]["member"])
    answer = client.post(f"{BASE}/clock", {"action": "in"})
    assert answer.status_code == 302 and answer["Location"] == "/w/acme-corp/"
    assert "Clocked in at" in text(client.get(answer["Location"]))

    context, html = _widget(staff)
    assert context["state"] == "in" and "In since" in html and 'value="break-start"' in html
    client.post(f"{BASE}/clock", {"action": "break-start"})
    context, html = _widget(staff)
    assert context["state"] == "break" and "On a break since" in html and 'value="break-end"' in html
    with workspace_scope(staff["workspace"]):
        assert Session.objects.get().start_source == "web"


def test_errors_come_back_as_messages(staff):
    client = signed_in_client(staff["users"]["member"])
    client.post(f"{BASE}/clock", {"action": "in"})
    again = client.post(f"{BASE}/clock", {"action": "in"}, follow=True)
    assert "You are already clocked in" in text(again)
    bad = client.post(f"{BASE}/clock", {"action": "out", "latitude": "95", "longitude": "13"}, follow=True)
    assert "from -90 to 90" in text(bad)


def test_outside_the_sites_is_shown_as_a_message(staff):
    with workspace_scope(staff["workspace"]):
        Site.objects.create(workspace=staff["workspace"], name="Berlin office", branch=staff["berlin"],
                            latitude=52.529, longitude=13.401, radius_m=200)
        AttendancePolicy.objects.update_or_create(workspace=staff["workspace"], defaults={"outside_site": "refuse"})
    context, html = _widget(staff)
    assert context["wants_location"] and "data-clock-location" in html and "attendance/clock.js" in html

    client = signed_in_client(staff["users"]["member"])
    refused = client.post(f"{BASE}/clock", {"action": "in", "latitude": "52.396", "longitude": "13.058"}, follow=True)
    assert "km from Berlin office" in text(refused)
    inside = client.post(f"{BASE}/clock", {"action": "in", "latitude": "52.529", "longitude": "13.401"}, follow=True)
    assert "Clocked in at" in text(inside)


def test_no_employee_record_gets_a_card_that_says_so(staff):
    context, html = _widget(staff, "admin")
    assert context == {"employee": None} and "not linked to an employee record" in html
    client = signed_in_client(staff["users"]["admin"])
    answer = client.post(f"{BASE}/clock", {"action": "in"}, follow=True)
    assert "not linked to an employee record" in text(answer)


def test_my_pin_page(staff):
    client = signed_in_client(staff["users"]["member"])
    assert "You have no PIN yet" in text(client.get(f"{BASE}/my-pin/"))
    trivial = client.post(f"{BASE}/my-pin/", {"pin": "1111", "password": "whatever"})
    assert trivial.status_code == 422 and "too easy to guess" in text(trivial)
    wrong = client.post(f"{BASE}/my-pin/", {"pin": "4812", "password": "not-my-password"})
    assert wrong.status_code == 422 and "password is not right" in text(wrong)
    from ..conftest import PASSWORD

    done = client.post(f"{BASE}/my-pin/", {"pin": "4812", "password": PASSWORD})
    assert done.status_code == 302 and "Your kiosk PIN is set" in text(client.get(done["Location"]))
    with workspace_scope(staff["workspace"]):
        assert KioskPin.objects.filter(employee=staff["report"]).exists()


def test_the_policy_page_saves_and_names_bad_networks(staff):
    client = signed_in_client(staff["users"]["hr"])
    page = client.get(f"{BASE}/settings/policy/")
    assert page.status_code == 200 and "Allowed networks" in text(page)
    form = {"outside_site": "refuse", "ip_allow_list": "203.0.113.0/24\nnonsense", "forgotten_after_hours": "4",
            "overtime_threshold_minutes": "15", "kiosk_enabled": "on"}
    refused = client.post(f"{BASE}/settings/policy/", form)
    assert refused.status_code == 422 and "nonsense" in text(refused)
    saved = client.post(f"{BASE}/settings/policy/", {**form, "ip_allow_list": "203.0.113.0/24"})
    assert saved.status_code == 302
    with workspace_scope(staff["workspace"]):
        policy = AttendancePolicy.objects.get()
    assert policy.ip_allow_list == ["203.0.113.0/24"] and policy.kiosk_enabled and policy.outside_site == "refuse"
    assert signed_in_client(staff["users"]["member"]).get(f"{BASE}/settings/policy/").status_code == 403


def test_the_sites_pages(staff):
    client = signed_in_client(staff["users"]["hr"])
    assert "No allowed sites" in text(client.get(f"{BASE}/settings/sites/"))
    bad = client.post(f"{BASE}/settings/sites/new/", {"name": "Home", "owner": "employee", "employee_code": "E999",
                                                     "latitude": "52.5", "longitude": "13.4", "radius_m": "100"})
    assert bad.status_code == 422 and "No employee has this code" in text(bad)
    added = client.post(f"{BASE}/settings/sites/new/", {"name": "Berlin office", "owner": "branch",
                                                       "branch_id": staff["berlin"].pk, "latitude": "52.529",
                                                       "longitude": "13.401", "radius_m": "150"})
    assert added.status_code == 302
    with workspace_scope(staff["workspace"]):
        site = Site.objects.get()
    listing = text(client.get(f"{BASE}/settings/sites/"))
    assert "Berlin office" in listing and "Everyone in <a" in listing
    assert "Berlin office" in text(client.get(f"{BASE}/settings/sites/?branch_id={staff['berlin'].pk}"))
    assert "No allowed sites" in text(client.get(f"{BASE}/settings/sites/?employee_id={staff['report'].pk}"))
    edited = client.post(f"{BASE}/settings/sites/{site.pk}/", {"name": "HQ", "owner": "branch",
                                                               "branch_id": staff["berlin"].pk, "latitude": "52.529",
                                                               "longitude": "13.401", "radius_m": "300"})
    assert edited.status_code == 302
    assert "Remove HQ?" in text(client.get(f"{BASE}/settings/sites/{site.pk}/delete/"))
    assert client.post(f"{BASE}/settings/sites/{site.pk}/delete/").status_code == 302
    with workspace_scope(staff["workspace"]):
        assert not Site.objects.exists()


def test_the_kiosk_pages(staff):
    client = signed_in_client(staff["users"]["hr"])
    assert "Kiosks are turned off" in text(client.get(f"{BASE}/settings/kiosks/"))
    assert client.post(f"{BASE}/settings/kiosks/", {"name": ""}).status_code == 422
    assert client.post(f"{BASE}/settings/kiosks/", {"name": "Front desk"}).status_code == 302
    with workspace_scope(staff["workspace"]):
        kiosk = Kiosk.objects.get()
    listing = text(client.get(f"{BASE}/settings/kiosks/"))
    assert "Front desk" in listing and "/kiosk/" in listing
    old = text(client.get(f"{BASE}/settings/kiosks/{kiosk.pk}/"))
    assert "Give Front desk a new address?" in text(client.get(f"{BASE}/settings/kiosks/{kiosk.pk}/rotate/"))
    assert client.post(f"{BASE}/settings/kiosks/{kiosk.pk}/rotate/").status_code == 302
    with workspace_scope(staff["workspace"]):
        assert Kiosk.objects.get().key_hash != kiosk.key_hash
    assert text(client.get(f"{BASE}/settings/kiosks/{kiosk.pk}/")) != old
    off = client.post(f"{BASE}/settings/kiosks/{kiosk.pk}/", {"name": "Front desk", "branch_id": ""})
    assert off.status_code == 302
    with workspace_scope(staff["workspace"]):
        assert not Kiosk.objects.get().active
    assert client.post(f"{BASE}/settings/kiosks/{kiosk.pk}/delete/").status_code == 302
    with workspace_scope(staff["workspace"]):
        assert not Kiosk.objects.exists()


@pytest.mark.parametrize("pin, status, shown", [("0000", 422, "too easy"), ("4812", 302, None), ("", 302, None)])
def test_the_pins_page(staff, pin, status, shown):
    client = signed_in_client(staff["users"]["hr"])
    answer = client.post(f"{BASE}/settings/pins/", {"code": "e003", "pin": pin})
    assert answer.status_code == status
    if shown:
        assert shown in text(answer)
    with workspace_scope(staff["workspace"]):
        assert KioskPin.objects.filter(employee=staff["report"]).exists() == (pin == "4812")
    assert client.post(f"{BASE}/settings/pins/", {"code": "NOPE", "pin": "4812"}).status_code == 422


def test_the_card_on_the_home_dashboard(staff, monkeypatch):
    """The card as attendance/shell.py registers it (dashboard.py's docstring), on the real home page."""
    from oorg.attendance.permissions import OWN
    from oorg.web import shell

    area = shell._areas.get("attendance")
    if area is None:
        area = shell.Area("attendance", "Attendance", "clock", 40)
        monkeypatch.setitem(shell._areas, "attendance", area)
    monkeypatch.setattr(area, "cards", [c for c in area.cards if c.key != "attendance.clock"])
    area.card("attendance.clock", title="Your clock", icon="clock", template="attendance/cards/clock.html",
              context=dashboard.clock_widget, visible=shell.can(OWN), order=5)
    client = signed_in_client(staff["users"]["member"])

    home = client.get("/w/acme-corp/")
    assert home.status_code == 200 and "Your clock" in text(home) and "Clocked out" in text(home)
    done = client.post(f"{BASE}/clock", {"action": "in", "next": "/w/acme-corp/"})
    assert "In since" in text(client.get(done["Location"]))
    assert "Your clock" in text(signed_in_client(staff["users"]["admin"]).get("/w/acme-corp/"))
