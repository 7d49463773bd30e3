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
