"""The app shell: a sidebar of the areas' items that shows each actor only what they may use, areas that
register themselves, the search and notification slots, and pages with no inline script or style."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from oorg.core.permissions import AUDIT_VIEW
from oorg.web import shell
from tests.web.pages import signed_in_client, text


def sidebar(page: str) -> str:
    return re.search(r'<nav id="sidebar".*?</nav>', page, re.DOTALL).group(0)


def links(nav: str) -> dict[str, str]:
    """{label: href} of the sidebar's links."""
    return {label: href for href, label in re.findall(r'<a class="nav-link" href="([^"]+)"[^>]*>.*?<span>([^<]+)</span>',
                                                        nav, re.DOTALL)}


def current(nav: str) -> list[str]:
    return re.findall(r'<a class="nav-link" href="[^"]+" aria-current="page">.*?<span>([^<]+)</span>', nav, re.DOTALL)


def test_a_member_sees_only_what_they_may_use(workspace, member):
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))

    items = links(sidebar(page))
    assert next(iter(items)) == "Home"
    crm = {label: f"/w/{workspace.slug}/crm/{path}" for label, path in (
        ("Leads", "leads/"), ("Contacts", "contacts/"), ("Companies", "companies/"), ("Deals", "deals/"),
        ("Pipeline board", "board/"), ("Forecast", "forecast/"), ("My activities", "activities/"))}
    assert items == {"Home": f"/w/{workspace.slug}/", **crm, "Directory": f"/w/{workspace.slug}/people/",
                     "Org chart": f"/w/{workspace.slug}/people/chart/",
                     "Departments": f"/w/{workspace.slug}/people/departments/",
                     **{label: f"/w/{workspace.slug}/{path}" for label, path in (
                         ("My attendance", "attendance/my/"), ("Corrections", "attendance/corrections/"),
                         ("Holidays", "attendance/holidays/"), ("My leave", "leave/"), ("Balances", "leave/balances/"),
                         ("Team calendar", "leave/calendar/"))},
                     "All notifications": f"/w/{workspace.slug}/notifications/", "Members": f"/w/{workspace.slug}/members/"}
    for hidden in ("Roles", "Audit log", "Settings", "My team", "Organization", "Team attendance", "Monthly report",
                   "Shifts", "Clocking settings", "Approvals", "Leave policies"):
        assert hidden not in items


def test_the_owner_sees_every_area_grouped(workspace):
    nav = sidebar(text(signed_in_client(workspace.owner).get(f"/w/{workspace.slug}/")))

    assert list(links(nav)) == ["Home", "Leads", "Contacts", "Companies", "Deals", "Pipeline board", "Forecast",
                                "My activities", "Import", "CRM settings", "Directory", "Org chart", "Departments", "My team", "Organization",
                                "My attendance", "Team attendance", "Corrections", "Monthly report", "Holidays", "Shifts",
                                "Clocking settings", "My leave", "Balances", "Approvals", "Team calendar", "Leave policies",
                                "All notifications", "Members", "Roles", "Audit log", "Settings", "Webhooks"]
    groups = re.findall(r'<details class="nav-group" data-area="([^"]+)"', nav)
    assert groups == ["crm", "people", "attendance", "leave", "notifications", "workspace"]
    icons = re.findall(r'(?:<a class="nav-link" href="[^"]+"(?: aria-current="page")?>|<summary class="nav-group-title">)<svg', nav)
    assert len(icons) == 33 + 6  # every item and every group has its icon


@pytest.mark.parametrize(("path", "expected"), [
    ("", "Home"),
    ("people/", "Directory"),
    ("people/new", "Directory"),
    ("people/departments/", "Departments"),
    ("people/chart/", "Org chart"),
    ("people/my-team/", "My team"),
    ("organization/branches/", "Organization"),
    ("organization/import/", "Organization"),
    ("members/", "Members"),
    ("roles/new", "Roles"),
    ("audit/", "Audit log"),
    ("attendance/my/", "My attendance"),
    ("attendance/corrections/new/", "Corrections"),
    ("attendance/settings/sites/", "Clocking settings"),
    ("leave/", "My leave"),
    ("leave/requests/new/", "My leave"),
    ("leave/delegations/", "Approvals"),
    ("leave/settings/types/new", "Leave policies"),
])
def test_exactly_the_current_page_is_marked(workspace, path, expected):
    response = signed_in_client(workspace.owner).get(f"/w/{workspace.slug}/{path}")

    assert response.status_code == 200
    assert current(sidebar(text(response))) == [expected]


def test_an_area_registered_by_its_app_appears_without_editing_web(workspace, member, monkeypatch, settings):
    monkeypatch.setattr(shell, "_areas", dict(shell._areas))  # this test's area leaves with it
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [Path(__file__).parent / "templates"]}]

    lab = shell.register_area("lab", label="Laboratory", icon="flask-conical", order=50)
    lab.item("Experiments", "org:chart", icon="test-tube", paths=("people/chart/",))
    lab.item("Secret formulas", "org:directory", icon="lock", visible=shell.can(AUDIT_VIEW))
    lab.card("lab.beakers", title="Beakers", icon="flask-round", template="lab_card.html",
             context=lambda actor: {"beakers": 42})
    lab.card("lab.hidden", title="Locked cabinet", template="lab_card.html", context=lambda actor: {"beakers": 1},
             visible=shell.can(AUDIT_VIEW))
    lab.card("lab.empty", title="Nothing to say", template="lab_card.html", context=lambda actor: None)
    client = signed_in_client(member)

    home = text(client.get(f"/w/{workspace.slug}/"))
    chart = text(client.get(f"/w/{workspace.slug}/people/chart/"))

    nav = sidebar(home)
    assert re.findall(r'data-area="([^"]+)"', nav) == ["crm", "people", "attendance", "leave", "lab", "notifications",
                                                       "workspace"]  # 15, 20, 22, 24, 50, 80, 90
    assert "Experiments" in links(nav) and "Secret formulas" not in links(nav)  # a member lacks audit.event.view
    assert "Beakers" in home and "42 beakers on the bench" in home
    assert "Locked cabinet" not in home and "Nothing to say" not in home
    # Two items claim the chart page; the exact view name (Org chart) wins over a path prefix (Experiments).
    assert current(sidebar(chart)) == ["Org chart"]


def test_the_search_slot_searches_the_directory_and_ctrl_k_is_announced(workspace, member, monkeypatch):
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))

    form = re.search(r'<form class="search-form" role="search" action="([^"]+)" method="get">(.*?)</form>', page, re.DOTALL)
    assert form.group(1) == f"/w/{workspace.slug}/people/"
    assert 'name="q"' in form.group(2) and 'aria-keyshortcuts="Control+K Meta+K"' in form.group(2)
    assert '<label class="visually-hidden" for="shell-search">Search people</label>' in form.group(2)

    monkeypatch.setattr(shell, "_search", {})
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))
    assert 'id="search-slot"' in page and 'role="search"' not in page  # the slot stays for a later search area


def test_the_notification_slot_has_the_bell_with_a_hidden_zero_count(workspace, member):
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))

    assert '<details class="menu icon-menu notifications" id="notification-slot">' in page
    assert '<span class="count-badge" id="notification-count" hidden>0</span>' in page
    assert 'id="notification-panel"' in page


def test_the_user_menu_and_the_switcher(workspace, other_workspace, member):
    from tests.conftest import add_member

    add_member(other_workspace, other_workspace.owner, member.email, "member")
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))

    switcher = re.search(r'<details class="menu switcher">.*?</details>', page, re.DOTALL).group(0)
    assert f'href="/w/{workspace.slug}/" aria-current="page"' in switcher
    assert f'href="/w/{other_workspace.slug}/"' in switcher
    assert '<a class="menu-item menu-item-action" href="/workspaces/new">' in switcher and "Create workspace" in switcher
    assert member.email in page and 'href="/account/security"' in page and 'action="/signout"' in page


def test_pages_outside_a_workspace_have_the_top_bar_but_no_sidebar(workspace, member):
    page = text(signed_in_client(member).get("/account/security"))

    assert '<header class="topbar">' in page and 'id="sidebar"' not in page and "nav-toggle" not in page


# --- the CSP stays strict ----------------------------------------------------------------------------------


class Inline(HTMLParser):
    """Collects what the CSP would refuse: <style> elements, style= attributes, event-handler attributes and
    <script> elements with a body, and the scripts' sources."""

    def __init__(self):
        super().__init__()
        self.refused: list[str] = []
        self.scripts: list[str] = []
        self.meta: dict[str, str] = {}
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style":
            self.refused.append("<style>")
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.refused.append(f"<{tag} {name}=>")
        if tag == "script":
            self._in_script = True
            self.scripts.append(attrs.get("src") or "")
        if tag == "meta" and "name" in attrs:
            self.meta[attrs["name"]] = attrs.get("content", "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.refused.append("<script> with a body")


def test_app_pages_have_no_inline_script_or_style_and_the_csp_stays_strict(workspace, company):
    client = signed_in_client(workspace.owner)
    slug = workspace.slug

    for path in (f"/w/{slug}/", f"/w/{slug}/people/", f"/w/{slug}/people/chart/", f"/w/{slug}/members/",
                 f"/w/{slug}/organization/departments/", "/account/security"):
        response = client.get(path)
        parser = Inline()
        parser.feed(text(response))

        assert response.status_code == 200, path
        assert parser.refused == [], path
        assert parser.scripts[:2] == ["/static/django_htmx/htmx-2.min.js", "/static/oorg/shell.js"], path
        assert all(src.startswith("/static/") for src in parser.scripts), path  # a page may add its own file
        config = json.loads(parser.meta["htmx-config"])  # htmx must not inject its indicator <style> or eval
        assert config["includeIndicatorStyles"] is False and config["allowEval"] is False, path
        assert config["allowScriptTags"] is False and config["historyCacheSize"] == 0, path
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, path


def test_the_shell_script_and_htmx_are_served_from_our_own_origin(client):
    for path in ("/static/oorg/shell.js", "/static/django_htmx/htmx-2.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content)


def test_the_shell_names_no_business_area():
    """The sidebar, the dashboard and the search come from the areas' registrations: the shell's own code and
    templates name none of them (web/urls.py only wires each area's URLs in)."""
    web = Path(__file__).resolve().parents[2] / "src" / "oorg" / "web"
    files = [web / "shell.py", web / "views.py", web / "context.py", *web.glob("templatetags/*.py"),
             *web.glob("templates/**/*.html"), *web.glob("static/oorg/*.js")]
    named = [f"{path.relative_to(web)}: {word}" for path in files for word in ("oorg.org", "'org:", '"org:')
             if word in path.read_text()]

    assert named == []
