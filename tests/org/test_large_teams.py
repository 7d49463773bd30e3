"""A team bigger than PostgreSQL's 65,535 bind parameters: the hierarchy is walked by the database, so reports,
team visibility, the org chart and terminations work for any team size on both databases."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oorg.core import db
from oorg.core.tenancy import workspace_scope
from oorg.org.models import Employee

TEAM = 70_000  # > 65,535: a `pk__in` list of this team is an error on PostgreSQL


@pytest.fixture
def big_team(workspace, company):
    """Mia Manager (E002) gets 70,000 more people below her: 69,900 direct reports and a chain of 100
    under one of them. Built with one bulk insert, as an import would."""
    mia = company["boss"]
    with workspace_scope(workspace):
        direct = [Employee(workspace=workspace, code=f"T{n:06d}", full_name=f"Team Member {n:06d}", manager=mia)
                  for n in range(TEAM - 100)]
        Employee.objects.bulk_create(direct, batch_size=2000)
        top_of_chain = Employee.objects.get(code="T000000")
        boss, chain = top_of_chain, []
        for n in range(100):  # each reports to the one before: a deep line under Mia
            boss = Employee.objects.create(workspace=workspace, code=f"C{n:03d}", full_name=f"Chain {n:03d}",
                                           manager=boss)
            chain.append(boss)
        db.analyze(Employee)  # what autovacuum (or the importer, after a bulk write) does
    return {"mia": mia, "deepest": chain[-1], "top_of_chain": top_of_chain}


@pytest.mark.slow
def test_a_team_of_70000_is_read_a_page_at_a_time(big_team, clients, workspace):
    mia, deepest = big_team["mia"], big_team["deepest"]
    hr, as_mia = clients["hr"], clients["manager"]

    every = hr.get(f"/employees/{mia.pk}/reports?depth=all&limit=200")
    direct = hr.get(f"/employees/{mia.pk}/reports?limit=200")
    level = hr.get(f"/org-chart?parent_id={mia.pk}&limit=200")
    leaf = as_mia.get(f"/employees/{deepest.pk}")  # 101 levels below Mia: in her team
    path = hr.get(f"/org-chart/path/{deepest.pk}")
    leavers_included = as_mia.get("/employees?status=any&limit=200")  # walks Mia's whole team in SQL

    assert every.status_code == 200, every.content
    # Remy, Ines and everyone added; the chain is below T000000, so it counts too.
    assert every.json()["count"] == TEAM + 2 and len(every.json()["items"]) == 200
    assert direct.json()["count"] == TEAM - 100 + 1  # the added direct reports and Remy
    assert level.json()["count"] == TEAM - 100 + 1
    chart = {n["full_name"]: n["report_count"] for n in level.json()["items"]}
    assert chart["Team Member 000000"] == 1
    assert leaf.status_code == 200 and leaf.json()["access"] == "team"
    names = [n["full_name"] for n in path.json()["items"]]
    assert names[:4] == ["Olivia Owner", "Mia Manager", "Team Member 000000", "Chain 000"]
    assert names[-1] == "Chain 099" and len(names) == 103
    assert leavers_included.status_code == 200 and leavers_included.json()["count"] == Employee.all_workspaces.filter(
        workspace=workspace).count()  # as a directory reader Mia sees everyone current: no one has left

    # Deep pages follow the cursor, in name order, without counting again.
    url = f"/employees/{mia.pk}/reports?limit=200"
    seen, cursor, pages = set(), None, 0
    while pages < 5:
        page = hr.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        names = [e["full_name"] for e in page["items"]]
        assert names == sorted(names) and not seen & set(names)
        seen |= set(names)
        cursor, pages = page["next_cursor"], pages + 1
    assert len(seen) == 1000
    with CaptureQueriesContext(connection) as queries:
        hr.get(url + f"&cursor={cursor}")
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)  # the total rode along

    # Putting Mia under the deepest of her people would close a loop: found by walking up 102 managers.
    moved = hr.patch(f"/employees/{mia.pk}", {"manager_id": deepest.pk})
    assert moved.status_code == 400 and moved.json()["field"] == "manager_id"


@pytest.mark.slow
def test_terminating_the_manager_of_70000_moves_them_in_one_update(big_team, company, workspace, clients):
    response = clients["hr"].post(f"/employees/{big_team['mia'].pk}/terminate", {})

    assert response.status_code == 200, response.content
    with workspace_scope(workspace):
        assert Employee.objects.filter(manager=company["ceo"]).count() == TEAM - 100 + 1 + 2  # + Remy, Sam
        assert not Employee.objects.filter(manager=big_team["mia"]).exists()
