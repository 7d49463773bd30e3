"""Leave in a real browser: a member asks for leave through the form (the working-day count and balance follow
the dates as they change), the manager approves it in the approvals inbox, and the member sees it approved."""
import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from ..leave.helpers import grant, holiday
from .axe import DESKTOP, PHONE, chromium, new_page
from .test_browser_signup import sign_in


def _shot(page, name: str) -> None:
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], name), full_page=True)


def _monday_ahead() -> dt.date:
    day = dt.date.today() + dt.timedelta(weeks=5)
    return day - dt.timedelta(days=day.weekday())


@pytest.mark.browser
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "375"])
def test_request_leave_with_a_live_count_then_the_manager_approves(live_server, workspace, company, manager, member,
                                                                   monkeypatch, size):
    grant(workspace, company["report"], 10)
    monday = _monday_ahead()
    holiday(workspace, company["berlin"], monday + dt.timedelta(days=2), "Company day")
    slug = workspace.slug
    with chromium(monkeypatch) as browser:
        page = new_page(browser, size)
        sign_in(page, live_server, member, workspace)
        page.goto(f"{live_server.url}/w/{slug}/leave/requests/new/")
        page.get_by_label("Type of leave").select_option(label="Annual leave")
        page.get_by_label("First day").fill(monday.isoformat())
        page.get_by_label("Last day").fill((monday + dt.timedelta(days=4)).isoformat())
        # Monday to Friday with Wednesday a holiday: 4 working days, 10 → 6
        expect(page.locator("#leave-working-days")).to_have_text("4")
        expect(page.locator("#leave-balance-after")).to_have_text("6")
        page.get_by_label("Last day").fill((monday + dt.timedelta(days=1)).isoformat())
        expect(page.locator("#leave-working-days")).to_have_text("2")
        expect(page.locator("#leave-balance-after")).to_have_text("8")
        _shot(page, "leave-form.png")
        page.get_by_role("button", name="Send request").click()
        expect(page.locator("#request-status")).to_have_text("Waiting for approval")
        request_url = page.url

        boss = new_page(browser, size)
        sign_in(boss, live_server, manager, workspace)
        boss.goto(f"{live_server.url}/w/{slug}/leave/approvals/")
        row = boss.locator("li", has_text="Remy Report").first
        expect(row).to_contain_text("balance 10 → 8")
        _shot(boss, "leave-inbox.png")
        row.get_by_role("button", name="Approve").click()
        expect(boss.get_by_text("Nothing is waiting for you.")).to_be_visible()
        _shot(boss, "leave-inbox-after.png")

        page.goto(request_url)
        expect(page.locator("#request-status")).to_have_text("Approved")
        page.goto(f"{live_server.url}/w/{slug}/leave/")
        expect(page.get_by_text("8 days available")).to_be_visible()
