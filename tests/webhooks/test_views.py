"""The webhook pages: the list, the form (every problem at once), the secret shown once, the delivery log, and
the buttons (each POST redirects)."""
from __future__ import annotations

import re

import pytest

from oorg.core.tenancy import workspace_scope
from oorg.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.conftest import _run_pending_on_commit
from tests.web.pages import signed_in_client, text

from .conftest import emit_pings, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(workspace, admin):
    made = signed_in_client(admin)
    _run_pending_on_commit()
    return made


def url(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/webhooks/{rest}"


def only(workspace) -> WebhookSubscription:
    with workspace_scope(workspace):
        return WebhookSubscription.objects.get()


def test_create_shows_the_secret_once_on_the_page_it_redirects_to(workspace, browser, receiver, ping_type):
    form = text(browser.get(url(workspace, "new")))
    assert 'value="tests.ping"' in form and "All events" in form and "<legend>Tests</legend>" in form

    response = browser.post(url(workspace, "new"), {"url": receiver.url(), "events": ["tests.ping"],
                                                    "description": "ERP bridge"})

    subscription = only(workspace)
    assert response.status_code == 302 and response["Location"] == url(workspace, f"{subscription.pk}/")
    page = text(browser.get(response["Location"]))
    secret = re.search(r'id="webhook-secret">(whsec_[^<]+)<', page).group(1)
    assert secret == subscription.secret
    assert "Webhook created." in page
    again = text(browser.get(response["Location"]))
    assert secret not in again and "Signing secret" not in again
    assert "ERP bridge" in text(browser.get(url(workspace)))


def test_the_form_shows_every_problem_at_once(workspace, browser, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    response = browser.post(url(workspace, "new"), {"url": "https://127.0.0.1/hook", "description": "x" * 250})

    page = text(response)
    assert response.status_code == 422
    assert "3 things to fix" in page
    assert "127.0.0.1 is a loopback address" in page
    assert "Choose at least one event type" in page
    assert "at most 200 characters" in page
    with workspace_scope(workspace):
        assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_shows_request_response_and_timing(workspace, browser, receiver, ping_type, owner_actor):
    receiver.fail_first = 1
    subscription, _ = subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)

    page = text(browser.get(url(workspace, f"{subscription.pk}/")))

    assert "tests.ping" in page and "Pending" in page and "1 attempt" in page
    assert "HTTP 500" in page and "receiver says no" in page and " ms" in page
    assert "OORG-Signature: t=" in page and "User-Agent: OORG-Webhooks/1" in page
    assert "&quot;type&quot;: &quot;tests.ping&quot;" in page  # the body, pretty-printed
    assert "Failing since" in text(browser.get(url(workspace)))


def test_the_buttons_redirect_and_do_what_they_say(workspace, browser, receiver, ping_type, owner_actor):
    subscription, _ = subscribe(owner_actor, receiver.url(), receiver=receiver)
    detail = url(workspace, f"{subscription.pk}/")

    paused = browser.post(url(workspace, f"{subscription.pk}/pause"))
    assert paused.status_code == 302 and not only(workspace).active
    assert "Paused" in text(browser.get(detail))
    assert browser.post(url(workspace, f"{subscription.pk}/resume")).status_code == 302 and only(workspace).active

    tested = browser.post(url(workspace, f"{subscription.pk}/test"))
    assert tested.status_code == 302 and tested["Location"] == detail
    _run_pending_on_commit()
    assert receiver.requests[-1].payload["type"] == "webhooks.test" and receiver.requests[-1].verified

    with workspace_scope(workspace):
        test = WebhookDelivery.objects.get()
    resent = browser.post(url(workspace, f"{subscription.pk}/deliveries/{test.pk}/resend"))
    assert resent.status_code == 302
    _run_pending_on_commit()
    assert len(receiver.requests) == 2 and receiver.unique == 1

    rotated = browser.post(url(workspace, f"{subscription.pk}/rotate-secret"))
    assert rotated.status_code == 302
    new_secret = re.search(r'id="webhook-secret">(whsec_[^<]+)<', text(browser.get(detail))).group(1)
    assert new_secret != receiver.secret and new_secret == only(workspace).secret

    edited = browser.post(url(workspace, f"{subscription.pk}/edit"), {"url": receiver.url("/v2"), "events": ["*"]})
    assert edited.status_code == 302 and only(workspace).events == ["*"] and only(workspace).url.endswith("/v2")

    deleted = browser.post(url(workspace, f"{subscription.pk}/delete"))
    assert deleted.status_code == 302 and deleted["Location"] == url(workspace)
    with workspace_scope(workspace):
        assert not WebhookSubscription.objects.exists()


def test_a_get_on_a_button_goes_to_the_list(workspace, browser):
    response = browser.get(url(workspace, "5/pause"))

    assert response.status_code == 303 and response["Location"] == url(workspace)


def test_members_see_neither_the_pages_nor_the_sidebar_item(workspace, member, admin):
    member_browser = signed_in_client(member)

    assert member_browser.get(url(workspace)).status_code == 403
    assert member_browser.get(url(workspace, "new")).status_code == 403
    assert url(workspace) not in text(member_browser.get(f"/w/{workspace.slug}/"))
    assert url(workspace) in text(signed_in_client(admin).get(f"/w/{workspace.slug}/"))
