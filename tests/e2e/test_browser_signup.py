"""A newcomer signs up in a real browser (Debian's Chromium driven by Playwright) on a phone-sized screen."""
import os
from pathlib import Path

import pytest

from ..conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def browser_page(monkeypatch):
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        if os.environ.get("OORG_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; OORG_REQUIRE_BROWSER=1 says browser tests must run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def sign_in(page, live_server, user, workspace) -> None:
    """Sign in through the page, as a person would, and land in the workspace."""
    page.goto(live_server.url + "/signin")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/w/{workspace.slug}/")


@pytest.mark.browser
def test_sign_up_verify_and_land_in_the_workspace_on_a_phone(live_server, transactional_db, outbox, browser_page):
    page = browser_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Work email").fill("ada@example.test")
    page.get_by_label("Company or team name").fill("Analytical Engines")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I accept the").check()
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url("**/verify?email=*")
    code = outbox.last_code("ada@example.test")
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Verify email").click()

    page.wait_for_url("**/w/analytical-engines/")
    assert page.get_by_role("heading", name="Analytical Engines").is_visible()
    assert page.get_by_text("Getting started").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    stylesheet_applied = page.evaluate("getComputedStyle(document.querySelector('.topbar')).borderBottomStyle")
    assert stylesheet_applied == "solid"  # the CSS loaded under the CSP

    # The workspace switcher opens without any script and lists the workspace.
    page.locator("details.switcher > summary").click()
    assert page.locator("details.switcher .menu-panel").get_by_text("Analytical Engines").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.locator("details.switcher > summary").click()
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], "workspace-home-375.png"), full_page=True)
