import re
import time
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from oorg.accounts import services
from oorg.accounts.models import ApiToken, User, UserSession
from oorg.core.models import Workspace
from tests.conftest import PASSWORD, make_user
from tests.web.pages import sign_in, signed_in_client, text

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Ada Lovelace", "email": "ada@example.test", "workspace_name": "Analytical Engines",
    "password": PASSWORD, "accept_policies": "on",
}


# --- signup and verification ------------------------------------------------------------------------


def test_signup_then_verify_lands_in_the_new_workspace(outbox):
    client = Client()

    response = client.post("/signup", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/verify?email=ada%40example.test"
    code = outbox.last_code("ada@example.test")
    assert "6-digit code" in text(client.get(response["Location"]))

    response = client.post("/verify", {"email": "ada@example.test", "code": code}, follow=True)

    assert response.redirect_chain[-1][0] == "/w/analytical-engines/"
    page = text(response)
    assert "Analytical Engines" in page and "Welcome, Ada Lovelace" in page and "<strong>Owner</strong>" in page
    user = User.objects.get(email="ada@example.test")
    assert user.email_verified and user.accepted_privacy_version and user.accepted_terms_version
    assert UserSession.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_signup_requires_accepting_the_policies():
    response = Client().post("/signup", {**SIGNUP, "accept_policies": ""})

    assert response.status_code == 422
    assert "Accept the privacy policy and terms" in text(response)
    assert not User.objects.filter(email="ada@example.test").exists()


def test_signup_shows_the_services_password_rule_on_the_password_field():
    response = Client().post("/signup", {**SIGNUP, "password": "short"})

    assert response.status_code == 422
    assert "too short" in " ".join(response.context["form"].errors["password"])
    assert 'value="short"' not in text(response)  # a password is never echoed back


def test_signup_with_a_taken_email_says_so(workspace):
    response = Client().post("/signup", {**SIGNUP, "email": "OWNER@acme.test"})

    assert response.status_code == 422
    assert "already exists" in " ".join(response.context["form"].errors["email"])


def test_wrong_verification_code_shows_an_error_and_signs_nobody_in(outbox):
    client = Client()
    client.post("/signup", SIGNUP)
    right = outbox.last_code("ada@example.test")
    wrong = "000000" if right != "000000" else "111111"

    response = client.post("/verify", {"email": "ada@example.test", "code": wrong})

    assert response.status_code == 422
    assert "That code is wrong or has expired" in text(response)
    assert not User.objects.get(email="ada@example.test").email_verified
    assert client.get("/app").status_code == 302 and client.get("/app")["Location"].startswith("/signin")


def test_a_good_code_from_another_browser_verifies_but_does_not_sign_that_browser_in(outbox):
    Client().post("/signup", SIGNUP)
    other = Client()

    response = other.post("/verify", {"email": "ada@example.test", "code": outbox.last_code("ada@example.test")})

    assert response["Location"] == "/signin?email=ada%40example.test"
    assert User.objects.get(email="ada@example.test").email_verified
    assert other.get("/app")["Location"].startswith("/signin")


def test_verify_page_cannot_sign_into_an_already_verified_account(workspace):
    attacker = Client()

    response = attacker.post("/verify", {"email": workspace.owner.email, "code": "123456"})

    assert response.status_code == 422
    assert attacker.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin")


def test_resend_sends_a_new_code_then_is_throttled(outbox):
    client = Client()
    client.post("/signup", SIGNUP)
    first = len(outbox.to("ada@example.test"))

    response = client.post("/verify?email=ada%40example.test", {"action": "resend", "email": "ada@example.test"})

    assert response.status_code == 302
    assert len(outbox.to("ada@example.test")) == first + 1
    response = client.post("/verify?email=ada%40example.test", {"action": "resend", "email": "ada@example.test"})
    assert response.status_code == 429
    assert "Too many attempts" in text(response)
    assert int(response["Retry-After"]) > 0


# --- sign in ------------------------------------------------------------------------------------------


def test_sign_in_lands_in_the_workspace(workspace):
    client = Client()

    response = client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == f"/w/{workspace.slug}/"
    assert "Acme Corp" in text(response)


def test_wrong_password_and_unknown_email_get_the_same_generic_error(workspace):
    wrong_password = Client().post("/signin", {"email": "owner@acme.test", "password": "not-the-password"})
    unknown_email = Client().post("/signin", {"email": "nobody@acme.test", "password": "not-the-password"})

    for response in (wrong_password, unknown_email):
        assert response.status_code == 422
        assert "Email or password is incorrect." in text(response)
    assert response.context["form"].non_field_errors() == ["Email or password is incorrect."]


def test_repeated_wrong_passwords_are_throttled_with_429(workspace):
    client = Client()
    for _ in range(services.SIGNIN_MAX_FAILURES_PER_ACCOUNT):
        client.post("/signin", {"email": "owner@acme.test", "password": "not-the-password"})

    response = client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in text(response)


def test_sign_in_follows_a_safe_next_but_not_an_outside_one(workspace):
    safe = Client().post("/signin", {"email": "owner@acme.test", "password": PASSWORD, "next": "/account/security"})
    unsafe = Client().post("/signin", {"email": "owner@acme.test", "password": PASSWORD, "next": "https://evil.test/"})
    scheme_relative = Client().post("/signin", {"email": "owner@acme.test", "password": PASSWORD, "next": "//evil.test/"})

    assert safe["Location"] == "/account/security"
    assert unsafe["Location"] == "/app"
    assert scheme_relative["Location"] == "/app"


def test_unverified_account_is_sent_to_verify_and_can_finish_there(outbox, db):
    from oorg.workspaces.services import create_workspace

    user = make_user("late@example.test", verified=False)
    create_workspace(user, name="Late Ltd")
    client = Client()

    response = client.post("/signin", {"email": "late@example.test", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == "/verify?email=late%40example.test"
    assert "Verify your email address first" in text(response)
    client.post("/verify?email=late%40example.test", {"action": "resend", "email": "late@example.test"})
    response = client.post("/verify", {"email": "late@example.test", "code": outbox.last_code("late@example.test")})
    assert response["Location"] == "/app"
    assert client.get("/app")["Location"] == "/w/late-ltd/"


def _enable_two_factor(user) -> tuple[pyotp.TOTP, list[str]]:
    secret, _uri = services.begin_two_factor_setup(user)
    totp = pyotp.TOTP(secret)
    codes = services.enable_two_factor(user, code=totp.now())
    return totp, codes


def _next_step_code(totp) -> str:
    # enable_two_factor spent the current step; the service accepts the next one (clock drift).
    return totp.at(time.time() + 30)


def test_two_factor_sign_in_asks_for_the_code_then_lands(workspace):
    totp, _codes = _enable_two_factor(workspace.owner)
    client = Client()

    response = client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD, "next": "/account/security"})

    assert response["Location"] == "/signin/two-factor"
    assert client.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin")  # not signed in yet
    wrong = client.post("/signin/two-factor", {"otp": "000000"})
    assert wrong.status_code == 422 and "That two-factor code is not valid." in text(wrong)
    response = client.post("/signin/two-factor", {"otp": _next_step_code(totp)})
    assert response["Location"] == "/account/security"
    assert client.get(f"/w/{workspace.slug}/").status_code == 200


def test_a_recovery_code_works_once(workspace):
    _totp, codes = _enable_two_factor(workspace.owner)

    first = Client()
    first.post("/signin", {"email": "owner@acme.test", "password": PASSWORD})
    assert first.post("/signin/two-factor", {"otp": codes[0]})["Location"] == "/app"
    second = Client()
    second.post("/signin", {"email": "owner@acme.test", "password": PASSWORD})
    assert second.post("/signin/two-factor", {"otp": codes[0]}).status_code == 422


def test_too_many_wrong_second_factor_codes_send_you_back_to_the_password(workspace):
    _enable_two_factor(workspace.owner)
    client = Client()
    client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD})

    for _ in range(4):
        assert client.post("/signin/two-factor", {"otp": "000000"}).status_code == 422
    response = client.post("/signin/two-factor", {"otp": "000000"})

    assert response["Location"] == "/signin"
    assert client.get("/signin/two-factor")["Location"] == "/signin"
    # The password step now refuses too: the wrong codes counted as failed sign-ins.
    assert client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD}).status_code == 429


def test_second_factor_page_without_a_password_first_goes_back_to_sign_in(db):
    assert Client().get("/signin/two-factor")["Location"] == "/signin"


# --- sessions -------------------------------------------------------------------------------------------------


def test_revoking_a_session_signs_the_other_client_out(workspace):
    laptop = signed_in_client(workspace.owner, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")
    phone = signed_in_client(workspace.owner, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/605.1")
    assert phone.get(f"/w/{workspace.slug}/").status_code == 200
    page = text(laptop.get("/account/security"))
    assert "Firefox on Linux" in page and "Safari on iPhone" in page and "This device" in page
    phone_session = UserSession.objects.get(user=workspace.owner, user_agent__contains="iPhone")

    response = laptop.post(f"/account/sessions/{phone_session.pk}/revoke")

    assert response["Location"] == "/account/security"
    assert phone.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin")
    assert laptop.get(f"/w/{workspace.slug}/").status_code == 200


def test_sign_out_all_other_sessions_keeps_this_one(workspace):
    here = signed_in_client(workspace.owner)
    others = [signed_in_client(workspace.owner) for _ in range(2)]

    response = here.post("/account/sessions/revoke-others", follow=True)

    assert "Signed out 2 other sessions." in text(response)
    for other in others:
        assert other.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin")
    assert here.get(f"/w/{workspace.slug}/").status_code == 200


def test_cannot_revoke_someone_elses_session(workspace, member):
    victim = signed_in_client(member)
    session = UserSession.objects.get(user=member)

    response = signed_in_client(workspace.owner).post(f"/account/sessions/{session.pk}/revoke")

    assert response.status_code == 404
    assert victim.get(f"/w/{workspace.slug}/").status_code == 200


# --- API tokens -----------------------------------------------------------------------------------------------


def test_create_an_api_token_shows_it_once_and_it_works(workspace):
    client = signed_in_client(workspace.owner)

    response = client.post("/account/tokens", {"workspace": workspace.slug, "name": "Reporting script"}, follow=True)

    assert response.redirect_chain == [("/account/security#new-token", 302)]  # a reload repeats nothing
    secret = response.context["new_token"]["secret"]
    assert secret in text(response)
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["workspace"]["slug"] == workspace.slug
    page = text(client.get("/account/security"))
    assert "Reporting script" in page and secret not in page


def test_a_token_needs_a_name(workspace):
    client = signed_in_client(workspace.owner)

    response = client.post("/account/tokens", {"workspace": workspace.slug, "name": " "})

    assert response.status_code == 422
    assert response.context["workspaces"][0]["form"].errors["name"] == ["This field is required."]
    assert ApiToken.all_workspaces.count() == 0


def test_cannot_create_a_token_in_a_workspace_you_are_not_in(workspace, other_workspace):
    client = signed_in_client(workspace.owner)

    response = client.post("/account/tokens", {"workspace": other_workspace.slug, "name": "sneaky"})

    assert response.status_code == 404
    assert ApiToken.all_workspaces.count() == 0


def test_revoke_a_token_refuses_it_afterwards(workspace):
    client = signed_in_client(workspace.owner)
    secret = client.post("/account/tokens", {"workspace": workspace.slug, "name": "cli"},
                         follow=True).context["new_token"]["secret"]
    token = ApiToken.all_workspaces.get(name="cli")

    response = client.post(f"/account/tokens/{token.pk}/revoke", {"workspace": workspace.slug})

    assert response["Location"] == "/account/security"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


# --- two-factor setup -------------------------------------------------------------------------------------------


def test_two_factor_setup_shows_the_secret_then_recovery_codes_once(workspace):
    client = signed_in_client(workspace.owner)

    response = client.post("/account/two-factor", {"action": "begin"})

    assert response["Location"] == "/account/two-factor"  # a reload shows the same key, it makes no new one
    response = client.get("/account/two-factor")
    secret = response.context["secret"]
    assert secret in text(response) and "otpauth://totp/" in text(response) and "<svg" in text(response)
    assert client.get("/account/two-factor").context["secret"] == secret
    wrong = client.post("/account/two-factor", {"action": "enable", "code": "000000"})
    assert wrong.status_code == 422 and secret in text(wrong)
    response = client.post("/account/two-factor", {"action": "enable", "code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/account/recovery-codes"
    response = client.get("/account/recovery-codes")
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert response.context["codes"][0] in text(response)
    workspace.owner.refresh_from_db()
    assert workspace.owner.two_factor_enabled
    page = text(client.get("/account/security"))
    assert "10</strong> unused recovery codes" in page
    assert response.context["codes"][0] not in page


def test_turning_two_factor_off_needs_the_password(workspace):
    totp, _codes = _enable_two_factor(workspace.owner)
    client = Client()
    client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD})
    client.post("/signin/two-factor", {"otp": _next_step_code(totp)})

    wrong = client.post("/account/two-factor/disable", {"password": "not-my-password"})
    assert wrong.status_code == 422 and "Password is incorrect." in text(wrong)
    response = client.post("/account/two-factor/disable", {"password": PASSWORD})

    assert response["Location"] == "/account/security"
    assert not User.objects.get(pk=workspace.owner.pk).two_factor_enabled


def test_a_workspace_requiring_two_factor_sends_members_to_set_it_up(workspace, member):
    workspace.require_two_factor = True
    workspace.save()
    client = signed_in_client(member)

    response = client.get(f"/w/{workspace.slug}/", follow=True)

    assert response.redirect_chain[-1][0] == "/account/two-factor"
    assert "Acme Corp" in text(response) and "require" in text(response)
    assert "Turn it on before creating a token" in text(client.get("/account/security"))


# --- password reset ----------------------------------------------------------------------------------------------


def test_password_reset_gives_the_same_answer_for_unknown_emails(workspace, outbox):
    known = Client().post("/reset", {"email": "owner@acme.test"}, follow=True)
    unknown = Client().post("/reset", {"email": "nobody@acme.test"}, follow=True)

    assert "If an account uses that email address" in text(known)
    assert "If an account uses that email address" in text(unknown)
    assert len(outbox.to("owner@acme.test")) == 1 and outbox.to("nobody@acme.test") == []


def test_password_reset_confirm_changes_the_password_and_signs_everyone_out(workspace, outbox):
    old_browser = signed_in_client(workspace.owner)
    client = Client()
    client.post("/reset", {"email": "owner@acme.test"})
    new_password = "Another-Sturdy-Phrase-77"

    bad = client.post("/reset/confirm", {"email": "owner@acme.test", "code": "12345x", "new_password": new_password})
    assert bad.status_code == 422
    response = client.post("/reset/confirm", {"email": "owner@acme.test", "code": outbox.last_code("owner@acme.test"),
                                              "new_password": new_password}, follow=True)

    assert response.redirect_chain[-1][0] == "/signin?email=owner%40acme.test"
    assert "Your password is changed" in text(response)
    assert old_browser.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin")
    assert sign_in(Client(), "owner@acme.test", new_password)


# --- invitations ----------------------------------------------------------------------------------------------------


def test_accept_an_invitation_creates_the_account_and_opens_the_workspace(workspace, outbox):
    owner = signed_in_client(workspace.owner)
    owner.post(f"/w/{workspace.slug}/members/invite", {"email": "grace@example.test", "role": "member"})
    code = outbox.last_invitation_code("grace@example.test")
    client = Client()
    assert f'value="{code}"' in text(client.get(f"/invitations/accept?code={code}"))

    response = client.post("/invitations/accept", {"code": code, "full_name": "Grace Hopper", "password": PASSWORD},
                           follow=True)

    assert response.redirect_chain[-1][0] == f"/w/{workspace.slug}/"
    assert "Welcome, Grace Hopper" in text(response)
    again = Client().post("/invitations/accept", {"code": code, "full_name": "Grace", "password": PASSWORD})
    assert again.status_code == 422 and "not valid" in text(again)


def test_accepting_with_an_existing_account_still_asks_for_its_second_factor(workspace, other_workspace, outbox):
    user = make_user("grace@example.test")
    totp, _codes = _enable_two_factor(user)
    owner = signed_in_client(workspace.owner)
    owner.post(f"/w/{workspace.slug}/members/invite", {"email": "grace@example.test", "role": "member"})
    client = Client()

    response = client.post("/invitations/accept", {"code": outbox.last_invitation_code("grace@example.test"),
                                                   "password": PASSWORD})

    assert response["Location"] == "/signin/two-factor"
    response = client.post("/signin/two-factor", {"otp": _next_step_code(totp)})
    assert response["Location"] == f"/w/{workspace.slug}/"


# --- CSRF ---------------------------------------------------------------------------------------------------------------


def test_forms_refuse_a_post_without_the_csrf_token(workspace):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD})

    assert response.status_code == 403
    assert "Form expired" in text(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(client.get("/signin"))).group(1)
    response = client.post("/signin", {"email": "owner@acme.test", "password": PASSWORD,
                                       "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_signup_creates_exactly_one_workspace(outbox):
    Client().post("/signup", SIGNUP)

    assert list(Workspace.objects.values_list("name", flat=True)) == ["Analytical Engines"]


def test_an_idle_session_is_signed_out(workspace, settings):
    browser = signed_in_client(workspace.owner)
    UserSession.objects.filter(user=workspace.owner).update(
        last_seen_at=timezone.now() - timedelta(minutes=settings.SESSION_IDLE_MINUTES, seconds=1))
    assert browser.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin")


def test_a_session_ends_at_its_absolute_lifetime_however_busy(workspace, settings):
    browser = signed_in_client(workspace.owner)
    UserSession.objects.filter(user=workspace.owner).update(
        created_at=timezone.now() - timedelta(hours=settings.SESSION_MAX_HOURS, seconds=1))
    assert browser.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin")


def test_an_unverified_user_never_enters_a_workspace(workspace):
    browser = signed_in_client(workspace.owner)
    User.objects.filter(pk=workspace.owner.pk).update(email_verified_at=None)
    assert browser.get(f"/w/{workspace.slug}/")["Location"].startswith("/verify")
