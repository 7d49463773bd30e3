"""The people import on the core import pattern: header mapping, preview, every problem once, the error report,
valid-rows mode, background jobs, cost that follows the file (not the workspace), and `oorg import`."""
import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oorg import cli
from oorg.core.models import AuditEvent
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import importing, services
from oorg.org.models import Department, Employee

from ..conftest import token_for
from .test_import import employees, import_file, result_of


def get_job(client, job_id):
    return client.get(f"/jobs/{job_id}")


def report_rows(client, result) -> list[dict]:
    response = client.client.get(result["error_report"], **client._headers())
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_headers_are_matched_by_alias_and_the_mapping_can_change_or_ignore_them(company, clients, workspace):
    hr = clients["hr"]
    content = "Code,Name,Salary,Boss,Nickname\nM1,Mo Mapped,100,E001,Momo\n"

    preview = hr.upload("/employees/import/preview", "m.csv", content.encode())

    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["mapping"] == {"Code": "employee_code", "Name": "full_name", "Salary": "", "Boss": "",
                               "Nickname": ""}
    assert {e["field"] for e in body["errors"]} == {"salary", "boss", "nickname"}  # unknown: reported

    unmapped = result_of(import_file(hr, "m.csv", content, dry_run=True))
    assert {e["field"] for e in unmapped["errors"]} == {"salary", "boss", "nickname"} and unmapped["created"] == 0

    mapping = {"Salary": "", "Boss": "manager_code", "Nickname": "", "Name": "job_title", "Code": "employee_code"}
    edited = import_file(hr, "m.csv", content + "", dry_run=False, mapping=mapping)
    assert result_of(edited)["errors"] == [{"line": 2, "field": "full_name",
                                            "message": "A new employee needs a full name."}]

    mapping["Name"] = "full_name"
    done = result_of(import_file(hr, "m.csv", content, dry_run=False, mapping=mapping))
    assert done["created"] == 1 and done["mapping"]["Salary"] == ""
    assert employees(workspace)["M1"].manager.code == "E001"


def test_a_mapping_to_an_unknown_column_is_refused_at_once(company, clients):
    response = import_file(clients["hr"], "m.csv", "code\nX\n", dry_run=True, mapping={"code": "salary"})

    assert response.status_code == 422 and response.json()["field"] == "mapping"


def test_the_preview_shows_the_first_ten_rows_as_mapped(company, clients):
    content = "employee_code,full_name\n" + "".join(f"V{i},Vera {i}\n" for i in range(25))

    body = clients["hr"].upload("/employees/import/preview", "v.csv", content.encode()).json()

    assert body["headers"] == ["employee_code", "full_name"] and body["errors"] == []
    assert body["rows"][0] == {"employee_code": "V0", "full_name": "Vera 0"} and len(body["rows"]) == 10


def test_every_problem_is_found_in_one_pass_and_reported_once(company, clients, workspace):
    with workspace_scope(workspace):
        services.terminate_employee(Actor.system(workspace), company["sales_rep"])  # E005 has left
    content = (
        "employee_code,full_name,work_email,manager_code\n"
        "B1,Bea,bea@acme.test,B9\n"          # 2: manager later in the file: fine
        "B2,Ben,not-an-email,NOPE\n"         # 3: bad email and an unknown manager: both, on one row
        "B3,Bo,,E005\n"                      # 4: a manager who has left
        "E002,Mia Manager,,X1\n"             # 5: E002 -> X1 -> E004 -> E003 -> E002 (records): a loop
        "X1,Xi,,E004\n"                      # 6: the same loop
        "B9,Bill,,\n"                        # 7: fine
        "B4,Bert,bert@acme,B1\n"             # 8: bad email
    )

    result = result_of(import_file(clients["hr"], "p.csv", content, dry_run=True))

    found = [(e["line"], e["field"]) for e in result["errors"]]
    assert found == [(3, "manager_code"), (3, "work_email"), (4, "manager_code"), (5, "manager_code"),
                     (6, "manager_code"), (8, "work_email")]
    messages = [e["message"] for e in result["errors"]]
    assert "No employee with code 'NOPE' in the file or on record." in messages
    assert "E005 has left; choose a current manager." in messages
    assert messages.count("Reporting to X1 would make a loop in the reporting line.") == 1
    assert result["error_count"] == 6 and result["rejected_rows"] == 5 and result["created"] == 2


def test_the_error_report_has_the_bad_rows_with_reasons_and_uploads_again_once_fixed(company, clients, workspace):
    hr = clients["hr"]
    content = ("Employee Code,Full Name,Work Email,Notes\n"
               "R1,Rae,rae@acme.test,ok\n"
               "R2,Rex,rex-at-acme,typo\n"
               "R3,,,new and nameless\n")
    mapping = {"Notes": ""}
    failed = import_file(hr, "r.csv", content, dry_run=False, mapping=mapping)
    assert failed.json()["state"] == "failed" and "R1" not in employees(workspace)

    rows = report_rows(hr, failed.json()["result"])

    assert [r["Employee Code"] for r in rows] == ["R2", "R3"]
    assert list(rows[0]) == ["Employee Code", "Full Name", "Work Email", "Notes", "reason"]
    assert rows[0]["Notes"] == "typo" and rows[0]["reason"] == "work_email: 'rex-at-acme' is not a valid email address."
    assert rows[1]["reason"] == "full_name: A new employee needs a full name."

    rows[0]["Work Email"], rows[1]["Full Name"] = "rex@acme.test", "Ria"
    fixed = io.StringIO()
    writer = csv.DictWriter(fixed, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    again = result_of(import_file(hr, "r-errors.csv", fixed.getvalue(), dry_run=False, mapping=mapping))
    assert again["created"] == 2 and again["errors"] == [] and again["error_report"] is None
    assert {"R2", "R3"} <= set(employees(workspace))


def test_valid_rows_mode_skips_bad_rows_and_the_rows_waiting_for_them(company, clients, workspace):
    content = ("employee_code,full_name,work_email,manager_code\n"
               "D1,Dora,bad-email,E001\n"   # 2: bad
               "D2,Dan,,D1\n"               # 3: its manager is rejected
               "D3,Dee,,D2\n"               # 4: and so on down
               "D4,Dot,,E001\n")            # 5: fine

    result = result_of(import_file(clients["hr"], "d.csv", content, dry_run=False, mode="valid_rows"))

    assert result["written"] is True and result["created"] == 1 and result["rejected_rows"] == 3
    assert [(e["line"], e["field"]) for e in result["errors"]] == [(2, "work_email"), (3, "manager_code"),
                                                                    (4, "manager_code")]
    assert result["errors"][1]["message"].startswith("Manager D1 is on line 2, which has a problem")
    people = employees(workspace)
    assert "D4" in people and not {"D1", "D2", "D3"} & set(people)


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(company, clients, workspace):
    before = AuditEvent.objects.filter(workspace=workspace, action="org.employee.imported").count()
    content = "employee_code,full_name,start_date\nG1,Gil,2024-01-01\nE001,Olivia Renamed,\nG2,Gus,someday\n"

    response = import_file(clients["hr"], "g.csv", content, dry_run=False)

    assert response.json()["state"] == "failed" and response.json()["result"]["written"] is False
    people = employees(workspace)
    assert "G1" not in people and people["E001"].full_name == "Olivia Owner"
    assert AuditEvent.objects.filter(workspace=workspace, action="org.employee.imported").count() == before


def staff(n: int, prefix="S") -> bytes:
    rows = "".join(f"{prefix}{i:05d},Staff {i},s{i}@acme.test,Engineering,Berlin,"
                   f"{'' if i == 0 else f'{prefix}{(i - 1) // 5:05d}'},2024-03-01\n" for i in range(n))
    return ("employee_code,full_name,work_email,department,branch,manager_code,start_date\n" + rows).encode()


def test_importing_an_unchanged_file_again_writes_nothing(company, workspace):
    actor = Actor.system(workspace)
    data = staff(120)
    with workspace_scope(workspace):
        first = importing.import_employees(actor, path_or_bytes=data, filename="s.csv")
        assert first["created"] == 120
        with CaptureQueriesContext(connection) as queries:
            again = importing.import_employees(actor, path_or_bytes=data, filename="s.csv")
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) and '"org_employee"' in q["sql"]]
    assert writes == [] and again["unchanged"] == 120 and again["updated"] == 0 and again["written"]


def _queries_to_import(workspace, existing: int) -> int:
    actor = Actor.system(workspace)
    with workspace_scope(workspace):
        services.create_department(actor, name="Engineering")
        services.create_branch(actor, name="Berlin", country="DE", time_zone="Europe/Berlin")
        engineering = Department.objects.get()
        Employee.objects.bulk_create([Employee(workspace=workspace, code=f"OLD{i:05d}", full_name=f"Old {i}",
                                               department=engineering) for i in range(existing)], batch_size=1000)
        # 50 new people (managers among them) and 25 on record who change their title and get a manager.
        data = staff(50, prefix="N") + "".join(
            f"OLD{i:05d},Old {i},,Engineering,Berlin,N00000,2024-03-01\n" for i in range(25)).encode()
        with CaptureQueriesContext(connection) as queries:
            result = importing.import_employees(actor, path_or_bytes=data, filename="n.csv")
    assert result["created"] == 50 and result["updated"] == 25 and result["errors"] == []
    return len(queries.captured_queries)


def test_the_cost_of_an_import_follows_the_file_not_the_workspace(workspace, other_workspace):
    small, large = _queries_to_import(workspace, 50), _queries_to_import(other_workspace, 2000)

    assert small == large
    assert small < 40  # no query per row: lookups and writes in batches


def test_the_import_is_a_job_seen_by_its_creator_and_importers_only(company, clients, workspace, other_workspace,
                                                                   api_client):
    response = import_file(clients["hr"], "j.csv", "employee_code,full_name\nJ1,Jo\nJ2,\n", dry_run=True)

    assert response.status_code == 202
    job = response.json()
    assert set(job) == {"id", "state", "progress", "total", "result"}
    assert job["state"] == "succeeded" and job["progress"] == job["total"] == 2
    assert job["result"]["error_report"] == f"/api/v1/jobs/{job['id']}/error-report"
    assert get_job(clients["hr"], job["id"]).json() == job
    assert get_job(clients["admin"], job["id"]).status_code == 200  # holds org.employee.import
    assert get_job(clients["manager"], job["id"]).status_code == 404
    assert get_job(clients["member"], job["id"]).status_code == 404
    assert clients["member"].get(f"/jobs/{job['id']}/error-report").status_code == 404
    stranger = api_client(other_workspace.owner, other_workspace)
    assert get_job(stranger, job["id"]).status_code == 404
    assert stranger.get(f"/jobs/{job['id']}/error-report").status_code == 404
    assert get_job(clients["hr"], 999999).status_code == 404


def test_an_importer_without_personal_rights_may_not_import_personal_columns(company, workspace, owner):
    from oorg.core.roles import create_role
    from tests.conftest import ApiClient, actor_for, add_member

    with workspace_scope(workspace):
        create_role(actor_for(owner, workspace), name="Importer",
                    permissions=["workspace.member.view", "org.employee.import"])
    importer = add_member(workspace, owner, "importer@acme.test", "importer")
    client = ApiClient(token_for(importer, workspace))

    response = import_file(client, "x.csv", "employee_code,full_name,birth_date\nT1,Tia,1990-01-01\n", dry_run=False)

    assert response.json()["state"] == "failed"
    assert response.json()["result"]["errors"] == [{"line": 1, "field": "birth_date", "message":
                                                    "You may not import personal fields; remove the column."}]
    assert "T1" not in employees(workspace)
    assert get_job(client, response.json()["id"]).status_code == 200  # its creator sees it


def test_a_file_over_the_row_limit_is_refused_whole(company, clients):
    content = "employee_code,full_name\n" + "L1,Lou\n" * 100_001

    result = result_of(import_file(clients["hr"], "big.csv", content, dry_run=True))

    assert result["errors"] == [{"line": 1, "field": "file",
                                 "message": "The file has more than 100000 rows (blank rows count too); split it."}]


def test_the_oorg_import_command_checks_then_imports_with_a_progress_bar(company, workspace, hr, tmp_path, capsys):
    source = tmp_path / "people.csv"
    source.write_text("Code,Name,Salary,Manager\nC1,Cy,1,E001\nC2,Cal,2,C1\nC3,Cid,3,NOPE\n")
    args = ["import", "employees", str(source), "--workspace", workspace.slug, "--as", hr.email, "--map", "Salary="]

    assert cli.main([*args, "--check"]) == 1
    out = capsys.readouterr().out
    assert "3 rows: Would create 2" in out and "line 4, manager_code: No employee with code 'NOPE'" in out
    report = (tmp_path / "people-errors.csv").read_text(encoding="utf-8-sig")
    assert report.splitlines() == ["Code,Name,Salary,Manager,reason",
                                   "C3,Cid,3,NOPE,manager_code: No employee with code 'NOPE' in the file or on record."]
    assert "C1" not in employees(workspace)

    assert cli.main([*args, "--valid-rows"]) == 1
    out = capsys.readouterr().out
    assert "Created 2" in out and "Written." in out
    assert employees(workspace)["C2"].manager.code == "C1"

    source.write_text("Code,Name\nC1,Cy\n")
    assert cli.main(["import", "employees", str(source), "--workspace", workspace.slug]) == 0
    assert "1 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("who", ["member", "manager"])
def test_the_command_refuses_a_member_without_the_right(company, workspace, request, who, tmp_path, capsys):
    source = tmp_path / "p.csv"
    source.write_text("employee_code,full_name\nW1,Wes\n")
    user = request.getfixturevalue(who)

    assert cli.main(["import", "employees", str(source), "--workspace", workspace.slug, "--as", user.email]) == 1
    assert "Refused" in capsys.readouterr().err and "W1" not in employees(workspace)


def test_json_result_holds_at_most_a_hundred_problems(company, clients):
    content = "employee_code,full_name,start_date\n" + "".join(f"Q{i},Q {i},never\n" for i in range(150))

    response = import_file(clients["hr"], "q.csv", content, dry_run=True)

    result = result_of(response)
    assert result["error_count"] == 150 and len(result["errors"]) == 100
    assert len(report_rows(clients["hr"], result)) == 150
    assert json.loads(response.content)["result"]["errors"][0]["line"] == 2


def test_chunks_do_not_change_the_outcome(company, workspace, monkeypatch):
    """Managers in earlier and later chunks, a duplicate code across chunks: as if the file were one chunk."""
    from oorg.core import imports

    monkeypatch.setattr(imports, "CHUNK", 3)
    content = ("employee_code,full_name,manager_code\n"
               "K1,Kai,K7\n" "K2,Kim,K1\n" "K3,Kit,\n"      # chunk 1: K1's manager comes two chunks later
               "K4,Kat,K3\n" "K5,Ken,K4\n" "K1,Kai again,\n"  # chunk 2: K1 again
               "K7,Kip,E001\n" "K8,Kev,K5\n")              # chunk 3
    actor = Actor.system(workspace)
    with workspace_scope(workspace):
        result = importing.import_employees(actor, path_or_bytes=content.encode(), filename="k.csv",
                                            mode="valid_rows")

    assert [(e["line"], e["field"]) for e in result["errors"]] == [(7, "employee_code")]
    assert result["created"] == 7 and result["written"]
    people = employees(workspace)
    assert {c: people[c].manager.code if people[c].manager else None for c in ("K1", "K2", "K5", "K7", "K8")} == {
        "K1": "K7", "K2": "K1", "K5": "K4", "K7": "E001", "K8": "K5"}


def test_an_unknown_mode_is_refused_at_once(company, clients):
    response = import_file(clients["hr"], "m.csv", "employee_code\nX\n", dry_run=True, mode="most_rows")

    assert response.status_code == 422 and response.json()["field"] == "mode"
