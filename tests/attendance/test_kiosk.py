"""Kiosks: a shared device behind a secret, rotatable address where employees clock with their code and PIN."""
import pytest
from django.test import Client

from oorg.attendance.models import Kiosk, KioskPin, Session
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope

from ..web.pages import text


@pytest.fixture
def kiosk(staff):
    hr = staff["clients"]["hr"]
    hr.request("PUT", "/attendance/policy", {"kiosk_enabled": True})
    answer = hr.post("/attendance/kiosks", {"name": "Front desk", "branch_id": staff["berlin"].pk})
    assert answer.status_code == 201, answer.content
    assert hr.request("PUT", f"/attendance/pins/{staff['report'].pk}", {"pin": "4812"}).status_code == 204
    return answer.json()


def _path(kiosk):
    return "/" + kiosk["url"].split("/", 3)[3]


def test_an_admin_makes_a_kiosk_and_sees_its_address(staff, kiosk):
    assert "/kiosk/" in kiosk["url"] and len(kiosk["url"].rstrip("/").rsplit("/", 1)[1]) >= 43
    listed = staff["clients"]["admin"].get("/attendance/kiosks").json()
    assert listed["count"] == 1 and listed["items"][0]["url"] == kiosk["url"]
    with workspace_scope(staff["workspace"]):
        row = Kiosk.objects.get()
        assert kiosk["url"].rstrip("/").rsplit("/", 1)[1] not in (row.key_hash, row.key_sealed)
    assert staff["clients"]["member"].get("/attendance/kiosks").status_code == 403


def test_the_kiosk_page_clocks_in_with_code_and_pin(staff, kiosk):
    device = Client()
    page = device.get(_path(kiosk))
    assert page.status_code == 200 and "Employee code" in text(page) and "Clock in" in text(page)
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]

    answer = device.post(_path(kiosk), {"code": "e003", "pin": "4812", "action": "in"})

    assert answer.status_code == 302 and answer["Location"] == _path(kiosk)
    shown = device.get(answer["Location"])
    assert "Remy — clocked in at" in text(shown)
    with workspace_scope(staff["workspace"]):
        session = Session.objects.get(employee=staff["report"])
        assert session.start_source == "kiosk" and session.ended_at is None
        assert AuditEvent.objects.get(action="attendance.clocked_in").data["source"] == "kiosk"
    again = device.post(_path(kiosk), {"code": "E003", "pin": "4812", "action": "in"})
    assert again.status_code == 409 and "already clocked in" in text(again)
    out = device.post(_path(kiosk), {"code": "E003", "pin": "4812", "action": "out"})
    assert out.status_code == 302 and "clocked out at" in text(device.get(out["Location"]))


def test_a_wrong_pin_and_an_unknown_code_get_the_same_message(staff, kiosk):
    device = Client()
    wrong_pin = device.post(_path(kiosk), {"code": "E003", "pin": "9999", "action": "in"})
    no_such_code = device.post(_path(kiosk), {"code": "E999", "pin": "4812", "action": "in"})
    no_pin_set = device.post(_path(kiosk), {"code": "E002", "pin": "4812", "action": "in"})
    for answer in (wrong_pin, no_such_code, no_pin_set):
        assert answer.status_code == 422
        assert "The employee code or the PIN is not right." in text(answer)
    with workspace_scope(staff["workspace"]):
        assert not Session.objects.exists()


def test_wrong_pins_are_throttled_and_then_the_right_one_too(staff, kiosk):
    device = Client()
    answers = [device.post(_path(kiosk), {"code": "E003", "pin": "9999", "action": "in"}).status_code
               for _ in range(6)]
    right = device.post(_path(kiosk), {"code": "E003", "pin": "4812", "action": "in"})
    other = device.post(_path(kiosk), {"code": "E006", "pin": "1357", "action": "in"})

    assert answers == [422] * 5 + [429]
    assert right.status_code == 429 and int(right["Retry-After"]) > 0 and "Too many wrong PINs" in text(right)
    assert other.status_code == 422  # another code at the same kiosk is not locked out
    with workspace_scope(staff["workspace"]):
        assert not Session.objects.exists()


def test_a_right_pin_resets_the_count(staff, kiosk):
    device = Client()
    for _ in range(4):
        device.post(_path(kiosk), {"code": "E003", "pin": "9999", "action": "in"})
    assert device.post(_path(kiosk), {"code": "E003", "pin": "4812", "action": "in"}).status_code == 302
    answers = [device.post(_path(kiosk), {"code": "E003", "pin": "9999", "action": "out"}).status_code
               for _ in range(5)]
    assert answers == [422] * 5


def test_unknown_inactive_and_disabled_kiosks_are_404(staff, kiosk):
    assert Client().get("/kiosk/not-a-kiosk-key/").status_code == 404
    hr = staff["clients"]["hr"]
    hr.request("PUT", "/attendance/policy", {"kiosk_enabled": False})
    assert Client().get(_path(kiosk)).status_code == 404
    hr.request("PUT", "/attendance/policy", {"kiosk_enabled": True})
    assert hr.patch(f"/attendance/kiosks/{kiosk['id']}", {"active": False}).json()["active"] is False
    assert Client().get(_path(kiosk)).status_code == 404
    assert Client().post(_path(kiosk), {"code": "E003", "pin": "4812", "action": "in"}).status_code == 404


def test_rotating_the_key_retires_the_old_address(staff, kiosk):
    rotated = staff["clients"]["hr"].post(f"/attendance/kiosks/{kiosk['id']}/rotate-key")
    assert rotated.status_code == 200 and rotated.json()["url"] != kiosk["url"]
    assert Client().get(_path(kiosk)).status_code == 404
    assert Client().get(_path(rotated.json())).status_code == 200


def test_the_kiosk_follows_the_ip_allow_list_with_its_own_address(staff, kiosk):
    staff["clients"]["hr"].request("PUT", "/attendance/policy", {"ip_allow_list": ["203.0.113.0/24"]})
    outside = Client().post(_path(kiosk), {"code": "E003", "pin": "4812", "action": "in"})
    inside = Client(REMOTE_ADDR="203.0.113.5").post(_path(kiosk), {"code": "E003", "pin": "4812", "action": "in"})
    assert outside.status_code == 403 and "not allowed from this network" in text(outside)
    assert inside.status_code == 302


@pytest.mark.parametrize("pin", ["0000", "1234", "123", "123456789", "12ab", "9876"])
def test_trivial_and_malformed_pins_are_refused(staff, pin):
    answer = staff["clients"]["hr"].request("PUT", f"/attendance/pins/{staff['report'].pk}", {"pin": pin})
    assert answer.status_code == 422 and answer.json()["field"] == "pin"


def test_pins_are_hashed_and_set_by_hr_or_by_oneself(staff, other_staff):
    hr, me = staff["clients"]["hr"], staff["clients"]["member"]
    assert hr.request("PUT", f"/attendance/pins/{staff['report'].pk}", {"pin": "4812"}).status_code == 204
    with workspace_scope(staff["workspace"]):
        stored = KioskPin.objects.get(employee=staff["report"]).pin_hash
    assert stored.startswith("argon2") and "4812" not in stored
    assert me.request("PUT", "/attendance/my-pin", {"pin": "5931", "password": "wrong-password"}).json()["field"] \
        == "password"
    assert me.request("PUT", "/attendance/my-pin", {"pin": "5931"}).status_code == 204
    assert me.request("PUT", f"/attendance/pins/{staff['hr'].pk}", {"pin": "4812"}).status_code == 403
    assert hr.request("PUT", f"/attendance/pins/{other_staff['employee'].pk}", {"pin": "4812"}).status_code == 404
    assert staff["clients"]["admin"].request("PUT", "/attendance/my-pin", {"pin": "5931"}).status_code == 409
    assert hr.delete(f"/attendance/pins/{staff['report'].pk}").status_code == 204
    with workspace_scope(staff["workspace"]):
        assert not KioskPin.objects.exists()
        actions = list(AuditEvent.objects.filter(action__startswith="attendance.pin").values_list("action", flat=True))
    assert actions.count("attendance.pin.set") == 2 and "attendance.pin.cleared" in actions


def test_deleting_a_kiosk(staff, kiosk):
    assert staff["clients"]["hr"].delete(f"/attendance/kiosks/{kiosk['id']}").status_code == 204
    assert Client().get(_path(kiosk)).status_code == 404
