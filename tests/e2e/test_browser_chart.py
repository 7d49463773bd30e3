"""A member finds their way through the org chart on a phone (Chromium via Playwright): the top level, one
person's team on demand, and a search that jumps to someone with the reporting line down to them open."""
import os

import pytest

from .test_browser_signup import PHONE, browser_page, sign_in  # noqa: F401  (browser_page: a fixture)


def _names(page, selector: str) -> list[str]:
    return [n.strip() for n in page.locator(f"{selector} .person-name").all_inner_texts()]


@pytest.mark.browser
def test_member_opens_the_chart_a_level_at_a_time_and_finds_someone(live_server, workspace, company, member,
                                                                     browser_page):  # noqa: F811
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
