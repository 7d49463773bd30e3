"""The app shell in Chromium: on a phone (375 px) the sidebar is a drawer opened by the menu button, closed by
Escape and followed by navigation; at 1280 px it stands beside the page with no button; Ctrl+K focuses the
search; without JavaScript the drawer still opens (:target). The page runs under the strict CSP throughout."""
import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services

from .axe import DESKTOP, PHONE, chromium, new_page
from .test_browser_signup import sign_in


def _screenshot(page, name: str) -> None:
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], name), full_page=True)


def _csp_errors(page) -> list[str]:
    """Collects what the browser refused under the page's Content-Security-Policy."""
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


@pytest.fixture
def people(workspace, company):
    """A joiner this month and a birthday next week, so the dashboard's cards have something to show."""
    today = dt.date.today()
    with workspace_scope(workspace):
        system = Actor.system(workspace)
        services.create_employee(system, code="E007", full_name="Nora Newcomer", job_title="Designer",
                                 start_date=today.replace(day=1), manager=company["ceo"].pk)
        services.update_employee(system, company["hr"], birth_date=(today + dt.timedelta(days=6)).replace(year=1988)
                                 if (today + dt.timedelta(days=6)).strftime("%m%d") != "0229" else dt.date(1988, 2, 29))
    return company


@pytest.mark.browser
def test_on_a_phone_the_menu_button_opens_the_drawer_and_escape_closes_it(live_server, workspace, people,
                                                                          monkeypatch):
    with chromium(monkeypatch) as browser:
        page = new_page(browser, PHONE)
        refused = _csp_errors(page)
        sign_in(page, live_server, workspace.owner, workspace)
        button = page.get_by_role("button", name="Menu", exact=True)
        drawer = page.locator("#sidebar")

        # Closed: only the button shows; the page fits the phone.
        assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
        assert button.get_attribute("aria-controls") == "sidebar"
        assert drawer.get_by_role("link", name="Directory").is_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _screenshot(page, "shell-home-375.png")

        # Open: focus moves into the drawer; the page behind is inert.
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
        drawer.get_by_role("link", name="Directory").wait_for()
        assert page.evaluate("document.activeElement.closest('#sidebar') !== null")
        assert page.evaluate("document.querySelector('.app-column').inert")
        expect(drawer).to_have_css("transform", "none")  # slid in (wait_for_function would need eval: the CSP)
        _screenshot(page, "shell-drawer-375.png")

        # Navigate through it: the drawer is closed on the new page and marks where we are.
        drawer.get_by_role("link", name="Org chart").click()
        page.wait_for_url("**/people/chart/")
        assert drawer.get_by_role("link", name="Org chart").is_hidden()
        assert drawer.locator('a[aria-current="page"]').text_content().strip() == "Org chart"

        # Escape closes it and gives focus back to the button.
        button.click()
        drawer.get_by_role("link", name="Directory").wait_for()
        page.keyboard.press("Escape")
        drawer.get_by_role("link", name="Directory").wait_for(state="hidden")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "sidebar"
        assert not page.evaluate("document.querySelector('.app-column').inert")

        # htmx is loaded as configured and injected no <style>; nothing was refused by the CSP.
        assert page.evaluate("window.htmx.config.includeIndicatorStyles === false && !window.htmx.config.allowEval")
        assert page.evaluate("document.querySelectorAll('style, [style]').length") == 0
        assert refused == []


@pytest.mark.browser
def test_on_a_wide_screen_the_sidebar_stands_beside_the_page(live_server, workspace, people, monkeypatch):
    with chromium(monkeypatch) as browser:
        page = new_page(browser, DESKTOP)
        refused = _csp_errors(page)
        sign_in(page, live_server, workspace.owner, workspace)
        drawer = page.locator("#sidebar")

        assert drawer.get_by_role("link", name="Directory").is_visible()
        assert drawer.get_by_role("link", name="Audit log").is_visible()
        assert page.get_by_role("button", name="Menu", exact=True).is_hidden()
        assert page.get_by_role("heading", name="Joiners and leavers").is_visible()
        assert page.get_by_text("Nora Newcomer").first.is_visible()
        _screenshot(page, "shell-home-1280.png")

        # Ctrl+K focuses the search, which searches the directory.
        page.keyboard.press("Control+k")
        assert page.evaluate("document.activeElement.id") == "shell-search"
        page.keyboard.type("olivia")
        page.keyboard.press("Enter")
        page.wait_for_url("**/people/?q=olivia")
        _screenshot(page, "shell-directory-1280.png")
        page.locator("main").get_by_role("link", name="Olivia Owner").first.wait_for()
        assert drawer.locator('a[aria-current="page"]').text_content().strip() == "Directory"

        # The workspace switcher and the account menu open over the page.
        page.locator("details.switcher > summary").click()
        assert page.locator("details.switcher .menu-panel").get_by_text("Acme Corp").is_visible()
        page.locator("details.account > summary").click()  # opening one menu closes the other
        assert page.locator("details.account").get_by_role("link", name="Account security").is_visible()
        assert not page.evaluate("document.querySelector('details.switcher').open")
        _screenshot(page, "shell-account-menu-1280.png")
        assert refused == []


@pytest.mark.browser
def test_without_javascript_the_drawer_still_opens_and_closes(live_server, workspace, member, monkeypatch):
    with chromium(monkeypatch) as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server, member, workspace)
        drawer = page.locator("#sidebar")

        page.get_by_role("link", name="Menu", exact=True).click()  # a link to #sidebar: the drawer is the :target
        drawer.get_by_role("link", name="Members").wait_for()
        expect(drawer).to_have_css("transform", "none")
        _screenshot(page, "shell-drawer-nojs-375.png")
        drawer.get_by_role("link", name="Close the menu").click()
        drawer.get_by_role("link", name="Members").wait_for(state="hidden")
        context.close()
