"""The public pages say what OORG does today and mark, visibly, what is still coming."""
import re

import pytest
from django.test import Client

from tests.web.pages import text

COMING = '<span class="badge badge-coming">Coming</span>'


def _cards(page: str, section_id: str) -> dict[str, bool]:
    """{feature title: marked as coming} of the feature cards in one section of the landing page."""
    section = re.search(rf'<section class="section" aria-labelledby="{section_id}">.*?</section>', page, re.DOTALL).group(0)
    return {re.sub(r"<.*?>|Coming", "", h3).strip(): COMING in h3 for h3 in re.findall(r"<h3>(.*?)</h3>", section)}


@pytest.mark.django_db
def test_the_landing_page_shows_what_exists_and_marks_what_is_coming():
    page = text(Client().get("/"))

    today = _cards(page, "what")
    coming = _cards(page, "coming")

    assert set(today) == {"Accounts", "Two-factor sign-in", "Workspaces", "Roles and permissions", "Audit log",
                          "People and organization", "CRM", "Attendance and Leave", "Spreadsheet imports",
                          "Notifications", "Webhooks", "REST API"}
    assert not any(today.values())  # nothing available today carries the badge
    assert set(coming) == {"Projects and tickets", "Team chat", "Search",
                           "Reports", "Desktop agent", "Google and other integrations"}
    assert all(coming.values())


@pytest.mark.django_db
def test_the_privacy_page_marks_what_is_not_shipped_and_keeps_every_commitment():
    page = text(Client().get("/privacy"))

    for unshipped in ("Desktop activity visibility data " + COMING, "Google integrations " + COMING,
                      "Other integrations " + COMING,
                      "Projects, tickets, chat, search and reports " + COMING):
        assert unshipped in page
    # The commitments stay word for word, also for what is still coming.
    for commitment in (("OORG does not sell Google user data and does not\n      use Google Workspace APIs to develop,"
                        " improve or train generalized artificial intelligence or machine learning models."),
                       "OORG does not sell personal data.",
                       "We do not use customer workspace content for advertising."):
        assert commitment in page
