"""Delegation: while it covers today, the delegate decides the delegator's manager-step requests."""
import datetime as dt
from unittest import mock

from .helpers import ask, grant, weekday_ahead


def _today():
    return dt.date.today()


def test_create_and_list_delegations(staff):
    hana = staff["members"]["hr"]
    r = staff["clients"]["manager"].post("/leave/delegations", {"delegate_id": hana.pk, "starts_on": str(_today()),
                                                                "ends_on": str(_today() + dt.timedelta(days=3))})
    assert r.status_code == 201, r.json()
    assert r.json()["active"] is True
    assert staff["clients"]["manager"].get("/leave/delegations").json()["count"] == 1


def test_delegate_approves_while_the_delegation_covers_today(staff):
    """Olivia (Mia's manager) is away and delegates to Remy, a member with no rights over Mia: while the
    delegation covers today Remy sees and decides Mia's request, on Olivia's behalf; not after it."""
    ws = staff["workspace"]
    grant(ws, staff["employees"]["manager"], 10)
    monday = weekday_ahead(0)
    req = ask(staff["clients"]["manager"], ws, monday, monday).json()
    assert req["step"] == "manager"
    # the member (no rights over Mia) is made Olivia's delegate
    remy = staff["members"]["member"]
    assert staff["clients"]["member"].get(f"/leave/requests/{req['id']}").status_code == 404
    r = staff["clients"]["owner"].post("/leave/delegations", {"delegate_id": remy.pk, "starts_on": str(_today()),
                                                              "ends_on": str(_today() + dt.timedelta(days=2))})
    assert r.status_code == 201
    delegation_id = r.json()["id"]
    assert staff["clients"]["member"].get(f"/leave/requests/{req['id']}").status_code == 200
    # after the delegation ended: not any more
    later = dt.datetime.combine(_today() + dt.timedelta(days=5), dt.time(12), tzinfo=dt.timezone.utc)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert staff["clients"]["member"].post(f"/leave/requests/{req['id']}/approve", {}).status_code == 404
    r = staff["clients"]["member"].post(f"/leave/requests/{req['id']}/approve", {"comment": "For Olivia"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved"
    trail = r.json()["approvals"][0]
    assert trail["on_behalf_of_id"] == staff["members"]["owner"].pk
    assert trail["decided_by_id"] == remy.pk
    assert staff["clients"]["owner"].delete(f"/leave/delegations/{delegation_id}").status_code == 204
    assert staff["clients"]["member"].get(f"/leave/requests/{req['id']}").status_code == 404


def test_delegation_refusals(staff, other_staff):
    me = staff["members"]["manager"]
    client = staff["clients"]["manager"]
    r = client.post("/leave/delegations", {"delegate_id": me.pk, "starts_on": str(_today()),
                                           "ends_on": str(_today())})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "self_delegation"
    from oorg.core.models import Membership
    from oorg.core.tenancy import workspace_scope

    with workspace_scope(other_staff["workspace"]):
        theirs = Membership.objects.first()
    r = client.post("/leave/delegations", {"delegate_id": theirs.pk, "starts_on": str(_today()),
                                           "ends_on": str(_today() - dt.timedelta(days=1))})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"delegate_id", "ends_on"}
    made = staff["clients"]["owner"].post("/leave/delegations", {
        "delegate_id": me.pk, "starts_on": str(_today()), "ends_on": str(_today())}).json()
    assert client.delete(f"/leave/delegations/{made['id']}").status_code == 404  # not mine
