"""Workspace management pages: confirmation steps, POST/redirect/GET, refusals on the page, the invitation page."""
from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from oorg.core.models import Membership, Workspace
from oorg.core.tenancy import workspace_scope
from oorg.workspaces import services
from tests.web.pages import signed_in_client, text

from ..conftest import actor_for, token_for

pytestmark = pytest.mark.django_db


def _membership(user, workspace) -> Membership:
    with workspace_scope(workspace):
        return Membership.objects.get(user=user)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 90, 200)).save(out, "PNG")
    return out.getvalue()


# --- removing a member ----------------------------------------------------------------------------------------


def test_removing_a_member_asks_first_then_redirects(workspace, admin, member):
    token_for(member, workspace, name="laptop")
    client = signed_in_client(admin)
    their_browser = signed_in_client(member)
    target = _membership(member, workspace)
    members_page = text(client.get(f"/w/{workspace.slug}/members/"))
    assert f'href="/w/{workspace.slug}/members/{target.pk}/remove"' in members_page

    confirm = client.get(f"/w/{workspace.slug}/members/{target.pk}/remove")
    assert confirm.status_code == 200
    assert "Remove member?" in text(confirm) and "1 API token for this workspace is revoked" in text(confirm)
    assert _membership(member, workspace).is_active  # asking changes nothing

    done = client.post(f"/w/{workspace.slug}/members/{target.pk}/remove", follow=True)

    assert done.redirect_chain == [(f"/w/{workspace.slug}/members/", 302)]
    assert "member is removed from Acme Corp" in text(done) and "member@acme.test" not in text(done).split("</header>")[1]
    assert not _membership(member, workspace).is_active
    assert their_browser.get(f"/w/{workspace.slug}/").status_code == 404
    # A reload of the confirmation finds nobody to remove.
    assert client.post(f"/w/{workspace.slug}/members/{target.pk}/remove").status_code == 404


def test_a_member_gets_no_remove_links_and_a_403_on_the_step(workspace, admin, member):
    client = signed_in_client(member)
    assert "/remove" not in text(client.get(f"/w/{workspace.slug}/members/"))
    target = _membership(admin, workspace)
    assert client.get(f"/w/{workspace.slug}/members/{target.pk}/remove").status_code == 403
    assert client.post(f"/w/{workspace.slug}/members/{target.pk}/remove").status_code == 403
    assert _membership(admin, workspace).is_active


def test_an_admin_is_not_offered_to_remove_the_owner(workspace, admin):
    page = text(signed_in_client(admin).get(f"/w/{workspace.slug}/members/"))
    assert f"/members/{_membership(workspace.owner, workspace).pk}/remove" not in page


# --- leaving ----------------------------------------------------------------------------------------------------


def test_leaving_asks_first_and_lands_on_the_next_workspace(workspace, other_workspace, member):
    from ..conftest import add_member

    add_member(other_workspace, other_workspace.owner, member.email, "member")
    client = signed_in_client(member)
    client.get(f"/w/{workspace.slug}/")  # the remembered workspace is the one being left
    assert "Leave Acme Corp?" in text(client.get(f"/w/{workspace.slug}/leave"))

    left = client.post(f"/w/{workspace.slug}/leave", follow=True)

    assert [url for url, _ in left.redirect_chain] == ["/app", f"/w/{other_workspace.slug}/"]
    assert "You left Acme Corp." in text(left)
    assert client.get(f"/w/{workspace.slug}/members/").status_code == 404


def test_the_last_owner_is_told_to_transfer_ownership_before_leaving(workspace):
    client = signed_in_client(workspace.owner)
    assert "You are the only owner of Acme Corp" in text(client.get(f"/w/{workspace.slug}/leave"))

    refused = client.post(f"/w/{workspace.slug}/leave")

    assert refused.status_code == 409
    assert "Transfer ownership to another member first, then leave." in text(refused)
    assert _membership(workspace.owner, workspace).is_active


# --- ownership transfer -------------------------------------------------------------------------------------------


def test_ownership_is_offered_then_accepted_on_the_members_page(workspace, member):
    owner_client, member_client = signed_in_client(workspace.owner), signed_in_client(member)
    target = _membership(member, workspace)
    assert f"/members/{target.pk}/transfer-ownership" in text(owner_client.get(f"/w/{workspace.slug}/members/"))
    assert "Make member owner?" in text(owner_client.get(f"/w/{workspace.slug}/members/{target.pk}/transfer-ownership"))

    offered = owner_client.post(f"/w/{workspace.slug}/members/{target.pk}/transfer-ownership")
    assert offered.status_code == 302 and offered["Location"] == f"/w/{workspace.slug}/members/"
    assert "Ownership is offered to" in text(owner_client.get(f"/w/{workspace.slug}/members/"))
    home = text(member_client.get(f"/w/{workspace.slug}/"))
    assert "offers you the ownership of Acme Corp" in home and "Accept ownership" in home

    accepted = member_client.post(f"/w/{workspace.slug}/ownership-transfer/accept", follow=True)

    assert accepted.redirect_chain == [(f"/w/{workspace.slug}/members/", 302)]
    assert "You are now an owner of Acme Corp. Owner is an admin." in text(accepted)
    assert _membership(member, workspace).role == "owner" and _membership(workspace.owner, workspace).role == "admin"
    again = member_client.post(f"/w/{workspace.slug}/ownership-transfer/accept", follow=True)
    assert "You already accepted this transfer" in text(again)


def test_an_owner_cancels_and_an_addressee_declines(workspace, member, admin):
    owner_client = signed_in_client(workspace.owner)
    owner_client.post(f"/w/{workspace.slug}/members/{_membership(member, workspace).pk}/transfer-ownership")
    cancelled = owner_client.post(f"/w/{workspace.slug}/ownership-transfer/cancel", follow=True)
    assert "The transfer of ownership to member is cancelled." in text(cancelled)

    owner_client.post(f"/w/{workspace.slug}/members/{_membership(admin, workspace).pk}/transfer-ownership")
    declined = signed_in_client(admin).post(f"/w/{workspace.slug}/ownership-transfer/cancel", follow=True)
    assert "You declined the ownership." in text(declined)
    assert _membership(admin, workspace).role == "admin"


def test_a_second_offer_while_one_waits_is_refused_on_the_page(workspace, member, admin):
    client = signed_in_client(workspace.owner)
    client.post(f"/w/{workspace.slug}/members/{_membership(member, workspace).pk}/transfer-ownership")

    refused = client.post(f"/w/{workspace.slug}/members/{_membership(admin, workspace).pk}/transfer-ownership")

    assert refused.status_code == 409 and "already waiting for an answer" in text(refused)


def test_only_an_owner_may_offer_ownership(workspace, admin, member):
    client = signed_in_client(admin)
    path = f"/w/{workspace.slug}/members/{_membership(member, workspace).pk}/transfer-ownership"
    assert "transfer-ownership" not in text(client.get(f"/w/{workspace.slug}/members/"))
    assert client.get(path).status_code == 403 and client.post(path).status_code == 403


# --- settings and logo -------------------------------------------------------------------------------------------


def test_an_owner_renames_the_workspace_and_sets_its_defaults(workspace):
    client = signed_in_client(workspace.owner)
    page = text(client.get(f"/w/{workspace.slug}/settings/"))
    assert '<optgroup label="Europe">' in page and '<option value="de-DE">Deutsch (Deutschland)</option>' in page

    response = client.post(f"/w/{workspace.slug}/settings/", {"name": "Acme Holding", "time_zone": "Asia/Tokyo",
                                                               "locale": "en-US"})

    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/settings/"
    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.name, stored.time_zone, stored.locale) == ("Acme Holding", "Asia/Tokyo", "en-US")


def test_bad_settings_are_shown_on_their_fields(workspace):
    client = signed_in_client(workspace.owner)

    response = client.post(f"/w/{workspace.slug}/settings/", {"name": "", "time_zone": "Nowhere/Here",
                                                               "locale": "xx"})

    assert response.status_code == 422
    form = response.context["settings_form"]
    assert set(form.errors) == {"name", "time_zone", "locale"}
    assert Workspace.objects.get(pk=workspace.pk).name == "Acme Corp"


def test_the_logo_is_uploaded_shown_and_removed(workspace, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in_client(workspace.owner)

    uploaded = client.post(f"/w/{workspace.slug}/settings/logo", {"logo": SimpleUploadedFile("logo.png", png())})

    assert uploaded.status_code == 302
    stored = Workspace.objects.get(pk=workspace.pk)
    assert stored.logo_url in text(client.get(f"/w/{workspace.slug}/settings/"))
    logo = signed_in_client(member).get(stored.logo_url)
    assert logo.status_code == 200 and logo["Content-Type"] == "image/jpeg"
    refused = client.post(f"/w/{workspace.slug}/settings/logo", {"logo": SimpleUploadedFile("x.png", b"nope")})
    assert refused.status_code == 422 and "The logo must be a JPEG, PNG, WebP or GIF image." in text(refused)
    assert client.post(f"/w/{workspace.slug}/settings/logo/remove").status_code == 302
    assert client.get(f"/w/{workspace.slug}/logo").status_code == 404


# --- another workspace ---------------------------------------------------------------------------------------


def test_create_another_workspace_from_its_page(workspace):
    client = signed_in_client(workspace.owner)
    assert client.get("/workspaces/new").status_code == 200

    response = client.post("/workspaces/new", {"name": "Acme Labs"}, follow=True)

    assert response.redirect_chain == [("/w/acme-labs/", 302)]
    assert "Acme Labs is ready, and you are its owner." in text(response)
    refused = client.post("/workspaces/new", {"name": " "})
    assert refused.status_code == 422 and refused.context["form"].errors["name"]


def test_creating_a_workspace_needs_a_sign_in(db):
    response = Client().get("/workspaces/new")
    assert response.status_code == 302 and response["Location"].startswith("/signin?next=/workspaces/new")


# --- invitations --------------------------------------------------------------------------------------------


def test_the_page_says_whether_a_re_invitation_kept_or_changed_the_role(workspace):
    client = signed_in_client(workspace.owner)
    invite = f"/w/{workspace.slug}/members/invite"
    client.post(invite, {"email": "pat@example.test", "role": "admin"})

    resent = client.post(invite, {"email": "pat@example.test"}, follow=True)  # the Resend button sends no role
    changed = client.post(invite, {"email": "pat@example.test", "role": "member"}, follow=True)

    assert "the earlier code no longer works. The role stays Admin." in text(resent)
    assert "The role changed from Admin to Member." in text(changed)


def test_the_invitation_page_names_workspace_inviter_and_role(workspace, outbox):
    with workspace_scope(workspace):
        code = services.invite_member(actor_for(workspace.owner, workspace), email="new@example.test",
                                      role="hr").plain_code

    page = text(Client().get("/invitations/accept", {"code": code}))
    unknown = text(Client().get("/invitations/accept", {"code": "guessed-code"}))

    assert "Join Acme Corp on OORG" in page and "<strong>Owner</strong>" in page and "<strong>HR</strong>" in page
    assert "This invitation code is not valid, was already used, or has expired." in unknown
    assert "Acme Corp" not in unknown
