"""The auth API as a client sees it: status codes, JSON shapes, error bodies that name the field."""
from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone

from oorg.accounts.models import ApiToken, EmailCode, User, UserSession
from oorg.core.crypto import decrypt
from oorg.core.models import AuditEvent, Workspace

from ..conftest import PASSWORD, ApiClient, make_workspace

SIGNUP = {"email": "new@example.test", "password": PASSWORD, "full_name": "Nina New", "workspace_name": "Nina Co"}


def signup(client=None, **overrides):
    return (client or ApiClient()).post("/auth/signup", {**SIGNUP, **overrides})


def verified_signup(outbox, **overrides):
    body = {**SIGNUP, **overrides}
    assert signup(**overrides).status_code == 201
    code = outbox.last_code(body["email"])
    assert ApiClient().post("/auth/verify-email", {"email": body["email"], "code": code}).status_code == 200
    return body


def get_token(email, password=PASSWORD, **extra):
    return ApiClient().post("/auth/token", {"email": email, "password": password, **extra})


# --- signup -----------------------------------------------------------------------------------


def test_signup_creates_an_unverified_owner_and_emails_a_six_digit_code(db, outbox):
    response = signup()

    assert response.status_code == 201
    body = response.json()
    assert body["user"] == {"id": body["user"]["id"], "email": "new@example.test", "full_name": "Nina New",
                            "email_verified": False}
    assert body["workspace"]["slug"] == "nina-co" and body["workspace"]["name"] == "Nina Co"
    [message] = outbox.to("new@example.test")
    assert len(outbox.last_code("new@example.test")) == 6
    user = User.objects.get(email="new@example.test")
    assert user.accepted_privacy_version == "1.0.0" and user.accepted_terms_version == "1.0.0"
    assert user.password.startswith("argon2")
    # the code is stored only as a keyed hash
    assert outbox.last_code("new@example.test") not in EmailCode.objects.get(user=user).code_hash


def test_signup_with_a_taken_email_is_409_and_creates_nothing(db, outbox):
    signup()
    response = signup(email="NEW@example.test", workspace_name="Other")
    assert response.status_code == 409
    assert response.json()["field"] == "email"
    assert Workspace.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password1234"}, "password"),  # on the common-passwords list
        ({"password": "1234567890123"}, "password"),  # entirely numeric
        ({"full_name": ""}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"workspace_name": ""}, "workspace_name"),
    ],
)
def test_signup_with_bad_fields_is_422_naming_the_field_and_changes_nothing(db, outbox, overrides, field):
    response = signup(**overrides)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert field in response.json()["detail"] or response.json()["detail"]
    assert User.objects.count() == 0 and Workspace.objects.count() == 0
    assert outbox.messages() == []


def test_signup_with_missing_fields_names_all_of_them(db):
    response = ApiClient().post("/auth/signup", {"email": "x@example.test"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"password", "full_name", "workspace_name"}


def test_two_workspaces_with_the_same_name_get_distinct_slugs(db, outbox):
    first = signup().json()["workspace"]["slug"]
    second = signup(email="other@example.test").json()["workspace"]["slug"]
    assert first == "nina-co" and second == "nina-co-2"


# --- email verification -------------------------------------------------------------------------


def test_verify_email_with_the_right_code(db, outbox):
    signup()
    response = ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": outbox.last_code(SIGNUP["email"])})
    assert response.status_code == 200
    assert User.objects.get(email=SIGNUP["email"]).email_verified


def test_verify_email_with_a_wrong_code_is_400(db, outbox):
    signup()
    code = outbox.last_code(SIGNUP["email"])
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    response = ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": wrong})
    assert response.status_code == 400
    assert not User.objects.get(email=SIGNUP["email"]).email_verified


def test_five_wrong_codes_burn_the_code(db, outbox):
    signup()
    code = outbox.last_code(SIGNUP["email"])
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        assert ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": wrong}).status_code == 400
    response = ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": code})
    assert response.status_code == 429  # the account's failures are throttled (see test_secret_checks.py)
    from oorg.accounts.models import LoginAttempt

    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))  # the throttle window passes
    response = ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": code})
    assert response.status_code == 400  # the code itself is burned
    assert not User.objects.get(email=SIGNUP["email"]).email_verified


def test_an_expired_code_is_refused(db, outbox):
    signup()
    code = outbox.last_code(SIGNUP["email"])
    EmailCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": code}).status_code == 400


def test_resending_the_code_is_rate_limited_and_replaces_the_old_code(db, outbox):
    signup()
    first = outbox.last_code(SIGNUP["email"])
    EmailCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert ApiClient().post("/auth/verify-email/resend", {"email": SIGNUP["email"]}).status_code == 202
    second = outbox.last_code(SIGNUP["email"])
    assert len(outbox.to(SIGNUP["email"])) == 2
    # a second resend within a minute is throttled
    response = ApiClient().post("/auth/verify-email/resend", {"email": SIGNUP["email"]})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert len(outbox.to(SIGNUP["email"])) == 2
    if first != second:
        assert ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": first}).status_code == 400
    assert ApiClient().post("/auth/verify-email", {"email": SIGNUP["email"], "code": second}).status_code == 200


def test_an_unverified_account_cannot_get_a_token(db, outbox):
    signup()
    response = get_token(SIGNUP["email"])
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert ApiToken.all_workspaces.count() == 0


# --- tokens and sign-in ----------------------------------------------------------------------------


def test_token_then_me(db, outbox):
    verified_signup(outbox)
    response = get_token(SIGNUP["email"], name="laptop")
    assert response.status_code == 201
    token = response.json()["token"]
    assert set(response.json()) >= {"token", "expires_at"}
    me = ApiClient(token).get("/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == SIGNUP["email"]
    assert me.json()["workspace"]["slug"] == "nina-co"
    assert me.json()["role"] == "owner"
    # the token is stored only as a hash
    assert not ApiToken.all_workspaces.filter(token_hash__contains=token).exists()


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer oorg_wrong", "Basic abc"])
def test_me_without_a_valid_token_is_401(db, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = ApiClient().get("/me", **extra)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_revoked_or_expired_token_is_401(db, outbox):
    verified_signup(outbox)
    token = get_token(SIGNUP["email"]).json()["token"]
    other = get_token(SIGNUP["email"], name="second").json()
    client = ApiClient(token)
    assert client.delete(f"/auth/tokens/{other['id']}").status_code == 204
    assert ApiClient(other["token"]).get("/me").status_code == 401
    ApiToken.all_workspaces.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/me").status_code == 401


def test_wrong_password_and_unknown_email_get_the_same_401(db, outbox):
    verified_signup(outbox)
    wrong = get_token(SIGNUP["email"], password="Not-the-password-1")
    unknown = get_token("nobody@example.test")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_five_failures_lock_the_account_even_against_the_right_password(db, outbox):
    verified_signup(outbox)
    for _ in range(5):
        assert get_token(SIGNUP["email"], password="Not-the-password-1").status_code == 401
    response = get_token(SIGNUP["email"])
    assert response.status_code == 429
    assert "Retry-After" in response
    # another account from the same IP is not locked by these 5
    make_workspace("Second", "second@example.test")
    assert get_token("second@example.test").status_code == 201


def test_the_lock_lifts_when_the_window_passes(db, outbox):
    from oorg.accounts.models import LoginAttempt

    verified_signup(outbox)
    for _ in range(5):
        get_token(SIGNUP["email"], password="Not-the-password-1")
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert get_token(SIGNUP["email"]).status_code == 201


def test_twenty_failures_from_one_ip_throttle_every_account_from_it(db):
    for i in range(20):
        get_token(f"stranger{i}@example.test", password="Not-the-password-1")
    make_workspace("Fine", "fine@example.test")
    assert get_token("fine@example.test").status_code == 429
    other_ip = ApiClient().post("/auth/token", {"email": "fine@example.test", "password": PASSWORD},
                                REMOTE_ADDR="10.9.8.7")
    assert other_ip.status_code == 201


def test_a_user_of_several_workspaces_must_name_one(db, outbox, workspace, other_workspace):
    from ..conftest import add_member

    add_member(other_workspace, other_workspace.owner, "owner@acme.test", "member")
    response = get_token("owner@acme.test")
    assert response.status_code == 422 and response.json()["field"] == "workspace"
    token = get_token("owner@acme.test", workspace="globex").json()["token"]
    assert ApiClient(token).get("/me").json()["workspace"]["slug"] == "globex"
    assert ApiClient(token).get("/me").json()["role"] == "member"
    assert get_token("owner@acme.test", workspace="initech").status_code == 403
    mine = ApiClient(token).get("/workspaces").json()
    assert mine["count"] == 2
    assert {w["workspace"]["slug"] for w in mine["items"]} == {"acme-corp", "globex"}


def test_token_list_and_create_shows_the_secret_once(db, owner, workspace, api_client):
    client = api_client(owner, workspace)
    created = client.post("/auth/tokens", {"name": "ci", "expires_in_days": 7})
    assert created.status_code == 201
    listed = client.get("/auth/tokens").json()
    assert listed["count"] == 2
    assert all("token" not in item for item in listed["items"])
    assert {item["name"] for item in listed["items"]} == {"test", "ci"}
    assert client.post("/auth/tokens", {"name": "x", "expires_in_days": 1000}).status_code == 422
    assert client.post("/auth/tokens", {"name": ""}).status_code == 422


# --- password reset ---------------------------------------------------------------------------------------


def test_password_reset_always_answers_202(db, outbox):
    verified_signup(outbox)
    known = ApiClient().post("/auth/password-reset", {"email": SIGNUP["email"]})
    unknown = ApiClient().post("/auth/password-reset", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert outbox.to("nobody@example.test") == []


def test_password_reset_revokes_sessions_and_tokens_and_sends_a_notice(db, outbox):
    verified_signup(outbox)
    token = get_token(SIGNUP["email"]).json()["token"]
    user = User.objects.get(email=SIGNUP["email"])
    UserSession.objects.create(public_id="abc", user=user)
    ApiClient().post("/auth/password-reset", {"email": SIGNUP["email"]})
    code = outbox.last_code(SIGNUP["email"])
    new_password = "Another-Sturdy-Phrase-7"
    response = ApiClient().post("/auth/password-reset/confirm",
                                {"email": SIGNUP["email"], "code": code, "new_password": new_password})
    assert response.status_code == 200
    assert ApiClient(token).get("/me").status_code == 401
    assert UserSession.objects.get(public_id="abc").revoked_at is not None
    assert "Your OORG password was changed" in [m["Subject"] for m in outbox.to(SIGNUP["email"])]
    assert get_token(SIGNUP["email"]).status_code == 401
    assert get_token(SIGNUP["email"], password=new_password).status_code == 201
    assert AuditEvent.objects.filter(action="auth.password_reset", actor_user_id=user.pk).count() == 1


def test_password_reset_with_a_wrong_code_or_weak_password_changes_nothing(db, outbox):
    verified_signup(outbox)
    ApiClient().post("/auth/password-reset", {"email": SIGNUP["email"]})
    code = outbox.last_code(SIGNUP["email"])
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    r1 = ApiClient().post("/auth/password-reset/confirm",
                          {"email": SIGNUP["email"], "code": wrong, "new_password": "Another-Sturdy-Phrase-7"})
    r2 = ApiClient().post("/auth/password-reset/confirm",
                          {"email": SIGNUP["email"], "code": code, "new_password": "short"})
    assert r1.status_code == 400 and r2.status_code == 422 and r2.json()["field"] == "new_password"
    assert get_token(SIGNUP["email"]).status_code == 201


# --- two-factor -----------------------------------------------------------------------------------------------


def enable_2fa(client, user):
    setup = client.post("/auth/two-factor/setup").json()
    code = pyotp.TOTP(setup["secret"]).now()
    response = client.post("/auth/two-factor/enable", {"code": code})
    assert response.status_code == 200
    user.refresh_from_db()
    return setup["secret"], response.json()["recovery_codes"]


def test_two_factor_then_a_token_needs_a_code_or_a_recovery_code(db, owner, workspace, api_client):
    secret, recovery = enable_2fa(api_client(owner, workspace), owner)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    missing = get_token(owner.email)
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    assert get_token(owner.email, otp="000000").status_code == 401
    # a TOTP code used at enable time cannot be replayed; wait for the next step by moving the last step back
    User.objects.filter(pk=owner.pk).update(totp_last_step=0)
    assert get_token(owner.email, otp=pyotp.TOTP(secret).now()).status_code == 201
    assert get_token(owner.email, otp=pyotp.TOTP(secret).now()).status_code == 401  # replay of the same code
    assert get_token(owner.email, otp=recovery[0]).status_code == 201
    assert get_token(owner.email, otp=recovery[0]).status_code == 401  # single use


def test_two_factor_secret_is_encrypted_at_rest(db, owner, workspace, api_client):
    secret, _ = enable_2fa(api_client(owner, workspace), owner)
    assert secret not in owner.totp_secret_encrypted
    assert decrypt(owner.totp_secret_encrypted) == secret


def test_enable_with_a_wrong_code_is_400_and_stays_off(db, owner, workspace, api_client):
    client = api_client(owner, workspace)
    client.post("/auth/two-factor/setup")
    assert client.post("/auth/two-factor/enable", {"code": "123456"}).status_code == 400
    owner.refresh_from_db()
    assert not owner.two_factor_enabled


def test_workspace_requiring_two_factor_blocks_tokens_of_members_without_it(db, owner, member, workspace, api_client):
    member_client = api_client(member, workspace)
    enable_2fa(api_client(owner, workspace), owner)
    owner_client = api_client(owner, workspace)  # turning two-factor on revoked the owner's earlier tokens
    assert api_client(member, workspace).patch("/workspace", {"require_two_factor": True}).status_code == 403
    assert owner_client.patch("/workspace", {"require_two_factor": True}).status_code == 200
    assert member_client.get("/me").status_code == 401
    refused = get_token(member.email)
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_setup_required"


def test_an_owner_without_two_factor_cannot_require_it_and_keeps_their_token(db, owner, workspace, api_client):
    client = api_client(owner, workspace)

    response = client.patch("/workspace", {"require_two_factor": True})

    assert response.status_code == 409 and response.json()["field"] == "require_two_factor"
    assert client.get("/me").status_code == 200


def test_disable_two_factor_needs_the_password(db, owner, workspace, api_client):
    enable_2fa(api_client(owner, workspace), owner)
    client = api_client(owner, workspace)  # turning two-factor on revoked the earlier token
    assert client.post("/auth/two-factor/disable", {"password": "wrong-password-1"}).status_code == 401
    assert client.post("/auth/two-factor/disable", {"password": PASSWORD}).status_code == 200
    owner.refresh_from_db()
    assert not owner.two_factor_enabled


# --- sessions -----------------------------------------------------------------------------------------------------


def test_sessions_list_and_revoke(db, owner, member, workspace, api_client):
    mine = UserSession.objects.create(public_id="s1", user=owner, ip_address="10.0.0.1",
                                      user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")
    theirs = UserSession.objects.create(public_id="s2", user=member)
    client = api_client(owner, workspace)
    listed = client.get("/auth/sessions").json()
    assert listed["count"] == 1
    assert listed["items"][0]["device"] == "Chrome on Linux"
    assert listed["items"][0]["ip_address"] == "10.0.0.1"
    assert client.delete(f"/auth/sessions/{theirs.pk}").status_code == 404
    assert client.delete(f"/auth/sessions/{mine.pk}").status_code == 204
    assert client.get("/auth/sessions").json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_idle_sessions_are_not_listed(db, owner, workspace, api_client, settings):
    UserSession.objects.create(public_id="old", user=owner,
                               last_seen_at=timezone.now() - timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
    assert api_client(owner, workspace).get("/auth/sessions").json()["count"] == 0


def test_verifying_twice_with_the_good_code_is_fine_but_a_wrong_code_is_not(db, outbox):
    body = verified_signup(outbox)
    code = outbox.last_code(body["email"])
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    assert ApiClient().post("/auth/verify-email", {"email": body["email"], "code": code}).status_code == 200
    assert ApiClient().post("/auth/verify-email", {"email": body["email"], "code": wrong}).status_code == 400


def test_reset_confirm_answers_alike_for_unknown_and_known_accounts(db, outbox):
    verified_signup(outbox)
    for email in (SIGNUP["email"], "nobody@example.test"):
        weak = ApiClient().post("/auth/password-reset/confirm", {"email": email, "code": "123456", "new_password": "x"})
        assert weak.status_code == 422 and weak.json()["field"] == "new_password"


def test_wrong_second_factor_codes_count_towards_the_lock(db, owner, workspace, api_client):
    secret, _ = enable_2fa(api_client(owner, workspace), owner)
    for _ in range(5):
        assert get_token(owner.email, otp="000000").status_code == 401
    User.objects.filter(pk=owner.pk).update(totp_last_step=0)
    assert get_token(owner.email, otp=pyotp.TOTP(secret).now()).status_code == 429


def test_password_reset_also_revokes_tokens_of_an_ended_membership(db, owner, member, workspace, outbox):
    from oorg.core.models import Membership
    from oorg.core.tenancy import workspace_scope

    from ..conftest import token_for

    token = token_for(member, workspace)
    with workspace_scope(workspace):
        Membership.objects.filter(user=member).update(is_active=False)
    ApiClient().post("/auth/password-reset", {"email": member.email})
    ApiClient().post("/auth/password-reset/confirm", {"email": member.email, "code": outbox.last_code(member.email),
                                                      "new_password": "Another-Sturdy-Phrase-7"})
    assert ApiToken.all_workspaces.get(token_hash__isnull=False, user=member).revoked_at is not None
    with workspace_scope(workspace):
        Membership.objects.filter(user=member).update(is_active=True)
    assert ApiClient(token).get("/me").status_code == 401
