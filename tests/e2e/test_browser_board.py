"""The pipeline board in a real browser: a deal dragged from Qualified to Proposal stays there after a reload and
the column's weighted total follows; a deal moved by keyboard (focus the card, ArrowRight) is announced and kept.
At 375 px the columns scroll inside the board, never the page."""
import os

import pytest
from playwright.sync_api import expect

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Deal
from oorg.crm.services import deals as deal_services
from oorg.crm.services import pipelines as pipeline_services

from ..conftest import actor_for
from .axe import DESKTOP, PHONE, chromium, new_page, orm_read
from .test_browser_signup import sign_in


def _shot(page, name: str) -> None:
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], name), full_page=True)


def _board(workspace, owner) -> dict:
    actor = actor_for(owner, workspace)
    with workspace_scope(workspace):
        pipeline = pipeline_services.ensure_default_pipeline(workspace)
        stages = {s.name: s for s in pipeline.stages.all()}
        deal = deal_services.create_deal(actor, name="Acme rollout", amount="1000", stage_id=stages["Qualified"].pk)
        other = deal_services.create_deal(actor, name="Globex pilot", amount="400", stage_id=stages["Qualified"].pk)
    return {"deal": deal, "other": other, "stages": stages}


def _column(page, name):
    return page.locator(f'.board-column[data-stage-name="{name}"]')


def _stage_of(workspace, deal_id) -> str:
    def read():
        with workspace_scope(workspace):
            return Deal.objects.select_related("stage").get(pk=deal_id).stage.name
    return orm_read(read)


@pytest.mark.browser
def test_a_deal_dragged_to_proposal_stays_there_and_the_weighted_total_follows(live_server, workspace, owner,
                                                                              monkeypatch):
    made = _board(workspace, owner)
    with chromium(monkeypatch) as browser:
        page = new_page(browser, DESKTOP)
        sign_in(page, live_server, owner, workspace)
        page.goto(f"{live_server.url}/w/{workspace.slug}/crm/board/")
        proposal = _column(page, "Proposal")
        expect(proposal.locator("[data-sums]")).to_have_text("")
        card = _column(page, "Qualified").locator(f'.board-card[data-deal-id="{made["deal"].pk}"]')
        target = proposal.locator("[data-cards]")

        start, end = card.bounding_box(), target.bounding_box()
        page.mouse.move(start["x"] + 20, start["y"] + 12)
        page.mouse.down()
        page.mouse.move(start["x"] + 40, start["y"] + 30, steps=5)
        page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=25)
        page.mouse.up()

        expect(page.locator("#board-status")).to_have_text("Deal Acme rollout moved to Proposal.")
        expect(proposal.locator("[data-sums]")).to_contain_text("weighted 500.00 EUR")
        expect(proposal.locator("[data-count]")).to_have_text("1")
        expect(proposal.locator("[data-count-word]")).to_have_text("deal")
        expect(_column(page, "Qualified").locator("[data-count]")).to_have_text("1")
        _shot(page, "board-dragged.png")
        assert _stage_of(workspace, made["deal"].pk) == "Proposal"

        page.reload()
        expect(_column(page, "Proposal").locator(f'.board-card[data-deal-id="{made["deal"].pk}"]')).to_be_visible()
        expect(_column(page, "Proposal").locator("[data-sums]")).to_contain_text("1,000.00 EUR · weighted 500.00 EUR")


@pytest.mark.browser
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "375"])
def test_a_deal_moved_by_keyboard_is_announced_and_kept(live_server, workspace, owner, monkeypatch, size):
    made = _board(workspace, owner)
    with chromium(monkeypatch) as browser:
        page = new_page(browser, size)
        sign_in(page, live_server, owner, workspace)
        page.goto(f"{live_server.url}/w/{workspace.slug}/crm/board/")
        card = page.locator(f'.board-card[data-deal-id="{made["other"].pk}"]')
        card.focus()
        page.keyboard.press("ArrowRight")

        expect(page.locator("#board-status")).to_have_text("Deal Globex pilot moved to Proposal.")
        expect(_column(page, "Proposal").locator(f'.board-card[data-deal-id="{made["other"].pk}"]')).to_be_focused()
        expect(_column(page, "Proposal").locator("[data-sums]")).to_contain_text("weighted 200.00 EUR")
        assert _stage_of(workspace, made["other"].pk) == "Proposal"
        # the page itself never scrolls sideways; the board does
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]

        page.keyboard.press("ArrowLeft")
        expect(page.locator("#board-status")).to_have_text("Deal Globex pilot moved to Qualified.")
        assert _stage_of(workspace, made["other"].pk) == "Qualified"
        _shot(page, f"board-keyboard-{size['width']}.png")

        # the buttons do the same
        _column(page, "Qualified").locator(f'.board-card[data-deal-id="{made["other"].pk}"]').get_by_role(
            "button", name="Move to next stage").click()
        expect(page.locator("#board-status")).to_have_text("Deal Globex pilot moved to Proposal.")
        page.reload()
        expect(_column(page, "Proposal").locator(f'.board-card[data-deal-id="{made["other"].pk}"]')).to_be_visible()
