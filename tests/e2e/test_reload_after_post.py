"""A reload after any form's POST repeats nothing (POST/redirect/GET), in a real browser.

For each kind of form (one row of FORMS), the form is filled and submitted as a person would, then the page is
reloaded. The POST must have been answered by a redirect, so the document the browser shows was fetched with a
GET; the reload must send only GETs; and the rows of every table (audit events, invitations, sessions, ...) and
the emails sent must be the same after the reload as before it. A form that re-renders its page on success
fails here: a reload would send it again (in Chrome, behind a "Confirm Form Resubmission" prompt).

`test_every_form_post_has_a_row` keeps the table complete: each URL that takes a form's POST (the list kept by
tests/core/test_tenant_isolation_pages.py, plus the signed-out forms) has a row here or a reason in NO_ROW.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from django.apps import apps
from django.conf import settings

from oorg.accounts import services as accounts
from oorg.accounts.models import User
from oorg.core import roles
from oorg.core.models import Membership
from oorg.core.tenancy import workspace_scope
from oorg.org import services as org_services
from oorg.workspaces.services import invite_member, propose_ownership_transfer, set_workspace_logo

from ..conftest import PASSWORD, actor_for, add_member, make_user
from ..core.test_tenant_isolation_pages import PAGES
from .axe import DESKTOP, chromium, new_page, orm_read

NOT_COUNTED = {"sessions.session"}  # Django's session rows: a GET may save the session (a flash message read)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _csv() -> bytes:
    return (b"employee_code,full_name,work_email,job_title\n"
            b"P001,Paula Pioneer,paula@acme.test,Engineer\nP002,Pedro Second,pedro@acme.test,Designer\n")


# --- the table -----------------------------------------------------------------------------------------------


@dataclass
class Form:
    """One kind of POST. `action` is its URL pattern (as in the URL conf; its parameters come from the row's
    world). `page` holds the form ("": the page `before` ends on). `fields` by input name: a str fills or selects,
    a bool (un)checks, a list checks those values of a checkbox group, a dict is a file, a callable(world) is
    worked out at fill time; strings are formatted with the world. `submit` picks the submit button (CSS, inside
    the form) when the form or page has several. The form is the one posting to `action` that holds `submit`
    and every field."""
    action: str
    page: str
    fields: dict = field(default_factory=dict)
    submit: str | None = None
    label: str = ""
    signed_in: str | None = "owner"  # whose session submits it; None: signed out
    prepare: Callable | None = None  # (world) -> more of the world, made before the browser starts
    before: Callable | None = None  # (page, base, world): browser steps before the form's page opens
    changes: bool = True  # the submit must change some row (proves the form really went through)

    @property
    def id(self) -> str:
        return f"{self.action or '/'}{' ' + self.label if self.label else ''}"


W = "w/<slug:workspace_slug>/"


def _w(path: str) -> str:
    return "/w/{workspace_slug}/" + path


# prepare: what a row needs in the database, made before the browser starts

def _invitation(w):
    with workspace_scope(w["workspace"]):
        invitation = invite_member(w["actor"], email="pending@example.test", role="member")
    return {"invitation_id": invitation.pk, "invitation_code": invitation.plain_code}


def _custom_role(w):
    with workspace_scope(w["workspace"]):
        role = roles.create_role(w["actor"], name="Recruiter", permissions=["workspace.member.view"])
    return {"role_id": role.pk}


def _member(w):
    member = add_member(w["workspace"], w["owner"], "member@acme.test", "member")
    with workspace_scope(w["workspace"]):
        return {"member": member, "membership_id": Membership.objects.get(user=member).pk}


def _transfer_offered(w):
    made = _member(w)
    with workspace_scope(w["workspace"]):
        propose_ownership_transfer(w["actor"], Membership.objects.get(pk=made["membership_id"]))
    return made


def _logo(w):
    with workspace_scope(w["workspace"]):
        set_workspace_logo(w["actor"], _png())
    return {}


def _employee(w):
    with workspace_scope(w["workspace"]):
        employee = org_services.create_employee(w["actor"], code="E001", full_name="Remy Report",
                                                job_title="Backend developer")
    return {"employee_id": employee.pk, "employee": employee}


def _empty_department(w):
    with workspace_scope(w["workspace"]):
        return {"department_id": org_services.create_department(w["actor"], name="Unused").pk}


def _empty_branch(w):
    with workspace_scope(w["workspace"]):
        return {"branch_id": org_services.create_branch(w["actor"], name="Unused", time_zone="UTC").pk}


def _employee_with_photo(w):
    made = _employee(w)
    with workspace_scope(w["workspace"]):
        org_services.set_employee_photo(w["actor"], made["employee"], _png())
    return made


def _unverified(w):
    accounts.sign_up(email="ada@example.test", password=PASSWORD, full_name="Ada", workspace_name="Engines")
    return {"email": "ada@example.test", "code": w["outbox"].last_code("ada@example.test")}


def _reset_requested(w):
    accounts.request_password_reset(email=w["owner"].email)
    return {"email": w["owner"].email, "code": w["outbox"].last_code(w["owner"].email)}


def _two_factor_user(w):
    """Someone with two-factor sign-in on, whose next code is not yet used."""
    user = make_user("guarded@example.test")
    secret, _uri = accounts.begin_two_factor_setup(user)
    accounts.enable_two_factor(user, code=pyotp.TOTP(secret).now())
    User.objects.filter(pk=user.pk).update(totp_last_step=None)
    return {"guarded": user, "totp": secret}


def _owner_two_factor(w):
    secret, _uri = accounts.begin_two_factor_setup(w["owner"])
    accounts.enable_two_factor(w["owner"], code=pyotp.TOTP(secret).now())
    User.objects.filter(pk=w["owner"].pk).update(totp_last_step=None)
    return {"totp": secret}


def _other_session(w):
    """The owner is signed in elsewhere too (another browser)."""
    from tests.web.pages import signed_in_client

    signed_in_client(w["owner"])
    session = accounts.sessions_of(w["owner"]).order_by("-pk").first()
    return {"session_id": session.pk}


def _token(w):
    with workspace_scope(w["workspace"]):
        token, _secret = accounts.issue_token(w["owner"], Membership.objects.get(user=w["owner"]), name="script")
    return {"token_id": token.pk}


def _notification(w, *, read=False):
    """A notification of the owner's that leads to the workspace home (read already, with `read`)."""
    import uuid

    from django.utils import timezone

    from oorg.notifications.models import Notification

    n = Notification.objects.create(user=w["owner"], workspace=w["workspace"], event_id=uuid.uuid4(),
                                    kind="workspaces.role_changed", title="Your role changed",
                                    url=f"/w/{w['workspace_slug']}/", read_at=timezone.now() if read else None)
    return {"notification_id": n.pk}


def _unsubscribe_token(w):
    from oorg.notifications.emails import unsubscribe_token

    return {"token": unsubscribe_token(w["owner"].pk, ["workspaces.role_changed"])}


def _webhook(w, *, paused=False, delivery=False):
    """A webhook of the owner's workspace (paused; with a test delivery, sent inline to a name that resolves
    nowhere, so it failed)."""
    from oorg.webhooks import services as webhooks

    with workspace_scope(w["workspace"]):
        webhook, _secret = webhooks.create_subscription(w["actor"], url="https://hooks.example.test/w", events=["*"])
        made = {"webhook_id": webhook.pk}
        if paused:
            webhooks.update_subscription(w["actor"], webhook, active=False)
        if delivery:
            made["delivery_id"] = webhooks.send_test_event(w["actor"], webhook).pk
    return made


def _email_change_requested(w):
    accounts.request_email_change(w["owner"], new_email="olivia@new.test", password=PASSWORD)
    return {"code": w["outbox"].last_code("olivia@new.test")}


# before: browser steps that bring the session to the form

def _password_step(page, base, w):
    page.goto(base + "/signin")
    page.get_by_label("Email").fill(w["guarded"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/signin/two-factor")


def _uploaded(page, base, w):
    page.goto(base + _w("organization/import/").format(**w))
    form = page.locator(f'form[action="{_w("organization/import/").format(**w)}"]')
    form.locator("input[type=file]").set_input_files({"name": "people.csv", "mimeType": "text/csv", "buffer": _csv()})
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    page.wait_for_url("**/organization/import/columns")


def _checked(page, base, w):
    _uploaded(page, base, w)
    with page.expect_navigation():
        page.locator("button[name=action][value=check]").click()
    page.wait_for_url("**/organization/import/jobs/*")
    page.locator(f'form[action="{_w("organization/import/confirm").format(**w)}"]').wait_for()


CRM_CSV = b"full_name,email,company\nAda Lovelace,ada@analytical.test,Analytical\n"


def _crm_uploaded(page, base, w):
    page.goto(base + _w("crm/import/?entity=contact").format(**w))
    form = page.locator(f'form[action="{_w("crm/import/").format(**w)}"]')
    form.locator("input[type=file]").set_input_files({"name": "contacts.csv", "mimeType": "text/csv",
                                                      "buffer": CRM_CSV})
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    page.wait_for_url("**/crm/import/columns")


def _crm_checked(page, base, w):
    _crm_uploaded(page, base, w)
    with page.expect_navigation():
        page.locator("button[name=action][value=check]").click()
    page.wait_for_url("**/crm/import/jobs/*")
    page.locator(f'form[action="{_w("crm/import/confirm").format(**w)}"]').wait_for()


def _crm_deal(w):
    from oorg.crm.services import deals as deal_services
    from oorg.crm.services import pipelines as pipeline_services

    with workspace_scope(w["workspace"]):
        pipeline_services.ensure_default_pipeline(w["workspace"])
        return {"deal_id": deal_services.create_deal(w["actor"], name="Reload deal", amount="10").pk}


def _crm_pipeline(w):
    from oorg.crm.services import pipelines as pipeline_services

    with workspace_scope(w["workspace"]):
        return {"pipeline_id": pipeline_services.create_pipeline(
            w["actor"], name="Reload pipeline", stages=[{"name": "Only", "probability": 10}]).pk}


def _crm_contacts(w):
    """A contact (and its duplicate), a company and a custom field of the owner's."""
    from oorg.crm.services import companies, contacts, custom_fields

    with workspace_scope(w["workspace"]):
        field = custom_fields.create_custom_field(w["actor"], entity="contact", name="reload", label="Reload",
                                                  type="text")
        company = companies.create_company(w["actor"], name="Reload Ltd")
        contact = contacts.create_contact(w["actor"], full_name="Reload Person", email="reload@example.test")
        contacts.create_contact(w["actor"], full_name="Reload Twin", email="reload@example.test",
                                allow_duplicate=True)
    return {"contact_id": contact.pk, "company_id": company.pk, "field_id": field.pk}


def _crm_timeline(done: bool = False):
    """A deal (its page holds the timeline) with a note and an activity on it (done, when `done`)."""
    def prepare(w):
        from oorg.crm.models import SavedView
        from oorg.crm.services import activities, notes

        deal_id = _crm_deal(w)["deal_id"]
        with workspace_scope(w["workspace"]):
            activity = activities.create_activity(w["actor"], kind="call", subject="Reload call", deal_id=deal_id)
            if done:
                activities.set_done(w["actor"], activity, True)
            note = notes.create_note(w["actor"], body="<p>Reload</p>", deal_id=deal_id)
            view = SavedView.objects.create(workspace=w["workspace"], user=w["owner"], entity="lead",
                                            name="Reload view", query="status=new")
        return {"deal_id": deal_id, "activity_id": activity.pk, "note_id": note.pk, "view_id": view.pk}
    return prepare


def _leave(w):
    """The owner's employee record, Rita (no account) reporting to the owner with a waiting request, a working day
    ahead, another member (a delegate) and a delegation to them (leave/views/requests.py, approvals.py)."""
    import datetime as dt

    from oorg.core.permissions import Actor
    from oorg.leave.models import Delegation, LeaveRequest, LeaveType

    made = _member(w)
    system = Actor.system(w["workspace"])
    day = dt.date.today() + dt.timedelta(days=30)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    with workspace_scope(w["workspace"]):
        me = org_services.create_employee(system, code="L001", full_name="Olga Owner",
                                          member=Membership.objects.get(user=w["owner"]).pk)
        rita = org_services.create_employee(system, code="L002", full_name="Rita Report", manager=me)
        unpaid = LeaveType.objects.get(code="unpaid")
        req = LeaveRequest.objects.create(workspace=w["workspace"], employee=rita, leave_type=unpaid, start_date=day,
                                          end_date=day, working_days=1)
        delegation = Delegation.objects.create(workspace=w["workspace"], delegator=Membership.objects.get(
            user=w["owner"]), delegate_id=made["membership_id"], starts_on=dt.date.today(), ends_on=day)
    return {**made, "request_id": req.pk, "delegation_id": delegation.pk, "unpaid": unpaid.pk,
            "leave_day": day.isoformat(), "today": dt.date.today().isoformat()}

def _crm_lead(w):
    """A lead of the owner's (with a company name, so converting it makes a company too), and a pipeline."""
    from oorg.crm.services import leads
    from oorg.crm.services import pipelines as pipeline_services

    with workspace_scope(w["workspace"]):
        pipeline_services.ensure_default_pipeline(w["workspace"])
        lead = leads.create_lead(w["actor"], full_name="Reload Lead", email="lead@reload.example",
                                 company_name="Reload Leads Ltd")
    return {"lead_id": lead.pk}


def _crm_web_form(w):
    from oorg.crm.services import web_forms

    with workspace_scope(w["workspace"]):
        form = web_forms.create_web_form(w["actor"], name="Reload form")
    return {"web_form_id": form.pk, "key": form.key}


def _bulk_reviewed(page, base, w):
    """The directory's bulk action, up to its confirmation: terminate the one employee."""
    page.goto(base + _w("people/").format(**w))
    form = page.locator(f'form[action="{_w("people/bulk/review").format(**w)}"]')
    form.locator(f'[name=ids][value="{w["employee_id"]}"]').check()
    form.locator("[name=action]").select_option("terminate")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


def _setup_begun(page, base, w):
    page.goto(base + "/account/two-factor")
    with page.expect_navigation():
        page.locator("button[name=action][value=begin]").first.click()


def _account_photo(page, base, w):
    """The owner has a profile photo, uploaded through the page."""
    page.goto(base + "/account/profile")
    form = page.locator('form[action="/account/photo/upload"]')
    form.locator("input[type=file]").set_input_files({"name": "me.png", "mimeType": "image/png", "buffer": _png()})
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


def _current_setup_code(w) -> str:
    """The code an authenticator app shows for the secret the setup page just made."""
    from oorg.core.crypto import decrypt

    user = orm_read(lambda: User.objects.get(pk=w["owner"].pk))
    return pyotp.TOTP(decrypt(user.totp_secret_encrypted)).now()


def _now(key: str):
    return lambda w: pyotp.TOTP(w[key]).now()


def _holiday_this_year(w):
    import datetime as dt

    from oorg.attendance.models import Holiday

    with workspace_scope(w["workspace"]):
        holiday = Holiday.objects.create(workspace=w["workspace"], date=dt.date(dt.date.today().year, 6, 1),
                                         name="Reload day")
    return {"holiday_id": holiday.pk}


def _annual_leave(w):
    from oorg.leave.models import LeaveType

    with workspace_scope(w["workspace"]):
        return {"leave_type_id": LeaveType.objects.get(code="annual").pk}


def _owner_employee(w):
    """The owner's own employee record, so the balances page has someone to show (and adjust)."""
    with workspace_scope(w["workspace"]):
        membership = Membership.objects.get(user=w["owner"])
        org_services.create_employee(w["actor"], code="R001", full_name="Olivia Owner", member=membership.pk)
    return {}


def _att_shift(w):
    """A shift assigned to a branch (for the shift, assignment and delete forms)."""
    import datetime as dt

    from oorg.attendance.services import shifts

    branch = _att_branch(w)["branch_id"]
    with workspace_scope(w["workspace"]):
        shift = shifts.create_shift(w["actor"], name="Reload shift", starts="09:00", ends="17:00")
        assignment = shifts.create_assignment(w["actor"], shift_id=shift.pk, branch_id=branch,
                                              starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 12, 31))
    return {"shift_id": shift.pk, "assignment_id": assignment.pk, "branch_id": branch}


def _att_correction(w, *, own: bool = False):
    """A waiting correction: the owner's own (to withdraw), or an employee's the owner decides."""
    import datetime as dt

    from oorg.attendance.models import Correction
    from oorg.org.models import Employee

    if own:
        _owner_employee(w)
    with workspace_scope(w["workspace"]):
        if own:
            employee = Employee.objects.get(code="R001")
        else:
            employee = org_services.create_employee(w["actor"], code="R002", full_name="Rita Reload")
        clock_in = dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone.utc)
        correction = Correction.objects.create(workspace=w["workspace"], employee=employee, work_date=clock_in.date(),
                                               clock_in=clock_in, clock_out=clock_in + dt.timedelta(hours=8),
                                               reason="Reload")
    return {"correction_id": correction.pk}


def _att_branch(w):
    with workspace_scope(w["workspace"]):
        return {"branch_id": org_services.create_branch(w["actor"], name="Reload branch").pk}


def _att_site(w):
    from oorg.attendance.services import sites

    branch = _att_branch(w)["branch_id"]
    with workspace_scope(w["workspace"]):
        site = sites.create_site(w["actor"], name="Reload site", branch_id=branch, latitude=52.5, longitude=13.4)
    return {"site_id": site.pk}


def _att_kiosk(w):
    from oorg.attendance.services import kiosks

    with workspace_scope(w["workspace"]):
        kiosk, _url = kiosks.create_kiosk(w["actor"], name="Reload kiosk")
    return {"kiosk_id": kiosk.pk}


def _att_public_kiosk(w):
    """Kiosks on, the owner's employee record (R001) with a PIN, and a kiosk's key."""
    from oorg.attendance.services import kiosks, policy
    from oorg.org.models import Employee

    _owner_employee(w)
    with workspace_scope(w["workspace"]):
        policy.update_policy(w["actor"], kiosk_enabled=True)
        employee = Employee.objects.get(code="R001")
        kiosks.set_pin(w["actor"], employee, pin="4812")
        _kiosk, url = kiosks.create_kiosk(w["actor"], name="Reload kiosk")
    return {"key": url.rstrip("/").rsplit("/", 1)[1]}


FORMS = [
    # signed out
    Form("signin", "/signin", {"email": "owner@acme.test", "password": PASSWORD}, signed_in=None),
    Form("signup", "/signup", {"full_name": "Ada Lovelace", "email": "ada@example.test",
                               "workspace_name": "Analytical Engines", "password": PASSWORD, "accept_policies": True},
         signed_in=None),
    Form("verify", "/verify?email={email}", {"code": "{code}"}, submit="[name=action][value=verify]",
         signed_in=None, prepare=_unverified),
    Form("verify", "/verify?email={email}", submit="[name=action][value=resend]", label="resend",
         signed_in=None, prepare=_unverified),
    Form("signin/two-factor", "/signin/two-factor", {"otp": _now("totp")}, signed_in=None,
         prepare=_two_factor_user, before=_password_step),
    Form("reset", "/reset", {"email": "owner@acme.test"}, signed_in=None),
    Form("reset/confirm", "/reset/confirm?email={email}", {"code": "{code}", "new_password": "Another-Passphrase-43"},
         signed_in=None, prepare=_reset_requested),
    Form("invitations/accept", "/invitations/accept?code={invitation_code}",
         {"full_name": "Pat Pending", "password": PASSWORD}, signed_in=None, prepare=_invitation),
    Form("signout", _w(""), submit="[type=submit]"),
    # members, invitations, roles, settings
    Form(W + "members/invite", _w("members/"), {"email": "newcomer@example.test", "role": "member"}),
    Form(W + "members/invite", _w("members/"), label="resend", submit="input[type=hidden][name=email] ~ [type=submit]",
         prepare=_invitation),
    Form(W + "members/<int:membership_id>/role", _w("members/"), {"role": "admin"}, prepare=_member),
    Form(W + "members/<int:membership_id>/remove", _w("members/{membership_id}/remove"), prepare=_member),
    Form(W + "members/<int:membership_id>/transfer-ownership", _w("members/{membership_id}/transfer-ownership"),
         prepare=_member),
    Form(W + "ownership-transfer/accept", _w("members/"), signed_in="member", prepare=_transfer_offered),
    Form(W + "ownership-transfer/cancel", _w("members/"), prepare=_transfer_offered),
    Form(W + "leave", _w("leave"), signed_in="member", prepare=_member),
    Form("workspaces/new", "/workspaces/new", {"name": "Second Venture"}),
    Form(W + "invitations/<int:invitation_id>/withdraw", _w("members/"), prepare=_invitation),
    Form(W + "roles/new", _w("roles/new"), {"name": "Auditor", "permissions": ["workspace.member.view"]}),
    Form(W + "roles/<int:role_id>/edit", _w("roles/{role_id}/edit"), {"name": "Talent scout"}, prepare=_custom_role),
    Form(W + "roles/<int:role_id>/delete", _w("roles/{role_id}/edit"), prepare=_custom_role),
    Form(W + "settings/", _w("settings/"), {"name": "Acme Corporation"}),
    Form(W + "settings/security", _w("settings/"), {"require_two_factor": True}, prepare=_owner_two_factor),
    Form(W + "settings/logo", _w("settings/"), {"logo": {"name": "logo.png", "mimeType": "image/png",
                                                         "buffer": _png()}}),
    Form(W + "settings/logo/remove", _w("settings/"), prepare=_logo),
    # people
    Form(W + "people/new", _w("people/new"), {"code": "E100", "full_name": "Nina New"}),
    Form(W + "people/bulk", "", before=_bulk_reviewed, prepare=_employee),
    Form(W + "people/<int:employee_id>/edit", _w("people/{employee_id}/edit"), {"job_title": "Staff engineer"},
         prepare=_employee),
    Form(W + "people/<int:employee_id>/terminate", _w("people/{employee_id}/"), prepare=_employee),
    Form(W + "people/<int:employee_id>/photo/upload", _w("people/{employee_id}/edit"),
         {"photo": {"name": "me.png", "mimeType": "image/png", "buffer": _png()}}, prepare=_employee),
    Form(W + "people/<int:employee_id>/photo/remove", _w("people/{employee_id}/edit"), prepare=_employee_with_photo),
    # organization setup
    Form(W + "organization/departments/new", _w("organization/departments/"), {"name": "Research"}),
    Form(W + "organization/departments/<int:department_id>/edit", _w("organization/departments/{department_id}/edit"),
         {"name": "R&D"}, prepare=_empty_department),
    Form(W + "organization/departments/<int:department_id>/delete",
         _w("organization/departments/{department_id}/edit"), prepare=_empty_department),
    Form(W + "organization/branches/new", _w("organization/branches/new"), {"name": "Lisbon"}),
    Form(W + "organization/branches/<int:branch_id>/edit", _w("organization/branches/{branch_id}/edit"),
         {"name": "Porto"}, prepare=_empty_branch),
    Form(W + "organization/branches/<int:branch_id>/delete", _w("organization/branches/{branch_id}/edit"),
         prepare=_empty_branch),
    Form(W + "organization/settings/", _w("organization/settings/"), {"self_service_fields": ["phone"]}),
    Form(W + "organization/import/", _w("organization/import/"),
         {"file": {"name": "people.csv", "mimeType": "text/csv", "buffer": _csv()}}, changes=False),
    Form(W + "organization/import/columns", _w("organization/import/columns"), submit="[name=action][value=check]",
         before=_uploaded),
    Form(W + "organization/import/confirm", "", before=_checked),
    # the CRM import wizard (crm/views/imports.py)
    Form(W + "crm/import/", _w("crm/import/"),
         {"entity": "contact", "file": {"name": "contacts.csv", "mimeType": "text/csv", "buffer": CRM_CSV}},
         changes=False),
    Form(W + "crm/import/columns", _w("crm/import/columns"), submit="[name=action][value=check]",
         before=_crm_uploaded),
    Form(W + "crm/import/confirm", "", before=_crm_checked),
    # CRM deals and pipelines (crm/views/deals.py, pipelines.py)
    Form(W + "crm/deals/new", _w("crm/deals/new"), {"name": "Reload deal", "amount": "12.50"}),
    Form(W + "crm/deals/<int:deal_id>/edit", _w("crm/deals/{deal_id}/edit"), {"name": "Renamed deal"},
         prepare=_crm_deal),
    Form(W + "crm/deals/<int:deal_id>/delete", _w("crm/deals/{deal_id}/delete"), prepare=_crm_deal),
    Form(W + "crm/pipelines/new", _w("crm/pipelines/new"), {"name": "Reload pipeline"}),
    Form(W + "crm/pipelines/<int:pipeline_id>/edit", _w("crm/pipelines/{pipeline_id}/edit"),
         {"name": "Renamed pipeline"}, prepare=_crm_pipeline),
    Form(W + "crm/pipelines/<int:pipeline_id>/delete", _w("crm/pipelines/{pipeline_id}/edit"),
         prepare=_crm_pipeline),
    # CRM contacts, companies, custom fields, merge and bulk (crm/views/contacts.py, companies.py, settings.py,
    # merge.py, bulk.py)
    Form(W + "crm/contacts/new", _w("crm/contacts/new"), {"full_name": "Reload contact"}),
    Form(W + "crm/contacts/<int:contact_id>/edit", _w("crm/contacts/{contact_id}/edit"), {"job_title": "Boss"},
         prepare=_crm_contacts),
    Form(W + "crm/contacts/<int:contact_id>/delete", _w("crm/contacts/{contact_id}/delete"), prepare=_crm_contacts),
    Form(W + "crm/companies/new", _w("crm/companies/new"), {"name": "Reload company"}),
    Form(W + "crm/companies/<int:company_id>/edit", _w("crm/companies/{company_id}/edit"), {"industry": "Tools"},
         prepare=_crm_contacts),
    Form(W + "crm/companies/<int:company_id>/delete", _w("crm/companies/{company_id}/delete"),
         prepare=_crm_contacts),
    Form(W + "crm/settings/custom-fields/new", _w("crm/settings/custom-fields/"),
         {"label": "Reload field", "name": "reload_field"}),
    Form(W + "crm/settings/custom-fields/<int:field_id>/edit", _w("crm/settings/custom-fields/{field_id}/edit"),
         {"label": "Renamed field"}, prepare=_crm_contacts),
    Form(W + "crm/settings/custom-fields/<int:field_id>/delete", _w("crm/settings/custom-fields/{field_id}/edit"),
         prepare=_crm_contacts),
    Form(W + "crm/duplicates/merge", _w("crm/duplicates/?entity=contact"), prepare=_crm_contacts),
    Form(W + "crm/bulk/", _w("crm/bulk/review/?entity=contact&q=Reload"), {"add_tags": "reloaded"},
         submit=".btn-primary", prepare=_crm_contacts),
    # CRM timelines on a record page, and the lists' columns and saved views (crm/views/timeline.py, lists.py)
    Form(W + "crm/notes/add/", _w("crm/deals/{deal_id}/"), {"body": "Reload note"}, prepare=_crm_timeline()),
    Form(W + "crm/notes/<int:note_id>/delete/", _w("crm/deals/{deal_id}/"), prepare=_crm_timeline()),
    Form(W + "crm/activities/add/", _w("crm/deals/{deal_id}/"), {"subject": "Reload task"},
         prepare=_crm_timeline()),
    Form(W + "crm/activities/<int:activity_id>/done/", _w("crm/deals/{deal_id}/"), prepare=_crm_timeline()),
    Form(W + "crm/activities/<int:activity_id>/undone/", _w("crm/deals/{deal_id}/"),
         prepare=_crm_timeline(done=True)),
    Form(W + "crm/lists/columns/", _w("crm/leads/"), {"columns": ["full_name", "tags"]}),
    Form(W + "crm/lists/views/", _w("crm/leads/?status=new"), {"name": "Reload new leads"}),
    Form(W + "crm/lists/views/<int:view_id>/delete/", _w("crm/leads/"), prepare=_crm_timeline()),
    # CRM leads, web form settings and the public web form (crm/views/leads.py, web_forms.py, public.py)
    Form(W + "crm/leads/new", _w("crm/leads/new"), {"full_name": "Reload lead", "email": "new@reload.example"}),
    Form(W + "crm/leads/<int:lead_id>/edit", _w("crm/leads/{lead_id}/edit"), {"company_name": "Renamed Ltd"},
         prepare=_crm_lead),
    Form(W + "crm/leads/<int:lead_id>/delete", _w("crm/leads/{lead_id}/delete"), prepare=_crm_lead),
    Form(W + "crm/leads/<int:lead_id>/convert", _w("crm/leads/{lead_id}/"), {"deal_name": "Reload deal"},
         prepare=_crm_lead),
    Form(W + "crm/web-forms/new", _w("crm/web-forms/new"), {"name": "Reload web form"}),
    Form(W + "crm/web-forms/<int:web_form_id>/", _w("crm/web-forms/{web_form_id}/"), {"name": "Renamed form"},
         prepare=_crm_web_form),
    Form(W + "crm/web-forms/<int:web_form_id>/rotate", _w("crm/web-forms/{web_form_id}/rotate"),
         prepare=_crm_web_form),
    Form(W + "crm/web-forms/<int:web_form_id>/delete", _w("crm/web-forms/{web_form_id}/delete"),
         prepare=_crm_web_form),
    Form("f/<str:key>", "/f/{key}", {"full_name": "Reload visitor", "email": "visitor@reload.example"},
         signed_in=None, prepare=_crm_web_form),
    # holidays (attendance/views/holidays.py); leave types and balance adjustments (leave/views/settings.py)
    Form(W + "attendance/holidays/add", _w("attendance/holidays/"), {"date": "2026-06-01", "name": "Reload day"}),
    Form(W + "attendance/holidays/fill", _w("attendance/holidays/"), {"country": "DE"}),
    Form(W + "attendance/holidays/import", _w("attendance/holidays/"),
         {"file": {"name": "days.csv", "mimeType": "text/csv", "buffer": b"date,name\n2026-07-01,Reload\n"}}),
    Form(W + "attendance/holidays/<int:holiday_id>/delete", _w("attendance/holidays/"), prepare=_holiday_this_year),
    Form(W + "leave/settings/types/new", _w("leave/settings/types/new"), {"code": "reload", "name": "Reload leave"}),
    Form(W + "leave/settings/types/<int:leave_type_id>/", _w("leave/settings/types/{leave_type_id}/"),
         {"days_per_year": "27"}, prepare=_annual_leave),
    Form(W + "leave/balances/adjust", _w("leave/balances/"), {"days": "1", "reason": "Reload"},
         prepare=_owner_employee),
    # clocking: one's kiosk PIN, the clocking settings (attendance/views/{clocking,settings}.py) and the kiosk
    Form(W + "attendance/my-pin/", _w("attendance/my-pin/"), {"pin": "4812", "password": PASSWORD},
         prepare=_owner_employee),
    Form(W + "attendance/settings/policy/", _w("attendance/settings/policy/"), {"overtime_threshold_minutes": "20"}),
    # shifts, assignments and corrections (attendance/views/{shifts,corrections}.py)
    Form(W + "attendance/shifts/add/", _w("attendance/shifts/"),
         {"shift-name": "Early", "shift-starts": "06:00", "shift-ends": "14:00"}),
    Form(W + "attendance/shifts/<int:shift_id>/", _w("attendance/shifts/{shift_id}/"), {"grace_minutes": "10"},
         prepare=_att_shift),
    Form(W + "attendance/shifts/<int:shift_id>/delete/", _w("attendance/shifts/{shift_id}/"), prepare=_att_shift),
    Form(W + "attendance/shifts/assignments/add/", _w("attendance/shifts/"),
         {"assign-shift_id": "{shift_id}", "assign-branch_id": "{branch_id}", "assign-starts_on": "2031-01-01"},
         prepare=_att_shift),
    Form(W + "attendance/shifts/assignments/<int:assignment_id>/delete/", _w("attendance/shifts/"),
         prepare=_att_shift),
    Form(W + "attendance/corrections/new/", _w("attendance/corrections/new/?date=2026-03-03"),
         {"reason": "Forgot to clock out"}, prepare=_owner_employee),
    Form(W + "attendance/corrections/<int:correction_id>/approve/", _w("attendance/corrections/"),
         {"comment": "Fine"}, prepare=_att_correction),
    Form(W + "attendance/corrections/<int:correction_id>/reject/", _w("attendance/corrections/"),
         {"comment": "No"}, prepare=_att_correction),
    Form(W + "attendance/corrections/<int:correction_id>/withdraw/", _w("attendance/corrections/"),
         prepare=lambda w: _att_correction(w, own=True)),
    Form(W + "attendance/settings/sites/new/", _w("attendance/settings/sites/new/"),
         {"name": "Reload office", "branch_id": "{branch_id}", "latitude": "52.5", "longitude": "13.4"},
         prepare=_att_branch),
    Form(W + "attendance/settings/sites/<int:site_id>/", _w("attendance/settings/sites/{site_id}/"),
         {"radius_m": "300"}, prepare=_att_site),
    Form(W + "attendance/settings/sites/<int:site_id>/delete/", _w("attendance/settings/sites/{site_id}/delete/"),
         prepare=_att_site),
    Form(W + "attendance/settings/kiosks/", _w("attendance/settings/kiosks/"), {"name": "Reload front desk"}),
    Form(W + "attendance/settings/kiosks/<int:kiosk_id>/", _w("attendance/settings/kiosks/{kiosk_id}/"),
         {"name": "Renamed kiosk"}, submit="button.btn-primary", prepare=_att_kiosk),
    Form(W + "attendance/settings/kiosks/<int:kiosk_id>/rotate/", _w("attendance/settings/kiosks/{kiosk_id}/rotate/"),
         prepare=_att_kiosk),
    Form(W + "attendance/settings/kiosks/<int:kiosk_id>/delete/", _w("attendance/settings/kiosks/{kiosk_id}/delete/"),
         prepare=_att_kiosk),
    Form(W + "attendance/settings/pins/", _w("attendance/settings/pins/"), {"code": "R001", "pin": "4812"},
         prepare=_owner_employee),
    Form("kiosk/<str:key>/", "/kiosk/{key}/", {"code": "R001", "pin": "4812"},
         submit="[name=action][value=in]", signed_in=None, prepare=_att_public_kiosk),
    # leave: a calendar feed's "change address" button on the team calendar (leave/views/calendar.py)
    Form(W + "leave/calendar/feeds/rotate", _w("leave/calendar/")),
    # the account
    Form("account/profile", "/account/profile", {"full_name": "Olivia O. Owner"}),
    Form("account/photo/upload", "/account/profile", {"photo": {"name": "me.png", "mimeType": "image/png",
                                                                "buffer": _png()}}),
    Form("account/photo/remove", "/account/profile", before=_account_photo),
    Form("account/password", "/account/password", {"current_password": PASSWORD,
                                                   "new_password": "Another-Passphrase-43"}),
    Form("account/email", "/account/email", {"new_email": "olivia@new.test", "password": PASSWORD},
         submit="[name=action][value=request]", label="request"),
    Form("account/email", "/account/email", {"code": "{code}"}, submit="[name=action][value=confirm]",
         label="confirm", prepare=_email_change_requested),
    Form("account/recovery-codes", "/account/recovery-codes", {"password": PASSWORD},
         submit="[name=action][value=regenerate]", prepare=_owner_two_factor),
    Form("account/sessions/revoke-others", "/account/security", prepare=_other_session),
    Form("account/sessions/<int:session_id>/revoke", "/account/security", prepare=_other_session),
    Form("account/tokens", "/account/security", {"name": "Reporting script"}),
    Form("account/tokens/<int:token_id>/revoke", "/account/security", prepare=_token),
    Form("account/two-factor", "/account/two-factor", submit="[name=action][value=begin]", label="begin",
         changes=False),  # the new secret waits on the user's row: no row is added
    Form("account/two-factor", "", {"code": _current_setup_code}, submit="[name=action][value=enable]",
         label="enable", before=_setup_begun),
    Form("account/two-factor/disable", "/account/security", {"password": PASSWORD}, prepare=_owner_two_factor),
    # notifications: marking changes a row, adds none (changes=False); preferences and unsubscribing add one
    Form(W + "notifications/<int:notification_id>/read", _w("notifications/"), prepare=_notification,
         changes=False),
    Form(W + "notifications/<int:notification_id>/unread", _w("notifications/"),
         prepare=lambda w: _notification(w, read=True), changes=False),
    Form(W + "notifications/<int:notification_id>/open", _w("notifications/"), prepare=_notification, changes=False),
    Form(W + "notifications/read-all", _w("notifications/"), prepare=_notification, changes=False),
    Form(W + "notifications/preferences", _w("notifications/preferences"), {"quiet_start": "21:00"}),
    Form("unsubscribe/<str:token>", "/unsubscribe/{token}", signed_in=None, prepare=_unsubscribe_token),
    # leave: the request form, a request's decisions and comments, delegations (leave/views/requests.py, approvals.py)
    Form(W + "leave/requests/new/", _w("leave/requests/new/"),
         {"leave_type_id": "{unpaid}", "start_date": "{leave_day}", "end_date": "{leave_day}"}, prepare=_leave),
    Form(W + "leave/requests/<int:request_id>/approve/", _w("leave/requests/{request_id}/"),
         {"approve-comment": "Fine"}, prepare=_leave),
    Form(W + "leave/requests/<int:request_id>/reject/", _w("leave/requests/{request_id}/"),
         {"reject-comment": "Release week"}, prepare=_leave),
    Form(W + "leave/requests/<int:request_id>/cancel/", _w("leave/requests/{request_id}/"), prepare=_leave),
    Form(W + "leave/requests/<int:request_id>/comment/", _w("leave/requests/{request_id}/"),
         {"comment-comment": "Who covers?"}, prepare=_leave),
    Form(W + "leave/delegations/", _w("leave/delegations/"),
         {"delegate_id": "{membership_id}", "starts_on": "{today}", "ends_on": "{today}"}, prepare=_leave),
    Form(W + "leave/delegations/<int:delegation_id>/end/", _w("leave/delegations/"), prepare=_leave),
    # webhooks (each action is audited, so each adds a row)
    Form(W + "webhooks/new", _w("webhooks/new"), {"url": "https://hooks.example.test/r", "events": ["*"]}),
    Form(W + "webhooks/<int:webhook_id>/edit", _w("webhooks/{webhook_id}/edit"), {"description": "Billing"},
         prepare=_webhook),
    Form(W + "webhooks/<int:webhook_id>/pause", _w("webhooks/{webhook_id}/"), prepare=_webhook),
    Form(W + "webhooks/<int:webhook_id>/resume", _w("webhooks/{webhook_id}/"),
         prepare=lambda w: _webhook(w, paused=True)),
    Form(W + "webhooks/<int:webhook_id>/rotate-secret", _w("webhooks/{webhook_id}/"), prepare=_webhook),
    Form(W + "webhooks/<int:webhook_id>/test", _w("webhooks/{webhook_id}/"), prepare=_webhook),
    Form(W + "webhooks/<int:webhook_id>/delete", _w("webhooks/{webhook_id}/"), prepare=_webhook),
    Form(W + "webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend", _w("webhooks/{webhook_id}/"),
         prepare=lambda w: _webhook(w, delivery=True)),
]

# Form POSTs without a row, and why.
NO_ROW: dict[str, str] = {
    W + "attendance/clock": "the clock widget lives on the home dashboard once attendance/shell.py registers its "
                            "card (row then: Form(W + 'attendance/clock', _w(''), submit='[name=action][value=in]', "
                            "prepare=_owner_employee)); its PRG is in tests/web/test_post_redirect_get.py",
    W + "crm/board/deals/<int:deal_id>/move": "the board's script posts each move with fetch and never reloads the "
                                              "page; its no-script PRG is in tests/web/test_post_redirect_get.py",
}

# Form POSTs the isolation harness lists without a body (public pages, or steps of one page).
MORE_FORMS = {"signin", "signup", "verify", "signin/two-factor", "reset", "reset/confirm", "invitations/accept",
              "signout", "account/two-factor"}


def test_every_form_post_has_a_row():
    posts = {pattern for pattern, spec in PAGES.items() if "post" in spec} | MORE_FORMS
    covered = {form.action for form in FORMS} | set(NO_ROW)
    assert not posts - covered, f"form POSTs without a row in FORMS (or a reason in NO_ROW): {sorted(posts - covered)}"


# --- the check -------------------------------------------------------------------------------------------------


def _rows() -> dict[str, int]:
    """How many rows each table has, and how many emails went out."""
    counts = {m._meta.label_lower: m._base_manager.count() for m in apps.get_models()
              if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in NOT_COUNTED}
    outbox = Path(settings.OUTBOX_DIR)
    counts["emails sent"] = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
    return counts


def _diff(before: dict, after: dict) -> dict:
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def _fill(page, form, fields: dict, w: dict) -> None:
    for name, value in fields.items():
        if callable(value):
            value = value(w)
        inputs = form.locator(f'[name="{name}"]')
        if isinstance(value, dict):
            inputs.set_input_files(value)
        elif isinstance(value, bool):
            inputs.set_checked(value)
        elif isinstance(value, list):
            values = {v.format(**w) for v in value}
            for box in inputs.all():
                box.set_checked(box.get_attribute("value") in values)
        elif inputs.first.evaluate("e => e.tagName") == "SELECT":
            inputs.select_option(value.format(**w))
        else:
            inputs.fill(value.format(**w))


def _sign_in(page, base, user, w) -> None:
    page.goto(base + "/signin")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/signin" not in url or "/two-factor" in url)
    if "/signin/two-factor" in page.url:
        page.get_by_label("Authentication code").fill(pyotp.TOTP(w["totp"]).now())
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/signin" not in url)


@pytest.fixture
def world(workspace, owner, outbox):
    """The owner's workspace; each row's `prepare` adds what its form acts on."""
    return {"workspace": workspace, "workspace_slug": workspace.slug, "owner": owner, "outbox": outbox,
            "actor": actor_for(owner, workspace)}


@pytest.fixture(scope="module")
def browser():
    """One Chromium for every row (a launch costs more than a row); each row gets a fresh context. Its ORM calls
    run on connections of Playwright's context, which `chromium` closes at the end."""
    with pytest.MonkeyPatch.context() as mp, chromium(mp) as browser:
        yield browser


@pytest.mark.browser
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_a_reload_after_the_post_repeats_nothing(live_server, browser, world, form):
    w = dict(world)
    if form.prepare is not None:
        w.update(form.prepare(w))
    base = live_server.url
    page = new_page(browser, DESKTOP)
    try:
        documents = []  # every request for a document of the main frame, in order (a redirect is a new one)
        page.on("request", lambda r: documents.append(r) if r.is_navigation_request() and r.frame == page.main_frame
                else None)
        if form.signed_in:
            _sign_in(page, base, w[form.signed_in], w)
        if form.before is not None:
            form.before(page, base, w)
        if form.page:
            page.goto(base + form.page.format(**w))

        action = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", form.action).format(**w)
        forms = page.locator(f'form[action="{action}"], form[action^="{action}?"]')
        for inside in [form.submit] * bool(form.submit) + [f'[name="{name}"]' for name in form.fields]:
            forms = forms.filter(has=page.locator(inside))  # the one form with these fields and button
        assert forms.count() >= 1, (f"{form.id}: no form on {page.url} posts to {action} with "
                                    f"{[form.submit, *form.fields]}")
        target = forms.first
        # A form inside a closed <details> (a confirm step) is opened first, as a person would.
        target.evaluate("f => { for (let d = f.closest('details'); d; d = d.parentElement.closest('details')) "
                        "d.open = true }")
        _fill(page, target, form.fields, w)

        before = orm_read(_rows)
        submitted = len(documents)
        with page.expect_navigation():
            target.locator(form.submit or "[type=submit]").first.click()
        page.wait_for_load_state()
        after = orm_read(_rows)

        chain = documents[submitted:]
        posts = [r for r in chain if r.method == "POST"]
        assert posts, f"{form.id}: the submit sent no POST (documents: {[(r.method, r.url) for r in chain]})"
        if form.changes:
            assert after != before, f"{form.id}: the POST changed nothing: did the form go through? ({page.url})"
        last = chain[-1]
        status = posts[-1].response().status if posts[-1].response() else None
        assert last.method == "GET", (
            f"{form.id}: the POST answered {status} with a page instead of a redirect (POST/redirect/GET): "
            f"a reload would submit it again; the browser shows {page.url}")

        reloaded = len(documents)
        page.reload()
        page.wait_for_load_state()
        again = [(r.method, r.url) for r in documents[reloaded:]]
        assert again and all(method == "GET" for method, _url in again), f"{form.id}: the reload sent {again}"
        assert orm_read(_rows) == after, f"{form.id}: the reload changed rows: {_diff(after, orm_read(_rows))}"
    finally:
        page.context.close()
