"""The CRM lists, My activities and a record page's timeline in a real browser, at 1280 and 375 px: no serious
axe-core violation, and nothing wider than the screen (the table scrolls inside its own box)."""
import pytest

from oorg.core.tenancy import workspace_scope
from oorg.crm.services import activities, notes
from tests.e2e.axe import chromium, failing, findings, new_page, settle, violations
from tests.e2e.test_accessibility import DESKTOP, PHONE, sign_in

from .activities_fixtures import make_record


@pytest.mark.browser
def test_list_and_timeline_pages_fit_a_phone_and_pass_axe(live_server, crm):
    actor = crm["actors"]["owner"]
    ws = crm["workspace"]
    lead = make_record(crm, "lead", "owner", full_name="Ada Very-Long-Name Lovelace", email="ada@example.test",
                       tags=["vip"])
    deal = make_record(crm, "deal", "owner")
    with workspace_scope(ws):
        for r, kw in ((lead, {"lead_id": lead.pk}), (deal, {"deal_id": deal.pk})):
            notes.create_note(actor, body='<p>Hello <a href="https://example.com">link</a></p>', **kw)
            a = activities.create_activity(actor, kind="call", subject="Ring", due_at="2020-01-01T10:00:00+00:00", **kw)
            activities.create_activity(actor, kind="task", subject="Later", **kw)
            activities.set_done(actor, a, True)
            activities.set_done(actor, a, False)
    slug = ws.slug
    urls = [f"/w/{slug}/crm/{p}/" for p in ("leads", "contacts", "companies", "deals", "activities")] + [
        f"/w/{slug}/crm/leads/?status=maybe", f"/w/{slug}/crm/deals/{deal.pk}/", f"/w/{slug}/crm/leads/{lead.pk}/"]
    problems = []
    with pytest.MonkeyPatch.context() as mp, chromium(mp) as browser:
        for viewport in (DESKTOP, PHONE):
            page = new_page(browser, viewport)
            sign_in(page, live_server, crm["users"]["owner"], ws)
            for url in urls:
                page.goto(live_server.url + url)
                settle(page)
                for line in findings(failing(violations(page))):
                    problems.append(f"{url} {viewport}: {line}")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > viewport["width"] + 1:
                    problems.append(f"{url}: {width}px wide at {viewport['width']}")
            page.context.close()
    assert not problems, "\n".join(problems)
