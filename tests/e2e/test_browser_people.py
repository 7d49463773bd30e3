"""The people pages in Chromium (Playwright), at 1280 px and at 375 px: the drawn org chart (open a level, search
to someone and find them in the middle, zoom, pan with the keyboard, print), the directory's bulk selection,
and axe-core on every people page (no serious or critical violation).

Set OORG_SCREENSHOT_DIR to keep a screenshot of each page for a human look (never committed).
"""
from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services

from .axe import DESKTOP, PHONE, chromium, failing, findings, new_page, settle, violations
from .test_browser_signup import sign_in

VIEWPORTS = {"1280px": DESKTOP, "375px": PHONE}


def shot(page, name: str) -> None:
    folder = os.environ.get("OORG_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def poll(page, expression: str, seconds: float = 5) -> bool:
    """Wait until `expression` is true in the page. (wait_for_function compiles its predicate with eval, which
    the page's CSP refuses; evaluate goes over the DevTools protocol.)"""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return True
        page.wait_for_timeout(50)
    return False


def box_names(page, selector: str) -> list[str]:
    return [n.strip() for n in page.locator(f"{selector} > .oc-node > .oc-box .person-name").all_inner_texts()]


@pytest.fixture
def wide_company(workspace, company):
    """The company, with a wide team under Hana (30 people: two pages of a level) and start dates."""
    system = Actor.system(workspace)
    with workspace_scope(workspace):
        for n in range(30):
            services.create_employee(system, code=f"W{n:02d}", full_name=f"Wanda Wide {n:02d}", manager=company["hr"],
                                     department=company["sales"], job_title="Account manager",
                                     start_date=dt.date(2021, 1, 1) + dt.timedelta(days=30 * n))
    return company


@pytest.mark.browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_drawn_chart_opens_levels_finds_someone_and_zooms(live_server, workspace, wide_company, member,
                                                              monkeypatch, viewport):
    with chromium(monkeypatch) as browser:
        page = new_page(browser, VIEWPORTS[viewport])
        sign_in(page, live_server, member, workspace)
        page.goto(f"{live_server.url}/w/{workspace.slug}/people/chart/")

        chart = page.locator("[data-org-chart]")
        chart.wait_for()
        assert page.locator("[data-chart-flat]").is_hidden()  # the script replaced the level-at-a-time list
        assert box_names(page, ".oc-tree") == ["Hana HR", "Olivia Owner"]

        # Olivia's reports: one level, on demand, under her box.
        toggle = page.get_by_role("button", name="2 reports of Olivia Owner")
        toggle.click()
        ceo, boss = wide_company["ceo"].pk, wide_company["boss"].pk
        page.locator(f"#oc-children-{ceo} > .oc-node").first.wait_for()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert box_names(page, f"#oc-children-{ceo}") == ["Mia Manager", "Sam Sales"]
        assert page.locator(f"#oc-children-{boss}").count() == 0  # one level per click, no deeper

        # Hana's 30: a page of 25 and "Show 5 more".
        page.get_by_role("button", name="30 reports of Hana HR").click()
        more = page.get_by_role("button", name="Show 5 more reports of Hana HR")
        more.wait_for()
        assert page.locator(f"#oc-children-{wide_company['hr'].pk} > .oc-node").count() == 25
        more.click()
        page.locator(f"#oc-children-{wide_company['hr'].pk} > .oc-node").nth(29).wait_for()
        assert page.locator(f"#oc-children-{wide_company['hr'].pk} > .oc-more").count() == 0
        shot(page, f"chart-open-{viewport}")

        # Collapse and open again without another request.
        toggle.click()
        assert page.locator(f"#oc-children-{ceo}").is_hidden()
        toggle.click()
        assert page.locator(f"#oc-children-{ceo}").is_visible()

        # Zoom: the buttons and the level shown.
        page.get_by_role("button", name="Zoom out").click()
        assert page.locator("[data-zoom-level]").inner_text() == "80%"
        assert page.evaluate("document.querySelector('.oc-canvas').style.zoom") == "0.8"
        page.get_by_role("button", name="Zoom in").click()
        page.get_by_role("button", name="Zoom in").click()
        assert page.locator("[data-zoom-level]").inner_text() == "125%"
        page.get_by_role("button", name="100%").click()
        assert page.locator("[data-zoom-level]").inner_text() == "100%"

        # Pan with the keyboard: the viewport takes focus and the arrow keys move it.
        viewport_box = page.locator(".oc-viewport")
        viewport_box.focus()
        before = page.evaluate("document.querySelector('.oc-viewport').scrollLeft")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert poll(page, f"document.querySelector('.oc-viewport').scrollLeft > {before}")

        # Search to Ines, three levels down: the line to her opens and she is in the middle of the view.
        page.get_by_label("Find a person").fill("ines")
        page.get_by_role("button", name="Find").click()
        page.locator("#chart-matches").wait_for()
        page.get_by_role("link", name="Ines Indirect").click()
        page.locator("[data-focus]").wait_for()
        assert page.locator("[data-focus] > .oc-box .person-name").inner_text() == "Ines Indirect"
        line = [t.strip() for t in page.locator(".oc-node:has([data-focus]) > .oc-box .person-name").all_inner_texts()]
        assert line == ["Olivia Owner", "Mia Manager", "Remy Report"]
        centred = page.evaluate("""() => {
            const v = document.querySelector('.oc-viewport').getBoundingClientRect();
            const b = document.querySelector('[data-focus] > .oc-box').getBoundingClientRect();
            return Math.abs((b.left + b.width / 2) - (v.left + v.width / 2)) < 40;
        }""")
        assert centred
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
        shot(page, f"chart-focus-{viewport}")

        # Printing lays the opened chart out to the paper: no toolbar, the whole chart, no scroll box.
        page.emulate_media(media="print")
        assert page.locator(".oc-toolbar").is_hidden()
        assert page.evaluate("getComputedStyle(document.querySelector('.oc-viewport')).overflow") == "visible"
        page.emulate_media(media="screen")


@pytest.mark.browser
def test_the_chart_focused_on_a_department(live_server, workspace, company, member, monkeypatch):
    with chromium(monkeypatch) as browser:
        page = new_page(browser, DESKTOP)
        sign_in(page, live_server, member, workspace)
        page.goto(f"{live_server.url}/w/{workspace.slug}/people/chart/")
        page.get_by_label("Department").select_option(label="— Backend")
        page.get_by_role("button", name="Show").click()
        page.locator("[data-org-chart]").wait_for()

        # The line above Backend (Olivia > Mia), then Backend's top (Remy); his report Ines, in Backend, on demand.
        assert [t.strip() for t in page.locator(".oc-box .person-name").all_inner_texts()] == [
            "Olivia Owner", "Mia Manager", "Remy Report"]
        page.get_by_role("button", name="1 report of Remy Report").click()
        page.locator(f"#oc-children-{company['report'].pk} > .oc-node").wait_for()
        assert box_names(page, f"#oc-children-{company['report'].pk}") == ["Ines Indirect"]
        shot(page, "chart-department-1280px")


@pytest.mark.browser
def test_select_everyone_on_the_page_then_review_the_move(live_server, workspace, company, hr, monkeypatch):
    with chromium(monkeypatch) as browser:
        page = new_page(browser, PHONE)
        sign_in(page, live_server, hr, workspace)
        page.goto(f"{live_server.url}/w/{workspace.slug}/people/?department={company['engineering'].pk}")

        form = page.locator("#bulk-form")
        assert form.locator("[data-bulk-for=move_branch]").is_hidden()  # only the chosen action's field
        form.get_by_label("Select everyone on this page").check()
        assert form.locator("input.select-row:checked").count() == 4
        form.get_by_label("Action").select_option("move_branch")
        assert form.locator("[data-bulk-for=move_branch]").is_visible()
        form.locator("select[name=branch]").select_option(label="Remote")
        shot(page, "directory-bulk-375px")
        with page.expect_navigation():
            form.get_by_role("button", name="Review…").click()

        page.get_by_role("heading", name="Move 4 people to Remote?").wait_for()
        shot(page, "bulk-review-375px")
        with page.expect_navigation():
            page.get_by_role("button", name="Move 4 people").click()
        page.get_by_text("Moved 3 people to Remote. 1 was already there.").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.browser
def test_the_directory_filters_as_you_type_when_htmx_is_there(live_server, workspace, company, member, monkeypatch):
    with chromium(monkeypatch) as browser:
        page = new_page(browser, DESKTOP)
        sign_in(page, live_server, member, workspace)
        page.goto(f"{live_server.url}/w/{workspace.slug}/people/")
        if not page.evaluate("typeof window.htmx === 'object'"):
            pytest.skip("htmx is not loaded by the app shell yet (the filters still apply with the Apply button)")
        page.get_by_label("Search by name, code, email or title").press_sequentially("remy")  # keys, as typed
        page.wait_for_url("**q=remy**")
        page.get_by_role("heading", name="1 matching “remy”").wait_for()
        page.get_by_label("Group by").select_option("department")
        page.wait_for_url("**group=department**")
        page.locator("h3.group-title", has_text="Backend").wait_for()


# --- axe on the people pages ---------------------------------------------------------------------------------


PAGES = {
    "directory": "people/",
    "directory-grouped": "people/?group=department&sort=-start",
    "chart": "people/chart/",
    "chart-focus": "people/chart/?focus={indirect}",
    "chart-department": "people/chart/?department={backend}",
    "chart-search": "people/chart/?q=a",
    "departments": "people/departments/",
    "department": "people/departments/{engineering}/",
    "profile": "people/{boss}/",
    "my-team": "people/my-team/",
    "import": "organization/import/",
}


@pytest.mark.browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_people_pages_have_no_serious_accessibility_violations(live_server, workspace, wide_company, owner,
                                                               monkeypatch, viewport):
    ids = {key: wide_company[key].pk for key in ("indirect", "backend", "engineering", "boss")}
    problems = []
    with chromium(monkeypatch) as browser:
        page = new_page(browser, VIEWPORTS[viewport])
        sign_in(page, live_server, owner, workspace)
        for name, path in PAGES.items():
            page.goto(f"{live_server.url}/w/{workspace.slug}/{path.format(**ids)}")
            settle(page)
            if name == "chart":  # with a level opened by the script, and its next page
                page.get_by_role("button", name="30 reports of Hana HR").click()
                page.locator(".oc-more-btn").first.wait_for()
            problems += [f"{name} at {viewport}: {line}" for line in findings(failing(violations(page)))]
            shot(page, f"axe-{name}-{viewport}")
            if name.startswith("chart"):  # the level-at-a-time chart a browser without JS gets, checked too
                page.evaluate("document.querySelector('[data-chart-flat]').hidden = false;"
                              "document.querySelector('[data-org-chart]').hidden = true")
                problems += [f"{name} without JS at {viewport}: {line}"
                             for line in findings(failing(violations(page)))]
        # the bulk move's confirmation
        page.goto(f"{live_server.url}/w/{workspace.slug}/people/")
        page.locator("input.select-row").nth(0).check()
        page.locator("#bulk-form select[name=action]").select_option("terminate")
        with page.expect_navigation():
            page.locator("#bulk-form").get_by_role("button", name="Review…").click()
        settle(page)
        problems += [f"bulk review at {viewport}: {line}" for line in findings(failing(violations(page)))]
        shot(page, f"axe-bulk-review-{viewport}")
    assert not problems, "\n".join(problems)
