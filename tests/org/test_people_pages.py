"""The people pages of "The workspace, finished": the directory's sorts, groups, live filters and bulk actions
(review, then POST/redirect/GET), departments with their headcounts, and the drawn org chart's levels.

The `company` fixture (tests/conftest.py) gives the org; see tests/org/test_views.py for who is who.
"""
import datetime as dt
import re

import pytest

from oorg.core.models import AuditEvent
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services
from oorg.org.models import Employee
from tests.web.pages import signed_in_client, text

pytestmark = pytest.mark.django_db


def people(workspace, rest=""):
    return f"/w/{workspace.slug}/people/{rest}"


def names(page: str) -> list[str]:
    """The people in the directory's results, in order."""
    results = page[page.index('id="directory-list"'):]
    return re.findall(r'class="person-name"[^>]*>([^<]+)<', results)


def headers(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<h3 class="group-title[^"]*">(.*?)</h3>', page)]


def state(workspace):
    with workspace_scope(workspace):
        return sorted(Employee.objects.values_list("code", "department_id", "branch_id", "manager_id", "status"))


@pytest.fixture
def dated(workspace, company):
    """Start dates for three of the six (the others have none), so the start-date sort has something to order."""
    system = Actor.system(workspace)
    with workspace_scope(workspace):
        services.update_employee(system, company["boss"], start_date=dt.date(2020, 3, 1))
        services.update_employee(system, company["sales_rep"], start_date=dt.date(2025, 9, 1))
    return company  # Remy started on 2024-01-02


# --- sort and group ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort, expected", [
    ("name", ["Hana HR", "Ines Indirect", "Mia Manager", "Olivia Owner", "Remy Report", "Sam Sales"]),
    ("-name", ["Sam Sales", "Remy Report", "Olivia Owner", "Mia Manager", "Ines Indirect", "Hana HR"]),
    ("title", ["Sam Sales", "Remy Report", "Olivia Owner", "Mia Manager", "Ines Indirect", "Hana HR"]),
    # the undated come last whichever way the dates go
    ("start", ["Mia Manager", "Remy Report", "Sam Sales", "Hana HR", "Ines Indirect", "Olivia Owner"]),
    ("-start", ["Sam Sales", "Remy Report", "Mia Manager", "Hana HR", "Ines Indirect", "Olivia Owner"]),
    # departments in tree order (Engineering, its Backend, Sales), then those without one
    ("department", ["Mia Manager", "Olivia Owner", "Ines Indirect", "Remy Report", "Sam Sales", "Hana HR"]),
    ("-department", ["Sam Sales", "Ines Indirect", "Remy Report", "Mia Manager", "Olivia Owner", "Hana HR"]),
    ("branch", ["Hana HR", "Mia Manager", "Olivia Owner", "Remy Report", "Ines Indirect", "Sam Sales"]),
])
def test_the_directory_sorts(workspace, dated, member, sort, expected):
    page = text(signed_in_client(member).get(people(workspace), {"sort": sort}))
    assert names(page) == expected
    assert not headers(page)  # a sort alone draws no group headers


def test_grouping_by_department_shows_a_header_for_each_group_in_tree_order(workspace, dated, member):
    page = text(signed_in_client(member).get(people(workspace), {"group": "department", "sort": "-start"}))

    assert headers(page) == ["Engineering", "Engineering › Backend", "Sales", "No department"]
    # within each department, the latest start first and the undated last
    assert names(page) == ["Mia Manager", "Olivia Owner", "Remy Report", "Ines Indirect", "Sam Sales", "Hana HR"]


def test_grouping_by_manager_names_each_manager(workspace, company, member):
    page = text(signed_in_client(member).get(people(workspace), {"group": "manager"}))

    assert headers(page) == ["Reporting to Olivia Owner", "Reporting to Mia Manager", "Reporting to Remy Report",
                             "No manager"]
    assert names(page) == ["Mia Manager", "Sam Sales", "Remy Report", "Ines Indirect", "Hana HR", "Olivia Owner"]


def test_grouped_pages_page_forward_and_back_through_every_group(workspace, company, hr):
    system = Actor.system(workspace)
    with workspace_scope(workspace):
        for n in range(40):
            department = (company["engineering"], company["backend"], company["sales"], None)[n % 4]
            services.create_employee(system, code=f"X{n:02d}", full_name=f"Extra {n:02d}", department=department,
                                     start_date=dt.date(2020, 1, 1) + dt.timedelta(days=n) if n % 3 else None)
    client = signed_in_client(hr)
    query = {"group": "department", "sort": "start"}

    pages, url = [], people(workspace)
    first = client.get(url, query)
    response = first
    while True:
        pages.append(response)
        cursor = response.context["people"].next_cursor
        if not cursor:
            break
        response = client.get(url, {**query, "cursor": cursor})
    back = client.get(url, {**query, "cursor": pages[1].context["people"].prev_cursor})

    seen = [row["id"] for p in pages for row in p.context["rows"]]
    assert len(pages) == 2 and len(seen) == len(set(seen)) == 46
    assert "1–25 of 46" in text(first) and "26–46 of 46" in text(pages[1])
    assert [r["id"] for r in back.context["rows"]] == [r["id"] for r in first.context["rows"]]
    # Engineering (12) and Backend (12) fill page one with Sales's first: page two goes on with Sales
    assert headers(text(pages[1])) == ["Sales (continued)", "No department"]
    assert headers(text(first)) == ["Engineering", "Engineering › Backend", "Sales"]
    assert headers(text(back)) == headers(text(first))


def test_an_unknown_sort_or_group_falls_back_to_names(workspace, company, member):
    page = text(signed_in_client(member).get(people(workspace), {"sort": "salary", "group": "mood"}))
    assert names(page)[0] == "Hana HR" and not headers(page)


# --- live filters -----------------------------------------------------------------------------------------------


def test_the_filter_form_applies_as_it_changes_and_htmx_gets_only_the_results(workspace, company, member):
    client = signed_in_client(member)
    page = text(client.get(people(workspace)))
    form = page[page.index('<form class="filter-bar people-filters"'):]
    form = form[:form.index(">")]
    assert 'hx-trigger="change, keyup changed delay:300ms"' in form
    assert 'hx-target="#directory-results"' in form and 'hx-push-url="true"' in form
    assert '<button class="btn" type="submit">Apply</button>' in page  # without JS

    partial = text(client.get(people(workspace), {"q": "ines", "sort": "-name"}, HTTP_HX_REQUEST="true"))
    assert partial.lstrip().startswith("<section") and "<html" not in partial
    assert 'id="directory-results"' in partial and names(partial) == ["Ines Indirect"]
    assert "1 matching “ines”" in partial

    restore = text(client.get(people(workspace), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"))
    assert "<html" in restore  # a history restore gets the whole page


def test_filters_by_department_include_its_sub_departments_and_group_headers_follow(workspace, company, member):
    page = text(signed_in_client(member).get(people(workspace), {"department": company["engineering"].pk,
                                                                 "group": "department"}))
    assert headers(page) == ["Engineering", "Engineering › Backend"]
    assert sorted(names(page)) == ["Ines Indirect", "Mia Manager", "Olivia Owner", "Remy Report"]


# --- bulk actions: select, review, confirm, redirect ------------------------------------------------------------


def test_hr_moves_people_after_a_review_that_names_them_then_the_page_redirects(workspace, company, hr):
    client = signed_in_client(hr)
    page = text(client.get(people(workspace), {"q": "s"}))
    assert 'name="ids"' in page and 'action="/w/acme-corp/people/bulk/review"' in page
    picked = [company["sales_rep"].pk, company["hr"].pk]
    before = state(workspace)
    form = {"ids": picked, "action": "move_department", "department": company["backend"].pk,
            "next": people(workspace) + "?q=s"}

    review = client.get(people(workspace, "bulk/review"), form)

    assert review.status_code == 200
    assert "Move 2 people to Backend?" in text(review)
    assert "Hana HR" in text(review) and "Sam Sales" in text(review)
    assert state(workspace) == before  # the review changes nothing

    done = client.post(people(workspace, "bulk"), form)

    assert done.status_code == 302 and done["Location"] == people(workspace) + "?q=s"
    landing = text(client.get(done["Location"]))
    assert "Moved 2 people to Backend." in landing
    with workspace_scope(workspace):
        assert set(Employee.objects.filter(pk__in=picked).values_list("department_id", flat=True)) == {
            company["backend"].pk}
    events = AuditEvent.objects.filter(workspace=workspace, action="org.employee.updated").count()
    client.get(done["Location"])  # a reload repeats nothing
    assert AuditEvent.objects.filter(workspace=workspace, action="org.employee.updated").count() == events


def test_the_review_names_the_first_few_and_counts_the_rest(workspace, company, hr):
    system = Actor.system(workspace)
    with workspace_scope(workspace):
        extra = [services.create_employee(system, code=f"N{n:02d}", full_name=f"New {n:02d}").pk for n in range(12)]
    review = text(signed_in_client(hr).get(people(workspace, "bulk/review"), {
        "ids": extra, "action": "move_branch", "branch": company["remote"].pk}))

    assert "Move 12 people to Remote?" in review
    assert "New 07" in review and "New 08" not in review and "and 4 more" in review


def test_a_refused_bulk_change_lists_every_refused_person_and_changes_nothing(workspace, company, hr):
    client = signed_in_client(hr)
    before = state(workspace)
    form = {"ids": [company["boss"].pk, company["sales_rep"].pk], "action": "change_manager",
            "manager": "E004", "manager_id": company["indirect"].pk}

    review = client.get(people(workspace, "bulk/review"), form)
    assert "Change the manager of 2 people to Ines Indirect?" in text(review)
    refused = client.post(people(workspace, "bulk"), form)

    assert refused.status_code == 400
    page = text(refused)
    assert "1 of 2 can’t be changed" in page.replace("'", "’") or "1 of 2 can't be changed" in page
    assert "Mia Manager" in page and "loop" in page
    assert state(workspace) == before


def test_a_typed_manager_name_that_fits_several_people_asks_which_one(workspace, company, hr):
    review = signed_in_client(hr).get(people(workspace, "bulk/review"), {
        "ids": [company["indirect"].pk], "action": "change_manager", "manager": "a"})  # many names have an "a"
    page = text(review)
    assert review.status_code == 422 and "Who do you mean?" in page and 'type="radio"' in page
    assert f'action="{people(workspace, "bulk/review")}"' in page  # not yet the confirming form


def test_terminating_in_bulk_says_so_and_a_second_confirm_changes_nothing_more(workspace, company, hr):
    client = signed_in_client(hr)
    form = {"ids": [company["indirect"].pk, company["sales_rep"].pk], "action": "terminate",
            "end_date": "2026-07-31"}
    review = text(client.get(people(workspace, "bulk/review"), form))
    assert "Terminate 2 people as of 31 July 2026?" in review and "access ends" in review

    assert client.post(people(workspace, "bulk"), form).status_code == 302
    again = client.post(people(workspace, "bulk"), form)  # the browser's "resend"

    assert again.status_code == 409 and "already terminated" in text(again)
    with workspace_scope(workspace):
        assert Employee.objects.filter(status="terminated").count() == 2


def test_a_member_sees_no_checkboxes_and_may_not_post_a_bulk_action(workspace, company, member):
    client = signed_in_client(member)
    page = text(client.get(people(workspace)))
    assert 'name="ids"' not in page and "bulk" not in page.split('id="directory-results"')[1].split("</section>")[0]
    before = state(workspace)

    response = client.post(people(workspace, "bulk"), {"ids": [company["sales_rep"].pk], "action": "terminate"})

    assert response.status_code == 403 and state(workspace) == before


def test_a_manager_gets_checkboxes_on_their_team_only_and_only_the_move_actions(workspace, company, manager):
    page = text(signed_in_client(manager).get(people(workspace)))
    boxes = re.findall(r'name="ids" value="(\d+)"', page)
    assert sorted(int(b) for b in boxes) == sorted([company["report"].pk, company["indirect"].pk])
    assert "Move to department" in page and "Terminate" not in page


def test_nothing_selected_goes_back_with_a_message_and_a_get_goes_to_the_directory(workspace, company, hr):
    client = signed_in_client(hr)
    response = client.get(people(workspace, "bulk/review"), {"action": "terminate", "next": people(workspace)})
    assert response.status_code == 302 and "Select at least one person." in text(client.get(response["Location"]))
    assert client.get(people(workspace, "bulk"))["Location"] == people(workspace)  # form-only URLs: to the form
    assert client.get(people(workspace, "bulk/review"))["Location"] == people(workspace)


def test_a_next_address_outside_the_people_pages_is_not_followed(workspace, company, hr):
    response = signed_in_client(hr).post(people(workspace, "bulk"), {
        "ids": [company["indirect"].pk], "action": "move_branch", "branch": company["remote"].pk,
        "next": "https://evil.test/w/acme-corp/people/"})
    assert response.status_code == 302 and response["Location"] == people(workspace)


# --- departments ---------------------------------------------------------------------------------------------------


def test_departments_show_headcounts_with_their_sub_departments(workspace, company, member):
    page = text(signed_in_client(member).get(people(workspace, "departments/")))

    counts = dict(re.findall(r'class="tree-name" href="[^"]+">([^<]+)</a>.*?data-headcount="(\d+)"', page, re.DOTALL))
    assert counts == {"Engineering": "4", "Backend": "2", "Sales": "1"}
    assert "2 directly in Engineering" in page


def test_headcounts_leave_out_leavers_and_are_one_query(workspace, company, member, django_assert_num_queries):
    from oorg.org import selectors

    with workspace_scope(workspace):
        services.terminate_employee(Actor.system(workspace), company["indirect"])
        parent = company["backend"]
        for n in range(5):  # a deeper tree costs no more queries
            parent = services.create_department(Actor.system(workspace), name=f"Deep {n}", parent=parent.pk)
        viewer = selectors.viewer_for(Actor.system(workspace))
        viewer.employee  # noqa: B018  (loaded before counting the headcount's queries)
        with django_assert_num_queries(1):
            totals = selectors.department_headcounts(viewer)
    assert totals[company["engineering"].pk] == 3 and totals[company["backend"].pk] == 1


def test_a_department_page_lists_its_people_and_sub_departments(workspace, company, member):
    client = signed_in_client(member)
    page = text(client.get(people(workspace, f"departments/{company['engineering'].pk}/")))
    only = text(client.get(people(workspace, f"departments/{company['engineering'].pk}/"), {"direct": "1"}))

    assert "<h1>Engineering</h1>" in page and "4 people, sub-departments included" in page
    members = page[page.index('id="department-members"'):]
    assert sorted(re.findall(r'class="person-name"[^>]*>([^<]+)<', members)) == [
        "Ines Indirect", "Mia Manager", "Olivia Owner", "Remy Report"]
    assert "Backend" in page.split('id="sub-title"')[1]
    only_members = only[only.index('id="department-members"'):]
    assert sorted(re.findall(r'class="person-name"[^>]*>([^<]+)<', only_members)) == ["Mia Manager", "Olivia Owner"]


def test_another_workspaces_department_page_is_not_found(workspace, company, member, other_workspace):
    with workspace_scope(other_workspace):
        theirs = services.create_department(Actor.system(other_workspace), name="Theirs")
    assert signed_in_client(member).get(people(workspace, f"departments/{theirs.pk}/")).status_code == 404


# --- the drawn org chart ---------------------------------------------------------------------------------------------


def boxes(html: str) -> list[str]:
    return re.findall(r'<li class="oc-node[^"]*" data-id="\d+"[^>]*>\s*<div class="oc-box">.*?class="person-name"[^>]*>'
                      r'([^<]+)<', html, re.DOTALL)


def test_the_drawn_chart_opens_the_line_to_someone_and_their_reports(workspace, company, member):
    page = text(signed_in_client(member).get(people(workspace, "chart/"), {"focus": company["boss"].pk}))
    drawn = page[page.index("data-org-chart"):]

    # Olivia, then Mia (in focus) under her, then Mia's report; "All 2 reports" opens Olivia's others.
    assert boxes(drawn) == ["Olivia Owner", "Mia Manager", "Remy Report"]
    assert "data-focus" in drawn and "All 2 reports" in drawn and "Everyone at the top (2)" in drawn
    # No interactive control inside another: the name link and the reports button are siblings.
    assert not re.search(r"<a [^>]*>[^<]*<(a|button)\b", drawn)


def test_a_level_comes_as_boxes_for_the_script_and_as_the_chart_page_without_it(workspace, company, member):
    client = signed_in_client(member)
    url = people(workspace, "chart/level")

    part = client.get(url, {"parent": company["ceo"].pk}, HTTP_HX_REQUEST="true")
    plain = client.get(url, {"parent": company["ceo"].pk})

    assert part.status_code == 200 and "<html" not in text(part)
    assert boxes(text(part)) == ["Mia Manager", "Sam Sales"]
    assert 'aria-expanded="false"' in text(part)  # Mia's own reports: one more level on demand
    assert plain.status_code == 302 and plain["Location"].endswith(f"?focus={company['ceo'].pk}")


def test_a_wide_level_comes_a_page_at_a_time_with_how_many_are_left(workspace, company, hr):
    system = Actor.system(workspace)
    with workspace_scope(workspace):
        for n in range(30):
            services.create_employee(system, code=f"W{n:02d}", full_name=f"Wide {n:02d}", manager=company["hr"])
    client = signed_in_client(hr)
    url = people(workspace, "chart/level")

    first = text(client.get(url, {"parent": company["hr"].pk}, HTTP_HX_REQUEST="true"))
    more = re.search(r'class="btn btn-small oc-more-btn" data-url="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = text(client.get(more, HTTP_HX_REQUEST="true"))

    assert len(boxes(first)) == 25 and "Show 5 more" in first
    assert len(boxes(second)) == 5 and "oc-more" not in second


def test_focusing_on_a_department_shows_its_people_and_the_line_above_it(workspace, company, member):
    client = signed_in_client(member)
    page = text(client.get(people(workspace, "chart/"), {"department": company["backend"].pk}))
    drawn = page[page.index("data-org-chart"):]

    # Backend holds Remy and Ines: Remy is its top (his manager Mia is in Engineering); above, Olivia > Mia.
    assert boxes(drawn) == ["Olivia Owner", "Mia Manager", "Remy Report"]
    assert "All 2 reports" not in drawn  # the line is not opened to people outside the department
    part = text(client.get(people(workspace, "chart/level"), {"parent": company["report"].pk,
                                                              "department": company["backend"].pk},
                           HTTP_HX_REQUEST="true"))
    assert boxes(part) == ["Ines Indirect"]
    sales = text(client.get(people(workspace, "chart/level"), {"parent": company["ceo"].pk,
                                                               "department": company["sales"].pk},
                            HTTP_HX_REQUEST="true"))
    assert boxes(sales) == ["Sam Sales"]  # Olivia's reports in Sales only


def test_the_chart_without_js_is_still_a_level_at_a_time(workspace, company, member):
    page = text(signed_in_client(member).get(people(workspace, "chart/"), {"department": company["backend"].pk}))
    flat = page[page.index("data-chart-flat"):page.index("data-org-chart")]
    assert "Remy Report" in flat and 'href="?focus=' in flat and "At the top of Backend: 1" in flat
