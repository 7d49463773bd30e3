"""POST/redirect/GET, for every page. The URL resolver is walked for every page view that accepts POST (or
does not say which methods it takes); each must have a valid submission in SUBMISSIONS, whose answer must be a
redirect, so a reload never repeats it. A new POST view without an entry fails `test_every_post_page_has_an_
entry`. EXEMPT lists the few that may answer a POST with a page, each with its reason.

And a GET on a URL that only takes POST goes to the page holding its form (oorg.web.middleware), checked for
every such URL the walk finds.

An entry is `name: submit`, where `submit(w)` sends the valid POST (as the user who would send it) and returns
the response; `w` is the World below, a small company (tests/conftest.py `company`) and its members.
"""
from __future__ import annotations

import io
import re
import time

import pyotp
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from oorg.accounts import services as accounts
from oorg.accounts.models import UserSession
from oorg.core.models import Membership
from oorg.core.permissions import Actor
from oorg.core.roles import create_role
from oorg.core.tenancy import workspace_scope
from oorg.org import services as org_services
from oorg.web.middleware import allowed_methods
from oorg.workspaces import services as workspace_services
from tests.conftest import PASSWORD, actor_for
from tests.web.pages import sign_in, signed_in_client

pytestmark = pytest.mark.django_db


def page_views() -> dict[str, tuple[str, object]]:
    """{URL name ("ns:name", or the pattern when unnamed): (pattern, view)} for every page URL (not /api/)."""
    found = {}

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                found[f"{namespace}{p.name}" if p.name else route] = (route, p.callback)

    walk(get_resolver().url_patterns)
    return found


def post_pages() -> set[str]:
    """Pages whose view takes POST, or does not declare its methods (then it must be listed too)."""
    return {name for name, (_route, view) in page_views().items()
            if (methods := allowed_methods(view)) is None or "POST" in methods}


def post_only_pages() -> set[str]:
    return {name for name, (_route, view) in page_views().items() if allowed_methods(view) == {"POST"}}


EXEMPT = {
    "healthz": "the load balancer's probe: JSON, not a page, changes nothing",
    "^api/": "the API's JSON 404 for unknown paths",
}


# --- the world the submissions act in -------------------------------------------------------------------------


class World:
    def __init__(self, workspace, company, outbox, users):
        self.workspace, self.slug, self.company, self.outbox, self.users = (
            workspace, workspace.slug, company, outbox, users)
        self._clients = {}

    def client(self, role: str = "owner") -> Client:
        """A browser signed in as the company's owner, hr, manager or member."""
        if role not in self._clients:
            self._clients[role] = signed_in_client(self.users[role])
        return self._clients[role]

    def url(self, name: str, **kwargs) -> str:
        if name.split(":")[0] in ("workspaces", "org") and name != "workspaces:create":
            kwargs.setdefault("workspace_slug", self.slug)
        return reverse(name, kwargs=kwargs)

    def post(self, name: str, data=None, *, role: str = "owner", url_kwargs=None):
        return self.client(role).post(self.url(name, **(url_kwargs or {})), data or {})

    def setup(self, service, **kwargs):
        """Call a service as the owner, inside the workspace (what an entry needs before its POST)."""
        with workspace_scope(self.workspace):
            return service(self.actor(), **kwargs)

    def actor(self, role: str = "owner") -> Actor:
        return actor_for(self.users[role], self.workspace)

    def membership(self, role: str) -> Membership:
        with workspace_scope(self.workspace):
            return Membership.objects.get(user=self.users[role])

    def invitation(self, email="new@acme.test"):
        with workspace_scope(self.workspace):
            return workspace_services.invite_member(self.actor(), email=email, role="member")

    def two_factor_owner(self) -> tuple[Client, pyotp.TOTP]:
        """The owner with two-factor sign-in on, signed in through both steps in a fresh browser."""
        owner = self.users["owner"]
        secret, _uri = accounts.begin_two_factor_setup(owner)
        totp = pyotp.TOTP(secret)
        accounts.enable_two_factor(owner, code=totp.now())
        client = Client()
        client.post("/signin", {"email": owner.email, "password": PASSWORD})
        done = client.post("/signin/two-factor", {"otp": totp.at(time.time() + 30)})
        assert done.status_code == 302, done.status_code
        return client, totp


def _image(name="photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


SIGNUP = {"full_name": "Ada Lovelace", "email": "ada@example.test", "workspace_name": "Analytical Engines",
          "password": PASSWORD, "accept_policies": "on"}


def _verify(w):
    client = Client()
    client.post("/signup", SIGNUP)
    return client.post("/verify", {"email": SIGNUP["email"], "code": w.outbox.last_code(SIGNUP["email"])})


def _signin_two_factor(w):
    owner = w.users["owner"]
    secret, _uri = accounts.begin_two_factor_setup(owner)
    totp = pyotp.TOTP(secret)
    accounts.enable_two_factor(owner, code=totp.now())
    client = Client()
    client.post("/signin", {"email": owner.email, "password": PASSWORD})
    return client.post("/signin/two-factor", {"otp": totp.at(time.time() + 30)})


def _reset_confirm(w):
    client = Client()
    client.post("/reset", {"email": "member@acme.test"})
    return client.post("/reset/confirm", {"email": "member@acme.test", "code": w.outbox.last_code("member@acme.test"),
                                          "new_password": "Another-Sturdy-Passphrase-7"})


def _accept_invitation(w):
    invitation = w.invitation("grace@example.test")
    return Client().post("/invitations/accept", {"code": invitation.plain_code, "full_name": "Grace Hopper",
                                                 "password": PASSWORD})


def _revoke_session(w):
    laptop = w.client("member")
    sign_in(Client(), "member@acme.test")  # a second session of the same user: the one revoked
    other = UserSession.objects.filter(user=w.users["member"]).order_by("-pk").first()
    return laptop.post(reverse("accounts:session-revoke", args=[other.pk]))


def _revoke_token(w):
    token, _secret = accounts.issue_token(w.users["member"], w.membership("member"), name="cli")
    return w.client("member").post(reverse("accounts:token-revoke", args=[token.pk]), {"workspace": w.slug})


def _two_factor_disable(w):
    client, _totp = w.two_factor_owner()
    return client.post("/account/two-factor/disable", {"password": PASSWORD})


def _recovery_codes(w):
    client, _totp = w.two_factor_owner()
    return client.post("/account/recovery-codes", {"password": PASSWORD})


def _email_confirm(w):
    client = w.client("member")
    client.post("/account/email", {"action": "request", "new_email": "remy@elsewhere.test", "password": PASSWORD})
    return client.post("/account/email", {"action": "confirm", "code": w.outbox.last_code("remy@elsewhere.test")})


def _role(w):
    return w.setup(create_role, name="Auditor", permissions=["workspace.member.view"])


def _import(w, step):
    from tests.org.test_setup_views import GOOD_CSV, _check, _upload

    client = w.client("hr")
    if step == "upload":
        return _upload(client, w.workspace, GOOD_CSV)
    _upload(client, w.workspace, GOOD_CSV)
    if step == "columns":
        columns = client.get(w.url("org:import-mapping")).content.decode()
        headers = re.findall(r'name="header" value="([^"]*)"', columns)
        chosen = re.findall(r'<option value="([^"]*)"[^>]* selected>', columns)
        return client.post(w.url("org:import-mapping"), {"header": headers, "column": chosen, "action": "check"})
    _check(client, w.workspace)
    return client.post(w.url("org:import-confirm"), {"mode": "all_or_nothing"})


def _crm_import(w, step):
    client = w.client("owner")
    url = lambda name: reverse(name, kwargs={"workspace_slug": w.slug})  # noqa: E731
    upload = client.post(url("crm:import"), {"entity": "lead", "file": SimpleUploadedFile(
        "leads.csv", b"full_name,email\nPrg Lead,prg@example.test\n")})
    if step == "upload":
        return upload
    check = client.post(url("crm:import-mapping"), {"header": ["full_name", "email"], "column": ["full_name", "email"],
                                                    "dedupe": "skip", "action": "check"})
    if step == "columns":
        return check
    return client.post(url("crm:import-confirm"), {"mode": "all_or_nothing"})


def _crm_deal(w, action: str):
    """The board's move, the deal form and delete, and the pipeline settings, as the workspace's owner."""
    from oorg.crm.services import deals as deal_services
    from oorg.crm.services import pipelines as pipeline_services

    with workspace_scope(w.workspace):
        pipeline = pipeline_services.ensure_default_pipeline(w.workspace)
        stages = list(pipeline.stages.order_by("position", "id"))
    deal = w.setup(deal_services.create_deal, name="Prg deal", amount="100")
    url = lambda name, **kw: reverse(name, kwargs={"workspace_slug": w.slug, **kw})  # noqa: E731
    client = w.client("owner")
    deal_form = {"name": "Prg deal", "amount": "120.00", "currency": "EUR", "stage_id": stages[1].pk,
                 "owner_id": w.membership("owner").pk}
    if action == "move":
        return client.post(url("crm:board-move", deal_id=deal.pk), {"stage_id": stages[1].pk})
    if action == "new":
        return client.post(url("crm:deal-new"), deal_form)
    if action == "edit":
        return client.post(url("crm:deal-edit", deal_id=deal.pk), deal_form)
    if action == "delete":
        return client.post(url("crm:deal-delete", deal_id=deal.pk))
    stage_rows = {"rows": "1", "stage_0_name": "Only", "stage_0_probability": "10", "stage_0_outcome": "open"}
    if action == "pipeline-new":
        return client.post(url("crm:pipeline-new"), {"name": "Prg pipeline", **stage_rows})
    empty = w.setup(pipeline_services.create_pipeline, name="Prg empty", stages=[{"name": "A", "probability": 5}])
    if action == "pipeline-edit":
        return client.post(url("crm:pipeline-edit", pipeline_id=empty.pk), {"name": "Prg renamed", **stage_rows})
    return client.post(url("crm:pipeline-delete", pipeline_id=empty.pk))


def _crm_timeline(w, action: str):
    """The timeline's forms (a note, an activity, done/undone) and the lists' columns and saved views, as the owner."""
    from oorg.crm.models import Activity, Lead, Note, SavedView

    with workspace_scope(w.workspace):
        lead = Lead.objects.create(workspace=w.workspace, full_name="Prg lead", owner=w.membership("owner"))
        activity = Activity.objects.create(workspace=w.workspace, lead=lead, kind="call", subject="Prg call",
                                           owner=w.membership("owner"))
        note = Note.objects.create(workspace=w.workspace, lead=lead, body="<p>Prg</p>", author=w.users["owner"])
        view = SavedView.objects.create(workspace=w.workspace, user=w.users["owner"], entity="lead", name="Prg")
    url = lambda name, **kw: reverse(name, kwargs={"workspace_slug": w.slug, **kw})  # noqa: E731
    client = w.client("owner")
    back = {"next": url("crm:leads")}
    on_lead = {"entity": "lead", "record_id": lead.pk, **back}
    return {
        "note-add": lambda: client.post(url("crm:note-add"), {**on_lead, "body": "<p>Called</p>"}),
        "note-delete": lambda: client.post(url("crm:note-delete", note_id=note.pk), back),
        "activity-add": lambda: client.post(url("crm:activity-add"), {**on_lead, "kind": "task", "subject": "Prg"}),
        "activity-done": lambda: client.post(url("crm:activity-done", activity_id=activity.pk), back),
        "activity-undone": lambda: client.post(url("crm:activity-undone", activity_id=activity.pk), back),
        "list-columns": lambda: client.post(url("crm:list-columns"), {"entity": "lead", "columns": ["email"], **back}),
        "view-save": lambda: client.post(url("crm:view-save"), {"entity": "lead", "name": "Prg hot",
                                                                "query": "status=new"}),
        "view-delete": lambda: client.post(url("crm:view-delete", view_id=view.pk)),
    }[action]()


def _crm_contacts(w, action: str):
    """Contact and company forms and deletes, custom fields settings, a merge and a bulk change, as the owner."""
    from oorg.crm.models import Company, Contact, CustomField

    owner = w.membership("owner")
    with workspace_scope(w.workspace):
        contact = Contact.objects.create(workspace=w.workspace, full_name="Prg contact", email="prg@example.test",
                                         owner=owner)
        twin = Contact.objects.create(workspace=w.workspace, full_name="Prg twin", email="prg@example.test",
                                      owner=owner)
        company = Company.objects.create(workspace=w.workspace, name="Prg company", owner=owner)
        field = CustomField.objects.create(workspace=w.workspace, entity="contact", name="prg", label="Prg",
                                           type="text")
    url = lambda name, **kw: reverse(name, kwargs={"workspace_slug": w.slug, **kw})  # noqa: E731
    client = w.client("owner")
    return {
        "contact-new": lambda: client.post(url("crm:contact-new"), {"full_name": "Prg new", "owner_id": owner.pk}),
        "contact-edit": lambda: client.post(url("crm:contact-edit", contact_id=contact.pk),
                                            {"full_name": "Prg renamed", "email": "prg@example.test",
                                             "owner_id": owner.pk}),
        "contact-delete": lambda: client.post(url("crm:contact-delete", contact_id=contact.pk)),
        "company-new": lambda: client.post(url("crm:company-new"), {"name": "Prg new", "owner_id": owner.pk}),
        "company-edit": lambda: client.post(url("crm:company-edit", company_id=company.pk),
                                            {"name": "Prg renamed", "owner_id": owner.pk}),
        "company-delete": lambda: client.post(url("crm:company-delete", company_id=company.pk)),
        "custom-field-new": lambda: client.post(url("crm:custom-field-new"), {"entity": "lead", "label": "Prg",
                                                                              "name": "prg", "type": "text"}),
        "custom-field-edit": lambda: client.post(url("crm:custom-field-edit", field_id=field.pk), {"label": "Prg 2"}),
        "custom-field-delete": lambda: client.post(url("crm:custom-field-delete", field_id=field.pk)),
        "merge": lambda: client.post(url("crm:merge"), {"entity": "contact", "target_id": contact.pk,
                                                        "source_id": twin.pk}),
        "bulk": lambda: client.post(url("crm:bulk"), {"entity": "contact", "action": "update", "filter.q": "Prg",
                                                      "add_tags": "prg"}),
    }[action]()


def _crm_leads(w, action: str):
    """The lead form, convert and delete, the web form settings (as the owner) and the public form (signed out)."""
    from oorg.crm.models import Lead
    from oorg.crm.services import pipelines as pipeline_services
    from oorg.crm.services import web_forms

    owner = w.membership("owner")
    with workspace_scope(w.workspace):
        pipeline_services.ensure_default_pipeline(w.workspace)
        lead = Lead.objects.create(workspace=w.workspace, full_name="Prg lead", email="prg@lead.example",
                                   company_name="Prg Ltd", owner=owner)
    form = w.setup(web_forms.create_web_form, name="Prg form")
    url = lambda name, **kw: reverse(name, kwargs={"workspace_slug": w.slug, **kw})  # noqa: E731
    client = w.client("owner")
    lead_form = {"full_name": "Prg new", "status": "new", "source": "manual", "owner_id": owner.pk}
    return {
        "lead-new": lambda: client.post(url("crm:lead-new"), lead_form),
        "lead-edit": lambda: client.post(url("crm:lead-edit", lead_id=lead.pk), {**lead_form, "full_name": "Prg 2"}),
        "lead-delete": lambda: client.post(url("crm:lead-delete", lead_id=lead.pk)),
        "lead-convert": lambda: client.post(url("crm:lead-convert", lead_id=lead.pk), {"create_deal": "on"}),
        "web-form-new": lambda: client.post(url("crm:web-form-new"), {"name": "Prg new form", "active": "on"}),
        "web-form": lambda: client.post(url("crm:web-form", web_form_id=form.pk), {"name": "Prg renamed"}),
        "web-form-rotate": lambda: client.post(url("crm:web-form-rotate", web_form_id=form.pk)),
        "web-form-delete": lambda: client.post(url("crm:web-form-delete", web_form_id=form.pk)),
        "public": lambda: Client().post(reverse("crm-public:form", kwargs={"key": form.key}),
                                        {"full_name": "Prg visitor", "email": "visitor@example.test"}),
    }[action]()


def _employee(w, key="report"):
    return {"employee_id": w.company[key].pk}


def _notification(w, action: str):
    """A notification of the member's, then one of its buttons (read, unread, open)."""
    import uuid

    from oorg.notifications.models import Notification

    n = Notification.objects.create(user=w.users["member"], workspace=w.workspace, event_id=uuid.uuid4(),
                                    kind="workspaces.role_changed", title="Your role changed", url=f"/w/{w.slug}/")
    return w.client("member").post(reverse(f"notifications:{action}", kwargs={"workspace_slug": w.slug,
                                                                               "notification_id": n.pk}))


def _unsubscribe(w):
    from oorg.notifications.emails import unsubscribe_token

    return Client().post(reverse("notifications:unsubscribe",
                                 args=[unsubscribe_token(w.users["member"].pk, ["workspaces.role_changed"])]))


def _webhook(w, *, delivery=False) -> dict:
    """A webhook of the workspace (and a test delivery of it): the URL arguments of its pages."""
    from oorg.webhooks import services as webhooks

    webhook, _secret = w.setup(webhooks.create_subscription, url="https://hooks.example.test/w", events=["*"])
    kwargs = {"workspace_slug": w.slug, "webhook_id": webhook.pk}
    if delivery:
        with workspace_scope(w.workspace):
            kwargs["delivery_id"] = webhooks.send_test_event(w.actor(), webhook).pk
    return kwargs


BRANCH = {"name": "Lisbon", "country": "PT", "time_zone": "Europe/Lisbon", "working_days": ["mon", "tue"],
          "work_starts": "09:00", "work_ends": "17:00"}

def _shifts_and_corrections(w, step: str):
    """Shifts and assignments (as HR); a correction asked by the member and decided by the manager."""
    import datetime as dt

    from oorg.attendance.models import Correction, Shift, ShiftAssignment

    slug = {"workspace_slug": w.slug}
    with workspace_scope(w.workspace):
        shift = Shift.objects.create(workspace=w.workspace, name="PRG shift", starts=dt.time(9), ends=dt.time(17))
        assignment = ShiftAssignment.objects.create(workspace=w.workspace, shift=shift, branch=w.company["remote"],
                                                    starts_on=dt.date(2030, 1, 1))
        clock_in = dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone.utc)
        correction = Correction.objects.create(workspace=w.workspace, employee=w.company["report"],
                                               work_date=clock_in.date(), clock_in=clock_in,
                                               clock_out=clock_in + dt.timedelta(hours=8), reason="PRG")
    if step == "shift-add":
        return w.post("attendance:shift-add", {"shift-name": "PRG 2", "shift-starts": "08:00", "shift-ends": "16:00"},
                      role="hr", url_kwargs=slug)
    if step == "shift":
        return w.post("attendance:shift", {"name": "PRG renamed", "starts": "08:00", "ends": "16:00"}, role="hr",
                      url_kwargs={**slug, "shift_id": shift.pk})
    if step == "shift-delete":
        return w.post("attendance:shift-delete", role="hr", url_kwargs={**slug, "shift_id": shift.pk})
    if step == "assignment-add":
        return w.post("attendance:assignment-add", {"assign-shift_id": str(shift.pk),
                                                    "assign-employee_id": str(w.company["report"].pk),
                                                    "assign-starts_on": "2030-01-01"}, role="hr", url_kwargs=slug)
    if step == "assignment-delete":
        return w.post("attendance:assignment-delete", role="hr",
                      url_kwargs={**slug, "assignment_id": assignment.pk})
    if step == "correction-new":
        return w.post("attendance:correction-new", {"work_date": "2026-03-03", "clock_in": "2026-03-03T09:00",
                                                    "clock_out": "2026-03-03T17:00", "reason": "PRG"},
                      role="member", url_kwargs=slug)
    if step == "correction-withdraw":
        return w.post("attendance:correction-withdraw", role="member",
                      url_kwargs={**slug, "correction_id": correction.pk})
    return w.post(f"attendance:{step}", {"comment": "ok"}, role="manager",
                  url_kwargs={**slug, "correction_id": correction.pk})


def _clocking(w, step: str):
    """The clock widget's POST and one's PIN (as the member), clocking settings (as HR), the kiosk (signed out)."""
    from oorg.attendance.models import Kiosk, Site
    from oorg.attendance.services import kiosks, policy

    slug = {"workspace_slug": w.slug}
    with workspace_scope(w.workspace):
        site = Site.objects.create(workspace=w.workspace, name="PRG site", branch=w.company["berlin"], latitude=52.5,
                                   longitude=13.4)
        kiosk = Kiosk.objects.create(workspace=w.workspace, name="PRG kiosk", key_hash="p" * 64, key_sealed="x")
    site_form = {"name": "PRG site 2", "owner": "branch", "branch_id": str(w.company["berlin"].pk),
                 "latitude": "52.5", "longitude": "13.4", "radius_m": "150"}
    if step == "clock":
        return w.post("attendance:clock", {"action": "in"}, role="member", url_kwargs=slug)
    if step == "my-pin":
        return w.post("attendance:my-pin", {"pin": "4812", "password": PASSWORD}, role="member", url_kwargs=slug)
    if step == "policy":
        return w.post("attendance:policy", {"outside_site": "refuse", "forgotten_after_hours": "4",
                                            "overtime_threshold_minutes": "15"}, role="hr", url_kwargs=slug)
    if step == "site-new":
        return w.post("attendance:site-new", site_form, role="hr", url_kwargs=slug)
    if step == "site":
        return w.post("attendance:site", site_form, role="hr", url_kwargs={**slug, "site_id": site.pk})
    if step == "site-delete":
        return w.post("attendance:site-delete", role="hr", url_kwargs={**slug, "site_id": site.pk})
    if step == "kiosks":
        return w.post("attendance:kiosks", {"name": "PRG new kiosk"}, role="hr", url_kwargs=slug)
    if step == "kiosk":
        return w.post("attendance:kiosk", {"name": "PRG renamed", "active": "on"}, role="hr",
                      url_kwargs={**slug, "kiosk_id": kiosk.pk})
    if step == "kiosk-rotate":
        return w.post("attendance:kiosk-rotate", role="hr", url_kwargs={**slug, "kiosk_id": kiosk.pk})
    if step == "kiosk-delete":
        return w.post("attendance:kiosk-delete", role="hr", url_kwargs={**slug, "kiosk_id": kiosk.pk})
    if step == "pins":
        return w.post("attendance:pins", {"code": "E003", "pin": "4812"}, role="hr", url_kwargs=slug)
    assert step == "public-kiosk", step
    with workspace_scope(w.workspace):
        policy.update_policy(w.actor(), kiosk_enabled=True)
        kiosks.set_pin(w.actor(), w.company["report"], pin="4812")
        _kiosk, url = kiosks.create_kiosk(w.actor(), name="PRG public kiosk")
    return Client().post("/" + url.split("/", 3)[3], {"code": "E003", "pin": "4812", "action": "in"})


def _holidays_and_balances(w, step: str):
    """Holidays (attendance/views/holidays.py), leave types and balance adjustments (leave/views/settings.py), as HR."""
    import datetime as dt

    from oorg.attendance.models import Holiday
    from oorg.leave.models import LeaveType

    slug = {"workspace_slug": w.slug}
    with workspace_scope(w.workspace):
        annual = LeaveType.objects.get(code="annual")
    policy = {"name": "PRG leave", "color": "#112233", "accrual": "yearly", "days_per_year": "5",
              "min_notice_days": "0", "half_days": "on"}
    if step == "holiday-add":
        return w.post("attendance:holiday-add", {"date": "2031-01-01", "name": "PRG day", "branch": "all"}, role="hr",
                      url_kwargs=slug)
    if step == "holiday-fill":
        return w.post("attendance:holiday-fill", {"branch": str(w.company["berlin"].pk), "year": "2031"}, role="hr",
                      url_kwargs=slug)
    if step == "holiday-import":
        return w.client("hr").post(reverse("attendance:holiday-import", kwargs=slug), {
            "file": SimpleUploadedFile("days.csv", b"date,name\n2031-02-01,PRG\n"), "branch": "all"})
    if step == "holiday-delete":
        with workspace_scope(w.workspace):
            holiday = Holiday.objects.create(workspace=w.workspace, date=dt.date(2031, 3, 1), name="PRG")
        return w.post("attendance:holiday-delete", role="hr", url_kwargs={**slug, "holiday_id": holiday.pk})
    if step == "type-new":
        return w.post("leave:type-new", {**policy, "code": "prg"}, role="hr", url_kwargs=slug)
    if step == "type":
        return w.post("leave:type", {**policy, "name": "Annual leave", "days_per_year": "26"}, role="hr",
                      url_kwargs={**slug, "leave_type_id": annual.pk})
    return w.post("leave:balance-adjust", {"employee_id": w.company["report"].pk, "leave_type_id": annual.pk,
                                           "days": "1", "reason": "PRG"}, role="hr", url_kwargs=slug)


def _leave_request(w, action: str):
    """A pending request of the member's (Remy, Mia's report) and the forms of its page, of the request form and
    of the delegations page (leave/views/requests.py, leave/views/approvals.py)."""
    import datetime as dt

    from oorg.leave.models import Delegation, LeaveRequest, LeaveType

    day = dt.date.today() + dt.timedelta(days=60)
    with workspace_scope(w.workspace):
        unpaid = LeaveType.objects.get(code="unpaid")
        req = LeaveRequest.objects.create(workspace=w.workspace, employee=w.company["report"], leave_type=unpaid,
                                          start_date=day, end_date=day, working_days=1,
                                          requested_by=w.membership("member"))
    url = lambda name, **kw: reverse(name, kwargs={"workspace_slug": w.slug, **kw})  # noqa: E731
    if action == "new":
        new_day = day + dt.timedelta(days=7)
        while new_day.weekday() >= 5:
            new_day += dt.timedelta(days=1)
        return w.client("member").post(url("leave:request-new"), {"leave_type_id": unpaid.pk,
                                                                  "start_date": new_day, "end_date": new_day})
    if action in ("approve", "reject"):
        return w.client("manager").post(url(f"leave:request-{action}", request_id=req.pk),
                                        {f"{action}-comment": "PRG"})
    if action in ("cancel", "comment"):
        return w.client("member").post(url(f"leave:request-{action}", request_id=req.pk),
                                       {f"{action}-comment": "PRG"})
    today = dt.date.today()
    if action == "delegations":
        return w.client("manager").post(url("leave:delegations"), {"delegate_id": w.membership("hr").pk,
                                                                  "starts_on": today, "ends_on": today})
    with workspace_scope(w.workspace):
        delegation = Delegation.objects.create(workspace=w.workspace, delegator=w.membership("manager"),
                                               delegate=w.membership("hr"), starts_on=today, ends_on=today)
    return w.client("manager").post(url("leave:delegation-end", delegation_id=delegation.pk))


SUBMISSIONS = {
    # accounts: signing up and in
    "accounts:signup": lambda w: Client().post("/signup", SIGNUP),
    "accounts:verify": _verify,
    "accounts:signin": lambda w: Client().post("/signin", {"email": "member@acme.test", "password": PASSWORD}),
    "accounts:signin-two-factor": _signin_two_factor,
    "accounts:signout": lambda w: w.client("member").post("/signout"),
    "accounts:reset": lambda w: Client().post("/reset", {"email": "member@acme.test"}),
    "accounts:reset-confirm": _reset_confirm,
    "accounts:accept-invitation": _accept_invitation,
    # accounts: the signed-in user's own account
    "accounts:session-revoke": _revoke_session,
    "accounts:sessions-revoke-others": lambda w: w.client("member").post("/account/sessions/revoke-others"),
    "accounts:token-create": lambda w: w.client("member").post("/account/tokens", {"workspace": w.slug,
                                                                                    "name": "Reporting"}),
    "accounts:token-revoke": _revoke_token,
    "accounts:two-factor-setup": lambda w: w.client("member").post("/account/two-factor", {"action": "begin"}),
    "accounts:two-factor-disable": _two_factor_disable,
    "accounts:recovery-codes": _recovery_codes,
    "accounts:profile": lambda w: w.client("member").post("/account/profile", {
        "full_name": "Remy R.", "time_zone": "Europe/Berlin", "language": "en"}),
    "accounts:photo-upload": lambda w: w.client("member").post("/account/photo/upload", {"photo": _image()}),
    "accounts:photo-remove": lambda w: w.client("member").post("/account/photo/remove"),
    "accounts:password": lambda w: w.client("member").post("/account/password", {
        "current_password": PASSWORD, "new_password": "Another-Sturdy-Passphrase-7"}),
    "accounts:email": _email_confirm,
    # workspaces: members, ownership, settings, roles
    "workspaces:member-invite": lambda w: w.post("workspaces:member-invite", {"email": "x@acme.test",
                                                                             "role": "member"}),
    "workspaces:member-role": lambda w: w.post("workspaces:member-role", {"role": "admin"},
                                               url_kwargs={"membership_id": w.membership("member").pk}),
    "workspaces:member-remove": lambda w: w.post("workspaces:member-remove",
                                                 url_kwargs={"membership_id": w.membership("member").pk}),
    "workspaces:member-transfer": lambda w: w.post("workspaces:member-transfer",
                                                   url_kwargs={"membership_id": w.membership("hr").pk}),
    "workspaces:transfer-accept": lambda w: (
        w.post("workspaces:member-transfer", url_kwargs={"membership_id": w.membership("hr").pk}),
        w.post("workspaces:transfer-accept", role="hr"))[-1],
    "workspaces:transfer-cancel": lambda w: (
        w.post("workspaces:member-transfer", url_kwargs={"membership_id": w.membership("hr").pk}),
        w.post("workspaces:transfer-cancel"))[-1],
    "workspaces:leave": lambda w: w.post("workspaces:leave", role="member"),
    "workspaces:invitation-withdraw": lambda w: w.post("workspaces:invitation-withdraw",
                                                       url_kwargs={"invitation_id": w.invitation().pk}),
    "workspaces:role-new": lambda w: w.post("workspaces:role-new", {"name": "Auditor",
                                                                     "permissions": ["workspace.member.view"]}),
    "workspaces:role-edit": lambda w: w.post("workspaces:role-edit", {"name": "Reader",
                                                                       "permissions": ["workspace.member.view"]},
                                             url_kwargs={"role_id": _role(w).pk}),
    "workspaces:role-delete": lambda w: w.post("workspaces:role-delete", url_kwargs={"role_id": _role(w).pk}),
    "workspaces:settings": lambda w: w.post("workspaces:settings", {"name": "Acme Corporation",
                                                                     "time_zone": "Europe/Berlin", "locale": "en-GB"}),
    "workspaces:settings-security": lambda w: w.post("workspaces:settings-security", {"require_two_factor": ""}),
    "workspaces:logo-upload": lambda w: w.post("workspaces:logo-upload", {"logo": _image("logo.png")}),
    "workspaces:logo-remove": lambda w: w.post("workspaces:logo-remove"),
    "workspaces:create": lambda w: w.client("member").post(reverse("workspaces:create"), {"name": "Side project"}),
    # org: people
    "org:employee-new": lambda w: w.post("org:employee-new", {"code": "E100", "full_name": "Nina New",
                                                               "employment_type": "full_time", "status": "active"},
                                         role="hr"),
    "org:employee-edit": lambda w: w.post("org:employee-edit", {
        "full_name": "Remy Report", "code": "E003", "job_title": "Staff developer", "employment_type": "full_time",
        "status": "active"}, role="hr", url_kwargs=_employee(w)),
    "org:employee-terminate": lambda w: w.post("org:employee-terminate", {"end_date": ""}, role="hr",
                                               url_kwargs=_employee(w, "indirect")),
    "org:employee-photo-upload": lambda w: w.post("org:employee-photo-upload", {"photo": _image()}, role="hr",
                                                  url_kwargs=_employee(w)),
    "org:employee-photo-remove": lambda w: w.post("org:employee-photo-remove", role="hr", url_kwargs=_employee(w)),
    "org:bulk": lambda w: w.post("org:bulk", {"action": "move_department", "department": w.company["sales"].pk,
                                              "ids": [w.company["indirect"].pk]}, role="hr"),
    # org: setup
    "org:department-new": lambda w: w.post("org:department-new", {"name": "Finance"}, role="hr"),
    "org:department-edit": lambda w: w.post("org:department-edit", {"name": "Sales & Marketing"}, role="hr",
                                            url_kwargs={"department_id": w.company["sales"].pk}),
    "org:department-delete": lambda w: w.post("org:department-delete", role="hr", url_kwargs={
        "department_id": w.setup(org_services.create_department, name="Empty").pk}),
    "org:branch-new": lambda w: w.post("org:branch-new", BRANCH, role="hr"),
    "org:branch-edit": lambda w: w.post("org:branch-edit", {**BRANCH, "name": "Remote", "time_zone": "UTC"},
                                        role="hr", url_kwargs={"branch_id": w.company["remote"].pk}),
    "org:branch-delete": lambda w: w.post("org:branch-delete", role="hr", url_kwargs={
        "branch_id": w.setup(org_services.create_branch, name="Pop-up", time_zone="UTC").pk}),
    "org:settings": lambda w: w.post("org:settings", {"self_service_fields": ["phone"]}),
    "org:import": lambda w: _import(w, "upload"),
    "org:import-mapping": lambda w: _import(w, "columns"),
    "org:import-confirm": lambda w: _import(w, "confirm"),
    "crm:import": lambda w: _crm_import(w, "upload"),
    "crm:board-move": lambda w: _crm_deal(w, "move"),
    "crm:deal-new": lambda w: _crm_deal(w, "new"),
    "crm:deal-edit": lambda w: _crm_deal(w, "edit"),
    "crm:deal-delete": lambda w: _crm_deal(w, "delete"),
    "crm:pipeline-new": lambda w: _crm_deal(w, "pipeline-new"),
    "crm:pipeline-edit": lambda w: _crm_deal(w, "pipeline-edit"),
    "crm:pipeline-delete": lambda w: _crm_deal(w, "pipeline-delete"),
    "crm:import-mapping": lambda w: _crm_import(w, "columns"),
    "crm:import-confirm": lambda w: _crm_import(w, "confirm"),
    "crm:note-add": lambda w: _crm_timeline(w, "note-add"),
    "crm:note-delete": lambda w: _crm_timeline(w, "note-delete"),
    "crm:activity-add": lambda w: _crm_timeline(w, "activity-add"),
    "crm:activity-done": lambda w: _crm_timeline(w, "activity-done"),
    "crm:activity-undone": lambda w: _crm_timeline(w, "activity-undone"),
    "crm:list-columns": lambda w: _crm_timeline(w, "list-columns"),
    "crm:view-save": lambda w: _crm_timeline(w, "view-save"),
    "crm:view-delete": lambda w: _crm_timeline(w, "view-delete"),
    "crm:contact-new": lambda w: _crm_contacts(w, "contact-new"),
    "crm:contact-edit": lambda w: _crm_contacts(w, "contact-edit"),
    "crm:contact-delete": lambda w: _crm_contacts(w, "contact-delete"),
    "crm:company-new": lambda w: _crm_contacts(w, "company-new"),
    "crm:company-edit": lambda w: _crm_contacts(w, "company-edit"),
    "crm:company-delete": lambda w: _crm_contacts(w, "company-delete"),
    "crm:custom-field-new": lambda w: _crm_contacts(w, "custom-field-new"),
    "crm:custom-field-edit": lambda w: _crm_contacts(w, "custom-field-edit"),
    "crm:custom-field-delete": lambda w: _crm_contacts(w, "custom-field-delete"),
    "crm:merge": lambda w: _crm_contacts(w, "merge"),
    "crm:bulk": lambda w: _crm_contacts(w, "bulk"),
    "crm:lead-new": lambda w: _crm_leads(w, "lead-new"),
    "crm:lead-edit": lambda w: _crm_leads(w, "lead-edit"),
    "crm:lead-delete": lambda w: _crm_leads(w, "lead-delete"),
    "crm:lead-convert": lambda w: _crm_leads(w, "lead-convert"),
    "crm:web-form-new": lambda w: _crm_leads(w, "web-form-new"),
    "crm:web-form": lambda w: _crm_leads(w, "web-form"),
    "crm:web-form-rotate": lambda w: _crm_leads(w, "web-form-rotate"),
    "crm:web-form-delete": lambda w: _crm_leads(w, "web-form-delete"),
    "crm-public:form": lambda w: _crm_leads(w, "public"),
    # shifts, assignments and corrections (attendance/views/{shifts,corrections}.py)
    **{f"attendance:{step}": (lambda step: lambda w: _shifts_and_corrections(w, step))(step)
       for step in ("shift-add", "shift", "shift-delete", "assignment-add", "assignment-delete", "correction-new",
                    "correction-approve", "correction-reject", "correction-withdraw")},
    # holidays, leave types and balance adjustments, as HR
    **{f"attendance:{step}": (lambda step: lambda w: _holidays_and_balances(w, step))(step)
       for step in ("holiday-add", "holiday-fill", "holiday-import", "holiday-delete")},
    **{f"leave:{step}": (lambda step: lambda w: _holidays_and_balances(w, step))(step)
       for step in ("type-new", "type", "balance-adjust")},
    # leave: the team calendar's "change address" buttons of the iCal feeds (leave/views/calendar.py)
    "leave:feed-rotate": lambda w: w.post("leave:feed-rotate", {"scope": "me"}, role="member",
                                          url_kwargs={"workspace_slug": w.slug}),
    # notifications: the centre's buttons, preferences, an email's unsubscribe link
    "notifications:read": lambda w: _notification(w, "read"),
    "notifications:unread": lambda w: _notification(w, "unread"),
    "notifications:open": lambda w: _notification(w, "open"),
    "notifications:read-all": lambda w: w.client("member").post(
        reverse("notifications:read-all", kwargs={"workspace_slug": w.slug})),
    "notifications:preferences": lambda w: w.client("member").post(
        reverse("notifications:preferences", kwargs={"workspace_slug": w.slug}),
        {"quiet_hours_enabled": "on", "quiet_start": "22:00", "quiet_end": "07:00"}),
    "notifications:unsubscribe": _unsubscribe,
    # leave requests, their decisions and delegations (leave/views/requests.py, leave/views/approvals.py)
    **{f"leave:request-{action}": (lambda action: lambda w: _leave_request(w, action))(action)
       for action in ("new", "approve", "reject", "cancel", "comment")},
    "leave:delegations": lambda w: _leave_request(w, "delegations"),
    "leave:delegation-end": lambda w: _leave_request(w, "delegation-end"),
    # clocking: the dashboard widget, one's PIN, the clocking settings and the public kiosk
    **{f"attendance:{step}": (lambda step: lambda w: _clocking(w, step))(step)
       for step in ("clock", "my-pin", "policy", "site-new", "site", "site-delete", "kiosks", "kiosk",
                    "kiosk-rotate", "kiosk-delete", "pins")},
    "attendance-public:kiosk": lambda w: _clocking(w, "public-kiosk"),
    # webhooks: the form, and the buttons of a webhook's page
    "webhooks:new": lambda w: w.post("webhooks:new", {"url": "https://hooks.example.test/n", "events": ["*"]},
                                     url_kwargs={"workspace_slug": w.slug}),
    "webhooks:edit": lambda w: w.post("webhooks:edit", {"url": "https://hooks.example.test/e", "events": ["*"],
                                                        "description": "Edited"}, url_kwargs=_webhook(w)),
    "webhooks:pause": lambda w: w.post("webhooks:pause", url_kwargs=_webhook(w)),
    "webhooks:resume": lambda w: w.post("webhooks:resume", url_kwargs=_webhook(w)),
    "webhooks:rotate": lambda w: w.post("webhooks:rotate", url_kwargs=_webhook(w)),
    "webhooks:test": lambda w: w.post("webhooks:test", url_kwargs=_webhook(w)),
    "webhooks:delete": lambda w: w.post("webhooks:delete", url_kwargs=_webhook(w)),
    "webhooks:resend": lambda w: w.post("webhooks:resend", url_kwargs=_webhook(w, delivery=True)),
}


def test_every_post_page_has_an_entry():
    found = post_pages()
    missing = sorted(found - set(SUBMISSIONS) - set(EXEMPT))
    assert not missing, ("POST pages without a valid submission in SUBMISSIONS (or a reason in EXEMPT); "
                         f"a successful POST must redirect: {missing}")
    stale = sorted((set(SUBMISSIONS) | set(EXEMPT)) - found)
    assert not stale, f"entries for pages that no longer take POST: {stale}"


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_a_successful_post_redirects(name, workspace, owner, hr, manager, member, company, outbox):
    users = {"owner": owner, "hr": hr, "manager": manager, "member": member}
    w = World(workspace, company, outbox, users)
    response = SUBMISSIONS[name](w)

    assert response.status_code in (302, 303), (
        f"{name}: a successful POST answered {response.status_code}, not a redirect; a reload would repeat it. "
        f"Errors: {_form_errors(response)}")


def _form_errors(response) -> dict:
    context = getattr(response, "context", None) or {}
    found = {}
    for key in ("form", "invite_form", "settings_form", "security_form", "logo_form", "photo_form",
                "request_form", "confirm_form", "delete_form", "disable_form"):
        try:
            form = context[key]
        except (KeyError, TypeError):
            continue
        if form is not None and getattr(form, "errors", None):
            found[key] = form.errors
    return found


# --- a GET on a form-only URL -------------------------------------------------------------------------------------


def _fill(route: str, **values) -> str:
    path = route
    for name, value in values.items():
        path = re.sub(rf"<(?:int|slug|str):{name}>", str(value), path)
    assert "<" not in path, path
    return "/" + path


@pytest.mark.parametrize("name", sorted(post_only_pages()))
def test_a_get_on_a_form_only_url_goes_to_its_page(name, workspace, owner, company):
    route, _view = page_views()[name]
    ids = {"workspace_slug": workspace.slug, "employee_id": company["report"].pk,
           "department_id": company["sales"].pk, "branch_id": company["remote"].pk}
    path = _fill(route, **{key: ids.get(key, 1) for key in re.findall(r"<\w+:(\w+)>", route)})
    client = signed_in_client(owner)

    for method in ("get", "head"):
        response = getattr(client, method)(path)

        assert response.status_code == 303, f"{method.upper()} {path}: {response.status_code}"
        page = response["Location"]
        assert page != path and not page.startswith("/api/")
        landed = client.get(page)
        assert landed.status_code in (200, 302), f"{path} sent a GET to {page}, which answered {landed.status_code}"
    # The POST itself still works there (it is only the GET that moves), and other methods stay refused.
    assert client.put(path).status_code == 405


def test_the_form_only_redirect_goes_to_the_declared_page_or_the_nearest_parent(workspace, owner, company):
    client = signed_in_client(owner)
    slug, report = workspace.slug, company["report"].pk

    # the nearest parent path that is a page
    assert client.get(f"/w/{slug}/members/invite")["Location"] == f"/w/{slug}/members/"
    assert client.get(f"/w/{slug}/organization/departments/new")["Location"] == (
        f"/w/{slug}/organization/departments/")
    # declared with core.forms.redirect_get_to: the parent (/people/<id>/photo) is the photo, not a page
    assert client.get(f"/w/{slug}/people/{report}/photo/upload")["Location"] == f"/w/{slug}/people/{report}/edit"


def test_the_api_keeps_its_json_405(workspace, owner, api_client):
    response = api_client(owner, workspace).get("/auth/password")

    assert response.status_code in (404, 405)
    assert response["Content-Type"].startswith("application/json")


def test_an_anonymous_get_on_a_form_only_url_still_asks_to_sign_in(workspace, db):
    response = Client().get(f"/w/{workspace.slug}/members/invite")

    assert response.status_code == 302 and response["Location"].startswith("/signin")


def test_post_only_pages_are_found_by_the_walk():
    # the test above is not vacuous: the walk sees the POST-only views of each area
    assert {"workspaces:member-invite", "org:employee-terminate", "org:department-new", "accounts:signout"} <= (
        post_only_pages())
