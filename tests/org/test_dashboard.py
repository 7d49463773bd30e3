"""People's cards on the workspace dashboard count the right people: this month's joiners and leavers,
birthdays and work anniversaries in the next 30 days, only among the people the viewer may see that way, never
another workspace's, and with a number of queries that does not grow with the workspace."""
from __future__ import annotations

import calendar
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import dashboard, services
from oorg.org.models import Employee
from tests.conftest import actor_for
from tests.web.pages import signed_in_client, text


def hire(workspace, code, name, **fields) -> Employee:
    with workspace_scope(workspace):
        return services.create_employee(Actor.system(workspace), code=code, full_name=name, **fields)


def leave(workspace, employee, end_date) -> None:
    with workspace_scope(workspace):
        services.terminate_employee(Actor.system(workspace), employee, end_date=end_date)


def card(card_function, user, workspace):
    actor = actor_for(user, workspace)
    with workspace_scope(workspace):
        return card_function(actor)


def names(rows) -> list[str]:
    return [row["name"] for row in rows]


def on(day: dt.date, year: int) -> dt.date:
    """The same month and day in another year (29 February becomes the 28th in a common year)."""
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


@pytest.fixture
def today(workspace):
    return dashboard.today_in(workspace)


@pytest.fixture
def month(today):
    first = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return first, last


def test_joiners_and_leavers_of_this_month_only(workspace, other_workspace, hr, month):
    first, last = month
    hire(workspace, "J1", "Jo First", start_date=first)
    hire(workspace, "J2", "Jay Last", start_date=last)
    hire(workspace, "J0", "Old Timer", start_date=first - dt.timedelta(days=1))
    hire(workspace, "J9", "Next Month", start_date=last + dt.timedelta(days=1))
    leave(workspace, hire(workspace, "L1", "Lea Leaver", start_date=dt.date(2020, 1, 6)), first)
    leave(workspace, hire(workspace, "L0", "Earlier Leaver", start_date=dt.date(2020, 1, 6)),
          first - dt.timedelta(days=1))
    # Globex hires and loses people this month too: none of them is Acme's.
    leave(other_workspace, hire(other_workspace, "G1", "Globex Leaver", start_date=dt.date(2020, 1, 6)), first)
    hire(other_workspace, "G2", "Globex Joiner", start_date=first)

    data = card(dashboard.joiners_and_leavers, hr, workspace)

    assert (data["joiner_count"], data["leaver_count"]) == (2, 1)
    assert names(data["joiners"]) == ["Jo First", "Jay Last"]
    assert names(data["leavers"]) == ["Lea Leaver"]
    assert data["team_only"] is False


def test_a_manager_counts_only_their_team_and_a_member_gets_no_card(workspace, company, hr, manager, member, month):
    first, _ = month
    hire(workspace, "N1", "Nina New", start_date=first, manager=company["report"].pk)  # below Mia, two levels
    hire(workspace, "N2", "Otto Outside", start_date=first, manager=company["ceo"].pk)  # not in Mia's team
    leave(workspace, company["indirect"], first)  # Ines, in Mia's team

    mine = card(dashboard.joiners_and_leavers, manager, workspace)
    everyone = card(dashboard.joiners_and_leavers, hr, workspace)

    assert (names(mine["joiners"]), names(mine["leavers"]), mine["team_only"]) == (["Nina New"], ["Ines Indirect"], True)
    assert names(everyone["joiners"]) == ["Nina New", "Otto Outside"]
    assert card(dashboard.joiners_and_leavers, member, workspace) is None  # Remy has no team.view
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))
    assert "Joiners and leavers" not in page and "Nina New" not in page


def test_birthdays_in_the_next_30_days_for_those_who_may_read_personal_details(workspace, other_workspace, hr,
                                                                                 manager, today):
    born = dt.date(1988, 1, 1)  # a leap year: every month and day exists

    def birthday(days):
        return on(today + dt.timedelta(days=days), born.year)

    hire(workspace, "B1", "Today Person", birth_date=birthday(0))
    hire(workspace, "B2", "Soon Person", birth_date=birthday(10))
    hire(workspace, "B3", "Edge Person", birth_date=birthday(30))
    hire(workspace, "B4", "Later Person", birth_date=birthday(31))
    hire(workspace, "B5", "Yesterday Person", birth_date=birthday(-1))
    leave(workspace, hire(workspace, "B6", "Gone Person", birth_date=birthday(5), start_date=dt.date(2020, 1, 6)),
          today)
    hire(other_workspace, "G1", "Globex Person", birth_date=birthday(3))

    data = card(dashboard.birthdays, hr, workspace)

    assert data["count"] == 3
    assert names(data["people"]) == ["Today Person", "Soon Person", "Edge Person"]
    assert [row["in_days"] for row in data["people"]] == [0, 10, 30]
    hr_page = text(signed_in_client(hr).get(f"/w/{workspace.slug}/"))
    assert "Upcoming birthdays" in hr_page and "Soon Person" in hr_page and "Globex Person" not in hr_page
    # Birth dates are personal: a manager (who may not read them) gets no birthday card at all.
    assert card(dashboard.birthdays, manager, workspace) is None
    assert "Upcoming birthdays" not in text(signed_in_client(manager).get(f"/w/{workspace.slug}/"))


def test_the_window_crosses_new_year(workspace):
    for code, day in (("D1", dt.date(1990, 12, 25)), ("D2", dt.date(1991, 1, 10)), ("D3", dt.date(1992, 1, 25)),
                      ("D4", dt.date(1993, 12, 19))):
        hire(workspace, code, f"Born {day:%d %b}", birth_date=day)

    with workspace_scope(workspace):
        found = list(dashboard.upcoming(Employee.objects.all(), "birth_date", dt.date(2025, 12, 20)))

    assert [e.full_name for e in found] == ["Born 25 Dec", "Born 10 Jan"]  # 19 Dec has passed, 25 Jan is too far


def test_work_anniversaries_are_full_years_only_among_people_the_viewer_sees(workspace, other_workspace, company,
                                                                             hr, manager, today):
    soon = today + dt.timedelta(days=5)
    with workspace_scope(workspace):  # the fixture's Remy started on a fixed date: move it out of the window
        services.update_employee(Actor.system(workspace), company["report"],
                                 start_date=on(today + dt.timedelta(days=100), 2020))
    hire(workspace, "A1", "One Year", start_date=on(soon, soon.year - 1))
    hire(workspace, "A3", "Three Years", start_date=on(soon, soon.year - 3), manager=company["boss"].pk)
    hire(workspace, "A0", "Starts Soon", start_date=soon)  # a start, not an anniversary
    hire(workspace, "A9", "Far Off", start_date=on(today + dt.timedelta(days=40), today.year - 2))
    leave(workspace, hire(workspace, "AX", "Left Already", start_date=on(soon, soon.year - 2)), today)
    hire(other_workspace, "G1", "Globex Veteran", start_date=on(soon, soon.year - 4))

    everyone = card(dashboard.anniversaries, hr, workspace)
    team = card(dashboard.anniversaries, manager, workspace)

    assert everyone["count"] == 2
    assert [(row["name"], row["years"], row["in_days"]) for row in everyone["people"]] == [
        ("One Year", 1, 5), ("Three Years", 3, 5)]
    assert (names(team["people"]), team["team_only"]) == (["Three Years"], True)  # Mia sees her own team only


def test_headcount_counts_current_staff_the_viewer_sees(workspace, other_workspace, company, member, manager):
    leave(workspace, company["indirect"], dashboard.today_in(workspace))
    hire(other_workspace, "G1", "Globex Person")

    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))

    assert card(dashboard.headcount, member, workspace)["total"] == 5  # six hired, one left
    assert '<span class="stat-value">5</span>' in page and "current employees" in page


def test_the_dashboard_costs_the_same_queries_for_6_or_46_people(workspace, company, hr, today, month):
    client = signed_in_client(hr)
    url = f"/w/{workspace.slug}/"
    client.get(url)

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(40):
        hire(workspace, f"X{n}", f"Extra {n}", start_date=month[0] if n % 2 else on(today, today.year - 1 - n % 5),
             birth_date=on(today + dt.timedelta(days=n % 30), 1988))
    with CaptureQueriesContext(connection) as large:
        page = text(client.get(url))

    assert len(large) == len(small)
    assert "Extra 0" in page  # the cards did see the new people


def test_a_card_names_the_first_five_and_counts_them_all(workspace, hr, month):
    for n in range(7):
        hire(workspace, f"J{n}", f"Joiner {n}", start_date=month[0])

    data = card(dashboard.joiners_and_leavers, hr, workspace)
    page = text(signed_in_client(hr).get(f"/w/{workspace.slug}/"))

    assert data["joiner_count"] == 7 and names(data["joiners"]) == [f"Joiner {n}" for n in range(5)]
    assert "7 in all" in page and "Joiner 5" not in page
