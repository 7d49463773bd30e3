"""Importing employees from a spreadsheet: dry run first, bad rows by line, atomic and idempotent."""
import datetime as dt
import json

from oorg.core.models import AuditEvent
from oorg.core.tabular import read_table, write_table
from oorg.core.tenancy import workspace_scope
from oorg.org.models import Employee

HEADER = "employee_code,full_name,work_email,department,branch,manager_code,start_date,phone\n"


def staff_csv(n=300, bad=()) -> str:
    """n people: P001 leads, everyone else reports to the person 10 codes above (managers often appear
    later in the file than their reports, as the rows are written in reverse)."""
    lines = []
    for i in range(n, 0, -1):
        manager = "" if i == 1 else f"P{max(1, i - 10):03d}"
        start = "2024-02-30" if i in bad else "2024-03-01"
        lines.append(f"P{i:03d},Person {i},p{i}@acme.test,Engineering,Berlin,{manager},{start},+49 30 {1000000 + i}\n")
    return HEADER + "".join(lines)


def import_file(client, name, content, *, dry_run, mode="all_or_nothing", mapping=None):
    """POST the file; the job runs eagerly in tests, so the 202 answer already holds its result."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content.encode() if isinstance(content, str) else content
    body = {"file": SimpleUploadedFile(name, data)}
    if mapping is not None:
        body["mapping"] = json.dumps(mapping)
    return client.client.post(f"/api/v1/employees/import?dry_run={'true' if dry_run else 'false'}&mode={mode}",
                              body, **client._headers())


def result_of(response) -> dict:
    assert response.status_code == 202, response.content
    return response.json()["result"]


def employees(workspace):
    with workspace_scope(workspace):
        return {e.code: e for e in Employee.objects.select_related("manager")}


def test_three_hundred_people_dry_run_shows_the_bad_rows_then_imports_without_duplicates(company, clients,
                                                                                       workspace):
    hr = clients["hr"]
    broken = staff_csv(bad=(7, 50)).replace("P123,Person 123,p123@acme.test", "P123,Person 123,not-an-email")
    broken = broken.replace(",P290,", ",P999,")  # unknown manager on the row of P300

    dry = import_file(hr, "staff.csv", broken, dry_run=True)

    assert dry.status_code == 202, dry.content
    assert dry.json()["state"] == "succeeded" and dry.json()["progress"] == dry.json()["total"] == 300
    report = dry.json()["result"]
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (2, "manager_code"), (179, "work_email"), (252, "start_date"), (295, "start_date")]
    assert "P999" in report["errors"][0]["message"] and "YYYY-MM-DD" in report["errors"][2]["message"]
    assert report["created"] == 296 and report["dry_run"] is True
    assert len(employees(workspace)) == 6  # nothing written

    real_with_errors = import_file(hr, "staff.csv", broken, dry_run=False)
    assert real_with_errors.status_code == 202 and real_with_errors.json()["state"] == "failed"
    assert len(real_with_errors.json()["result"]["errors"]) == 4
    assert real_with_errors.json()["result"]["detail"] == "Nothing was imported: 4 problem(s) in the file."
    assert len(employees(workspace)) == 6  # atomic: nothing of the good rows either

    fixed = import_file(hr, "staff.csv", staff_csv(), dry_run=False)
    assert result_of(fixed)["created"] == 300 and result_of(fixed)["errors"] == []
    people = employees(workspace)
    assert len(people) == 306
    assert people["P011"].manager.code == "P001" and people["P300"].manager.code == "P290"
    assert people["P042"].phone == "+49301000042" and people["P042"].start_date == dt.date(2024, 3, 1)

    again = import_file(hr, "staff.csv", staff_csv().replace("Person 5,", "Person Five,"), dry_run=False)
    counts = {k: result_of(again)[k] for k in ("created", "updated", "unchanged", "errors", "dry_run", "written")}
    assert counts == {"created": 0, "updated": 1, "unchanged": 299, "errors": [], "dry_run": False, "written": True}
    assert len(employees(workspace)) == 306 and employees(workspace)["P005"].full_name == "Person Five"
    assert AuditEvent.objects.filter(workspace=workspace, action="org.employee.imported").count() == 2


def test_bom_and_semicolons_as_excel_writes_them(company, clients, workspace):
    content = "\ufeffEmployee Code;Full Name;Department;Manager\r\nN1;Zoë Ångström;Engineering / Backend;E003\r\n"
    response = import_file(clients["hr"], "export.csv", content.encode("utf-8"), dry_run=False)
    assert result_of(response)["created"] == 1
    zoe = employees(workspace)["N1"]
    assert zoe.full_name == "Zoë Ångström" and zoe.department.name == "Backend" and zoe.manager.code == "E003"


def test_duplicate_codes_bad_dates_unknown_names_and_loops_are_reported_by_line(company, clients, workspace):
    content = (
        "employee_code,full_name,start_date,department,manager_code,branch\n"
        "A1,Ann,2024-01-01,Engineering,A2,Berlin\n"      # line 2: fine, manager later in the file
        "A2,Bob,31/01/2024,Engineering,,Berlin\n"        # line 3: a date that is not ISO
        "A1,Ann again,2024-01-01,,,\n"                   # line 4: duplicate code in the file
        "A3,Cid,,Marketing,,\n"                          # line 5: unknown department
        "A4,Dee,,,A5,\n"                                 # line 6: A4 -> A5 -> A4 loop
        "A5,Eve,,,A4,\n"                                 # line 7: the same loop
        "E001,Olivia Owner,,,E004,\n"                    # line 8: on record: E004 -> ... -> E001 loop
        ",No code,,,,\n"                                 # line 9: missing code
        "A6,,,,,\n"                                      # line 10: a new person needs a name
        "A7,Fay,,,,Atlantis\n"                           # line 11: unknown branch
    )
    report = result_of(import_file(clients["hr"], "people.csv", content, dry_run=True))
    found = {(e["line"], e["field"]) for e in report["errors"]}
    assert found == {(3, "start_date"), (4, "employee_code"), (5, "department"), (6, "manager_code"),
                     (7, "manager_code"), (8, "manager_code"), (9, "employee_code"), (10, "full_name"),
                     (11, "branch")}
    line4 = next(e for e in report["errors"] if e["line"] == 4)
    assert "also appears on line 2" in line4["message"]


def test_xlsx_with_real_date_cells_and_numeric_codes(company, clients, workspace):
    data = write_table("xlsx", ["employee_code", "full_name", "start_date", "manager_code"],
                       [[1042, "Xena Xlsx", dt.date(2025, 6, 1), "E001"]])
    response = import_file(clients["hr"], "people.xlsx", data, dry_run=False)
    assert result_of(response)["created"] == 1
    xena = employees(workspace)["1042"]
    assert xena.start_date == dt.date(2025, 6, 1) and xena.manager.code == "E001"


def test_whole_file_problems_and_unknown_columns(company, clients):
    hr = clients["hr"]
    assert result_of(import_file(hr, "x.pdf", b"%PDF", dry_run=True))["errors"][0]["field"] == "file"
    assert result_of(import_file(hr, "x.xlsx", b"not a zip", dry_run=True))["errors"][0]["field"] == "file"
    unknown = result_of(import_file(hr, "x.csv", "employee_code,full_name,salary\nZ1,Zed,100\n", dry_run=True))
    assert unknown["errors"] == [{"line": 1, "field": "salary", "message": unknown["errors"][0]["message"]}]
    no_code = result_of(import_file(hr, "x.csv", "full_name\nZed\n", dry_run=True))
    assert no_code["errors"][0]["field"] == "employee_code"


def test_personal_columns_and_the_import_itself_need_the_rights(company, clients, workspace):
    content = "employee_code,full_name\nM1,Mallory\n"
    assert import_file(clients["member"], "x.csv", content, dry_run=True).status_code == 403
    assert import_file(clients["manager"], "x.csv", content, dry_run=False).status_code == 403
    assert "M1" not in employees(workspace)


def test_terminated_in_the_file_goes_through_termination(company, clients, workspace, manager):
    response = import_file(clients["hr"], "x.csv", "employee_code,status\nE002,terminated\n", dry_run=False)
    assert result_of(response)["updated"] == 1
    people = employees(workspace)
    assert people["E002"].status == "terminated" and people["E002"].end_date is not None
    assert people["E003"].manager.code == "E001"  # reports moved up
    assert clients["manager"].get("/me").status_code == 401


def test_export_reads_back_as_the_same_import(company, clients, workspace):
    exported = clients["hr"].get("/employees/export?format=csv")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    content = exported.getvalue()  # streamed
    assert content.startswith(b"\xef\xbb\xbfemployee_code,full_name,work_email")
    table = read_table("employees.csv", content)
    rows = {row["employee_code"]: row for _line, row in table.rows}
    assert rows["E003"]["department"] == "Engineering / Backend" and rows["E003"]["birth_date"] == "1990-05-17"

    again = result_of(import_file(clients["hr"], "employees.csv", content, dry_run=True))
    assert again["errors"] == [] and again["unchanged"] == 6

    xlsx = clients["admin"].get("/employees/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"
    assert clients["member"].get("/employees/export").status_code == 403
    assert clients["hr"].get("/employees/export?format=pdf").json()["field"] == "format"
