"""Ownership changes hands in a real browser on a phone-sized screen: the owner offers it on the members page, the
new owner signs in, finds the offer on the workspace home and accepts, and the members page shows the roles swapped."""
import os

import pytest

from oorg.core.models import Membership
from oorg.core.tenancy import workspace_scope

from .test_browser_signup import PHONE, browser_page, sign_in  # noqa: F401  (browser_page: a fixture)


def _shot(page, name: str) -> None:
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], f"{name}-375.png"), full_page=True)


@pytest.mark.browser
def test_the_owner_offers_ownership_and_the_new_owner_accepts(live_server, workspace, admin, member,
                                                              browser_page):  # noqa: F811
    page = browser_page
    with workspace_scope(workspace):
        old_owner = Membership.objects.get(user=workspace.owner)
        new_owner = Membership.objects.get(user=member)
    members_url = f"{live_server.url}/w/{workspace.slug}/members/"

    # The owner offers it, after a confirmation step.
    sign_in(page, live_server, workspace.owner, workspace)
    page.goto(members_url)
    page.get_by_role("link", name="Make owner… (member)").click()
    page.get_by_role("heading", name="Make member owner?").wait_for()
    _shot(page, "transfer-confirm")
    page.get_by_role("button", name="Offer ownership to member").click()
    page.wait_for_url(members_url)
    page.get_by_text("Ownership is offered to member").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "members-transfer-pending")

    # The new owner signs in and finds the offer on the workspace home.
    page.context.clear_cookies()
    sign_in(page, live_server, member, workspace)
    page.get_by_text("offers you the ownership of Acme Corp").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "home-transfer-offer")
    page.get_by_role("button", name="Accept ownership").click()
    page.wait_for_url(members_url)
    page.get_by_text("You are now an owner of Acme Corp.").wait_for()

    # The roles are swapped on the members page.
    assert page.locator(f"#role-{new_owner.pk}").input_value() == "owner"
    assert page.locator(f"#role-{old_owner.pk}").input_value() == "admin"
    assert page.get_by_role("link", name="Make owner… (Owner)").is_visible()  # the new owner may offer it back
    _shot(page, "members-after-transfer")
    with workspace_scope(workspace):
        assert Membership.objects.get(pk=new_owner.pk).role == "owner"
        assert Membership.objects.get(pk=old_owner.pk).role == "admin"
