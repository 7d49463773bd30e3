"""axe-core on every page, signed out and as a workspace owner, at 1280 px and at 375 px: no violation of
impact "serious" or "critical".

"Every page" comes from the URL patterns (as tests/core/test_tenant_isolation_pages.py lists them), so a new
page is checked without anyone remembering to add it: a pattern whose only parameter is the workspace slug is
visited as it is; any other pattern fails `test_every_page_pattern_is_reached` until WAYS says how to reach it
(an example URL, or steps in the browser for a page that needs a session state) or NOT_PAGES says why it is
no page (a download, a POST-only action). Redirects are followed and each page is checked once per run.

The owner's workspace is not empty: people, departments, branches, a pending invitation, a custom role and
the audit events all of that wrote, so lists, tables and badges are on the pages axe sees.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyotp
import pytest

from oorg.accounts import services as accounts
from oorg.core import roles
from oorg.core.models import Role
from oorg.core.tenancy import workspace_scope
from oorg.workspaces.services import invite_member

from ..conftest import PASSWORD, actor_for, make_user
from ..core.test_tenant_isolation_pages import page_patterns
from .axe import DESKTOP, PHONE, chromium, failing, findings, new_page, settle, violations
from .test_browser_signup import sign_in

VIEWPORTS = {"1280px": DESKTOP, "375px": PHONE}


# --- how to reach each page --------------------------------------------------------------------------------


@dataclass
class Way:
    """One state of a page to check. `url` is formatted with the world (e.g. "/w/{slug}/people/{employee}/");
    `steps(page, base, world)` instead drives the browser to a state only a session can reach."""
    url: str | None = None
    steps: Callable | None = None
    signed_out: bool = False  # checked signed out (instead of as the owner)
    label: str = ""


def _w(path: str) -> str:
    return "/w/{slug}/" + path


def _submit(page, action: str, button: str | None = None) -> None:
    """Submit the form whose action is `action` (a path), by its (named) submit button, and wait for the page."""
    form = page.locator(f'form[action="{action}"]').first
    target = form.get_by_role("button", name=button) if button else form.locator("[type=submit]").first
    with page.expect_navigation():
        target.click()


def _upload_employees(page, base, world) -> None:
    """Import wizard, step 2: a file is uploaded and its columns are shown with a preview."""
    page.goto(base + _w("organization/import/").format(**world))
    page.locator(f'form[action="{_w("organization/import/").format(**world)}"] input[type=file]').set_input_files(
        {"name": "people.csv", "mimeType": "text/csv",
         "buffer": b"employee_code,full_name,work_email,department\nP001,Paula Pioneer,paula@acme.test,Sales\n"
                   b"P002,Pedro Second,pedro-at-acme,Sales\n"})
    _submit(page, _w("organization/import/").format(**world))
    page.wait_for_url("**/organization/import/columns")


def _check_employees(page, base, world) -> None:
    """Import wizard, step 3: the uploaded file is checked; its job page lists the bad row."""
    _upload_employees(page, base, world)
    form = page.locator(f'form[action="{_w("organization/import/columns").format(**world)}"]')
    with page.expect_navigation():
        form.locator('button[name=action][value=check]').click()
    page.wait_for_url("**/organization/import/jobs/*")


def _upload_crm_contacts(page, base, world) -> None:
    """CRM import wizard, step 2: a file of contacts is uploaded; its columns, dedupe choice and preview."""
    page.goto(base + _w("crm/import/?entity=contact").format(**world))
    form = page.locator(f'form[action="{_w("crm/import/").format(**world)}"]')
    form.locator("input[type=file]").set_input_files(
        {"name": "contacts.csv", "mimeType": "text/csv",
         "buffer": b"Name,Email,Company\nAda Lovelace,ada@analytical.test,Analytical\nBad Row,not-an-email,\n"})
    _submit(page, _w("crm/import/").format(**world))
    page.wait_for_url("**/crm/import/columns")


def _check_crm_contacts(page, base, world) -> None:
    """CRM import wizard, step 3: the dry run's job page with the bad row and the confirm button."""
    _upload_crm_contacts(page, base, world)
    form = page.locator(f'form[action="{_w("crm/import/columns").format(**world)}"]')
    with page.expect_navigation():
        form.locator("button[name=action][value=check]").click()
    page.wait_for_url("**/crm/import/jobs/*")


def _second_factor(page, base, world) -> None:
    """The second sign-in step of someone who has two-factor sign-in on."""
    page.goto(base + "/signin")
    page.get_by_label("Email").fill(world["two_factor_email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/signin/two-factor")


def _no_workspace(page, base, world) -> None:
    """What someone who belongs to no workspace (any more) sees after signing in."""
    page.goto(base + "/signin")
    page.get_by_label("Email").fill(world["lonely_email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/signin" not in url)


def _begin_two_factor(page, base, world) -> None:
    page.goto(base + "/account/two-factor")
    _submit(page, "/account/two-factor", "Begin setup")


def _invite_with_errors(page, base, world) -> None:
    """A refused form shows its errors on the fields."""
    page.goto(base + _w("members/").format(**world))
    _submit(page, _w("members/invite").format(**world))


def _invited(page, base, world) -> None:
    """A page with a flash message ("Invitation sent ..."), as every successful form leaves one."""
    page.goto(base + _w("members/").format(**world))
    form = page.locator(f'form[action="{_w("members/invite").format(**world)}"]').filter(
        has=page.locator("[name=role]"))
    form.locator("[name=email]").fill("flash@example.test")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


def _employee_with_errors(page, base, world) -> None:
    page.goto(base + _w("people/new").format(**world))
    form = page.locator(f'form[action="{_w("people/new").format(**world)}"]')
    form.locator("[name=work_email]").fill("not-an-email")
    _submit(page, _w("people/new").format(**world))


def _bulk_review(page, base, world) -> None:
    """The directory's bulk action, as far as its confirmation: two people checked, a move to a branch."""
    page.goto(base + _w("people/").format(**world))
    page.locator("input.select-row").nth(0).check()
    page.locator("input.select-row").nth(1).check()
    page.locator("#bulk-form select[name=action]").select_option("move_branch")
    page.locator("#bulk-form select[name=branch]").select_option(index=1)
    with page.expect_navigation():
        page.locator("#bulk-form").get_by_role("button", name="Review…").click()


def _bell_open(page, base, world) -> None:
    """The bell's dropdown, opened: its latest notifications are loaded by htmx."""
    page.goto(base + _w("").format(**world))
    page.locator("#notification-summary").click()
    page.locator("#notification-panel .bell-list").wait_for()


def _webhook_created(page, base, world) -> None:
    """A webhook just made through its form: its page shows the signing secret, once."""
    page.goto(base + _w("webhooks/new").format(**world))
    form = page.locator(f'form[action="{_w("webhooks/new").format(**world)}"]')
    form.locator("[name=url]").fill("https://hooks.example.test/new")
    form.locator("#event-all").check()
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    page.locator("#webhook-secret").wait_for()


def _webhook_refused(page, base, world) -> None:
    """The webhook form refused: no events chosen, a URL that is no https address."""
    page.goto(base + _w("webhooks/new").format(**world))
    form = page.locator(f'form[action="{_w("webhooks/new").format(**world)}"]')
    form.locator("[name=url]").fill("ftp://hooks.example.test/")
    _submit(page, _w("webhooks/new").format(**world))


def _public_form_refused(page, base, world) -> None:
    """The public web form sent empty: every problem on its field (and the consent question)."""
    page.goto(base + "/f/{crm_web_form_key}".format(**world))
    _submit(page, "/f/{crm_web_form_key}".format(**world))


def _lead_refused(page, base, world) -> None:
    """The lead form refused: no name, a bad email and phone."""
    page.goto(base + _w("crm/leads/new").format(**world))
    form = page.locator(f'form[action="{_w("crm/leads/new").format(**world)}"]')
    form.locator("[name=email]").fill("not-an-email")
    form.locator("[name=phone]").fill("12")
    _submit(page, _w("crm/leads/new").format(**world))


def _sign_up_with_errors(page, base, world) -> None:
    page.goto(base + "/signup")
    _submit(page, "/signup")


# Patterns with more than the workspace slug, and pages whose interesting state needs a session or a query.
def _leave_type_edit(page, base, world) -> None:
    """The policy form of the annual leave type, reached from the list of leave types."""
    page.goto(base + _w("leave/settings/types/").format(**world))
    with page.expect_navigation():
        page.get_by_role("link", name="Annual leave").click()


def _holiday_refused(page, base, world) -> None:
    """The holidays page with the add form refused (no name), a holiday already listed."""
    add = _w("attendance/holidays/add").format(**world)
    for name in ("Company day", ""):
        page.goto(base + _w("attendance/holidays/").format(**world))
        form = page.locator(f'form[action="{add}"]')
        form.locator("[name=date]").fill("2026-06-01")
        form.locator("[name=name]").fill(name)
        _submit(page, add)


def _leave_request_refused(page, base, world) -> None:
    """The leave request form refused (the last day before the first), its count and errors shown."""
    new = _w("leave/requests/new/").format(**world)
    page.goto(base + new)
    page.locator("[name=start_date]").fill("2030-01-09")
    page.locator("[name=end_date]").fill("2030-01-07")
    _submit(page, new)


def _kiosk_refused(page, base, world) -> None:
    """The kiosk page with a wrong PIN: the one generic message."""
    path = "/kiosk/{att_kiosk_key}/".format(**world)
    page.goto(base + path)
    page.locator("[name=code]").fill("E003")
    page.locator("[name=pin]").fill("9999")
    _submit(page, path, "Clock in")


def _site_refused(page, base, world) -> None:
    """The new-site form refused: an unknown employee code, a radius too small."""
    new = _w("attendance/settings/sites/new/").format(**world)
    page.goto(base + new)
    page.locator("[name=name]").fill("Home office")
    page.locator("[name=owner][value=employee]").check()
    page.locator("[name=employee_code]").fill("NOPE")
    page.locator("[name=latitude]").fill("52.5")
    page.locator("[name=longitude]").fill("13.4")
    page.locator("[name=radius_m]").fill("5")
    _submit(page, new)


WAYS: dict[str, list[Way]] = {
    "w/<slug:workspace_slug>/roles/<int:role_id>/edit": [
        Way(_w("roles/{custom_role}/edit"), label="custom role"), Way(_w("roles/{builtin_role}/edit"), label="built-in role")],
    "w/<slug:workspace_slug>/organization/departments/<int:department_id>/edit": [
        Way(_w("organization/departments/{department}/edit"))],
    "w/<slug:workspace_slug>/organization/branches/<int:branch_id>/edit": [
        Way(_w("organization/branches/{branch}/edit"))],
    "w/<slug:workspace_slug>/organization/import/columns": [Way(steps=_upload_employees)],
    "w/<slug:workspace_slug>/organization/import/jobs/<int:job_id>": [Way(steps=_check_employees)],
    "w/<slug:workspace_slug>/crm/import/columns": [Way(steps=_upload_crm_contacts)],
    "w/<slug:workspace_slug>/crm/import/jobs/<int:job_id>": [Way(steps=_check_crm_contacts)],
    "w/<slug:workspace_slug>/people/<int:employee_id>/": [
        Way(_w("people/{employee}/"), label="a report, all fields"), Way(_w("people/{ceo}/"), label="a manager")],
    "w/<slug:workspace_slug>/people/<int:employee_id>/edit": [Way(_w("people/{employee}/edit"))],
    "w/<slug:workspace_slug>/people/chart/": [Way(_w("people/chart/?focus={employee}"), label="a person in focus"),
                                              Way(_w("people/chart/?department={department}"), label="one department")],
    "w/<slug:workspace_slug>/people/departments/<int:department_id>/": [Way(_w("people/departments/{department}/"))],
    "w/<slug:workspace_slug>/people/bulk/review": [Way(steps=_bulk_review, label="a bulk move to confirm")],
    "w/<slug:workspace_slug>/members/": [Way(steps=_invite_with_errors, label="the invitation refused"),
                                         Way(steps=_invited, label="a flash message")],
    "w/<slug:workspace_slug>/members/<int:membership_id>/remove": [Way(_w("members/{membership}/remove"))],
    "w/<slug:workspace_slug>/members/<int:membership_id>/transfer-ownership": [
        Way(_w("members/{membership}/transfer-ownership"))],
    "w/<slug:workspace_slug>/people/new": [Way(steps=_employee_with_errors, label="refused")],
    "signin/two-factor": [Way(steps=_second_factor, signed_out=True)],
    "invitations/accept": [Way("/invitations/accept?code={invitation_code}", signed_out=True, label="with a code")],
    "verify": [Way("/verify?email={two_factor_email}", signed_out=True)],
    "reset/confirm": [Way("/reset/confirm?email={two_factor_email}", signed_out=True)],
    "signup": [Way(steps=_sign_up_with_errors, signed_out=True, label="refused")],
    "account/two-factor": [Way(steps=_begin_two_factor, label="setup begun")],
    "app": [Way(steps=_no_workspace, signed_out=True, label="no workspace")],
    "unsubscribe/<str:token>": [Way("/unsubscribe/{unsubscribe_token}", signed_out=True, label="confirm")],
    "w/<slug:workspace_slug>/": [Way(steps=_bell_open, label="the bell open")],
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/": [
        Way(_w("webhooks/{webhook}/"), label="a failed delivery"),
        Way(steps=_webhook_created, label="the secret shown once")],
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/edit": [Way(_w("webhooks/{webhook}/edit"))],
    "w/<slug:workspace_slug>/webhooks/new": [Way(steps=_webhook_refused, label="refused")],
    # CRM board, deals and pipelines (crm/views/board.py, deals.py, pipelines.py)
    "w/<slug:workspace_slug>/crm/deals/<int:deal_id>/": [Way(_w("crm/deals/{deal}/"))],
    "w/<slug:workspace_slug>/crm/deals/<int:deal_id>/edit": [Way(_w("crm/deals/{deal}/edit"))],
    "w/<slug:workspace_slug>/crm/deals/<int:deal_id>/delete": [Way(_w("crm/deals/{deal}/delete"))],
    "w/<slug:workspace_slug>/crm/pipelines/<int:pipeline_id>/edit": [Way(_w("crm/pipelines/{pipeline}/edit"))],
    # CRM contacts, companies, custom fields, duplicates and bulk (crm/views/contacts.py, companies.py, settings.py,
    # merge.py, bulk.py); pages without an id (new forms, settings, duplicates, bulk review) are reached as they are
    "w/<slug:workspace_slug>/crm/contacts/<int:contact_id>/": [Way(_w("crm/contacts/{crm_contact}/"))],
    "w/<slug:workspace_slug>/crm/contacts/<int:contact_id>/edit": [Way(_w("crm/contacts/{crm_contact}/edit"))],
    "w/<slug:workspace_slug>/crm/contacts/<int:contact_id>/delete": [Way(_w("crm/contacts/{crm_contact}/delete"))],
    "w/<slug:workspace_slug>/crm/companies/<int:company_id>/": [Way(_w("crm/companies/{crm_company}/"))],
    "w/<slug:workspace_slug>/crm/companies/<int:company_id>/edit": [Way(_w("crm/companies/{crm_company}/edit"))],
    "w/<slug:workspace_slug>/crm/companies/<int:company_id>/delete": [
        Way(_w("crm/companies/{crm_company}/delete"))],
    "w/<slug:workspace_slug>/crm/settings/custom-fields/<int:field_id>/edit": [
        Way(_w("crm/settings/custom-fields/{crm_custom_field}/edit"))],
    "w/<slug:workspace_slug>/crm/bulk/review/": [Way(_w("crm/bulk/review/?entity=contact&q=Probe"))],
    "w/<slug:workspace_slug>/crm/duplicates/": [Way(_w("crm/duplicates/?entity=contact"))],
    # CRM leads, web form settings and the public web form (crm/views/leads.py, web_forms.py, public.py)
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/": [Way(_w("crm/leads/{crm_lead}/"), label="open"),
                                                         Way(_w("crm/leads/{crm_converted_lead}/"), label="converted")],
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/edit": [Way(_w("crm/leads/{crm_lead}/edit"))],
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/delete": [Way(_w("crm/leads/{crm_lead}/delete"))],
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/convert": [Way(_w("crm/leads/{crm_lead}/convert"))],
    "w/<slug:workspace_slug>/crm/leads/new": [Way(steps=_lead_refused, label="refused")],
    "w/<slug:workspace_slug>/crm/web-forms/<int:web_form_id>/": [Way(_w("crm/web-forms/{crm_web_form}/"))],
    "w/<slug:workspace_slug>/crm/web-forms/<int:web_form_id>/rotate": [
        Way(_w("crm/web-forms/{crm_web_form}/rotate"))],
    "w/<slug:workspace_slug>/crm/web-forms/<int:web_form_id>/delete": [
        Way(_w("crm/web-forms/{crm_web_form}/delete"))],
    "f/<str:key>": [Way("/f/{crm_web_form_key}", signed_out=True),
                    Way(steps=_public_form_refused, signed_out=True, label="refused")],
    "f/<str:key>/thanks": [Way("/f/{crm_web_form_key}/thanks", signed_out=True)],
    # holidays, leave types and balances (attendance/views/holidays.py, leave/views/settings.py)
    "w/<slug:workspace_slug>/attendance/holidays/": [Way(_w("attendance/holidays/"), label="empty"),
                                                    Way(steps=_holiday_refused, label="a holiday, the form refused")],
    "w/<slug:workspace_slug>/leave/settings/types/<int:leave_type_id>/": [Way(steps=_leave_type_edit)],
    # shifts (attendance/views/shifts.py)
    "w/<slug:workspace_slug>/attendance/shifts/<int:shift_id>/": [Way(_w("attendance/shifts/{att_shift}/"))],
    # leave requests (leave/views/requests.py): a waiting request of Remy's, with a comment (the owner decides)
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/": [Way(_w("leave/requests/{leave_request}/"))],
    "w/<slug:workspace_slug>/leave/requests/new/": [Way(_w("leave/requests/new/"), label="empty"),
                                                   Way(steps=_leave_request_refused, label="refused")],
    # clocking settings and the kiosk (attendance/views/settings.py, attendance/views/kiosk.py)
    "w/<slug:workspace_slug>/attendance/settings/sites/new/": [Way(_w("attendance/settings/sites/new/")),
                                                              Way(steps=_site_refused, label="refused")],
    "w/<slug:workspace_slug>/attendance/settings/sites/<int:site_id>/": [Way(_w("attendance/settings/sites/{att_site}/"))],
    "w/<slug:workspace_slug>/attendance/settings/sites/<int:site_id>/delete/": [
        Way(_w("attendance/settings/sites/{att_site}/delete/"))],
    "w/<slug:workspace_slug>/attendance/settings/kiosks/<int:kiosk_id>/": [
        Way(_w("attendance/settings/kiosks/{att_kiosk}/"))],
    "w/<slug:workspace_slug>/attendance/settings/kiosks/<int:kiosk_id>/rotate/": [
        Way(_w("attendance/settings/kiosks/{att_kiosk}/rotate/"))],
    "w/<slug:workspace_slug>/attendance/settings/kiosks/<int:kiosk_id>/delete/": [
        Way(_w("attendance/settings/kiosks/{att_kiosk}/delete/"))],
    "kiosk/<str:key>/": [Way("/kiosk/{att_kiosk_key}/", signed_out=True),
                         Way(steps=_kiosk_refused, signed_out=True, label="a wrong PIN")],
}

# States no URL pattern names: the error page.
EXTRA = [Way("/no-such-page", signed_out=True, label="404"), Way(_w("people/987654321/"), label="404 in the app")]

NOT_PAGES = {
    "healthz": "JSON for the load balancer",
    "^api/": "JSON 404 for unknown API paths",
    "signout": "POST only",
    "w/<slug:workspace_slug>/members/<int:membership_id>/role": "POST only",
    "w/<slug:workspace_slug>/ownership-transfer/accept": "POST only",
    "w/<slug:workspace_slug>/ownership-transfer/cancel": "POST only",
    "w/<slug:workspace_slug>/settings/security": "POST only",
    "w/<slug:workspace_slug>/settings/logo": "POST only",
    "w/<slug:workspace_slug>/settings/logo/remove": "POST only",
    "w/<slug:workspace_slug>/logo": "an image",
    "w/<slug:workspace_slug>/invitations/<int:invitation_id>/withdraw": "POST only",
    "w/<slug:workspace_slug>/roles/<int:role_id>/delete": "POST only",
    "w/<slug:workspace_slug>/organization/departments/<int:department_id>/delete": "POST only",
    "w/<slug:workspace_slug>/organization/branches/<int:branch_id>/delete": "POST only",
    "w/<slug:workspace_slug>/organization/import/jobs/<int:job_id>/errors.csv": "a CSV download",
    "w/<slug:workspace_slug>/crm/import/jobs/<int:job_id>/errors.csv": "a CSV download",
    "w/<slug:workspace_slug>/crm/import/confirm": "POST only (a GET goes back to the import page)",
    "w/<slug:workspace_slug>/crm/export": "a CSV or XLSX download",
    "w/<slug:workspace_slug>/crm/board/deals/<int:deal_id>/move": "POST only (a GET goes to the board)",
    "w/<slug:workspace_slug>/crm/pipelines/<int:pipeline_id>/delete": "POST only",
    "w/<slug:workspace_slug>/crm/settings/custom-fields/new": "POST only (a GET goes to the custom fields page)",
    "w/<slug:workspace_slug>/crm/settings/custom-fields/<int:field_id>/delete": "POST only",
    "w/<slug:workspace_slug>/crm/duplicates/merge": "POST only (a GET goes to the duplicates page)",
    "w/<slug:workspace_slug>/crm/bulk/": "POST only (a GET goes to the bulk review page)",
    "w/<slug:workspace_slug>/crm/lists/columns/": "POST only (a GET goes to the leads list)",
    "w/<slug:workspace_slug>/crm/lists/views/": "POST only (a GET goes to the leads list)",
    "w/<slug:workspace_slug>/crm/lists/views/<int:view_id>/delete/": "POST only",
    "w/<slug:workspace_slug>/crm/notes/add/": "POST only (from a record page's timeline)",
    "w/<slug:workspace_slug>/crm/notes/<int:note_id>/delete/": "POST only",
    "w/<slug:workspace_slug>/crm/activities/add/": "POST only (from a record page's timeline)",
    "w/<slug:workspace_slug>/crm/activities/<int:activity_id>/done/": "POST only",
    "w/<slug:workspace_slug>/crm/activities/<int:activity_id>/undone/": "POST only",
    "w/<slug:workspace_slug>/crm/timeline/lead/<int:record_id>/": "older entries of a record page's timeline, fetched by htmx",
    "w/<slug:workspace_slug>/crm/timeline/contact/<int:record_id>/": "older entries of a record page's timeline, fetched by htmx",
    "w/<slug:workspace_slug>/crm/timeline/company/<int:record_id>/": "older entries of a record page's timeline, fetched by htmx",
    "w/<slug:workspace_slug>/crm/timeline/deal/<int:record_id>/": "older entries of a record page's timeline, fetched by htmx",
    "w/<slug:workspace_slug>/people/<int:employee_id>/terminate": "POST only",
    "w/<slug:workspace_slug>/people/bulk": "POST only (a GET goes back to the directory)",
    "w/<slug:workspace_slug>/people/chart/level": "a part of the chart page, fetched by its script",
    "w/<slug:workspace_slug>/people/<int:employee_id>/photo": "an image",
    "w/<slug:workspace_slug>/people/<int:employee_id>/photo/upload": "POST only",
    "w/<slug:workspace_slug>/people/<int:employee_id>/photo/remove": "POST only",
    "account/sessions/<int:session_id>/revoke": "POST only",
    "account/tokens/<int:token_id>/revoke": "POST only",
    "w/<slug:workspace_slug>/notifications/bell": "a part of the top bar's bell, fetched by htmx",
    "w/<slug:workspace_slug>/notifications/read-all": "POST only",
    "w/<slug:workspace_slug>/notifications/<int:notification_id>/open": "POST only",
    "w/<slug:workspace_slug>/notifications/<int:notification_id>/read": "POST only",
    "w/<slug:workspace_slug>/notifications/<int:notification_id>/unread": "POST only",
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/pause": "POST only",
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/resume": "POST only",
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/rotate-secret": "POST only",
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/test": "POST only",
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/delete": "POST only",
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend": "POST only",
    "w/<slug:workspace_slug>/leave/calendar/feeds/rotate": "POST only (a GET goes to the team calendar)",
    "w/<slug:workspace_slug>/attendance/reports/monthly/export": "a CSV or XLSX download",
    "feeds/leave/<str:token>.ics": "an iCal file for calendar apps",
    "w/<slug:workspace_slug>/attendance/holidays/add": "POST only (a GET goes to the holidays page)",
    "w/<slug:workspace_slug>/attendance/shifts/add/": "POST only (a GET goes to the shifts page)",
    "w/<slug:workspace_slug>/attendance/shifts/<int:shift_id>/delete/": "POST only",
    "w/<slug:workspace_slug>/attendance/shifts/assignments/add/": "POST only (a GET goes to the shifts page)",
    "w/<slug:workspace_slug>/attendance/shifts/assignments/<int:assignment_id>/delete/": "POST only",
    "w/<slug:workspace_slug>/attendance/corrections/<int:correction_id>/approve/": "POST only",
    "w/<slug:workspace_slug>/attendance/corrections/<int:correction_id>/reject/": "POST only",
    "w/<slug:workspace_slug>/attendance/corrections/<int:correction_id>/withdraw/": "POST only",
    "w/<slug:workspace_slug>/attendance/clock": "POST only (the dashboard's clock widget; a GET goes home)",
    "w/<slug:workspace_slug>/attendance/holidays/fill": "POST only (a GET goes to the holidays page)",
    "w/<slug:workspace_slug>/attendance/holidays/import": "POST only (a GET goes to the holidays page)",
    "w/<slug:workspace_slug>/attendance/holidays/<int:holiday_id>/delete": "POST only",
    "w/<slug:workspace_slug>/leave/balances/adjust": "POST only (a GET goes to the balances page)",
    "w/<slug:workspace_slug>/leave/requests/preview/": "a part of the request form (its count), fetched by htmx",
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/attachment/": "a download (a PDF or an image)",
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/approve/": "POST only (a GET goes to the approvals)",
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/reject/": "POST only (a GET goes to the approvals)",
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/cancel/": "POST only (a GET goes to my leave)",
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/comment/": "POST only (a GET goes to my leave)",
    "w/<slug:workspace_slug>/leave/delegations/<int:delegation_id>/end/": "POST only",
}


def _reached_as_is(pattern: str) -> bool:
    """A pattern with no parameter but the workspace slug is visited without help."""
    return pattern.replace("<slug:workspace_slug>", "").count("<") == 0 and pattern not in NOT_PAGES


def _as_is(pattern: str) -> str:
    return "/" + pattern.replace("<slug:workspace_slug>", "{slug}")


def test_every_page_pattern_is_reached():
    patterns = page_patterns()
    unknown = sorted(p for p in patterns if not _reached_as_is(p) and p not in WAYS and p not in NOT_PAGES)
    assert not unknown, ("these pages need an example URL (WAYS) or a reason they are no page (NOT_PAGES) in "
                         f"tests/e2e/test_accessibility.py: {unknown}")
    stale = sorted((set(WAYS) | set(NOT_PAGES)) - patterns)
    assert not stale, f"WAYS/NOT_PAGES name patterns that no longer exist: {stale}"


# --- the world the owner sees ----------------------------------------------------------------------------------


@pytest.fixture
def world(workspace, owner, company):
    """Ids and codes the page table needs; the workspace already has people, departments and branches."""
    actor = actor_for(owner, workspace)
    with workspace_scope(workspace):
        invitation = invite_member(actor, email="newcomer@example.test", role="member")
        custom = roles.create_role(actor, name="Recruiter", description="Sees people and invites",
                                   permissions=["workspace.member.view", "workspace.member.invite"])
        builtin = Role.objects.get(key="admin")
    # Someone with two-factor sign-in on (for its second sign-in step) and someone in no workspace.
    guarded = make_user("guarded@example.test")
    secret, _uri = accounts.begin_two_factor_setup(guarded)
    accounts.enable_two_factor(guarded, code=pyotp.TOTP(secret).now())
    make_user("lonely@example.test")
    # Notifications of the owner's (one read, one unread), for the bell, the centre and an unsubscribe link.
    import uuid

    from django.utils import timezone

    from oorg.notifications.emails import unsubscribe_token
    from oorg.notifications.models import Notification

    for title, read_at in (("Your role changed", None), ("Someone accepted your invitation", timezone.now())):
        Notification.objects.create(user=owner, workspace=workspace, event_id=uuid.uuid4(), title=title,
                                    kind="workspaces.role_changed", url=f"/w/{workspace.slug}/", read_at=read_at)
    return {"slug": workspace.slug, "employee": company["report"].pk, "ceo": company["ceo"].pk,
            "department": company["engineering"].pk, "branch": company["berlin"].pk, "custom_role": custom.pk,
            "builtin_role": builtin.pk, "invitation_code": invitation.plain_code,
            "membership": company["report"].member_id,
            "two_factor_email": guarded.email, "lonely_email": "lonely@example.test",
            "today": dt.date.today().isoformat(),
            "unsubscribe_token": unsubscribe_token(owner.pk, ["workspaces.role_changed"]),
            "webhook": _webhook_with_a_delivery(actor, workspace), **_crm_deals(actor, workspace),
            **_crm_contacts(actor, workspace), **_crm_leads(actor, workspace),
            **_leave_requests(workspace, company), **_clocking(actor, workspace, company),
            **_attendance_days(actor, workspace, company)}


def _attendance_days(actor, workspace, company) -> dict:
    """A shift assigned to Berlin, last week's computed days of the owner's and Remy's (present, late, absent),
    and a waiting correction of Remy's (the owner decides it): my/team attendance, shifts and corrections."""
    from oorg.attendance import days
    from oorg.attendance.models import Correction, Session
    from oorg.attendance.services import shifts

    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    with workspace_scope(workspace):
        shift = shifts.create_shift(actor, name="Office", starts="09:00", ends="17:00", break_minutes=30,
                                    grace_minutes=5, working_days=["mon", "tue", "wed", "thu", "fri"])
        shifts.create_assignment(actor, shift_id=shift.pk, branch_id=company["berlin"].pk,
                                 starts_on=monday - dt.timedelta(days=30))
        for employee in (company["ceo"], company["report"]):
            for offset in (0, 1):
                start = dt.datetime.combine(monday + dt.timedelta(days=offset), dt.time(7, 7), tzinfo=dt.timezone.utc)
                Session.objects.create(workspace=workspace, employee=employee, work_date=start.date(),
                                       started_at=start, ended_at=start + dt.timedelta(hours=8), start_source="web",
                                       end_source="web")
            days.recompute_range(employee, monday, monday + dt.timedelta(days=6))
        clock_in = dt.datetime.combine(monday + dt.timedelta(days=2), dt.time(7), tzinfo=dt.timezone.utc)
        Correction.objects.create(workspace=workspace, employee=company["report"], work_date=clock_in.date(),
                                  clock_in=clock_in, clock_out=clock_in + dt.timedelta(hours=8),
                                  reason="Forgot to clock in", requested_by_id=company["report"].member_id)
    return {"att_shift": shift.pk}


def _clocking(actor, workspace, company) -> dict:
    """An allowed site, and a kiosk (kiosks on) where Remy has a PIN; the owner is clocked in (the widget)."""
    from oorg.attendance.services import clocking, kiosks, policy, sites

    with workspace_scope(workspace):
        policy.update_policy(actor, kiosk_enabled=True)
        site = sites.create_site(actor, name="Berlin office", branch_id=company["berlin"].pk, latitude=52.529,
                                 longitude=13.401, radius_m=200)
        kiosks.set_pin(actor, company["report"], pin="4812")
        kiosk, url = kiosks.create_kiosk(actor, name="Front desk", branch_id=company["berlin"].pk)
        clocking.clock_in(actor, company["ceo"], source="web", latitude=52.529, longitude=13.401)
    return {"att_site": site.pk, "att_kiosk": kiosk.pk, "att_kiosk_key": url.rstrip("/").rsplit("/", 1)[1]}


def _leave_requests(workspace, company) -> dict:
    """A waiting request of Remy's (the owner decides it) with a comment of his, for the request page and the
    approvals inbox."""
    from oorg.core.permissions import Actor
    from oorg.leave.models import LeaveRequest, LeaveType
    from oorg.leave.services import approvals

    day = dt.date.today() + dt.timedelta(days=40)
    with workspace_scope(workspace):
        req = LeaveRequest.objects.create(workspace=workspace, employee=company["report"],
                                          leave_type=LeaveType.objects.get(code="annual"), start_date=day,
                                          end_date=day + dt.timedelta(days=2), working_days=3, note="Family visit")
        approvals.comment(Actor.system(workspace), req, comment="Handover done.")
    return {"leave_request": req.pk}

def _crm_deals(actor, workspace) -> dict:
    """A pipeline with deals in two stages (one moved, so its page has a stage history), for the board, the
    forecast and the deal pages."""
    from oorg.crm.services import deals as deal_services
    from oorg.crm.services import pipelines as pipeline_services

    with workspace_scope(workspace):
        pipeline = pipeline_services.ensure_default_pipeline(workspace)
        stages = list(pipeline.stages.order_by("position", "id"))
        deal = deal_services.create_deal(actor, name="Accessibility probe", amount="1200.50",
                                         expected_close_date=dt.date.today().isoformat())
        deal_services.move_deal(actor, deal, stages[1].pk)
        deal_services.create_deal(actor, name="Second probe", amount="80", currency="USD")
    return {"deal": deal.pk, "pipeline": pipeline.pk}


def _crm_contacts(actor, workspace) -> dict:
    """A company with a contact (and a duplicate of it, for the duplicates page) and a custom field of each
    kind that shows an input of its own, so the record forms show them."""
    from oorg.crm.services import companies, contacts, custom_fields

    with workspace_scope(workspace):
        for name, kind, choices in (("tier", "choice", ["gold", "silver"]), ("areas", "multi_choice", ["eu", "us"]),
                                    ("active", "boolean", None), ("since", "date", None)):
            field = custom_fields.create_custom_field(actor, entity="contact", name=name, label=name.capitalize(),
                                                      type=kind, choices=choices)
        company = companies.create_company(actor, name="Probe Ltd", domain="probe.example", size="11-50")
        contact = contacts.create_contact(actor, full_name="Probe Person", email="probe@example.test",
                                          company_ids=[company.pk], custom_fields={"tier": "gold", "areas": ["eu"]})
        contacts.create_contact(actor, full_name="Probe Twin", email="probe@example.test", allow_duplicate=True)
    return {"crm_contact": contact.pk, "crm_company": company.pk, "crm_custom_field": field.pk}


def _crm_leads(actor, workspace) -> dict:
    """A lead with a note, one converted (its page shows what it became), and a web form with a consent question
    and two people in its round-robin."""
    from oorg.core.models import Membership
    from oorg.crm.services import conversion, leads, notes, web_forms

    with workspace_scope(workspace):
        lead = leads.create_lead(actor, full_name="Probe Lead", email="lead@probe-lead.example", phone="+4930123456",
                                 company_name="Probe Lead Ltd", tags=["fair"])
        notes.create_note(actor, body="<p>Met at the <strong>fair</strong></p>", lead_id=lead.pk)
        converted = leads.create_lead(actor, full_name="Converted Lead", email="won@converted.example",
                                      company_name="Converted Ltd")
        conversion.convert_lead(actor, converted, create_deal=True)
        people = list(Membership.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:2])
        form = web_forms.create_web_form(actor, name="Contact us", assignees=people, tags=["website"],
                                         consent_text="I agree that you keep my details to answer me.",
                                         consent_required=True)
    return {"crm_lead": lead.pk, "crm_converted_lead": converted.pk, "crm_web_form": form.pk,
            "crm_web_form_key": form.key}


def _webhook_with_a_delivery(actor, workspace) -> int:
    """A webhook whose test event failed (its name resolves nowhere), so its page has a delivery log."""
    from oorg.webhooks import services as webhooks

    with workspace_scope(workspace):
        webhook, _secret = webhooks.create_subscription(actor, url="https://hooks.example.test/a11y", events=["*"],
                                                        description="Accessibility probe")
        webhooks.send_test_event(actor, webhook)
    return webhook.pk


# --- the walk ------------------------------------------------------------------------------------------------------


@dataclass
class Walk:
    page: object
    base: str
    where: str  # "signed out at 375px"
    seen: set = field(default_factory=set)
    problems: dict = field(default_factory=dict)  # "impact rule (help): targets" -> the pages it is on
    checked: int = 0

    def check(self, label: str = "", *, again: bool = False) -> None:
        """axe on the page as it is now. A page reached by URL is checked once per run (many URLs redirect to
        the sign-in page or the workspace home); a state reached by steps (`again`) always is."""
        url = urlsplit(self.page.url)
        key = (url.path, "" if "next=" in url.query else url.query)
        if key in self.seen and not again:
            return
        self.seen.add(key)
        settle(self.page)
        self.checked += 1
        where = self.page.url.removeprefix(self.base) + (f" ({label})" if label else "")
        for line in findings(failing(violations(self.page))):
            self.problems.setdefault(line, []).append(where)

    def visit(self, url: str, label: str = "") -> None:
        """GET the URL; an HTML answer (after redirects) is checked; a download or a 405 is no page."""
        response = self.page.request.get(self.base + url)
        if response.status >= 500:
            self.problems.setdefault(f"answered {response.status}", []).append(url)
            return
        if response.status == 405 or "text/html" not in response.headers.get("content-type", ""):
            return
        self.page.goto(self.base + url)
        self.check(label)

    def follow(self, way: Way, world: dict) -> None:
        if way.steps is not None:
            way.steps(self.page, self.base, world)
            self.check(way.label, again=True)
        else:
            self.visit(way.url.format(**world), way.label)


def _walk(page, base: str, world: dict, where: str, *, signed_out: bool) -> Walk:
    walk = Walk(page, base, where)
    for pattern in sorted(page_patterns()):
        if _reached_as_is(pattern):
            walk.visit(_as_is(pattern).format(**world))
    for pattern, ways in sorted(WAYS.items()):
        for way in ways:
            if way.signed_out == signed_out:
                walk.follow(way, world)
                if signed_out:
                    page.context.clear_cookies()  # a way may sign in half- or all the way
    for way in EXTRA:
        if way.signed_out == signed_out:
            walk.follow(way, world)
    return walk


def _report(walk: Walk) -> None:
    print(f"axe checked {walk.checked} pages {walk.where}")
    assert walk.checked > 5, f"only {walk.checked} pages reached {walk.where}: is the walk broken?"
    report = [f"{problem}\n    on {len(pages)} page(s): {', '.join(pages)}" for problem, pages in walk.problems.items()]
    assert not walk.problems, (f"serious or critical accessibility violations {walk.where} (axe-core; each with the "
                               "nodes it names and the pages it is on):\n" + "\n".join(report))


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module; each test walks in a fresh context (its own cookies) at its viewport."""
    with pytest.MonkeyPatch.context() as mp, chromium(mp) as browser:
        yield browser


@pytest.mark.browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_pages_signed_out_have_no_serious_violations(live_server, browser, world, viewport):
    page = new_page(browser, VIEWPORTS[viewport])
    try:
        walk = _walk(page, live_server.url, world, f"signed out at {viewport}", signed_out=True)
    finally:
        page.context.close()
    _report(walk)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_pages_of_an_owner_have_no_serious_violations(live_server, browser, world, workspace, owner, viewport):
    page = new_page(browser, VIEWPORTS[viewport])
    try:
        sign_in(page, live_server, owner, workspace)
        walk = _walk(page, live_server.url, world, f"as the owner at {viewport}", signed_out=False)
    finally:
        page.context.close()
    _report(walk)
