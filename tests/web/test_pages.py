import pytest
from django.test import Client

from oorg.accounts.policies import PRIVACY_POLICY_UPDATED, PRIVACY_POLICY_VERSION, TERMS_VERSION
from tests.web.pages import signed_in_client, text


@pytest.mark.django_db
def test_landing_explains_the_product_and_offers_sign_up_and_sign_in():
    response = Client().get("/")

    assert response.status_code == 200
    page = text(response)
    for words in ("CRM", "Attendance", "Leave", "REST API", "Desktop agent", "Two-factor", "audit log"):
        assert words in page
    assert 'href="/signup"' in page and 'href="/signin"' in page


def test_landing_links_a_signed_in_user_to_their_workspace(workspace):
    client = signed_in_client(workspace.owner)

    page = text(client.get("/"))

    assert "Open your workspace" in page
    assert f'href="/w/{workspace.slug}/"' in page
    assert 'href="/signup"' not in page


@pytest.mark.django_db
def test_privacy_page_shows_its_version_and_date_and_every_section():
    page = text(Client().get("/privacy"))

    assert f"Version <strong>{PRIVACY_POLICY_VERSION}</strong>" in page
    assert PRIVACY_POLICY_UPDATED in page
    for section in ("Scope", "Information we collect", "How we use information", "Limited use commitment",
                    "Cookies and sessions", "How we share information", "Data retention", "Security measures",
                    "International processing", "Your rights and choices", "Children", "Policy updates", "Contact"):
        assert section in page
    # It names what the product really does.
    for fact in ("6-digit code", "10 minutes", "Argon2", "recovery codes", "hash-chained", "2 hours"):
        assert fact in page


@pytest.mark.django_db
def test_terms_page_shows_its_version():
    page = text(Client().get("/terms"))

    assert f"Version <strong>{TERMS_VERSION}</strong>" in page


@pytest.mark.django_db
def test_every_page_sends_the_security_headers():
    response = Client().get("/signin")

    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_have_no_inline_styles_or_scripts(workspace):
    client = signed_in_client(workspace.owner)
    slug = workspace.slug

    for path in ("/", "/privacy", "/terms", f"/w/{slug}/", f"/w/{slug}/members/", f"/w/{slug}/audit/",
                 f"/w/{slug}/settings/", "/account/security", "/account/two-factor"):
        page = text(client.get(path, follow=True))
        assert "style=" not in page and "<style" not in page, path
        assert "<script>" not in page and "onclick" not in page, path
    for path in ("/signup", "/signin", "/verify", "/reset", "/reset/confirm", "/invitations/accept"):
        page = text(Client().get(path))
        assert "style=" not in page and "<style" not in page, path


@pytest.mark.django_db
def test_stylesheet_is_served_from_our_own_origin():
    response = Client().get("/static/oorg/app.css")

    assert response.status_code == 200
    assert b".topbar" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_app_sends_anonymous_visitors_to_sign_in():
    response = Client().get("/app")

    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=/app")


def test_app_opens_the_last_visited_workspace(workspace, other_workspace):
    from tests.conftest import add_member

    user = add_member(other_workspace, other_workspace.owner, "owner@acme.test", "member")  # also in Globex
    client = signed_in_client(user)
    assert client.get("/app")["Location"] == f"/w/{workspace.slug}/"  # first by name: Acme Corp

    client.get(f"/w/{other_workspace.slug}/")

    assert client.get("/app")["Location"] == f"/w/{other_workspace.slug}/"


def test_workspace_home_shows_role_switcher_and_getting_started(workspace, member):
    client = signed_in_client(member)

    response = client.get(f"/w/{workspace.slug}/")

    page = text(response)
    assert response.status_code == 200
    assert "Acme Corp" in page and "<strong>Member</strong>" in page
    assert "Getting started" in page and "Turn on two-factor sign-in" in page and "/api/v1/docs" in page
    assert 'action="/signout"' in page
    assert "Account security" in page
    assert f'href="/w/{workspace.slug}/members/"' in page
    assert "Audit log" not in page and "Settings" not in page  # a member may see neither


def test_workspace_shell_shows_audit_and_settings_to_the_owner(workspace):
    page = text(signed_in_client(workspace.owner).get(f"/w/{workspace.slug}/"))

    assert f'href="/w/{workspace.slug}/audit/"' in page
    assert f'href="/w/{workspace.slug}/settings/"' in page


def test_another_workspace_is_not_found(workspace, other_workspace):
    client = signed_in_client(workspace.owner)

    for path in ("", "members/", "audit/", "settings/"):
        response = client.get(f"/w/{other_workspace.slug}/{path}")
        assert response.status_code == 404
        assert "Globex" not in text(response)


def test_sign_out_needs_post_and_ends_the_session(workspace):
    client = signed_in_client(workspace.owner)
    assert client.get("/signout").status_code == 303  # a GET (a link, a prefetch) goes to a page, signs nobody out
    assert client.get(f"/w/{workspace.slug}/").status_code == 200

    response = client.post("/signout")

    assert response["Location"] == "/signin"
    assert client.get(f"/w/{workspace.slug}/")["Location"].startswith("/signin?next=")
