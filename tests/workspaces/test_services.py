"""Workspace management through the service layer, with real actors: settings and logo, another workspace,
re-invitations, removing and leaving, and the transfer of ownership."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from oorg.accounts.models import ApiToken
from oorg.core import files
from oorg.core.errors import Conflict, NotFound, PermissionDenied, Throttled, ValidationFailed
from oorg.core.models import AuditEvent, Membership, Workspace
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services as org_services
from oorg.workspaces import selectors, services
from oorg.workspaces.models import OwnershipTransfer
from oorg.workspaces.services import InvalidInvitation, LastOwner, TransferNotPending

from ..conftest import PASSWORD, ApiClient, actor_for, add_member, make_user, token_for

pytestmark = pytest.mark.django_db


def _membership(user, workspace) -> Membership:
    with workspace_scope(workspace):
        return Membership.objects.get(user=user)


def _actions(workspace) -> list[str]:
    return list(AuditEvent.objects.filter(workspace=workspace).order_by("seq").values_list("action", flat=True))


def png(size=(800, 600), mode="RGBA", color=(0, 0, 0, 0)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG")
    return out.getvalue()


# --- settings and logo ----------------------------------------------------------------------------------------


def test_an_owner_renames_the_workspace_and_sets_time_zone_and_locale(workspace):
    with workspace_scope(workspace):
        services.update_workspace(actor_for(workspace.owner, workspace), name="  Acme   Holding ",
                                  time_zone="Europe/Lisbon", locale="pt-PT")

    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.name, stored.time_zone, stored.locale, stored.slug) == ("Acme Holding", "Europe/Lisbon", "pt-PT",
                                                                           "acme-corp")
    event = AuditEvent.objects.get(workspace=workspace, action="workspace.settings_changed")
    assert event.data["changes"]["name"] == {"from": "Acme Corp", "to": "Acme Holding"}


def test_bad_settings_are_all_reported_at_once_and_nothing_changes(workspace):
    with workspace_scope(workspace), pytest.raises(ValidationFailed) as refused:
        services.update_workspace(actor_for(workspace.owner, workspace), name="Renamed", time_zone="Mars/Olympus",
                                  locale="xx-XX")

    assert {p.field for p in refused.value.problems} == {"time_zone", "locale"}
    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.name, stored.time_zone, stored.locale) == ("Acme Corp", "UTC", "en-GB")


def test_an_admin_changes_settings_but_not_security_and_a_member_neither(workspace, admin, member):
    with workspace_scope(workspace):
        services.update_workspace(actor_for(admin, workspace), name="By the admin")
        with pytest.raises(PermissionDenied):
            services.update_workspace(actor_for(admin, workspace), require_two_factor=False)
        with pytest.raises(PermissionDenied):
            services.update_workspace(actor_for(member, workspace), name="By a member")
        with pytest.raises(PermissionDenied):
            services.set_workspace_logo(actor_for(member, workspace), png())
    assert Workspace.objects.get(pk=workspace.pk).name == "By the admin"


def test_a_failed_two_factor_requirement_undoes_the_rename_in_the_same_call(workspace):
    with workspace_scope(workspace), pytest.raises(Conflict):
        services.update_workspace(actor_for(workspace.owner, workspace), name="Half done", require_two_factor=True)
    assert Workspace.objects.get(pk=workspace.pk).name == "Acme Corp"


def test_the_logo_is_stored_resized_on_white_and_the_old_one_goes(workspace, django_capture_on_commit_callbacks):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace), django_capture_on_commit_callbacks(execute=True):
        first = services.set_workspace_logo(actor, png()).logo
        stored = services.set_workspace_logo(actor, png(color=(0, 0, 0, 0))).logo

    assert stored.startswith(f"workspaces/{workspace.pk}/logo/") and stored != first
    image = Image.open(io.BytesIO(files.read(stored)))
    assert image.format == "JPEG" and image.size == (512, 384)
    assert image.getpixel((10, 10)) == (255, 255, 255)  # transparent became white, not black
    with pytest.raises(FileNotFoundError):
        files.read(first)
    assert Workspace.objects.get(pk=workspace.pk).logo_url.startswith(f"/w/{workspace.slug}/logo?v=")

    with workspace_scope(workspace), django_capture_on_commit_callbacks(execute=True):
        services.set_workspace_logo(actor, None)
    assert Workspace.objects.get(pk=workspace.pk).logo_url is None
    with pytest.raises(FileNotFoundError):
        files.read(stored)


def test_a_logo_that_is_no_image_is_refused_on_the_logo_field(workspace):
    with workspace_scope(workspace), pytest.raises(ValidationFailed) as refused:
        services.set_workspace_logo(actor_for(workspace.owner, workspace), b"GIF89a nonsense")
    assert refused.value.field == "logo" and refused.value.message == "The logo must be a JPEG, PNG, WebP or GIF image."


# --- another workspace ---------------------------------------------------------------------------------------


def test_a_user_creates_another_workspace_and_owns_it(workspace):
    created = services.add_workspace(workspace.owner, name="Acme Labs")

    assert _membership(workspace.owner, created).role == "owner"
    assert {m.workspace.slug for m in selectors.memberships_of(workspace.owner)} == {"acme-corp", "acme-labs"}


def test_creating_workspaces_is_limited_per_user(workspace):
    for n in range(10):
        services.add_workspace(workspace.owner, name=f"Spin-off {n}")
    with pytest.raises(Throttled):
        services.add_workspace(workspace.owner, name="One too many")
    with pytest.raises(ValidationFailed) as refused:  # a bad name is refused before it costs anything
        services.add_workspace(make_user("other@example.test"), name="   ")
    assert refused.value.field == "name"


def test_an_unverified_account_cannot_create_a_workspace(db):
    with pytest.raises(PermissionDenied):
        services.add_workspace(make_user("new@example.test", verified=False), name="Too soon")


# --- invitations ------------------------------------------------------------------------------------------


def test_re_inviting_keeps_the_pending_role_unless_another_is_given(workspace, outbox):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        first = services.invite_member(actor, email="pat@example.test", role="admin")
        kept = services.invite_member(actor, email="Pat@Example.test")
        changed = services.invite_member(actor, email="pat@example.test", role="hr")
        fresh = services.invite_member(actor, email="new@example.test")

    assert (first.replaced, first.previous_role, first.role) == (False, None, "admin")
    assert (kept.replaced, kept.previous_role, kept.role) == (True, "admin", "admin")
    assert (changed.replaced, changed.previous_role, changed.role) == (True, "admin", "hr")
    assert (fresh.replaced, fresh.role) == (False, "member")
    with pytest.raises(InvalidInvitation):
        services.accept_invitation(code=first.plain_code, password=PASSWORD, full_name="Pat")
    _, membership = services.accept_invitation(code=changed.plain_code, password=PASSWORD, full_name="Pat")
    assert membership.role == "hr"
    assert "as HR" in outbox.to("pat@example.test")[-1].get_payload(decode=True).decode()


def test_an_admin_cannot_resend_an_owner_invitation_with_its_role_kept(workspace, admin):
    with workspace_scope(workspace):
        services.invite_member(actor_for(workspace.owner, workspace), email="boss@example.test", role="owner")
        with pytest.raises(PermissionDenied):
            services.invite_member(actor_for(admin, workspace), email="boss@example.test")


def test_an_invitation_code_describes_workspace_inviter_and_role(workspace):
    with workspace_scope(workspace):
        code = services.invite_member(actor_for(workspace.owner, workspace), email="x@example.test",
                                      role="hr").plain_code

    described = services.describe_invitation(code=code)

    assert (described["workspace"], described["invited_by"], described["role"]) == ("Acme Corp", "Owner", "HR")
    with pytest.raises(InvalidInvitation) as refused:
        services.describe_invitation(code="no-such-code")
    assert refused.value.message == InvalidInvitation.message  # the same words for unknown, used and expired codes


# --- removing and leaving ---------------------------------------------------------------------------------


def test_removing_a_member_ends_their_tokens_and_keeps_their_employee_record(workspace, admin, member):
    token_for(member, workspace, name="laptop")
    target = _membership(member, workspace)
    with workspace_scope(workspace):
        employee = org_services.create_employee(Actor.system(workspace), code="E9", full_name="Mem Ber",
                                                member=target.pk)
        services.remove_member(actor_for(admin, workspace), target)
        assert not Membership.objects.get(pk=target.pk).is_active
        assert not ApiToken.objects.filter(membership=target, revoked_at__isnull=True).exists()
        employee.refresh_from_db()
    assert employee.member_id == target.pk and employee.status == "active"  # the record and its link stay
    event = AuditEvent.objects.get(workspace=workspace, action="workspace.member_removed")
    assert event.data["tokens_revoked"] == 1 and event.actor_label == "admin@acme.test"


def test_a_re_invited_member_does_not_get_their_old_tokens_back(workspace, member):
    old_token = token_for(member, workspace, name="old")
    with workspace_scope(workspace):
        services.remove_member(actor_for(workspace.owner, workspace), _membership(member, workspace))
        code = services.invite_member(actor_for(workspace.owner, workspace), email=member.email).plain_code
    services.accept_invitation(code=code, password=PASSWORD, full_name="")

    assert _membership(member, workspace).is_active
    assert ApiClient(old_token).get("/me").status_code == 401


def test_removing_needs_the_permission_and_no_more_rights_than_the_actor(workspace, admin, member, hr):
    with workspace_scope(workspace):
        with pytest.raises(PermissionDenied):
            services.remove_member(actor_for(member, workspace), _membership(hr, workspace))
        with pytest.raises(PermissionDenied):  # the admin holds less than the owner
            services.remove_member(actor_for(admin, workspace), _membership(workspace.owner, workspace))
        assert Membership.objects.filter(is_active=True).count() == 4


def test_the_last_owner_cannot_be_removed_or_leave(workspace, member):
    owner = _membership(workspace.owner, workspace)
    with workspace_scope(workspace):
        with pytest.raises(LastOwner):
            services.remove_member(Actor.system(workspace), owner)
        with pytest.raises(LastOwner) as refused:
            services.leave_workspace(actor_for(workspace.owner, workspace))
    assert refused.value.status == 409 and "Transfer ownership to another member first" in refused.value.message
    assert _membership(workspace.owner, workspace).is_active


def test_a_member_leaves_and_their_tokens_end(workspace, member):
    token_for(member, workspace)
    with workspace_scope(workspace):
        services.leave_workspace(actor_for(member, workspace))
        assert not ApiToken.objects.filter(user=member, revoked_at__isnull=True).exists()
    assert not _membership(member, workspace).is_active
    assert "workspace.member_left" in _actions(workspace)


def test_one_of_two_owners_may_leave(workspace, admin):
    with workspace_scope(workspace):
        services.change_member_role(actor_for(workspace.owner, workspace), _membership(admin, workspace), role="owner")
        services.leave_workspace(actor_for(workspace.owner, workspace))
    assert _membership(admin, workspace).role == "owner"


# --- ownership transfer ----------------------------------------------------------------------------------------


def _propose(workspace, to_user):
    with workspace_scope(workspace):
        return services.propose_ownership_transfer(actor_for(workspace.owner, workspace), _membership(to_user, workspace))


def test_ownership_moves_when_the_new_owner_accepts(workspace, member, outbox):
    transfer = _propose(workspace, member)
    assert _membership(member, workspace).role == "member"  # nothing changes before the answer
    assert "wants to make you the owner of Acme Corp" in outbox.to("member@acme.test")[-1]["Subject"]

    with workspace_scope(workspace):
        services.accept_ownership_transfer(actor_for(member, workspace))

    assert _membership(member, workspace).role == "owner"
    assert _membership(workspace.owner, workspace).role == "admin"
    with workspace_scope(workspace):
        assert OwnershipTransfer.objects.get(pk=transfer.pk).state == "accepted"
    assert _actions(workspace)[-2:] == ["workspace.ownership_transfer_proposed", "workspace.ownership_transferred"]
    assert "is now the owner of Acme Corp" in outbox.to("owner@acme.test")[-1]["Subject"]


def test_a_second_accept_is_a_conflict_that_changes_nothing(workspace, member):
    _propose(workspace, member)
    with workspace_scope(workspace):
        services.accept_ownership_transfer(actor_for(member, workspace))
        with pytest.raises(TransferNotPending, match="already accepted"):
            services.accept_ownership_transfer(actor_for(member, workspace))
    assert _membership(member, workspace).role == "owner" and _membership(workspace.owner, workspace).role == "admin"


def test_an_expired_transfer_cannot_be_accepted_and_a_new_one_can_be_proposed(workspace, member, admin):
    transfer = _propose(workspace, member)
    with workspace_scope(workspace):
        OwnershipTransfer.objects.filter(pk=transfer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        with pytest.raises(TransferNotPending) as refused:
            services.accept_ownership_transfer(actor_for(member, workspace))
    assert refused.value.code == "transfer_expired"
    assert _membership(member, workspace).role == "member"
    _propose(workspace, admin)  # the expired one no longer blocks


def test_a_cancelled_transfer_cannot_be_accepted(workspace, member):
    _propose(workspace, member)
    with workspace_scope(workspace):
        services.cancel_ownership_transfer(actor_for(workspace.owner, workspace))
        with pytest.raises(TransferNotPending, match="cancelled"):
            services.accept_ownership_transfer(actor_for(member, workspace))
    assert _membership(member, workspace).role == "member"
    assert _actions(workspace)[-1] == "workspace.ownership_transfer_cancelled"


def test_the_addressee_may_decline_and_others_may_not_touch_it(workspace, member, admin):
    _propose(workspace, member)
    with workspace_scope(workspace):
        with pytest.raises(NotFound):
            services.cancel_ownership_transfer(actor_for(admin, workspace))
        with pytest.raises(NotFound):
            services.accept_ownership_transfer(actor_for(admin, workspace))
        services.cancel_ownership_transfer(actor_for(member, workspace))
    assert _actions(workspace)[-1] == "workspace.ownership_transfer_declined"


def test_only_one_transfer_waits_at_a_time(workspace, member, admin):
    _propose(workspace, member)
    with pytest.raises(Conflict) as refused:
        _propose(workspace, admin)
    assert refused.value.code == "transfer_pending"


def test_only_an_owner_proposes_and_never_to_an_owner_or_themselves(workspace, admin, member):
    with workspace_scope(workspace):
        with pytest.raises(PermissionDenied):
            services.propose_ownership_transfer(actor_for(admin, workspace), _membership(member, workspace))
        services.change_member_role(actor_for(workspace.owner, workspace), _membership(admin, workspace), role="owner")
        with pytest.raises(Conflict):
            services.propose_ownership_transfer(actor_for(workspace.owner, workspace), _membership(admin, workspace))
        with pytest.raises(ValidationFailed):
            services.propose_ownership_transfer(actor_for(workspace.owner, workspace),
                                                _membership(workspace.owner, workspace))
        assert not OwnershipTransfer.objects.exists()


def test_a_transfer_lapses_when_its_proposer_is_no_longer_owner(workspace, admin, member):
    with workspace_scope(workspace):
        services.change_member_role(actor_for(workspace.owner, workspace), _membership(admin, workspace), role="owner")
    _propose(workspace, member)
    with workspace_scope(workspace):
        services.change_member_role(actor_for(admin, workspace), _membership(workspace.owner, workspace), role="admin")
        with pytest.raises(TransferNotPending, match="no longer an owner"):
            services.accept_ownership_transfer(actor_for(member, workspace))
    assert _membership(member, workspace).role == "member"


def test_removing_the_addressee_cancels_the_transfer(workspace, member):
    transfer = _propose(workspace, member)
    with workspace_scope(workspace):
        services.remove_member(actor_for(workspace.owner, workspace), _membership(member, workspace))
        assert OwnershipTransfer.objects.get(pk=transfer.pk).state == "cancelled"


def test_transfers_stay_in_their_workspace(workspace, other_workspace, member):
    b_member = add_member(other_workspace, other_workspace.owner, "member@globex.test", "member")
    _propose(workspace, member)
    with workspace_scope(other_workspace):
        with pytest.raises(NotFound):
            services.accept_ownership_transfer(actor_for(b_member, other_workspace))
        assert not OwnershipTransfer.objects.exists()


def test_the_workspace_always_has_an_owner_through_a_transfer(workspace, member):
    _propose(workspace, member)
    with workspace_scope(workspace):
        services.accept_ownership_transfer(actor_for(member, workspace))
        assert Membership.objects.filter(role="owner", is_active=True).count() == 1
        with pytest.raises(LastOwner):
            services.leave_workspace(actor_for(member, workspace))
