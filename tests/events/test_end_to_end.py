"""From the action to the person's notifications: the notifications consumer takes the events after commit and
stores what `notify` answered (once per event and person)."""
import pytest
from django.apps import apps

from oorg.accounts import services as accounts
from oorg.core.models import Membership
from oorg.core.tenancy import workspace_scope
from oorg.workspaces import services as workspaces
from oorg.workspaces.selectors import get_member

from ..conftest import PASSWORD, _run_pending_on_commit, actor_for, add_member
from ..org.test_import import import_file, result_of
from .test_devices import browser, sign_in

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not apps.is_installed("oorg.notifications"), reason="no notifications app")]


def stored(user):
    from oorg.notifications.models import Notification

    _run_pending_on_commit()
    return list(Notification.objects.filter(user=user).order_by("created_at"))


def test_a_role_change_reaches_the_member_and_not_the_one_who_made_it(workspace, owner, member):
    boss = actor_for(owner, workspace)
    with workspace_scope(workspace):
        membership = get_member(boss, Membership.objects.get(user=member).pk)
        workspaces.change_member_role(boss, membership, role="hr")

    [notice] = stored(member)
    assert (notice.kind, notice.title, notice.url, notice.workspace_id) == (
        "workspaces.role_changed", "Your role is now HR", "/w/acme-corp/", workspace.pk)
    assert [n.kind for n in stored(owner)] == ["workspaces.invitation_accepted"]  # the member's joining


def test_a_sign_in_from_a_new_browser_is_a_security_notification_of_no_workspace(workspace, owner):
    sign_in(browser(), owner.email)
    sign_in(browser(), owner.email)

    [notice] = [n for n in stored(owner) if n.kind == "accounts.new_device_signin"]
    assert notice.title == "New sign-in on Firefox on Linux" and notice.workspace_id is None
    assert "203.0.113.7" in notice.body


def test_a_password_change_of_a_person_in_two_workspaces_is_one_notification(workspace, owner, other_workspace):
    add_member(other_workspace, other_workspace.owner, owner.email, "member")

    accounts.change_password(owner, current_password=PASSWORD, new_password="Another-Passphrase-77")

    assert [n.title for n in stored(owner) if n.kind == "accounts.password_changed"] == ["Your OORG password was changed"]


def test_the_importer_is_told_once_when_the_import_is_written(company, clients, hr):
    content = "employee_code,full_name\n" + "".join(f"N{i:03d},Person {i}\n" for i in range(300))
    assert result_of(import_file(clients["hr"], "n.csv", content, dry_run=False))["created"] == 300

    [notice] = [n for n in stored(hr) if n.kind == "org.import_finished"]
    assert notice.title == "Your import is done: 300 created, 0 updated" and notice.url == "/w/acme-corp/people/"


def test_ownership_offered_reaches_the_member_it_is_offered_to(workspace, owner, admin):
    boss = actor_for(owner, workspace)
    with workspace_scope(workspace):
        workspaces.propose_ownership_transfer(boss, get_member(boss, Membership.objects.get(user=admin).pk))

    [notice] = [n for n in stored(admin) if n.kind == "workspaces.ownership_offered"]
    assert notice.url == "/w/acme-corp/members/"
