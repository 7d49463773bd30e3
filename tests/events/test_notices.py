"""Who is told what by default: each wired `notify` rule, read from the Event rows real actions wrote. Nobody is
told about their own action, except by a security notice (those go to the account's owner whoever did it)."""
from zoneinfo import ZoneInfo

import pyotp
import pytest
from django.utils import timezone

from oorg.accounts import services as accounts
from oorg.accounts.models import User
from oorg.core import events
from oorg.core.models import AuditEvent, Event, Membership
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import importing
from oorg.workspaces import services as workspaces
from oorg.workspaces.selectors import get_member

from ..conftest import PASSWORD, actor_for, add_member, make_workspace
from ..org.test_import import import_file, result_of
from .helpers import reset_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Passphrase-77"


def notices(type_name: str) -> list[events.Notice]:
    return [n for e in Event.objects.filter(type=type_name).order_by("created_at")
            for n in events.TYPES[e.type].notify(e)]


def _member(workspace, user) -> Membership:
    with workspace_scope(workspace):
        return Membership.objects.get(user=user)


def test_the_inviter_hears_that_their_invitation_was_accepted(workspace, owner):
    with workspace_scope(workspace):
        invitation = workspaces.invite_member(actor_for(owner, workspace), email="ana@acme.test", role="member")
    workspaces.accept_invitation(code=invitation.plain_code, password=PASSWORD, full_name="Ana Lima")

    [notice] = notices("workspace.invitation_accepted")

    assert notice.user_id == owner.pk and notice.kind == "workspaces.invitation_accepted"
    assert notice.title == "Ana Lima accepted your invitation"
    assert notice.body == "Ana Lima (ana@acme.test) joined Acme Corp."
    assert notice.url == "/w/acme-corp/members/?q=Ana+Lima"


def test_a_member_hears_their_new_role_and_the_one_who_changed_it_does_not(workspace, owner, member):
    boss = actor_for(owner, workspace)
    with workspace_scope(workspace):
        workspaces.change_member_role(boss, get_member(boss, _member(workspace, member).pk), role="hr")

    [notice] = notices("workspace.member_role_changed")

    assert (notice.user_id, notice.kind) == (member.pk, "workspaces.role_changed")
    assert notice.title == "Your role is now HR"
    assert notice.body == "Your role in Acme Corp changed from Member to HR."
    assert notice.url == "/w/acme-corp/"  # "You are HR of this workspace."


def test_changing_your_own_role_tells_no_one(workspace, owner, admin):
    boss = actor_for(owner, workspace)
    with workspace_scope(workspace):
        workspaces.change_member_role(boss, get_member(boss, _member(workspace, admin).pk), role="owner")
        workspaces.change_member_role(boss, get_member(boss, _member(workspace, owner).pk), role="admin")

    told = notices("workspace.member_role_changed")

    assert [(n.user_id, n.title) for n in told] == [(admin.pk, "Your role is now Owner")]


def test_the_member_offered_ownership_hears_where_to_accept_it(workspace, owner, admin):
    boss = actor_for(owner, workspace)
    owner.full_name = "Olivia Owner"
    owner.save(update_fields=["full_name"])
    with workspace_scope(workspace):
        workspaces.propose_ownership_transfer(boss, get_member(boss, _member(workspace, admin).pk))

    [notice] = notices("workspace.ownership_transfer_proposed")

    assert (notice.user_id, notice.kind) == (admin.pk, "workspaces.ownership_offered")
    assert notice.title == "Olivia Owner wants to make you the owner of Acme Corp"
    assert notice.url == "/w/acme-corp/members/"
    assert notices("workspace.ownership_transferred") == []  # no rule: the old owner is emailed already


def test_the_importer_hears_that_their_import_is_done(company, clients, workspace, hr):
    content = "employee_code,full_name,job_title\nN1,Nia New,Clerk\nN2,Nat New,Clerk\nE005,Sam Sales,Head of sales\n"

    result = result_of(import_file(clients["hr"], "n.csv", content, dry_run=False))

    assert (result["created"], result["updated"]) == (2, 1)
    [notice] = notices("org.employee.imported")
    assert (notice.user_id, notice.kind) == (hr.pk, "org.import_finished")
    assert notice.title == "Your import is done: 2 created, 1 updated"
    assert notice.body == "2 employee(s) created, 1 updated, 0 unchanged."
    assert notice.url == "/w/acme-corp/people/"


def test_a_dry_run_and_an_import_by_the_system_tell_no_one(company, clients, workspace):
    result_of(import_file(clients["hr"], "n.csv", "employee_code,full_name\nN1,Nia New\n", dry_run=True))
    with workspace_scope(workspace):
        importing.import_employees(Actor.system(workspace), path_or_bytes=b"employee_code,full_name\nN2,Nat\n",
                                   filename="n.csv")

    assert Event.objects.filter(type="org.employee.imported").count() == 1
    assert notices("org.employee.imported") == []


def test_a_password_change_is_a_security_notice_to_the_person_who_did_it(workspace, owner):
    owner.time_zone = "Europe/Berlin"
    owner.save(update_fields=["time_zone"])

    accounts.change_password(owner, current_password=PASSWORD, new_password=NEW_PASSWORD)

    [notice] = notices("account.password_changed")
    assert (notice.user_id, notice.kind, notice.title) == (owner.pk, "accounts.password_changed",
                                                           "Your OORG password was changed")
    event = Event.objects.get(type="account.password_changed")
    at = timezone.localtime(event.created_at, timezone=ZoneInfo("Europe/Berlin"))
    assert f"{at:%H:%M} (Europe/Berlin)" in notice.body and "reset your password" in notice.body
    assert notice.url == "/account/security"
    assert events.KINDS[notice.kind].security


def test_a_password_reset_tells_the_account_owner(workspace, owner, outbox):
    accounts.request_password_reset(email=owner.email)
    accounts.confirm_password_reset(email=owner.email, code=reset_code(outbox, owner.email),
                                    new_password=NEW_PASSWORD)

    [notice] = notices("auth.password_reset")

    assert (notice.user_id, notice.kind) == (owner.pk, "accounts.password_changed")
    assert "with an emailed reset code" in notice.body


def test_two_factor_on_and_off_are_security_notices(workspace, owner):
    secret, _uri = accounts.begin_two_factor_setup(owner)
    accounts.enable_two_factor(owner, code=pyotp.TOTP(secret).now())
    accounts.disable_two_factor(owner, password=PASSWORD)

    told = notices("auth.two_factor_enabled") + notices("auth.two_factor_disabled")

    assert [(n.user_id, n.kind, n.title) for n in told] == [
        (owner.pk, "accounts.two_factor_changed", "Two-factor sign-in was turned on"),
        (owner.pk, "accounts.two_factor_changed", "Two-factor sign-in was turned off")]
    assert events.KINDS["accounts.two_factor_changed"].security


def test_an_account_event_is_one_event_for_a_person_in_two_workspaces(workspace, owner, other_workspace):
    add_member(other_workspace, other_workspace.owner, "owner@acme.test", "member")

    accounts.change_password(owner, current_password=PASSWORD, new_password=NEW_PASSWORD)

    copies = AuditEvent.objects.filter(action="account.password_changed")
    assert sorted(copies.values_list("workspace_id", flat=True)) == sorted([workspace.pk, other_workspace.pk])
    assert Event.objects.filter(type="account.password_changed").count() == 1
    assert len(notices("account.password_changed")) == 1


def test_every_account_action_of_a_person_in_two_workspaces_and_of_one_in_none_emits_once(outbox, db):
    first, _ = make_workspace("First", "two@example.test")
    second, other_owner = make_workspace("Second", "boss@example.test")
    add_member(second, other_owner, "two@example.test", "member")
    loner = User.objects.create_user("loner@example.test", PASSWORD, full_name="Lone Wolf",
                                     email_verified_at=timezone.now())
    for person in (User.objects.get(email="two@example.test"), loner):
        secret, _uri = accounts.begin_two_factor_setup(person)
        accounts.enable_two_factor(person, code=pyotp.TOTP(secret).now())
        accounts.disable_two_factor(person, password=PASSWORD)
        accounts.change_password(person, current_password=PASSWORD, new_password=NEW_PASSWORD)
        accounts.request_password_reset(email=person.email)
        accounts.confirm_password_reset(email=person.email, code=reset_code(outbox, person.email),
                                        new_password=PASSWORD)
        accounts.recognise_device(person, None, method="password")
        accounts.recognise_device(person, None, method="password")

        for name in ("auth.two_factor_enabled", "auth.two_factor_disabled", "account.password_changed",
                     "auth.password_reset", "auth.new_device_signin"):
            copies = AuditEvent.objects.filter(action=name, actor_user_id=person.pk).count()
            assert copies == (2 if person is not loner else 1), (person, name)
            assert Event.objects.filter(type=name, actor_user_id=person.pk).count() == 1, (person, name)


def test_a_notice_costs_a_query_or_two(workspace, owner, member, django_assert_max_num_queries):
    boss = actor_for(owner, workspace)
    with workspace_scope(workspace):
        workspaces.change_member_role(boss, get_member(boss, _member(workspace, member).pk), role="hr")
    accounts.change_password(owner, current_password=PASSWORD, new_password=NEW_PASSWORD)
    rows = list(Event.objects.exclude(type="workspace.invitation_accepted"))

    for event in rows:  # outside any workspace scope, as the notifications consumer reads them
        with django_assert_max_num_queries(1):
            assert len(list(events.TYPES[event.type].notify(event))) == 1
