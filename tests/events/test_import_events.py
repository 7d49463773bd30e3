"""An import is one audit record for the file and one event per employee it created or changed, each saying what
is true once the whole file is written (managers named later in the file included), read back in batches."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oorg.core.models import AuditEvent, Event
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import importing
from oorg.org.models import Employee

from ..conftest import actor_for
from ..org.test_import import import_file, result_of

pytestmark = pytest.mark.django_db


def _rows(n: int, prefix="P") -> str:
    # Everyone reports to the last person of the file, who comes after them.
    boss = f"{prefix}{n - 1:04d}"
    return "".join(f"{prefix}{i:04d},Person {i},{'' if i == n - 1 else boss},Engineering\n" for i in range(n))


def test_three_hundred_new_people_are_three_hundred_events_under_one_audit_record(company, clients, workspace, hr):
    before = AuditEvent.objects.count()
    content = "employee_code,full_name,manager_code,department\n" + _rows(300)

    result = result_of(import_file(clients["hr"], "p.csv", content, dry_run=False))

    assert result["created"] == 300 and result["written"]
    record = AuditEvent.objects.get(action="org.employee.imported")
    assert AuditEvent.objects.count() == before + 1
    created = Event.objects.filter(type="org.employee.created", audit_event_id=record.pk)
    assert created.count() == 300
    with workspace_scope(workspace):
        people = {e.code: e for e in Employee.objects.filter(code__startswith="P").select_related("department")}
    boss = people["P0299"]
    assert {e.data["code"] for e in created} == set(people)
    for event in created:
        person = people[event.data["code"]]
        assert event.target_id == str(person.pk) and event.actor_user_id == hr.pk
        assert event.data["manager_id"] == (None if person.pk == boss.pk else boss.pk)  # set at the end
        assert event.data["department"] == {"id": company["engineering"].pk, "name": "Engineering"}
    assert Event.objects.filter(type="org.employee.imported", audit_event_id=record.pk).get().data == {
        "created": 300, "updated": 0, "unchanged": 0}


def test_changed_people_are_updated_events_naming_what_changed_and_the_unchanged_none(company, workspace, owner):
    actor = actor_for(owner, workspace)
    content = ("employee_code,full_name,job_title,manager_code\n"
               "E003,Remy Report,Staff engineer,E002\n"  # a new title
               "E004,Ines Indirect,Junior developer,E005\n"  # a new manager
               "E005,Sam Sales,Account exec,E001\n")  # nothing new
    with workspace_scope(workspace):
        result = importing.import_employees(actor, path_or_bytes=content.encode(), filename="c.csv")

    assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 1)
    record = AuditEvent.objects.get(action="org.employee.imported")
    written = Event.objects.filter(audit_event_id=record.pk)
    updated = {e.data["code"]: e.data for e in written.filter(type="org.employee.updated")}
    assert set(updated) == {"E003", "E004"}
    assert updated["E003"]["fields"] == ["job_title"] and updated["E003"]["job_title"] == "Staff engineer"
    assert updated["E004"]["fields"] == ["manager"] and updated["E004"]["manager_id"] == company["sales_rep"].pk
    assert sorted(written.values_list("type", flat=True)) == ["org.employee.imported", "org.employee.updated",
                                                              "org.employee.updated"]


def test_an_unchanged_file_again_is_no_employee_event(company, workspace):
    actor = Actor.system(workspace)
    content = b"employee_code,full_name\nQ1,Quinn\nQ2,Quade\n"
    with workspace_scope(workspace):
        importing.import_employees(actor, path_or_bytes=content, filename="q.csv")
        again = importing.import_employees(actor, path_or_bytes=content, filename="q.csv")

    assert again["unchanged"] == 2
    record = AuditEvent.objects.filter(action="org.employee.imported").latest("pk")
    assert list(Event.objects.filter(audit_event_id=record.pk).values_list("type", flat=True)) == [
        "org.employee.imported"]


def test_the_events_read_only_the_imported_rows_in_batches(company, workspace):
    actor = Actor.system(workspace)
    content = ("employee_code,full_name,manager_code,department\n" + _rows(1200, prefix="B")).encode()
    with workspace_scope(workspace), CaptureQueriesContext(connection) as queries:
        result = importing.import_employees(actor, path_or_bytes=content, filename="b.csv")

    assert result["created"] == 1200
    record = AuditEvent.objects.get(action="org.employee.imported")
    assert Event.objects.filter(type="org.employee.created", audit_event_id=record.pk).count() == 1200
    marker = '"org_employee"."id" IN ('
    reads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith("SELECT") and marker in q["sql"] and '"org_department"' in q["sql"]]
    sizes = [sql.split(marker, 1)[1].split(")", 1)[0].count(",") + 1 for sql in reads]
    assert len(sizes) == 3 and max(sizes) <= 1000 and sum(sizes) == 1200
