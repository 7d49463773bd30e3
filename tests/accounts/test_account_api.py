"""The account API as a client sees it: password, email, profile and photo, recovery codes."""
import io
from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone
from PIL import Image

from oorg.accounts import services
from oorg.accounts.models import EmailCode, User, UserSession
from oorg.core import files
from oorg.core.models import AuditEvent

from ..conftest import PASSWORD, ApiClient, make_user, token_for

NEW_PASSWORD = "Another-Sturdy-Phrase-7"
WRONG_PASSWORD = "Not-the-password-1"


@pytest.fixture
def me(workspace, owner):
    """The owner's own API client."""
    return ApiClient(token_for(owner, workspace))


def token_works(email, password):
    return ApiClient().post("/auth/token", {"email": email, "password": password}).status_code == 201


def png(size=(800, 600), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


# --- password ----------------------------------------------------------------------------------------------


def test_changing_the_password_ends_browser_sessions_keeps_tokens_and_emails_a_notice(me, owner, workspace, outbox):
    UserSession.objects.create(public_id="laptop", user=owner)

    response = me.post("/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 200
    assert "1 other signed-in session was signed out" in response.json()["detail"]
    assert not UserSession.objects.filter(user=owner, revoked_at__isnull=True).exists()
    assert me.get("/me").status_code == 200  # API tokens keep working (SECURITY.md says why)
    assert token_works(owner.email, NEW_PASSWORD) and not token_works(owner.email, PASSWORD)
    [notice] = [m for m in outbox.to(owner.email) if m["Subject"] == "Your OORG password was changed"]
    text = next(p for p in notice.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "1 other signed-in session was signed out" in text and "API tokens keep working" in text
    assert AuditEvent.objects.filter(action="account.password_changed", workspace=workspace).count() == 1


def test_a_wrong_current_password_is_422_naming_it_and_changes_nothing(me, owner):
    response = me.post("/auth/password", {"current_password": WRONG_PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 422
    assert response.json()["field"] == "current_password" and response.json()["code"] == "wrong_password"
    assert token_works(owner.email, PASSWORD)


@pytest.mark.parametrize("new_password", ["short", "password1234", "1234567890123"])
def test_a_weak_new_password_is_422_naming_it(me, owner, new_password):
    response = me.post("/auth/password", {"current_password": PASSWORD, "new_password": new_password})

    assert response.status_code == 422 and response.json()["field"] == "new_password"
    assert token_works(owner.email, PASSWORD)


def test_a_wrong_current_and_a_weak_new_password_are_both_reported(me):
    response = me.post("/auth/password", {"current_password": WRONG_PASSWORD, "new_password": "short"})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["current_password", "new_password"]


def test_the_new_password_must_differ_from_the_current_one(me):
    response = me.post("/auth/password", {"current_password": PASSWORD, "new_password": PASSWORD})

    assert response.status_code == 422 and response.json()["field"] == "new_password"


def test_wrong_current_passwords_are_throttled_with_sign_in_failures(me, owner):
    answers = [me.post("/auth/password", {"current_password": WRONG_PASSWORD, "new_password": NEW_PASSWORD})
               .status_code for _ in range(6)]
    right = me.post("/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert answers == [422] * 5 + [429]
    assert right.status_code == 429 and int(right["Retry-After"]) > 0
    assert ApiClient().post("/auth/token", {"email": owner.email, "password": PASSWORD}).status_code == 429


# --- email --------------------------------------------------------------------------------------------------


def test_changing_the_email_sends_a_code_to_the_new_address_and_a_notice_to_the_old(me, owner, workspace, outbox):
    response = me.post("/auth/email", {"new_email": "Owner@New.test", "password": PASSWORD})

    assert response.status_code == 202
    code = outbox.last_code("owner@new.test")
    [notice] = outbox.to("owner@acme.test")
    assert "owner@new.test" in notice.get_payload(decode=True).decode()
    assert User.objects.get(pk=owner.pk).email == "owner@acme.test"  # nothing changes before the code

    confirmed = me.post("/auth/email/confirm", {"code": code})

    assert confirmed.status_code == 200 and confirmed.json()["email"] == "owner@new.test"
    assert User.objects.get(pk=owner.pk).email == "owner@new.test"
    assert token_works("owner@new.test", PASSWORD) and not token_works("owner@acme.test", PASSWORD)
    assert outbox.to("owner@acme.test")[-1]["Subject"] == "Your OORG email address was changed"
    actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"account.email_change_requested", "account.email_changed"} <= actions


def test_an_email_of_another_account_is_refused_like_sign_up_refuses_it(me, owner, outbox):
    make_user("taken@example.test")

    response = me.post("/auth/email", {"new_email": "TAKEN@example.test", "password": PASSWORD})

    assert response.status_code == 409
    assert response.json()["field"] == "new_email" and response.json()["code"] == "email_taken"
    assert outbox.to("taken@example.test") == [] and outbox.to(owner.email) == []


def test_a_wrong_password_sends_no_code(me, outbox):
    response = me.post("/auth/email", {"new_email": "owner@new.test", "password": WRONG_PASSWORD})

    assert response.status_code == 422 and response.json()["field"] == "password"
    assert outbox.messages() == []


def test_the_current_address_is_not_a_change(me):
    response = me.post("/auth/email", {"new_email": "owner@acme.test", "password": PASSWORD})

    assert response.status_code == 422 and response.json()["field"] == "new_email"


def test_email_change_requests_are_limited_per_account(me):
    answers = [me.post("/auth/email", {"new_email": f"owner{i}@new.test", "password": PASSWORD}).status_code
               for i in range(4)]

    assert answers == [202, 202, 202, 429]


def test_a_wrong_code_is_refused_and_the_email_stays(me, owner, outbox):
    me.post("/auth/email", {"new_email": "owner@new.test", "password": PASSWORD})
    right = outbox.last_code("owner@new.test")
    wrong = "000000" if right != "000000" else "111111"

    response = me.post("/auth/email/confirm", {"code": wrong})

    assert response.status_code == 400 and response.json()["code"] == "invalid_code"
    assert User.objects.get(pk=owner.pk).email == "owner@acme.test"


def test_an_expired_code_is_refused(me, owner, outbox):
    me.post("/auth/email", {"new_email": "owner@new.test", "password": PASSWORD})
    EmailCode.objects.filter(user=owner).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = me.post("/auth/email/confirm", {"code": outbox.last_code("owner@new.test")})

    assert response.status_code == 400
    assert User.objects.get(pk=owner.pk).email == "owner@acme.test"


def test_a_code_works_once(me, owner, outbox):
    me.post("/auth/email", {"new_email": "owner@new.test", "password": PASSWORD})
    code = outbox.last_code("owner@new.test")
    assert me.post("/auth/email/confirm", {"code": code}).status_code == 200

    again = me.post("/auth/email/confirm", {"code": code})

    assert again.status_code == 400


def test_a_newer_request_replaces_the_older_code(me, owner, outbox):
    me.post("/auth/email", {"new_email": "first@new.test", "password": PASSWORD})
    first = outbox.last_code("first@new.test")
    me.post("/auth/email", {"new_email": "second@new.test", "password": PASSWORD})
    second = outbox.last_code("second@new.test")

    if first != second:  # one in a million they are the same digits
        assert me.post("/auth/email/confirm", {"code": first}).status_code == 400
    assert me.post("/auth/email/confirm", {"code": second}).json()["email"] == "second@new.test"


def test_an_address_taken_between_request_and_code_is_refused(me, owner, outbox):
    me.post("/auth/email", {"new_email": "owner@new.test", "password": PASSWORD})
    make_user("owner@new.test")  # someone signed up with it in the meantime

    response = me.post("/auth/email/confirm", {"code": outbox.last_code("owner@new.test")})

    assert response.status_code == 409
    assert User.objects.get(pk=owner.pk).email == "owner@acme.test"


# --- profile and photo ----------------------------------------------------------------------------------------


def test_the_profile_reads_and_changes(me, owner, workspace):
    assert me.get("/auth/profile").json() == {"email": "owner@acme.test", "full_name": owner.full_name,
                                              "time_zone": "UTC", "language": "en", "has_photo": False}

    response = me.patch("/auth/profile", {"full_name": "  Ada   Lovelace ", "time_zone": "Europe/Berlin"})

    assert response.status_code == 200
    assert response.json()["full_name"] == "Ada Lovelace" and response.json()["time_zone"] == "Europe/Berlin"
    event = AuditEvent.objects.get(action="account.profile_updated", workspace=workspace)
    assert event.data["fields"] == ["full_name", "time_zone"]


def test_every_bad_profile_value_is_reported_at_once(me, owner):
    response = me.patch("/auth/profile", {"full_name": " ", "time_zone": "Mars/Olympus_Mons", "language": "tlh"})

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"full_name", "time_zone", "language"}
    assert User.objects.get(pk=owner.pk).full_name == owner.full_name


def test_a_photo_is_stored_re_encoded_and_can_be_removed(me, owner, django_capture_on_commit_callbacks):
    response = me.upload("/auth/profile/photo", "photo.png", png())

    assert response.status_code == 200 and response.json()["has_photo"] is True
    stored = User.objects.get(pk=owner.pk).photo
    photo = me.get("/auth/profile/photo")
    assert photo["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(photo.content))
    assert image.format == "JPEG" and max(image.size) == 512 and not image.info.get("exif")

    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the change is committed
        assert me.delete("/auth/profile/photo").status_code == 204
    assert me.get("/auth/profile/photo").status_code == 404
    with pytest.raises(FileNotFoundError):
        files.read(stored)


def test_a_file_that_is_not_an_image_is_422(me):
    response = me.upload("/auth/profile/photo", "photo.png", b"not an image")

    assert response.status_code == 422 and response.json()["field"] == "photo"


# --- recovery codes --------------------------------------------------------------------------------------------


@pytest.fixture
def two_factor(workspace, owner):
    secret, _uri = services.begin_two_factor_setup(owner)
    old_codes = services.enable_two_factor(owner, code=pyotp.TOTP(secret).now())
    User.objects.filter(pk=owner.pk).update(totp_last_step=0)  # the tests' own codes are not replays
    return {"secret": secret, "old_codes": list(old_codes), "client": ApiClient(token_for(owner, workspace))}


def second_step(owner, otp):
    return ApiClient().post("/auth/token", {"email": owner.email, "password": PASSWORD, "otp": otp})


def test_regenerated_codes_replace_the_old_ones_at_once(two_factor, owner, workspace):
    response = two_factor["client"].post("/auth/two-factor/recovery-codes", {"password": PASSWORD})

    assert response.status_code == 200
    new = response.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(two_factor["old_codes"])
    assert second_step(owner, two_factor["old_codes"][0]).status_code == 401
    assert second_step(owner, new[0]).status_code == 201
    assert AuditEvent.objects.filter(action="account.recovery_codes_regenerated", workspace=workspace).exists()


def test_an_app_code_also_confirms_regeneration(two_factor):
    code = pyotp.TOTP(two_factor["secret"]).now()

    response = two_factor["client"].post("/auth/two-factor/recovery-codes", {"code": code})
    replay = two_factor["client"].post("/auth/two-factor/recovery-codes", {"code": code})

    assert response.status_code == 200
    assert replay.status_code == 422 and replay.json()["field"] == "code"  # an app code works once


def test_regeneration_needs_a_right_password_or_code(two_factor):
    wrong = two_factor["client"].post("/auth/two-factor/recovery-codes", {"password": WRONG_PASSWORD})
    neither = two_factor["client"].post("/auth/two-factor/recovery-codes", {})

    assert wrong.status_code == 422 and wrong.json()["field"] == "password"
    assert neither.status_code == 422 and neither.json()["field"] == "password"


def test_without_two_factor_there_are_no_codes_to_regenerate(me):
    response = me.post("/auth/two-factor/recovery-codes", {"password": PASSWORD})

    assert response.status_code == 409
