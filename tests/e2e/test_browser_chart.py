"""A member finds their way through the org chart on a phone with JavaScript off (Chromium via Playwright): the
top level, one person's team on demand, and a search that jumps to someone with the reporting line down to
them open. (With JavaScript, the drawn chart: tests/e2e/test_browser_people.py.)"""
import os

import pytest

from .axe import chromium
from .test_browser_signup import PHONE, sign_in


@pytest.fixture
def browser_page(monkeypatch):
    """A phone with JavaScript off: the chart degrades to a level at a time."""
    with chromium(monkeypatch) as browser:
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                      java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()


def _names(page, selector: str) -> list[str]:
    return [n.strip() for n in page.locator(f"{selector} .person-name").all_inner_texts()]


@pytest.mark.browser
def test_member_opens_the_chart_a_level_at_a_time_and_finds_someone(live_server, workspace, company, member,
                                                                     browser_page):
    page = browser_page
    sign_in(page, live_server, member, workspace)

    page.goto(f"{live_server.url}/w/{workspace.slug}/people/chart/")
    assert _names(page, "#org-chart") == ["Hana HR", "Olivia Owner"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Olivia's team, on demand.
    page.get_by_role("link", name="2 reports of Olivia Owner: open").click()
    page.get_by_role("heading", name="2 direct reports of Olivia Owner").wait_for()
    assert _names(page, "#org-chart") == ["Mia Manager", "Sam Sales"]

    # A search jumps to Ines, three levels down, with the line above her open.
    page.get_by_label("Find a person").fill("ines")
    page.get_by_role("button", name="Find").click()
    page.locator("#chart-matches").wait_for()
    page.get_by_role("link", name="Ines Indirect").click()
    page.get_by_text("Nobody reports to Ines Indirect").wait_for()
    line = [t.strip() for t in page.locator("#chart-path a.chart-up, #chart-path .person-name").all_inner_texts()]
    assert line == ["Olivia Owner", "Mia Manager", "Remy Report", "Ines Indirect"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], "chart-path-375.png"), full_page=True)
