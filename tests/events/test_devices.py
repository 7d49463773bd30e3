"""A sign-in from a browser the account never used is told to its owner (a security notice); the browser is known
by a long-lived signed cookie holding a random id, of which the server keeps only a keyed hash."""
import time

import pyotp
import pytest
from django.core import signing
from django.http import HttpRequest
from django.test import Client

from oorg.accounts import services
from oorg.accounts.models import KnownDevice, User
from oorg.accounts.signin import DEVICE_COOKIE, DEVICE_COOKIE_SALT
from oorg.core import events
from oorg.core.models import AuditEvent, Event

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SIGNUP = {"full_name": "Ada Lovelace", "email": "ada@example.test", "workspace_name": "Analytical Engines",
          "password": PASSWORD, "accept_policies": "on"}


def browser(**headers) -> Client:
    return Client(HTTP_USER_AGENT=headers.pop("user_agent", FIREFOX), REMOTE_ADDR="203.0.113.7", **headers)


def sign_in(client: Client, email: str, **extra):
    response = client.post("/signin", {"email": email, "password": PASSWORD}, **extra)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def new_device_notices(user) -> list[events.Notice]:
    rows = Event.objects.filter(type="auth.new_device_signin", actor_user_id=user.pk).order_by("created_at")
    return [n for e in rows for n in events.TYPES[e.type].notify(e)]


def test_the_first_sign_in_after_sign_up_tells_nothing_and_the_same_browser_again_neither(outbox):
    client = browser()
    client.post("/signup", SIGNUP)
    response = client.post("/verify", {"email": "ada@example.test", "code": outbox.last_code("ada@example.test")})
    assert response.status_code == 302 and response["Location"] == "/app"  # signed in
    ada = User.objects.get(email="ada@example.test")

    assert DEVICE_COOKIE in response.cookies
    assert KnownDevice.objects.filter(user=ada).count() == 1
    client.post("/signout")
    sign_in(client, ada.email)

    assert new_device_notices(ada) == []
    assert not AuditEvent.objects.filter(action="auth.new_device_signin").exists()
    assert KnownDevice.objects.filter(user=ada).count() == 1


def test_a_new_browser_is_told_to_the_owner_with_its_time_and_address(workspace, owner):
    sign_in(browser(), owner.email)  # the account's first browser: remembered silently
    assert new_device_notices(owner) == []

    sign_in(browser(), owner.email)

    [notice] = new_device_notices(owner)
    assert (notice.user_id, notice.kind) == (owner.pk, "accounts.new_device_signin")
    assert notice.title == "New sign-in on Firefox on Linux"
    assert "from IP address 203.0.113.7" in notice.body and "(UTC)" in notice.body
    assert notice.url == "/account/security"
    assert events.KINDS[notice.kind].security  # cannot be turned off
    assert AuditEvent.objects.filter(action="auth.new_device_signin").count() == 1  # one workspace: one copy
    assert KnownDevice.objects.filter(user=owner).count() == 2


def test_a_forged_or_foreign_cookie_is_a_new_browser(workspace, owner, admin):
    first = browser()
    sign_in(first, owner.email)
    genuine = first.cookies[DEVICE_COOKIE].value

    forged = browser()
    device_id = signing.get_cookie_signer(salt="not-ours").sign("made-up")
    forged.cookies[DEVICE_COOKIE] = device_id
    sign_in(forged, owner.email)
    tampered = browser()
    tampered.cookies[DEVICE_COOKIE] = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    sign_in(tampered, owner.email)
    sign_in(browser(), admin.email)  # the admin's first browser
    shared = browser()
    shared.cookies[DEVICE_COOKIE] = genuine  # a browser the owner used, but the admin never did
    sign_in(shared, admin.email)

    assert len(new_device_notices(owner)) == 2
    assert len(new_device_notices(admin)) == 1


def test_the_cookie_is_long_lived_signed_http_only_and_lax_and_secure_over_https(workspace, owner):
    response = sign_in(browser(), owner.email)
    cookie = response.cookies[DEVICE_COOKIE]

    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    request = HttpRequest()
    request.COOKIES[DEVICE_COOKIE] = cookie.value
    device_id = request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_COOKIE_SALT)  # signed by this server
    stored = KnownDevice.objects.get(user=owner)
    assert device_id not in stored.device_id_hash and stored.label == "Firefox on Linux"
    assert sign_in(browser(), owner.email, secure=True).cookies[DEVICE_COOKIE]["secure"]


def test_the_second_factor_step_sets_the_cookie_and_tells_of_a_new_browser(workspace, owner):
    secret, _uri = services.begin_two_factor_setup(owner)
    totp = pyotp.TOTP(secret)
    recovery = services.enable_two_factor(owner, code=totp.now())
    sign_in(browser(), owner.email)  # not signed in yet: the code is missing
    assert not KnownDevice.objects.filter(user=owner).exists()

    known = browser()
    sign_in(known, owner.email)
    response = known.post("/signin/two-factor", {"otp": totp.at(time.time() + 30)})
    assert response.status_code == 302 and DEVICE_COOKIE in response.cookies
    assert new_device_notices(owner) == []
    other = browser(user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")
    sign_in(other, owner.email)
    assert other.post("/signin/two-factor", {"otp": recovery[0]}).status_code == 302

    assert [n.title for n in new_device_notices(owner)] == ["New sign-in on Safari on iPhone"]


def test_an_api_token_by_password_is_not_a_browser_sign_in(workspace, owner):
    sign_in(browser(), owner.email)

    response = browser().post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD},
                              content_type="application/json")

    assert response.status_code == 201
    assert new_device_notices(owner) == [] and KnownDevice.objects.filter(user=owner).count() == 1


def test_only_the_most_recently_seen_browsers_are_kept(workspace, owner):
    for _ in range(services.KNOWN_DEVICES_KEPT + 3):
        services.recognise_device(owner, None, method="password")

    assert KnownDevice.objects.filter(user=owner).count() == services.KNOWN_DEVICES_KEPT
