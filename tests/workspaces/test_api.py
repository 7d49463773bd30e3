"""The workspace management API: status codes, JSON shapes, refusals that name the field, and what a removed or
departed member's token does on the very next request."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from oorg.core.models import Membership, Workspace
from oorg.core.tenancy import workspace_scope
from oorg.workspaces.models import OwnershipTransfer
from tests.web.pages import signed_in_client

from ..conftest import PASSWORD, ApiClient, add_member, token_for
from ..core.test_tenant_isolation import fingerprint

pytestmark = pytest.mark.django_db


def _membership(user, workspace) -> Membership:
    with workspace_scope(workspace):
        return Membership.objects.get(user=user)


def _client(user, workspace, name="api") -> ApiClient:
    return ApiClient(token_for(user, workspace, name=name))


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


# --- the workspace's settings ----------------------------------------------------------------------------------


def test_patch_workspace_renames_and_sets_time_zone_and_locale(workspace):
    client = _client(workspace.owner, workspace)

    response = client.patch("/workspace", {"name": "Acme Holding", "time_zone": "Europe/Berlin", "locale": "de-DE"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("name", "slug", "time_zone", "locale", "has_logo", "require_two_factor")} == {
        "name": "Acme Holding", "slug": "acme-corp", "time_zone": "Europe/Berlin", "locale": "de-DE",
        "has_logo": False, "require_two_factor": False}
    assert client.get("/workspace").json() == body
    assert client.get("/me").json()["workspace"]["locale"] == "de-DE"


def test_a_bad_time_zone_is_a_422_naming_it_and_every_problem_is_listed(workspace):
    client = _client(workspace.owner, workspace)

    one = client.patch("/workspace", {"time_zone": "Europe/Atlantis"})
    both = client.patch("/workspace", {"name": "Renamed", "time_zone": "Europe/Atlantis", "locale": "tlh"})

    assert one.status_code == 422 and one.json()["field"] == "time_zone"
    assert both.status_code == 422
    assert {e["field"] for e in both.json()["errors"]} == {"time_zone", "locale"}
    assert Workspace.objects.get(pk=workspace.pk).name == "Acme Corp"


def test_patch_workspace_is_strict_and_guarded(workspace, admin, member):
    owner = _client(workspace.owner, workspace)
    assert owner.patch("/workspace", {"nmae": "Typo"}).status_code == 422
    assert owner.patch("/workspace", {"require_two_factor": None}).status_code == 422  # null is no "off"
    assert _client(member, workspace).patch("/workspace", {"name": "Mine"}).status_code == 403
    admin_client = _client(admin, workspace)
    assert admin_client.patch("/workspace", {"name": "Admin's"}).status_code == 200
    assert admin_client.patch("/workspace", {"require_two_factor": False}).status_code == 403


def test_the_logo_through_the_api(workspace, member):
    owner = _client(workspace.owner, workspace)

    uploaded = owner.upload("/workspace/logo", "logo.png", png())

    assert uploaded.status_code == 200 and uploaded.json()["has_logo"]
    logo = _client(member, workspace).get("/workspace/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/jpeg"
    assert _client(member, workspace, "m2").upload("/workspace/logo", "x.png", png()).status_code == 403
    refused = owner.upload("/workspace/logo", "x.png", b"not an image")
    assert refused.status_code == 422 and refused.json()["field"] == "logo"
    assert owner.delete("/workspace/logo").status_code == 204
    assert owner.get("/workspace/logo").status_code == 404


# --- another workspace ---------------------------------------------------------------------------------------


def test_post_workspaces_creates_one_and_says_how_to_get_a_token_for_it(workspace):
    client = _client(workspace.owner, workspace)

    response = client.post("/workspaces", {"name": "Acme Labs"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["workspace"]["slug"] == "acme-labs" and body["role"] == "owner"
    assert body["token_request"]["path"] == "/api/v1/auth/token" and body["token_request"]["workspace"] == "acme-labs"
    assert client.get("/me").json()["workspace"]["slug"] == "acme-corp"  # this token stays where it was
    token = ApiClient().post("/auth/token", {"email": "owner@acme.test", "password": PASSWORD,
                                             "workspace": "acme-labs"})
    assert token.status_code == 201, token.content
    assert ApiClient(token.json()["token"]).get("/me").json()["workspace"]["name"] == "Acme Labs"
    assert client.post("/workspaces", {"name": ""}).status_code == 422


# --- removing a member -------------------------------------------------------------------------------------------


def test_a_removed_members_token_stops_on_the_very_next_request(workspace, admin, member):
    theirs = _client(member, workspace, "member-laptop")
    assert theirs.get("/me").status_code == 200
    browser = signed_in_client(member)
    assert browser.get(f"/w/{workspace.slug}/").status_code == 200

    response = _client(admin, workspace).delete(f"/members/{_membership(member, workspace).pk}")

    assert response.status_code == 204
    assert theirs.get("/me").status_code == 401
    assert theirs.get("/members").status_code == 401
    assert browser.get(f"/w/{workspace.slug}/").status_code == 404  # their session gets no workspace page
    assert browser.get(f"/w/{workspace.slug}/members/").status_code == 404
    landing = browser.get("/app")  # no other workspace: the page for none, with no link to the old one
    assert landing.status_code == 200 and f"/w/{workspace.slug}/" not in landing.content.decode()


def test_removing_another_workspaces_member_is_404_and_changes_nothing(workspace, other_workspace):
    b_member = add_member(other_workspace, other_workspace.owner, "member@globex.test", "member")
    b_token = _client(b_member, other_workspace, "b")
    before = fingerprint(other_workspace, [other_workspace.owner, b_member])

    response = _client(workspace.owner, workspace).delete(f"/members/{_membership(b_member, other_workspace).pk}")

    assert response.status_code == 404
    assert fingerprint(other_workspace, [other_workspace.owner, b_member]) == before
    assert b_token.get("/me").status_code == 200


def test_removing_needs_the_permission_and_no_more_rights(workspace, admin, member):
    assert _client(member, workspace).delete(f"/members/{_membership(admin, workspace).pk}").status_code == 403
    refused = _client(admin, workspace).delete(f"/members/{_membership(workspace.owner, workspace).pk}")
    assert refused.status_code == 403
    assert _membership(admin, workspace).is_active and _membership(workspace.owner, workspace).is_active


def test_the_only_owner_removing_themselves_is_a_409(workspace):
    response = _client(workspace.owner, workspace).delete(f"/members/{_membership(workspace.owner, workspace).pk}")
    assert response.status_code == 409 and response.json()["code"] == "last_owner"


# --- leaving -----------------------------------------------------------------------------------------------


def test_leaving_ends_the_token_at_once(workspace, member):
    client = _client(member, workspace)

    assert client.post("/workspace/leave").status_code == 204

    assert client.get("/me").status_code == 401
    assert not _membership(member, workspace).is_active


def test_the_last_owner_cannot_leave(workspace):
    client = _client(workspace.owner, workspace)

    response = client.post("/workspace/leave")

    assert response.status_code == 409
    assert response.json()["code"] == "last_owner" and "Transfer ownership" in response.json()["detail"]
    assert client.get("/me").status_code == 200


# --- ownership transfer ------------------------------------------------------------------------------------------


def test_the_ownership_transfer_through_the_api(workspace, member):
    owner, new = _client(workspace.owner, workspace), _client(member, workspace)
    member_id = _membership(member, workspace).pk

    proposed = owner.post("/workspace/transfer-ownership", {"member_id": member_id})

    assert proposed.status_code == 201, proposed.content
    assert proposed.json()["state"] == "pending" and proposed.json()["to_member"]["id"] == member_id
    assert new.get("/workspace/transfer-ownership").json()["id"] == proposed.json()["id"]
    accepted = new.post("/workspace/transfer-ownership/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert (accepted.json()["from_member"]["role"], accepted.json()["to_member"]["role"]) == ("admin", "owner")
    roles = {m["user"]["email"]: m["role"] for m in new.get("/members").json()["items"]}
    assert roles == {"owner@acme.test": "admin", "member@acme.test": "owner"}
    assert new.post("/workspace/transfer-ownership/accept").status_code == 409  # a second accept
    assert new.get("/workspace/transfer-ownership").status_code == 404


def test_a_cancelled_or_expired_transfer_is_refused(workspace, member):
    owner, new = _client(workspace.owner, workspace), _client(member, workspace)
    member_id = _membership(member, workspace).pk
    owner.post("/workspace/transfer-ownership", {"member_id": member_id})
    assert owner.delete("/workspace/transfer-ownership").status_code == 204
    cancelled = new.post("/workspace/transfer-ownership/accept")
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]

    owner.post("/workspace/transfer-ownership", {"member_id": member_id})
    with workspace_scope(workspace):
        OwnershipTransfer.objects.filter(state="pending").update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = new.post("/workspace/transfer-ownership/accept")
    assert expired.status_code == 409 and expired.json()["code"] == "transfer_expired"
    assert _membership(member, workspace).role == "member"


def test_only_one_pending_transfer_and_only_owners_propose(workspace, admin, member):
    owner = _client(workspace.owner, workspace)
    assert owner.post("/workspace/transfer-ownership", {"member_id": _membership(member, workspace).pk}).status_code == 201
    second = owner.post("/workspace/transfer-ownership", {"member_id": _membership(admin, workspace).pk})
    assert second.status_code == 409 and second.json()["code"] == "transfer_pending"
    refused = _client(admin, workspace).post("/workspace/transfer-ownership",
                                             {"member_id": _membership(member, workspace).pk})
    assert refused.status_code == 403
    assert _client(admin, workspace, "a2").delete("/workspace/transfer-ownership").status_code == 404


def test_a_transfer_to_another_workspaces_member_names_the_field_and_changes_nothing(workspace, other_workspace):
    b_member = add_member(other_workspace, other_workspace.owner, "member@globex.test", "member")

    response = _client(workspace.owner, workspace).post(
        "/workspace/transfer-ownership", {"member_id": _membership(b_member, other_workspace).pk})

    assert response.status_code == 422 and response.json()["field"] == "member_id"
    with workspace_scope(workspace):
        assert not OwnershipTransfer.objects.exists()


# --- invitations ----------------------------------------------------------------------------------------------


def test_re_inviting_says_what_happened_to_the_role(workspace):
    client = _client(workspace.owner, workspace)

    first = client.post("/invitations", {"email": "pat@example.test", "role": "admin"}).json()
    kept = client.post("/invitations", {"email": "pat@example.test"}).json()
    changed = client.post("/invitations", {"email": "pat@example.test", "role": "member"}).json()

    assert (first["replaced"], first["previous_role"], first["role"]) == (False, None, "admin")
    assert (kept["replaced"], kept["previous_role"], kept["role"]) == (True, "admin", "admin")
    assert (changed["replaced"], changed["previous_role"], changed["role"]) == (True, "admin", "member")
    assert [i["email"] for i in client.get("/invitations").json()["items"]] == ["pat@example.test"]
