"""The bell in a real browser: a member has a page open; an owner makes them HR; without a reload the bell
lights with the count, its dropdown lists the notification, and following it marks it read."""
import os
import re

import pytest
from playwright.sync_api import expect

from oorg.core.models import Membership
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.workspaces.services import change_member_role

from .axe import DESKTOP, PHONE, chromium, new_page
from .test_browser_signup import sign_in


def _shot(page, name: str) -> None:
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], name), full_page=True)


@pytest.mark.browser
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_bell_lights_without_a_reload_when_a_member_is_made_hr(live_server, workspace, member, monkeypatch,
                                                                   settings, size):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    with chromium(monkeypatch) as browser:
        page = new_page(browser, size)
        sign_in(page, live_server, member, workspace)
        bell = page.locator("#notification-summary")
        expect(bell).to_have_attribute("aria-label", "Notifications")
        expect(page.locator("#notification-count")).to_be_hidden()

        with workspace_scope(workspace):
            owner = Membership.objects.get(user=workspace.owner)
            change_member_role(Actor(user=workspace.owner, workspace=workspace, membership=owner, role=owner.role),
                               Membership.objects.get(user=member), role="hr")

        expect(page.locator("#notification-count")).to_have_text("1", timeout=10_000)  # no reload
        expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
        _shot(page, f"bell-lit-{size['width']}.png")

        bell.click()
        item = page.locator("#notification-panel").get_by_role("button", name=re.compile("Your role is now HR"))
        expect(item).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        _shot(page, f"bell-open-{size['width']}.png")
        item.click()
        page.wait_for_load_state()
        expect(page.locator("#notification-count")).to_be_hidden()
