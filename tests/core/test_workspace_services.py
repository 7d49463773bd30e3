"""Workspaces, invitations and roles through the service layer, with real actors."""
from datetime import timedelta

import pytest
from django.utils import timezone

from oorg.accounts.models import User
from oorg.core.errors import AuthenticationFailed, Conflict, PermissionDenied, ValidationFailed
from oorg.core.models import AuditEvent, Invitation, Membership
from oorg.core.tenancy import WorkspaceScopeError, workspace_scope
from oorg.workspaces.services import (
    InvalidInvitation,
    accept_invitation,
    change_member_role,
    create_workspace,
    invite_member,
)

from ..conftest import PASSWORD, actor_for, make_user


def test_a_query_outside_a_workspace_scope_raises(workspace):
    with pytest.raises(WorkspaceScopeError):
        list(Membership.objects.all())
    with workspace_scope(workspace):
        assert Membership.objects.count() == 1


def test_the_scope_hides_other_workspaces_rows(workspace, other_workspace):
    with workspace_scope(workspace):
        assert list(Membership.objects.values_list("user__email", flat=True)) == ["owner@acme.test"]
    with workspace_scope(other_workspace):
        assert list(Membership.objects.values_list("user__email", flat=True)) == ["owner@globex.test"]


def test_saving_a_row_of_another_workspace_inside_a_scope_raises(workspace, other_workspace):
    with workspace_scope(other_workspace):
        foreign = Membership.objects.get()
    with workspace_scope(workspace), pytest.raises(WorkspaceScopeError):
        foreign.role = "admin"
        foreign.save()


def test_signup_owner_gets_the_owner_role(workspace):
    with workspace_scope(workspace):
        assert Membership.objects.get().role == "owner"


def test_invitation_creates_a_verified_account_and_membership(workspace, outbox):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        invite_member(actor, email="Newbie@Example.test", role="admin")
    code = outbox.last_invitation_code("newbie@example.test")
    user, membership = accept_invitation(code=code, password=PASSWORD, full_name="New Bie")
    assert user.email_verified and user.full_name == "New Bie"
    assert membership.role == "admin" and membership.workspace_id == workspace.pk
    with pytest.raises(InvalidInvitation):
        accept_invitation(code=code, password=PASSWORD, full_name="Again")
    actions = list(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert "workspace.invitation_sent" in actions and "workspace.invitation_accepted" in actions


def test_an_existing_account_accepts_with_its_own_password(workspace, other_workspace, outbox):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        invite_member(actor, email="owner@globex.test", role="member")
    code = outbox.last_invitation_code("owner@globex.test")
    with pytest.raises(AuthenticationFailed):
        accept_invitation(code=code, password="Wrong-password-99", full_name="")
    user, membership = accept_invitation(code=code, password=PASSWORD, full_name="")
    assert user == other_workspace.owner
    assert user.check_password(PASSWORD)  # the invitation never changes an existing password


def test_expired_invitation_is_refused(workspace, outbox):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        invite_member(actor, email="late@example.test", role="member")
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvalidInvitation):
        accept_invitation(code=outbox.last_invitation_code("late@example.test"), password=PASSWORD, full_name="L")
    assert not User.objects.filter(email="late@example.test").exists()


def test_invitation_with_a_weak_password_creates_nothing(workspace, outbox):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        invite_member(actor, email="weak@example.test", role="member")
    with pytest.raises(ValidationFailed) as e:
        accept_invitation(code=outbox.last_invitation_code("weak@example.test"), password="short", full_name="W")
    assert e.value.field == "password"
    assert not User.objects.filter(email="weak@example.test").exists()


def test_inviting_a_current_member_is_a_conflict(workspace, member):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace), pytest.raises(Conflict):
        invite_member(actor, email="member@acme.test", role="member")


def test_a_new_invitation_replaces_the_pending_one(workspace, outbox):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        invite_member(actor, email="twice@example.test", role="member")
        first = outbox.last_invitation_code("twice@example.test")
        invite_member(actor, email="twice@example.test", role="admin")
    with pytest.raises(InvalidInvitation):
        accept_invitation(code=first, password=PASSWORD, full_name="T")
    _, membership = accept_invitation(code=outbox.last_invitation_code("twice@example.test"), password=PASSWORD,
                                      full_name="T")
    assert membership.role == "admin"


def test_role_change_is_audited(workspace, member):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        target = Membership.objects.get(user=member)
        change_member_role(actor, target, role="admin")
        event = AuditEvent.objects.filter(workspace=workspace, action="workspace.member_role_changed").get()
    assert event.data == {"user_email": "member@acme.test", "old_role": "member", "new_role": "admin", "fields": ["role"]}
    assert event.actor_label == "owner@acme.test"


def test_admin_cannot_create_or_demote_owners(workspace, admin, member):
    actor = actor_for(admin, workspace)
    with workspace_scope(workspace):
        with pytest.raises(PermissionDenied):
            change_member_role(actor, Membership.objects.get(user=member), role="owner")
        with pytest.raises(PermissionDenied):
            change_member_role(actor, Membership.objects.get(user=workspace.owner), role="member")
        assert Membership.objects.get(user=workspace.owner).role == "owner"


def test_the_last_owner_cannot_step_down(workspace):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        with pytest.raises(Conflict):
            change_member_role(actor, Membership.objects.get(user=workspace.owner), role="admin")


def test_unknown_role_is_refused(workspace, member):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace), pytest.raises(ValidationFailed) as e:
        change_member_role(actor, Membership.objects.get(user=member), role="emperor")
    assert e.value.field == "role"


def test_workspace_slugs_avoid_reserved_words(db):
    ws = create_workspace(make_user("api@example.test"), name="API")
    assert ws.slug == "api-team"
