"""Organization setup pages through the browser-like test client: departments, branches, self-service
settings and the employee import wizard."""
import re

import pytest

from oorg.core import files
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import selectors, services
from oorg.org.models import Branch, Department, Employee
from tests.web.pages import signed_in_client, text

pytestmark = pytest.mark.django_db


def _branches(workspace):
    with workspace_scope(workspace):
        return {b.name: b for b in Branch.objects.all()}


def _departments(workspace):
    with workspace_scope(workspace):
        return {d.name: d for d in Department.objects.select_related("parent")}


def _employees(workspace):
    with workspace_scope(workspace):
        return {e.code: e for e in Employee.objects.select_related("department", "manager")}


BRANCH = {"name": "Lisbon", "address": "Rua Augusta 1\n1100-048 Lisboa", "country": "pt",
          "time_zone": "Europe/Lisbn", "working_days": ["mon", "tue", "wed", "thu"], "work_starts": "08:30",
          "work_ends": "16:30", "holiday_calendar": "PT"}


# --- branches ------------------------------------------------------------------------------------------------


def test_hr_creates_a_branch_a_bad_time_zone_is_shown_and_nothing_saved(workspace, hr):
    client = signed_in_client(hr)
    form_page = text(client.get(f"/w/{workspace.slug}/organization/branches/new"))
    assert '<optgroup label="Europe">' in form_page and '<option value="Europe/Lisbon">Lisbon</option>' in form_page
    assert '<option value="PT">Portugal</option>' in form_page  # the country picker, by name
    assert 'type="time"' in form_page and form_page.count('name="working_days"') == 7

    refused = client.post(f"/w/{workspace.slug}/organization/branches/new", BRANCH)

    assert refused.status_code == 422
    assert refused.context["form"].errors["time_zone"] == [
        "Select a valid choice. Europe/Lisbn is not one of the available choices."]
    assert '<option value="PT" selected>Portugal</option>' in text(refused)  # what was chosen stays chosen
    assert _branches(workspace) == {}

    saved = client.post(f"/w/{workspace.slug}/organization/branches/new", {**BRANCH, "time_zone": "Europe/Lisbon"},
                        follow=True)

    assert "Branch Lisbon created." in text(saved)
    lisbon = _branches(workspace)["Lisbon"]
    assert (lisbon.country, lisbon.time_zone, lisbon.working_days) == ("PT", "Europe/Lisbon",
                                                                        ["mon", "tue", "wed", "thu"])
    assert (lisbon.work_starts.isoformat(), lisbon.work_ends.isoformat()) == ("08:30:00", "16:30:00")
    assert "Lisbon" in text(saved) and "Europe/Lisbon" in text(saved)  # on the list


def test_hr_edits_a_branch_and_hours_must_make_sense(workspace, hr, company):
    client = signed_in_client(hr)
    berlin = company["berlin"]
    edit = f"/w/{workspace.slug}/organization/branches/{berlin.pk}/edit"
    page = text(client.get(edit))
    assert 'value="Berlin"' in page and 'value="Europe/Berlin"' in page and 'value="09:00"' in page

    data = {"name": "Berlin HQ", "address": berlin.address, "country": "DE", "time_zone": "Europe/Berlin",
            "working_days": ["mon", "tue", "wed", "thu", "fri"], "work_starts": "18:00", "work_ends": "09:00"}
    refused = client.post(edit, data)
    assert refused.status_code == 422 and "Work ends after it starts." in text(refused)
    assert "Berlin HQ" not in _branches(workspace)

    saved = client.post(edit, {**data, "work_starts": "08:00"}, follow=True)
    assert "Branch Berlin HQ saved." in text(saved)
    assert _branches(workspace)["Berlin HQ"].work_starts.hour == 8


def test_deleting_a_branch_people_work_at_shows_the_409_message(workspace, hr, company):
    client = signed_in_client(hr)

    response = client.post(f"/w/{workspace.slug}/organization/branches/{company['berlin'].pk}/delete")

    assert response.status_code == 409
    assert "4 current and 0 former employee(s) work at Berlin; move them first" in text(response)
    assert "Berlin" in _branches(workspace)


def test_an_empty_branch_is_deleted(workspace, hr):
    with workspace_scope(workspace):
        empty = services.create_branch(Actor.system(workspace), name="Pop-up", time_zone="UTC")
    client = signed_in_client(hr)

    response = client.post(f"/w/{workspace.slug}/organization/branches/{empty.pk}/delete", follow=True)

    assert "Branch Pop-up deleted." in text(response)
    assert _branches(workspace) == {}


# --- departments ---------------------------------------------------------------------------------------------


def test_hr_builds_a_department_tree_and_a_loop_is_refused_on_the_parent_field(workspace, hr):
    client = signed_in_client(hr)
    new = f"/w/{workspace.slug}/organization/departments/new"
    client.post(new, {"name": "Engineering", "parent": "", "head": ""})
    engineering = _departments(workspace)["Engineering"]
    client.post(new, {"name": "Backend", "parent": engineering.pk, "head": ""})
    backend = _departments(workspace)["Backend"]
    client.post(new, {"name": "Databases", "parent": backend.pk, "head": ""})
    databases = _departments(workspace)["Databases"]

    page = client.get(f"/w/{workspace.slug}/organization/departments/")
    tree = text(page).split('id="department-tree"')[1]
    assert tree.index("Engineering") < tree.index("Backend") < tree.index("Databases")
    assert 'class="tree-depth-0"' in tree and 'class="tree-depth-1"' in tree and 'class="tree-depth-2"' in tree

    loop = client.post(f"/w/{workspace.slug}/organization/departments/{engineering.pk}/edit",
                       {"name": "Engineering", "parent": databases.pk, "head": ""})

    assert loop.status_code == 422
    assert loop.context["form"].errors["parent"] == ["Engineering can't sit under Databases: that would make a loop."]
    assert _departments(workspace)["Engineering"].parent is None


def test_hr_renames_moves_and_sets_the_head_of_a_department(workspace, hr, company):
    client = signed_in_client(hr)
    backend, sales, boss = company["backend"], company["sales"], company["boss"]

    response = client.post(f"/w/{workspace.slug}/organization/departments/{backend.pk}/edit",
                           {"name": "Platform", "parent": sales.pk, "head": boss.pk}, follow=True)

    assert "Department Platform saved." in text(response)
    platform = _departments(workspace)["Platform"]
    assert platform.parent_id == sales.pk and platform.head_id == boss.pk
    tree = text(response).split('id="department-tree"')[1]
    assert "Head: Mia Manager" in tree and "2 people" in tree  # Platform keeps its two employees


def test_department_list_shows_heads_and_counts(workspace, hr, company):
    with workspace_scope(workspace):
        services.update_department(Actor.system(workspace), company["engineering"], head=company["ceo"].pk)

    page = text(signed_in_client(hr).get(f"/w/{workspace.slug}/organization/departments/"))

    assert "Head: Olivia Owner" in page and "No head" in page
    assert "2 people" in page and "1 person" in page  # Engineering (E001, E002), Sales (E005)
    assert 'name="head"' in page and "Hana HR (E006)" in page  # the new-department form offers current employees


def test_deleting_a_department_with_employees_shows_the_409_message(workspace, hr, company):
    client = signed_in_client(hr)

    response = client.post(f"/w/{workspace.slug}/organization/departments/{company['sales'].pk}/delete")

    assert response.status_code == 409
    assert "1 current and 0 former employee(s) are in Sales; move them first" in text(response)
    assert "Move its employees and sub-departments elsewhere first." not in text(response)  # the refusal says it
    assert "Sales" in _departments(workspace)


def test_an_empty_department_is_deleted(workspace, hr):
    with workspace_scope(workspace):
        empty = services.create_department(Actor.system(workspace), name="Skunkworks")
    response = signed_in_client(hr).post(f"/w/{workspace.slug}/organization/departments/{empty.pk}/delete",
                                         follow=True)

    assert "Department Skunkworks deleted." in text(response)
    assert _departments(workspace) == {}


@pytest.mark.parametrize("path", [
    "organization/departments/", "organization/branches/", "organization/branches/new", "organization/settings/",
    "organization/import/", "organization/import/template.csv",
])
def test_a_member_gets_403_on_setup_pages(workspace, member, path):
    response = signed_in_client(member).get(f"/w/{workspace.slug}/{path}")

    assert response.status_code == 403


def test_a_member_cannot_post_to_setup_pages(workspace, member, company):
    client = signed_in_client(member)
    slug = workspace.slug

    posts = [
        client.post(f"/w/{slug}/organization/departments/new", {"name": "Shadow", "parent": "", "head": ""}),
        client.post(f"/w/{slug}/organization/departments/{company['sales'].pk}/edit",
                    {"name": "Renamed", "parent": "", "head": ""}),
        client.post(f"/w/{slug}/organization/departments/{company['sales'].pk}/delete"),
        client.post(f"/w/{slug}/organization/branches/new", {**BRANCH, "time_zone": "UTC"}),
        client.post(f"/w/{slug}/organization/branches/{company['remote'].pk}/delete"),
        client.post(f"/w/{slug}/organization/settings/", {"self_service_fields": ["home_address"]}),
        client.post(f"/w/{slug}/organization/import/confirm"),
    ]

    assert [r.status_code for r in posts] == [403] * len(posts)
    assert "Shadow" not in _departments(workspace) and "Sales" in _departments(workspace)
    assert set(_branches(workspace)) == {"Berlin", "Remote"}


def test_organization_link_opens_the_first_tab_the_actor_may_use(workspace, owner):
    from oorg.core.roles import create_role
    from tests.conftest import actor_for, add_member

    with workspace_scope(workspace):
        create_role(actor_for(owner, workspace), name="Importer",
                    permissions=["workspace.member.view", "org.employee.import"])
    importer = add_member(workspace, owner, "importer@acme.test", "importer")
    client = signed_in_client(importer)

    response = client.get(f"/w/{workspace.slug}/organization/departments/")

    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/organization/import/"
    page = text(client.get(response["Location"]))
    assert ">Import</a>" in page and ">Departments</a>" not in page and ">Branches</a>" not in page


# --- self-service settings -----------------------------------------------------------------------------------


def test_settings_checkboxes_change_what_employees_may_edit_themselves(workspace, hr, member):
    client = signed_in_client(hr)
    page = text(client.get(f"/w/{workspace.slug}/organization/settings/"))
    assert page.count('name="self_service_fields"') == 6
    assert 'value="phone" id="id_self_service_fields_0" checked' in page  # the default set

    response = client.post(f"/w/{workspace.slug}/organization/settings/",
                           {"self_service_fields": ["home_address", "emergency_contact_phone"]}, follow=True)

    assert "Self-service settings saved." in text(response)
    with workspace_scope(workspace):
        assert selectors.org_settings(Actor.system(workspace)).self_service_fields == [
            "home_address", "emergency_contact_phone"]

    nothing = client.post(f"/w/{workspace.slug}/organization/settings/", {})
    assert nothing.status_code == 302
    with workspace_scope(workspace):
        assert selectors.org_settings(Actor.system(workspace)).self_service_fields == []


def test_settings_refuse_a_field_that_is_not_offered(workspace, hr):
    response = signed_in_client(hr).post(f"/w/{workspace.slug}/organization/settings/",
                                         {"self_service_fields": ["job_title"]})

    assert response.status_code == 422
    with workspace_scope(workspace):
        assert "job_title" not in selectors.org_settings(Actor.system(workspace)).self_service_fields


# --- import wizard -------------------------------------------------------------------------------------------

GOOD_CSV = ("employee_code,full_name,work_email,department,branch,manager_code\n"
            "N100,Nora New,nora@acme.test,Engineering,Berlin,E001\n"
            "N101,Nils Next,nils@acme.test,Engineering / Backend,Remote,N100\n"
            "N102,Nadia Neu,,Sales,Remote,\n")
BAD_CSV = GOOD_CSV.replace("Nils Next,nils@acme.test", "Nils Next,not-an-email")


def _upload(client, workspace, content, name="people.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content.encode() if isinstance(content, str) else content
    return client.post(f"/w/{workspace.slug}/organization/import/",
                       {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def _check(client, workspace, content=None, name="people.csv", mapping=None):
    """Upload (when content is given), then check with the columns as matched (or `mapping`); the check page."""
    if content is not None:
        uploaded = _upload(client, workspace, content, name)
        assert uploaded.status_code == 302, uploaded.content
    columns = client.get(f"/w/{workspace.slug}/organization/import/columns")
    headers = re.findall(r'name="header" value="([^"]*)"', text(columns))
    chosen = re.findall(r'<option value="([^"]*)"[^>]* selected>', text(columns))
    if mapping:
        chosen = [mapping.get(h, c) for h, c in zip(headers, chosen)]
    response = client.post(f"/w/{workspace.slug}/organization/import/columns",
                           {"header": headers, "column": chosen, "action": "check"})
    assert response.status_code == 302 and "/organization/import/jobs/" in response["Location"]
    return client.get(response["Location"])


def _confirm(client, workspace, mode="all_or_nothing"):
    response = client.post(f"/w/{workspace.slug}/organization/import/confirm", {"mode": mode})
    assert response.status_code == 302
    return client.get(response["Location"]) if "/jobs/" in response["Location"] else client.get(
        response["Location"], follow=True)


def _stored_imports(settings, workspace):
    folder = settings.MEDIA_ROOT / f"workspaces/{workspace.pk}/imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_import_page_lists_the_columns_and_offers_a_template(workspace, hr):
    client = signed_in_client(hr)
    page = text(client.get(f"/w/{workspace.slug}/organization/import/"))
    assert 'enctype="multipart/form-data"' in page and "<code>employee_code</code>" in page
    assert "<code>emergency_contact_phone</code>" in page  # HR may import personal fields

    template = client.get(f"/w/{workspace.slug}/organization/import/template.csv")

    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    assert "attachment" in template["Content-Disposition"]
    lines = template.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith("employee_code,full_name,work_email")


def test_the_columns_step_matches_headers_and_previews_the_first_rows(workspace, hr, company):
    client = signed_in_client(hr)
    content = "Code,Name,Salary,Office\n" + "".join(f"S{i},Sam {i},{i}000,Berlin\n" for i in range(15))
    assert _upload(client, workspace, content)["Location"].endswith("/organization/import/columns")

    page = text(client.get(f"/w/{workspace.slug}/organization/import/columns"))

    assert '<option value="employee_code" selected>' in page and '<option value="branch" selected>' in page
    assert "Unknown column &#x27;salary&#x27;" in page  # reported, not fatal once ignored
    preview = page.split('id="import-preview"')[1]
    assert preview.count("<tr>") == 11 and "Sam 9" in preview and "Sam 10" not in preview

    checked = _check(client, workspace, mapping={"Salary": ""})
    assert "Ready to import" in text(checked) and "<strong>15</strong> <span>will be created</span>" in text(checked)


def test_a_bad_row_is_shown_with_its_line_and_nothing_is_created(workspace, hr, company, settings):
    client = signed_in_client(hr)

    response = _check(client, workspace, BAD_CSV)

    assert "The file needs fixing" in text(response)
    table = text(response).split('id="import-errors"')[1]
    assert "<td data-label=\"Line\">3</td>" in table and "work_email" in table
    assert "&#x27;not-an-email&#x27; is not a valid email address." in table
    assert "N100" not in _employees(workspace)
    report = client.get(re.search(r'href="([^"]*errors.csv)"', text(response)).group(1))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "employee_code,full_name,work_email,department,branch,manager_code,reason"
    assert lines[1].startswith("N101,Nils Next,not-an-email,") and "is not a valid email address" in lines[1]
    # N102 waits for nothing, N101 is bad: "valid rows" imports the other two.
    assert "<strong>Only the valid rows:</strong> 2 employees now, the 1 row with problems later" in text(response)
    assert "Import only the 2 valid rows" in text(response)


def test_valid_rows_mode_imports_the_good_rows_and_all_or_nothing_none(workspace, hr, company):
    client = signed_in_client(hr)
    _check(client, workspace, BAD_CSV)
    nothing = _confirm(client, workspace, mode="all_or_nothing")
    assert "Nothing was imported" in text(nothing) and "N100" not in _employees(workspace)

    _check(client, workspace, BAD_CSV)
    done = _confirm(client, workspace, mode="valid_rows")

    assert "Created 2, updated 0" in text(done) and "1 row skipped" in text(done)
    assert {"N100", "N102"} <= set(_employees(workspace)) and "N101" not in _employees(workspace)


def test_a_good_file_is_checked_then_imported_once(workspace, hr, company, settings):
    client = signed_in_client(hr)

    checked = _check(client, workspace, GOOD_CSV)

    page = text(checked)
    assert "Ready to import" in page and "<strong>3</strong> <span>will be created</span>" in page
    assert "Import 3 employees" in page and 'name="mode"' in page
    assert "N100" not in _employees(workspace)  # a dry run only
    assert len(_stored_imports(settings, workspace)) == 1

    done = _confirm(client, workspace)

    assert "Created 3, updated 0" in text(done)
    people = _employees(workspace)
    assert people["N101"].manager.code == "N100" and people["N101"].department.name == "Backend"
    assert _stored_imports(settings, workspace) == []  # the upload is gone once imported

    again = client.post(f"/w/{workspace.slug}/organization/import/confirm", follow=True)

    assert "There is nothing to import: upload the file again." in text(again)
    assert len([c for c in _employees(workspace) if c.startswith("N")]) == 3


def test_the_job_page_shows_a_progress_bar_while_the_job_runs(workspace, hr):
    from oorg.core.models import Job
    from tests.conftest import actor_for

    actor = actor_for(hr, workspace)
    with workspace_scope(workspace):
        job = Job.objects.create(workspace=workspace, kind="org.employee.import", state="running", progress=400,
                                 total=1000, created_by=actor.membership, params={"dry_run": True, "filename": "x.csv"})

    page = text(signed_in_client(hr).get(f"/w/{workspace.slug}/organization/import/jobs/{job.pk}"))

    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress class="import-progress" max="1000" value="400"' in page and "400 of 1000 rows" in page


def test_uploading_the_same_file_again_updates_nothing(workspace, hr, company):
    client = signed_in_client(hr)
    _check(client, workspace, GOOD_CSV)
    _confirm(client, workspace)

    checked = _check(client, workspace, GOOD_CSV)

    assert "<strong>3</strong> <span>unchanged</span>" in text(checked)
    assert "there is nothing to import" in text(checked) and "Import 0" not in text(checked)


def test_a_new_upload_replaces_the_one_waiting_for_confirmation(workspace, hr, company, settings):
    client = signed_in_client(hr)
    _upload(client, workspace, GOOD_CSV)
    first = _stored_imports(settings, workspace)

    _check(client, workspace, "employee_code,full_name\nZ1,Zoe Zed\n")

    assert len(_stored_imports(settings, workspace)) == 1 and _stored_imports(settings, workspace) != first
    done = _confirm(client, workspace)
    assert "Created 1, updated 0" in text(done)
    assert "Z1" in _employees(workspace) and "N100" not in _employees(workspace)


def test_the_stored_name_comes_from_the_session_never_from_the_form(workspace, hr, other_workspace):
    """A foreign name planted in the request is ignored; only the session's entry for this workspace counts."""
    name = files.save_private(f"workspaces/{other_workspace.pk}/imports", b"employee_code,full_name\nX9,Xavier\n",
                              suffix=".csv")
    client = signed_in_client(hr)

    response = client.post(f"/w/{workspace.slug}/organization/import/confirm", {"name": name, "filename": "x.csv"},
                           follow=True)

    assert "There is nothing to import" in text(response)
    assert "X9" not in _employees(workspace)
    assert files.read(name)  # untouched


def test_a_file_that_is_not_a_spreadsheet_is_refused(workspace, hr):
    response = _upload(signed_in_client(hr), workspace, "hello", name="notes.pdf")

    assert response.status_code == 422 and "Upload a .csv or .xlsx file." in text(response)


def test_a_member_cannot_use_the_import_wizard_nor_see_an_import_job(workspace, member, hr, company):
    client = signed_in_client(member)
    hr_client = signed_in_client(hr)
    checked = _check(hr_client, workspace, GOOD_CSV)
    job_path = checked.request["PATH_INFO"]

    upload = _upload(client, workspace, GOOD_CSV)
    confirm = client.post(f"/w/{workspace.slug}/organization/import/confirm")

    assert upload.status_code == 403 and confirm.status_code == 403
    assert client.get(job_path).status_code == 403
    assert client.get(job_path + "/errors.csv").status_code == 403
    assert "N100" not in _employees(workspace)


def test_an_xlsx_file_goes_through_every_step(workspace, hr, company):
    from oorg.core.tabular import write_table

    workbook = write_table("xlsx", ["Employee Code", "Full Name", "Job Title"], [["X100", "Xena Excel", "Analyst"]])
    client = signed_in_client(hr)

    checked = _check(client, workspace, workbook, name="People.XLSX")
    done = _confirm(client, workspace)

    assert "Import 1 employee<" in text(checked)
    assert "Created 1, updated 0" in text(done)
    assert _employees(workspace)["X100"].job_title == "Analyst"
