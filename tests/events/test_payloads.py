"""Every event type of the areas that exist: a real action through its service writes its event, and the payload
is what the type's schema says, with no secret and no sensitive personal field in it."""
import datetime as dt
import json
import re

import pyotp
import pytest

from oorg.accounts import services as accounts
from oorg.accounts.models import User
from oorg.core import events
from oorg.core.models import Event, Membership
from oorg.core.tenancy import workspace_scope
from oorg.org import importing
from oorg.org import services as org
from oorg.workspaces import services as workspaces
from oorg.workspaces.selectors import get_member

from ..conftest import PASSWORD, actor_for, make_user
from .helpers import reset_code

pytestmark = pytest.mark.django_db

AREAS = ("org.", "workspace.", "account.", "auth.")  # the areas whose event types these tests cover
SECRET_LOOKING = re.compile(r"password|passwd|secret|token|hash|otp|recovery|session_key|session_id|cookie|device_id|"
                            r"plain", re.I)
SENSITIVE_KEYS = {"birth_date", "home_address", "emergency_contact_name", "emergency_contact_phone", "phone"}
NEW_PASSWORD = "Another-Passphrase-77"


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _membership(workspace, user):
    with workspace_scope(workspace):
        return Membership.objects.get(user=user)


def everything_happens(company, workspace, owner, admin, hr, member, outbox) -> list[str]:
    """One real action of each event type, through the services; answers the secrets handed out on the way."""
    secrets = []
    boss = actor_for(owner, workspace)
    with workspace_scope(workspace):
        # org: branches, departments, employees one by one, in bulk, and by import
        branch = org.create_branch(boss, name="Lisbon", country="PT", time_zone="Europe/Lisbon")
        org.update_branch(boss, branch, name="Lisboa", working_days=["mon", "tue"])
        org.delete_branch(boss, branch)
        department = org.create_department(boss, name="Operations", parent=company["engineering"].pk)
        org.update_department(boss, department, name="Ops")
        org.delete_department(boss, department)
        newcomer = org.create_employee(boss, code="E100", full_name="Nia New", department=company["sales"],
                                       birth_date=dt.date(1991, 2, 3), home_address="Quiet Lane 9",
                                       emergency_contact_name="Nora New", work_email="nia@acme.test")
        org.update_employee(boss, company["report"], job_title="Senior backend developer")
        org.terminate_employee(boss, newcomer)
        org.bulk_move_employees(boss, [company["indirect"]], department=company["sales"])
        org.bulk_change_manager(boss, [company["sales_rep"]], manager=company["boss"])
        org.bulk_terminate(boss, [company["indirect"]])
        importing.import_employees(boss, filename="people.csv", path_or_bytes=(
            b"employee_code,full_name,job_title,birth_date\nE200,Ivo Imported,Clerk,1980-01-01\n"
            b"E005,Sam Sales,Head of sales,\n"))
        # workspaces: an invitation accepted, a role changed, people removed and leaving, ownership, settings
        invitation = workspaces.invite_member(boss, email="ana@acme.test", role="member")
        secrets.append(invitation.plain_code)
    workspaces.accept_invitation(code=invitation.plain_code, password=PASSWORD, full_name="Ana Lima")
    with workspace_scope(workspace):
        workspaces.change_member_role(boss, get_member(boss, _membership(workspace, member).pk), role="hr")
        ana = _membership(workspace, User.objects.get(email="ana@acme.test"))
        workspaces.remove_member(boss, get_member(boss, ana.pk))
        workspaces.leave_workspace(actor_for(hr, workspace))
        workspaces.update_workspace(boss, name="Acme Corporation", time_zone="Europe/Berlin")
    secret, _uri = accounts.begin_two_factor_setup(owner)
    secrets.append(secret)
    secrets += accounts.enable_two_factor(owner, code=pyotp.TOTP(secret).now())
    with workspace_scope(workspace):
        workspaces.set_two_factor_requirement(boss, required=True)
        workspaces.set_two_factor_requirement(boss, required=False)
        workspaces.propose_ownership_transfer(boss, get_member(boss, _membership(workspace, admin).pk))
        workspaces.accept_ownership_transfer(actor_for(admin, workspace))
    # accounts: password changed and reset, two-factor off, a sign-in from a second browser
    accounts.disable_two_factor(owner, password=PASSWORD)
    accounts.change_password(member, current_password=PASSWORD, new_password=NEW_PASSWORD)
    accounts.request_password_reset(email="admin@acme.test")
    code = reset_code(outbox, "admin@acme.test")
    secrets.append(code)
    accounts.confirm_password_reset(email="admin@acme.test", code=code, new_password=NEW_PASSWORD)
    secrets.append(accounts.recognise_device(owner, None, method="password"))
    secrets.append(accounts.recognise_device(owner, None, method="password"))
    secrets += [PASSWORD, NEW_PASSWORD]
    return secrets


def test_each_event_type_has_a_real_event_whose_payload_is_its_schema_and_holds_no_secret(
        company, workspace, owner, admin, hr, member, outbox):
    secrets = everything_happens(company, workspace, owner, admin, hr, member, outbox)

    rows = list(Event.objects.order_by("created_at"))
    seen = {row.type for row in rows}
    ours = sorted(name for name in events.TYPES if name.startswith(AREAS))
    assert not [name for name in ours if name not in seen], "event types with no action in the scenario"
    for row in rows:
        event_type = events.TYPES[row.type]
        event_type.payload.model_validate(row.data)  # strict: no key the schema does not name
        keys = set(_keys(row.data))
        assert not [k for k in keys if SECRET_LOOKING.search(k)], (row.type, keys)
        assert not keys & SENSITIVE_KEYS, (row.type, keys)
        text = json.dumps(row.data)
        assert not [s for s in secrets if s and s in text], row.type
        for personal in ("Quiet Lane 9", "Nora New", "1991-02-03", "Hausweg 5", "Rita Report", "1990-05-17",
                         "1980-01-01", "7654321", "1234567"):
            assert personal not in text, (row.type, personal)


def test_payloads_say_what_is_true_after_the_change(company, workspace, owner, admin, hr, member, outbox):
    everything_happens(company, workspace, owner, admin, hr, member, outbox)

    def data(type_name, **match):
        found = [e.data for e in Event.objects.filter(type=type_name)
                 if all(e.data.get(k) == v for k, v in match.items())]
        assert len(found) == 1, (type_name, match, found)
        return found[0]

    sales, boss = company["sales"], company["boss"]
    moved = [e.data for e in Event.objects.filter(type="org.employee.updated", data__id=company["indirect"].pk)]
    assert moved == [{**moved[0], "department": {"id": sales.pk, "name": "Sales"}, "fields": ["department"]}]
    assert data("org.employee.updated", id=company["sales_rep"].pk, fields=["manager"])["manager_id"] == boss.pk
    left = data("org.employee.terminated", id=company["indirect"].pk)
    assert left["status"] == "terminated" and left["end_date"] == dt.date.today().isoformat()
    assert data("org.employee.updated", id=company["report"].pk)["job_title"] == "Senior backend developer"
    assert data("org.employee.updated", code="E005", fields=["job_title"])["job_title"] == "Head of sales"  # import
    assert data("org.employee.created", code="E200")["full_name"] == "Ivo Imported"
    assert data("org.employee.imported") == {"created": 1, "updated": 1, "unchanged": 0}
    assert data("org.branch.updated")["fields"] == ["name", "working_days"]
    assert data("org.branch.deleted")["name"] == "Lisboa"
    role = data("workspace.member_role_changed")
    assert (role["user_id"], role["old_role_name"], role["new_role_name"]) == (member.pk, "Member", "HR")
    accepted = [e.data for e in Event.objects.filter(type="workspace.invitation_accepted")
                if e.data["member"]["email"] == "ana@acme.test"]
    assert accepted == [{**accepted[0], "role": "member", "invited_by_user_id": owner.pk}]
    assert accepted[0]["member"]["full_name"] == "Ana Lima"
    assert data("workspace.member_left")["user_id"] == hr.pk
    assert data("workspace.ownership_transferred")["to_member"]["user_id"] == admin.pk
    assert data("workspace.settings_changed")["fields"] == ["name", "time_zone"]
    assert [e.data["enabled"] for e in Event.objects.filter(type__startswith="auth.two_factor_")
            .order_by("created_at")] == [True, False]
    assert data("account.password_changed") == {"user_id": member.pk, "sessions_ended": 0}
    assert data("auth.new_device_signin")["user_id"] == owner.pk


def test_account_types_are_account_events_and_the_others_are_offered_to_webhooks(company, workspace, owner, admin,
                                                                               hr, member, outbox):
    everything_happens(company, workspace, owner, admin, hr, member, outbox)

    for name in ("account.password_changed", "auth.password_reset", "auth.two_factor_enabled",
                 "auth.two_factor_disabled", "auth.new_device_signin"):
        assert events.TYPES[name].account and not events.TYPES[name].webhook, name
        assert set(Event.objects.filter(type=name).values_list("workspace_id", flat=True)) == {None}
    offered = {t.name for t in events.webhook_types()}
    assert {"org.employee.created", "workspace.member_role_changed", "org.branch.deleted"} <= offered
    assert not offered & {"auth.new_device_signin", "account.password_changed"}
    assert set(Event.objects.filter(type__startswith="org.").values_list("workspace_id", flat=True)) == {workspace.pk}


def test_every_registered_type_says_what_it_is_and_has_a_payload_schema():
    for name, event_type in events.TYPES.items():
        assert event_type.payload is not None and event_type.description.endswith("."), name
        assert event_type.group, name
    for name, kind in events.KINDS.items():
        assert kind.label and kind.group, name


def test_the_new_audit_action_has_a_label():
    from oorg.core import audit

    assert audit.action_label("auth.new_device_signin") == "Signed in from a new device"


def test_a_person_with_no_workspace_still_gets_one_account_event(db):
    loner = make_user("loner@example.test")

    accounts.change_password(loner, current_password=PASSWORD, new_password=NEW_PASSWORD)

    from oorg.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="account.password_changed", workspace=None).count() == 1
    assert Event.objects.filter(type="account.password_changed").get().data == {"user_id": loner.pk,
                                                                               "sessions_ended": 0}
