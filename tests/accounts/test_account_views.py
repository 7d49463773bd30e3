"""The account pages as a browser uses them: profile and photo, password, email, two-factor QR, recovery codes.

Every successful POST redirects (a reload repeats nothing); a refused one answers 422 with each problem on its field.
"""
import io
import re

import pyotp
import pytest
from django.test import Client
from PIL import Image

from oorg.accounts import services
from oorg.accounts.models import User, UserSession
from oorg.core.models import AuditEvent
from tests.conftest import PASSWORD, ApiClient, make_user, token_for
from tests.web.pages import sign_in, signed_in_client, text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Sturdy-Phrase-7"
WRONG_PASSWORD = "Not-the-password-1"


def png(size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def field_errors(response) -> dict[str, str]:
    """{field name: its error text} as the page shows them under each field."""
    found = re.findall(r'<ul class="errorlist" id="id_(\w+)_error">(.*?)</ul>', text(response), re.S)
    return {name: " ".join(re.findall(r"<li>(.*?)</li>", items, re.S)) for name, items in found}


# --- password -----------------------------------------------------------------------------------------------


def test_changing_the_password_signs_out_other_browsers_and_keeps_this_one(workspace, owner, outbox):
    here, elsewhere = signed_in_client(owner), signed_in_client(owner)
    old_key = here.cookies["oorg_session"].value

    response = here.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/account/security"
    assert here.cookies["oorg_session"].value != old_key  # this browser's session key is new
    page = here.get("/account/security")
    assert page.status_code == 200 and "Your password is changed. 1 other signed-in session was signed out." in text(page)
    assert elsewhere.get("/account/security")["Location"].startswith("/signin")
    stolen = Client()
    stolen.cookies["oorg_session"] = old_key  # the session key from before the change, replayed
    assert stolen.get("/account/security")["Location"].startswith("/signin")
    assert UserSession.objects.filter(user=owner, revoked_at__isnull=True).count() == 1
    sign_in(Client(), owner.email, NEW_PASSWORD)
    assert "Your OORG password was changed" in [m["Subject"] for m in outbox.to(owner.email)]


def test_a_reload_after_changing_the_password_repeats_nothing(owner):
    client = signed_in_client(owner)
    response = client.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                           follow=True)

    reload = client.get(response.redirect_chain[-1][0])  # what the browser reloads is the GET it was sent to

    assert reload.status_code == 200
    assert AuditEvent.objects.filter(action="account.password_changed").count() == 1


def test_a_wrong_current_and_a_weak_new_password_are_shown_together(owner):
    client = signed_in_client(owner)

    response = client.post("/account/password", {"current_password": WRONG_PASSWORD, "new_password": "short"})

    assert response.status_code == 422
    errors = field_errors(response)
    assert errors["current_password"] == "That is not your current password."
    assert "too short" in errors["new_password"]
    assert User.objects.get(pk=owner.pk).check_password(PASSWORD)


def test_the_password_page_is_throttled_after_five_wrong_passwords(owner):
    client = signed_in_client(owner)
    body = {"current_password": WRONG_PASSWORD, "new_password": NEW_PASSWORD}

    answers = [client.post("/account/password", body).status_code for _ in range(6)]

    assert answers == [422] * 5 + [429]
    assert "Too many failed" in text(client.post("/account/password", {**body, "current_password": PASSWORD}))


# --- email -------------------------------------------------------------------------------------------------


def test_changing_the_email_on_the_page(owner, outbox):
    client = signed_in_client(owner)
    assert "Send a code to the new address" in text(client.get("/account/email"))

    response = client.post("/account/email", {"action": "request", "new_email": "owner@new.test",
                                              "password": PASSWORD})

    assert response["Location"] == "/account/email"
    page = text(client.get("/account/email"))
    assert "We sent a 6-digit code to <strong class=\"break\">owner@new.test</strong>" in page
    assert "a change to owner@new.test waits for its code" in text(client.get("/account/security"))
    wrong = client.post("/account/email", {"action": "confirm", "code": "12345678"})
    assert wrong.status_code == 422 and "That code is wrong or has expired" in text(wrong)
    response = client.post("/account/email", {"action": "confirm", "code": outbox.last_code("owner@new.test")},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/account/security"
    assert "Your email address is now owner@new.test." in text(response)
    assert User.objects.get(pk=owner.pk).email == "owner@new.test"


def test_an_email_change_request_shows_every_problem_at_once(owner):
    client = signed_in_client(owner)

    response = client.post("/account/email", {"action": "request", "new_email": "owner@acme.test",
                                              "password": WRONG_PASSWORD})

    assert response.status_code == 422
    assert set(field_errors(response)) == {"password", "new_email"}


def test_a_taken_email_is_named_on_its_field(owner, outbox):
    make_user("taken@example.test")
    client = signed_in_client(owner)

    response = client.post("/account/email", {"action": "request", "new_email": "taken@example.test",
                                              "password": PASSWORD})

    assert response.status_code == 422
    assert field_errors(response) == {"new_email": "Another account already uses this email address."}
    assert outbox.to("taken@example.test") == []


# --- profile and photo ---------------------------------------------------------------------------------------


def test_the_profile_page_offers_time_zones_by_region_and_english(owner):
    page = text(signed_in_client(owner).get("/account/profile"))

    assert '<optgroup label="Europe">' in page and '<optgroup label="America">' in page
    assert '<option value="Europe/Berlin">Berlin</option>' in page
    assert 'value="US/Eastern"' not in page  # legacy aliases are accepted, not offered
    assert '<option value="en" selected>English</option>' in page


def test_saving_the_profile_redirects_and_bad_values_are_all_shown(owner, workspace):
    client = signed_in_client(owner)

    bad = client.post("/account/profile", {"full_name": "", "time_zone": "Mars/Base", "language": "xx"})
    good = client.post("/account/profile", {"full_name": "Ada Lovelace", "time_zone": "Asia/Tokyo",
                                            "language": "en"})

    assert bad.status_code == 422 and set(field_errors(bad)) == {"full_name", "time_zone", "language"}
    assert good["Location"] == "/account/profile"
    user = User.objects.get(pk=owner.pk)
    assert (user.full_name, user.time_zone) == ("Ada Lovelace", "Asia/Tokyo")
    assert AuditEvent.objects.filter(action="account.profile_updated", workspace=workspace).count() == 1


def test_a_photo_upload_shows_it_and_remove_takes_it_away(owner):
    client = signed_in_client(owner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/account/photo/upload", {"photo": SimpleUploadedFile("me.png", png())})

    assert response["Location"] == "/account/profile"
    user = User.objects.get(pk=owner.pk)
    assert user.photo_url and user.photo_url in text(client.get("/account/profile"))
    photo = client.get(user.photo_url)
    assert photo["Content-Type"] == "image/jpeg" and Image.open(io.BytesIO(photo.content)).size == (512, 384)
    assert client.post("/account/photo/remove")["Location"] == "/account/profile"
    assert User.objects.get(pk=owner.pk).photo_url is None
    assert client.get("/account/photo").status_code == 404


def test_a_file_that_is_not_an_image_is_refused_on_the_photo_field(owner):
    client = signed_in_client(owner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/account/photo/upload", {"photo": SimpleUploadedFile("me.png", b"GIF89a nonsense")})

    assert response.status_code == 422 and "photo" in field_errors(response)


def test_a_get_on_a_form_only_url_goes_to_the_profile_page(owner):
    client = signed_in_client(owner)

    for url in ("/account/photo/upload", "/account/photo/remove"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (303, "/account/profile"), url


# --- two-factor QR and recovery codes -------------------------------------------------------------------------


def test_the_setup_page_draws_the_qr_code_as_inline_svg_under_the_csp(owner):
    client = signed_in_client(owner)
    client.post("/account/two-factor", {"action": "begin"})

    response = client.get("/account/two-factor")

    page = text(response)
    svg = re.search(r'<svg [^>]*class="qr-code".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg and "style" not in svg.lower() and "script" not in svg.lower()
    assert response.context["secret"] in page
    assert "style-src 'self';" in response["Content-Security-Policy"]


@pytest.fixture
def with_two_factor(owner):
    """The owner signed in, then two-factor turned on (this browser's session counts as having passed it)."""
    client = signed_in_client(owner)
    secret, _uri = services.begin_two_factor_setup(owner)
    old_codes = list(services.enable_two_factor(owner, code=pyotp.TOTP(secret).now()))
    User.objects.filter(pk=owner.pk).update(totp_last_step=0)
    return client, secret, old_codes


def test_regenerated_codes_are_shown_downloadable_and_the_old_ones_stop_working(owner, with_two_factor):
    client, _secret, old_codes = with_two_factor

    response = client.post("/account/recovery-codes", {"action": "regenerate", "password": PASSWORD})

    assert response["Location"] == "/account/recovery-codes"
    page = client.get("/account/recovery-codes")
    new_codes = page.context["codes"]
    assert len(new_codes) == 10 and all(c in text(page) for c in new_codes)
    assert client.get("/account/recovery-codes").context["codes"] == new_codes  # a reload shows them again
    download = client.get("/account/recovery-codes/download")
    assert download["Content-Disposition"] == 'attachment; filename="oorg-recovery-codes.txt"'
    assert download["Cache-Control"] == "no-store" and download["Content-Type"].startswith("text/plain")
    assert all(c in download.content.decode() for c in new_codes)
    second = ApiClient().post("/auth/token", {"email": owner.email, "password": PASSWORD, "otp": old_codes[0]})
    assert second.status_code == 401
    assert ApiClient().post("/auth/token", {"email": owner.email, "password": PASSWORD,
                                            "otp": new_codes[0]}).status_code == 201


def test_recovery_codes_are_never_shown_again_once_done(owner, with_two_factor):
    client, _secret, _old = with_two_factor
    client.post("/account/recovery-codes", {"action": "regenerate", "password": PASSWORD})
    codes = client.get("/account/recovery-codes").context["codes"]

    done = client.post("/account/recovery-codes", {"action": "done"})

    assert done["Location"] == "/account/security"
    later = client.get("/account/recovery-codes")
    assert "codes" not in later.context and not any(c in text(later) for c in codes)
    assert client.get("/account/recovery-codes/download")["Location"] == "/account/recovery-codes"


def test_codes_replaced_elsewhere_are_not_shown_here(owner, workspace, with_two_factor):
    client, _secret, _old = with_two_factor
    client.post("/account/recovery-codes", {"action": "regenerate", "password": PASSWORD})

    ApiClient(token_for(owner, workspace)).post("/auth/two-factor/recovery-codes", {"password": PASSWORD})

    assert "codes" not in client.get("/account/recovery-codes").context


def test_regenerating_with_an_app_code_and_refusing_a_wrong_password(with_two_factor):
    client, secret, _old = with_two_factor

    wrong = client.post("/account/recovery-codes", {"action": "regenerate", "password": WRONG_PASSWORD})
    right = client.post("/account/recovery-codes", {"action": "regenerate", "code": pyotp.TOTP(secret).now()})

    assert wrong.status_code == 422 and field_errors(wrong) == {"password": "That is not your current password."}
    assert right["Location"] == "/account/recovery-codes"


def test_enabling_two_factor_shows_the_codes_after_a_redirect(owner):
    client = signed_in_client(owner)
    client.post("/account/two-factor", {"action": "begin"})
    secret = client.get("/account/two-factor").context["secret"]

    response = client.post("/account/two-factor", {"action": "enable", "code": pyotp.TOTP(secret).now()},
                           follow=True)

    assert response.redirect_chain == [("/account/recovery-codes", 302)]
    assert "Two-factor sign-in is on" in text(response) and len(response.context["codes"]) == 10
    assert 'data-copy="#recovery-codes"' in text(response)
