import pytest
from django.test import Client
from django.utils import timezone

from oorg.core.models import AuditEvent, Invitation, Membership, Workspace
from oorg.core.tenancy import workspace_scope
from tests.conftest import add_member, make_user
from tests.web.pages import signed_in_client, text

pytestmark = pytest.mark.django_db


def _membership(user, workspace):
    with workspace_scope(workspace):
        return Membership.objects.get(user=user)


def _pending(workspace):
    with workspace_scope(workspace):
        return list(Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True))


# --- members ------------------------------------------------------------------------------------------


def test_members_page_lists_members_with_roles(workspace, admin, member):
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/members/"))

    assert "owner@acme.test" in page and "admin@acme.test" in page and "member@acme.test" in page
    assert "3 members in Acme Corp" in page
    assert "Invite someone" not in page and 'name="role"' not in page  # a member can only look


def test_members_page_filters_by_name_or_email(workspace, admin, member):
    client = signed_in_client(workspace.owner)

    page = text(client.get(f"/w/{workspace.slug}/members/?q=ADMIN"))

    assert "admin@acme.test" in page and "member@acme.test" not in page
    assert "1 matching" in page


def test_members_page_paginates_by_25(workspace):
    for n in range(30):
        add_member(workspace, workspace.owner, f"person{n:02d}@acme.test", "member")
    client = signed_in_client(workspace.owner)

    first = client.get(f"/w/{workspace.slug}/members/")
    cursor = first.context["members"].next_cursor
    second = client.get(f"/w/{workspace.slug}/members/?cursor={cursor}")

    assert len(first.context["members"]) == 25 and len(second.context["members"]) == 6
    assert "1–25 of 31" in text(first) and f'href="?cursor={cursor}"' in text(first)
    assert "26–31 of 31" in text(second)
    searched = client.get(f"/w/{workspace.slug}/members/?q=person")
    assert "1–25 of 30" in text(searched)
    assert text(client.get(f"/w/{workspace.slug}/members/?q=person&cursor={cursor}")).count("person") > 0


def test_admin_invites_someone_and_they_get_an_email(workspace, admin, outbox):
    client = signed_in_client(admin)

    response = client.post(f"/w/{workspace.slug}/members/invite", {"email": "new@acme.test", "role": "member"},
                           follow=True)

    assert "Invitation sent to new@acme.test" in text(response)
    assert "new@acme.test" in text(response)  # in the pending list
    assert "invited you to Acme Corp" in outbox.to("new@acme.test")[-1]["Subject"]


def test_inviting_an_existing_member_shows_the_error_on_the_email_field(workspace, member):
    client = signed_in_client(workspace.owner)

    response = client.post(f"/w/{workspace.slug}/members/invite", {"email": "member@acme.test", "role": "admin"})

    assert response.status_code == 422
    assert response.context["invite_form"].errors["email"] == ["That person is already a member of this workspace."]


def test_admin_is_not_offered_the_owner_role_and_cannot_force_it(workspace, admin):
    client = signed_in_client(admin)
    page = text(client.get(f"/w/{workspace.slug}/members/"))
    assert '<option value="owner"' not in page

    response = client.post(f"/w/{workspace.slug}/members/invite", {"email": "boss@acme.test", "role": "owner"})

    assert response.status_code == 422  # not a choice the form offers
    assert _pending(workspace) == []


def test_member_cannot_invite(workspace, member):
    client = signed_in_client(member)

    response = client.post(f"/w/{workspace.slug}/members/invite", {"email": "x@acme.test", "role": "member"})

    assert response.status_code == 403
    assert "You do not have permission" in text(response)
    assert _pending(workspace) == []


def test_owner_changes_a_role(workspace, member):
    client = signed_in_client(workspace.owner)
    membership = _membership(member, workspace)

    response = client.post(f"/w/{workspace.slug}/members/{membership.pk}/role", {"role": "admin"}, follow=True)

    assert "is now Admin" in text(response)
    assert _membership(member, workspace).role == "admin"


def test_the_last_owner_cannot_step_down(workspace):
    client = signed_in_client(workspace.owner)
    membership = _membership(workspace.owner, workspace)

    response = client.post(f"/w/{workspace.slug}/members/{membership.pk}/role", {"role": "member"})

    assert response.status_code == 422
    assert "A workspace needs at least one owner" in text(response)
    assert _membership(workspace.owner, workspace).role == "owner"


def test_member_cannot_change_roles(workspace, member, admin):
    client = signed_in_client(member)

    response = client.post(f"/w/{workspace.slug}/members/{_membership(admin, workspace).pk}/role", {"role": "member"})

    assert response.status_code == 403
    assert _membership(admin, workspace).role == "admin"


def test_withdraw_an_invitation(workspace, outbox):
    client = signed_in_client(workspace.owner)
    client.post(f"/w/{workspace.slug}/members/invite", {"email": "new@acme.test", "role": "member"})
    invitation = _pending(workspace)[0]

    response = client.post(f"/w/{workspace.slug}/invitations/{invitation.pk}/withdraw", follow=True)

    assert "The invitation to new@acme.test is withdrawn." in text(response)
    assert _pending(workspace) == []


def test_objects_of_another_workspace_are_not_found_through_my_workspace(workspace, other_workspace):
    b_member = _membership(other_workspace.owner, other_workspace)
    with workspace_scope(other_workspace):
        from oorg.core.permissions import Actor
        from oorg.workspaces.services import invite_member

        b_actor = Actor(user=other_workspace.owner, workspace=other_workspace, membership=b_member, role="owner")
        b_invitation = invite_member(b_actor, email="x@globex.test", role="member")
    client = signed_in_client(workspace.owner)

    role = client.post(f"/w/{workspace.slug}/members/{b_member.pk}/role", {"role": "member"})
    withdraw = client.post(f"/w/{workspace.slug}/invitations/{b_invitation.pk}/withdraw")

    assert role.status_code == 404 and withdraw.status_code == 404
    assert _membership(other_workspace.owner, other_workspace).role == "owner"
    assert len(_pending(other_workspace)) == 1


def test_another_workspaces_pages_are_not_found_even_for_posts(workspace, other_workspace):
    client = signed_in_client(workspace.owner)

    response = client.post(f"/w/{other_workspace.slug}/members/invite", {"email": "x@globex.test", "role": "member"})

    assert response.status_code == 404
    assert _pending(other_workspace) == []


# --- audit log --------------------------------------------------------------------------------------------------


def test_owner_reads_the_audit_log_and_filters_it(workspace, member):
    client = signed_in_client(workspace.owner)

    page = text(client.get(f"/w/{workspace.slug}/audit/"))
    assert "workspace.created" in page and "workspace.invitation_accepted" in page and "auth.signed_in" in page

    filtered = text(client.get(f"/w/{workspace.slug}/audit/?action=auth."))
    assert "auth.signed_in" in filtered and "workspace.created" not in filtered.split("<table")[1]


def test_audit_log_paginates(workspace):
    client = signed_in_client(workspace.owner)
    with workspace_scope(workspace):
        from oorg.core import audit

        for n in range(30):
            audit.record(None, "test.filler", workspace=workspace, n=n)

    first = client.get(f"/w/{workspace.slug}/audit/?action=test.")
    cursor = first.context["events"].next_cursor
    second = client.get(f"/w/{workspace.slug}/audit/?action=test.&cursor={cursor}")

    assert len(first.context["events"]) == 25 and len(second.context["events"]) == 5
    assert f'href="?action=test.&amp;cursor={cursor}"' in text(first)


def test_member_gets_403_on_the_audit_log(workspace, member):
    response = signed_in_client(member).get(f"/w/{workspace.slug}/audit/")

    assert response.status_code == 403
    assert "auth.signed_in" not in text(response)


def test_audit_log_shows_only_this_workspaces_events(workspace, other_workspace):
    signed_in_client(other_workspace.owner)  # leaves auth.signed_in in Globex's chain

    page = text(signed_in_client(workspace.owner).get(f"/w/{workspace.slug}/audit/"))

    assert "owner@globex.test" not in page
    assert AuditEvent.objects.filter(workspace=other_workspace, actor_label="owner@globex.test").exists()


# --- settings ----------------------------------------------------------------------------------------------------------


def test_owner_requires_two_factor_for_everyone(workspace, member):
    owner = workspace.owner
    client = signed_in_client(owner)
    owner.totp_enabled_at = timezone.now()  # as if turned on in this session (required: see the next test)
    owner.save(update_fields=["totp_enabled_at"])

    response = client.post(f"/w/{workspace.slug}/settings/security", {"require_two_factor": "on"})

    assert response.status_code == 302
    assert Workspace.objects.get(pk=workspace.pk).require_two_factor
    assert signed_in_client(member).get(f"/w/{workspace.slug}/")["Location"] == "/account/two-factor"
    assert AuditEvent.objects.filter(workspace=workspace, action="workspace.two_factor_requirement_changed").exists()


def test_an_owner_without_two_factor_cannot_require_it(workspace):
    client = signed_in_client(workspace.owner)

    response = client.post(f"/w/{workspace.slug}/settings/security", {"require_two_factor": "on"})

    assert response.status_code == 422  # the form again, with the service's reason on the field
    assert "Turn on two-factor sign-in for yourself first" in response.content.decode()
    assert not Workspace.objects.get(pk=workspace.pk).require_two_factor


def test_a_member_cannot_open_settings_and_an_admin_cannot_change_security(workspace, admin, member):
    client = signed_in_client(member)
    assert client.get(f"/w/{workspace.slug}/settings/").status_code == 403
    assert client.post(f"/w/{workspace.slug}/settings/", {"name": "Mine", "time_zone": "UTC",
                                                          "locale": "en-GB"}).status_code == 403
    admin_client = signed_in_client(admin)
    page = admin_client.get(f"/w/{workspace.slug}/settings/")
    assert page.status_code == 200 and "Workspace name" in text(page) and "Require two-factor" not in text(page)
    for user_client in (client, admin_client):
        assert user_client.post(f"/w/{workspace.slug}/settings/security",
                                {"require_two_factor": "on"}).status_code == 403
    stored = Workspace.objects.get(pk=workspace.pk)
    assert not stored.require_two_factor and stored.name == "Acme Corp"


def test_workspace_pages_ask_anonymous_visitors_to_sign_in(workspace):
    response = Client().get(f"/w/{workspace.slug}/members/")

    assert response.status_code == 302
    assert response["Location"] == f"/signin?next=/w/{workspace.slug}/members/"


def test_a_user_outside_the_workspace_gets_404(workspace):
    outsider = make_user("outsider@example.test")

    response = signed_in_client(outsider).get(f"/w/{workspace.slug}/members/")

    assert response.status_code == 404
