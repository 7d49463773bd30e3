"""People pages, driven like a browser: the `company` fixture (tests/conftest.py) gives the org.

The member is Remy Report (E003), the manager Mia Manager (E002, Remy's manager), HR is Hana HR (E006).
"""
import datetime as dt
import io
import re

import pytest
from PIL import Image

from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services
from oorg.org.models import Employee
from tests.web.pages import signed_in_client, text

pytestmark = pytest.mark.django_db


def people(workspace, rest=""):
    return f"/w/{workspace.slug}/people/{rest}"


def reload(workspace, employee) -> Employee:
    with workspace_scope(workspace):
        return Employee.objects.select_related("manager").get(pk=employee.pk)


def form_data(response) -> dict:
    """What a browser would send back for the form on the page, unchanged."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
    return data


def png_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(out, "PNG")
    return out.getvalue()


def chart_names(page: str) -> list[str]:
    """The names in the chart's current level, in order."""
    chart = page[page.index('id="org-chart"'):]
    return re.findall(r'class="person-name"[^>]*>([^<]+)<', chart[:chart.index("</ul>")])


# --- directory ----------------------------------------------------------------------------------------


def test_member_sees_the_directory_with_work_contacts_but_no_one_elses_personal_fields(workspace, company, member):
    with workspace_scope(workspace):
        services.update_employee(Actor.system(workspace), company["sales_rep"], birth_date="1985-03-04",
                                 home_address="Secret Lane 9")
    client = signed_in_client(member)

    page = text(client.get(people(workspace)))
    profile = text(client.get(people(workspace, f"{company['sales_rep'].pk}/")))

    for name in ("Olivia Owner", "Mia Manager", "Remy Report", "Ines Indirect", "Sam Sales", "Hana HR"):
        assert name in page
    assert "6 people in Acme Corp" in page
    assert 'href="mailto:mia@acme.test"' in page and 'href="tel:+49301234567"' in page
    assert "Backend developer" in page and "Berlin" in page
    assert "Secret Lane" not in page and "1985" not in page and "Hausweg" not in page
    assert "Account exec" in profile
    assert "Secret Lane" not in profile and "Birth date" not in profile and "Personal" not in profile
    assert "Employment type" not in profile  # a colleague gets the directory view only
    assert "Add employee" not in page and "Export CSV" not in page and 'name="status"' not in page
    assert "{#" not in page and "{#" not in profile  # template comments stay out of the page


def test_member_sees_their_own_personal_fields_on_their_profile(workspace, company, member):
    client = signed_in_client(member)

    page = text(client.get(people(workspace, f"{company['report'].pk}/")))

    assert "Remy Report" in page and "(you)" in page
    assert "Hausweg 5, Berlin" in page and "17 May 1990" in page and "Rita Report" in page
    assert "Only you and HR see this." in page
    assert 'href="tel:+49307654321"' in page
    assert f'href="/w/{workspace.slug}/people/{company["boss"].pk}/"' in page  # the manager link
    assert "Ines Indirect" in page  # direct reports
    assert "Edit my details" in page  # self-service fields
    assert "Terminate" not in page


def test_manager_sees_the_work_profile_of_a_report_but_not_their_personal_fields(workspace, company, manager):
    page = text(signed_in_client(manager).get(people(workspace, f"{company['report'].pk}/")))

    assert "Employment type" in page and "2 January 2024" in page  # team view: the work profile
    assert "Hausweg" not in page and "Rita Report" not in page and "Birth date" not in page
    assert ">Edit</a>" in page  # managers may change a report's job title, department, branch, type


def test_directory_search_and_department_filter_including_sub_departments(workspace, company, member):
    client = signed_in_client(member)

    found = text(client.get(people(workspace) + "?q=sales"))
    engineering = text(client.get(people(workspace) + f"?department={company['engineering'].pk}"))

    assert "Sam Sales" in found and "Mia Manager" not in found and "1 matching “sales”" in found
    for name in ("Olivia Owner", "Mia Manager", "Remy Report", "Ines Indirect"):
        assert name in engineering  # Backend sits under Engineering
    assert "Sam Sales" not in engineering and "Hana HR" not in engineering


def test_department_filter_of_another_workspace_is_ignored(workspace, company, member, other_workspace):
    page = text(signed_in_client(member).get(people(workspace) + "?department=987654321"))

    assert "Sam Sales" in page and "Olivia Owner" in page


def test_hr_can_filter_by_status_and_is_offered_add_and_export(workspace, company, hr):
    with workspace_scope(workspace):
        services.terminate_employee(Actor.system(workspace), company["sales_rep"])
    client = signed_in_client(hr)

    current = text(client.get(people(workspace)))
    leavers = text(client.get(people(workspace) + "?status=terminated"))

    assert 'name="status"' in current and "Add employee" in current
    assert f'href="/w/{workspace.slug}/people/export?format=csv"' in current
    assert "Sam Sales" not in current
    assert "Sam Sales" in leavers and "Left" in leavers and "Olivia Owner" not in leavers


def test_directory_paginates_by_25(workspace, company, hr):
    with workspace_scope(workspace):
        for n in range(25):
            services.create_employee(Actor.system(workspace), code=f"X{n:02d}", full_name=f"Extra Person {n:02d}")
    client = signed_in_client(hr)

    first = client.get(people(workspace))
    second = client.get(people(workspace) + f"?cursor={first.context['people'].next_cursor}")
    back = client.get(people(workspace) + f"?cursor={second.context['people'].prev_cursor}")

    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 6
    assert "26–31 of 31" in text(second) and "1–25 of 31" in text(first)
    assert [r["id"] for r in back.context["rows"]] == [r["id"] for r in first.context["rows"]]
    assert 'rel="prev"' not in text(back)


# --- export --------------------------------------------------------------------------------------------------


def test_hr_exports_the_directory_as_csv_and_a_member_may_not(workspace, company, hr, member):
    response = signed_in_client(hr).get(people(workspace, "export") + "?format=csv&q=remy")
    refused = signed_in_client(member).get(people(workspace, "export") + "?format=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="employees.csv"' == response["Content-Disposition"]
    assert response.streaming  # read from the database while it is sent, never whole in memory
    lines = response.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("employee_code,full_name,work_email,phone,job_title,department,branch,manager_code")
    assert len(lines) == 2 and lines[1].startswith("E003,Remy Report,")
    assert refused.status_code == 403


def test_export_as_xlsx_and_an_unknown_format_is_refused(workspace, company, hr):
    client = signed_in_client(hr)

    xlsx = client.get(people(workspace, "export") + "?format=xlsx")
    bad = client.get(people(workspace, "export") + "?format=pdf")

    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"
    assert bad.status_code == 422 and "Export as csv or xlsx." in text(bad)


# --- my team ---------------------------------------------------------------------------------------------------


def test_manager_sees_direct_and_indirect_reports_on_my_team(workspace, company, manager):
    response = signed_in_client(manager).get(people(workspace, "my-team/"))
    page = text(response)

    assert response.status_code == 200
    assert "Remy Report" in page and "Ines Indirect" in page and "Sam Sales" not in page
    assert [(r["full_name"], r["direct"]) for r in response.context["rows"]] == [("Ines Indirect", False), ("Remy Report", True)]
    assert "via Remy Report" in page
    assert "2 people in your team: 1 reports to you directly, 1 through them." in page


def test_member_gets_403_on_my_team(workspace, company, member):
    response = signed_in_client(member).get(people(workspace, "my-team/"))

    assert response.status_code == 403


def test_my_team_has_a_friendly_empty_state(workspace, company, hr, admin):
    hr_page = text(signed_in_client(hr).get(people(workspace, "my-team/")))
    admin_page = text(signed_in_client(admin).get(people(workspace, "my-team/")))

    assert "Nobody reports to you yet" in hr_page
    assert "No employee record yet" in admin_page  # the admin has no employee record


# --- edit and create ------------------------------------------------------------------------------------------


def test_hr_edits_an_employee_through_the_form(workspace, company, hr):
    client = signed_in_client(hr)
    url = people(workspace, f"{company['sales_rep'].pk}/edit")
    form = client.get(url)
    assert form.status_code == 200
    assert {"birth_date", "manager", "department", "status"} <= set(form.context["form"].fields)
    assert 'type="date"' in text(form) and 'type="tel"' in text(form)

    data = {**form_data(form), "job_title": "Head of sales", "phone": "+49 30 5550001",
            "manager": str(company["boss"].pk), "start_date": "2023-04-01"}
    response = client.post(url, data, follow=True)

    assert "Sam Sales&#x27;s record is saved." in text(response)
    sam = reload(workspace, company["sales_rep"])
    assert (sam.job_title, sam.phone, sam.manager_id, sam.start_date) == (
        "Head of sales", "+49305550001", company["boss"].pk, dt.date(2023, 4, 1))
    assert sam.department_id == company["sales"].pk  # unchanged fields stay as they were


def test_a_bad_phone_shows_the_error_on_the_field_and_saves_nothing(workspace, company, hr):
    client = signed_in_client(hr)
    url = people(workspace, f"{company['sales_rep'].pk}/edit")
    data = {**form_data(client.get(url)), "job_title": "Head of sales", "phone": "12"}

    response = client.post(url, data)

    assert response.status_code == 422
    assert "not a valid phone number" in " ".join(response.context["form"].errors["phone"])
    assert "field-invalid" in text(response)
    sam = reload(workspace, company["sales_rep"])
    assert (sam.job_title, sam.phone) == ("Account exec", "")


def test_a_member_changes_their_own_phone(workspace, company, member):
    client = signed_in_client(member)
    url = people(workspace, f"{company['report'].pk}/edit")
    form = client.get(url)
    assert set(form.context["form"].fields) == {"phone", "emergency_contact_name", "emergency_contact_phone"}

    response = client.post(url, {**form_data(form), "phone": "+49 30 999888"})

    assert response.status_code == 302 and response["Location"] == people(workspace, f"{company['report'].pk}/")
    assert reload(workspace, company["report"]).phone == "+4930999888"


def test_a_member_posting_their_own_job_title_is_refused_and_nothing_changes(workspace, company, member):
    client = signed_in_client(member)
    url = people(workspace, f"{company['report'].pk}/edit")
    data = {**form_data(client.get(url)), "phone": "+49 30 999888", "job_title": "CTO"}

    response = client.post(url, data)

    assert response.status_code == 403 and "job_title" in text(response)
    remy = reload(workspace, company["report"])
    assert (remy.job_title, remy.phone) == ("Backend developer", "+49301234567")


def test_a_member_cannot_edit_a_colleague(workspace, company, member):
    client = signed_in_client(member)
    url = people(workspace, f"{company['sales_rep'].pk}/edit")

    assert client.get(url).status_code == 403
    assert client.post(url, {"phone": "+49 30 1111111"}).status_code == 403
    assert reload(workspace, company["sales_rep"]).phone == ""


def test_a_manager_edits_only_the_manager_fields_of_a_report(workspace, company, manager):
    client = signed_in_client(manager)
    url = people(workspace, f"{company['indirect'].pk}/edit")
    form = client.get(url)
    assert set(form.context["form"].fields) == {"job_title", "department", "branch", "employment_type"}

    client.post(url, {**form_data(form), "job_title": "Developer"})
    refused = client.post(url, {**form_data(form), "full_name": "Renamed"})

    assert reload(workspace, company["indirect"]).job_title == "Developer"
    assert refused.status_code == 403 and reload(workspace, company["indirect"]).full_name == "Ines Indirect"


def test_hr_adds_an_employee(workspace, company, hr):
    client = signed_in_client(hr)
    assert client.get(people(workspace, "new")).status_code == 200

    response = client.post(people(workspace, "new"), {
        "code": "E100", "full_name": "Nora New", "department": str(company["backend"].pk),
        "branch": str(company["berlin"].pk), "manager": str(company["boss"].pk), "employment_type": "part_time",
        "status": "active", "start_date": "2025-02-01", "phone": "030 2223334"}, follow=True)

    page = text(response)
    assert "Nora New is added to the directory." in page
    with workspace_scope(workspace):
        nora = Employee.objects.get(code="E100")
    assert (nora.department_id, nora.manager_id, nora.phone) == (
        company["backend"].pk, company["boss"].pk, "+49302223334")


def test_adding_an_employee_with_a_taken_code_shows_the_error(workspace, company, hr):
    response = signed_in_client(hr).post(people(workspace, "new"), {"code": "E001", "full_name": "Copy Cat",
                                                                    "employment_type": "full_time", "status": "active"})

    assert response.status_code == 422
    assert response.context["form"].errors["code"] == ["Employee code 'E001' is already taken."]


def test_a_member_may_not_add_employees(workspace, company, member):
    client = signed_in_client(member)

    assert client.get(people(workspace, "new")).status_code == 403
    assert client.post(people(workspace, "new"), {"code": "E100", "full_name": "Nora New"}).status_code == 403


# --- terminate -------------------------------------------------------------------------------------------------


def test_hr_terminates_an_employee_from_the_profile(workspace, company, hr):
    client = signed_in_client(hr)
    profile = text(client.get(people(workspace, f"{company['boss'].pk}/")))
    assert "Terminate…" in profile and "<details" in profile

    response = client.post(people(workspace, f"{company['boss'].pk}/terminate"), {"end_date": "2025-06-30"},
                           follow=True)

    page = text(response)
    assert "Mia Manager is terminated as of 30 June 2025. Their reports now report to Olivia Owner." in page
    assert "Left on 30 Jun 2025" in page and "Terminate…" not in page
    mia = reload(workspace, company["boss"])
    assert (mia.status, mia.end_date) == ("terminated", dt.date(2025, 6, 30))
    assert reload(workspace, company["report"]).manager_id == company["ceo"].pk


def test_terminating_before_the_start_date_shows_the_error_and_changes_nothing(workspace, company, hr):
    response = signed_in_client(hr).post(people(workspace, f"{company['report'].pk}/terminate"),
                                         {"end_date": "2023-01-01"})

    assert response.status_code == 422
    assert "The end date is before the start date." in text(response)
    assert '<details class="card terminate-zone" open>' in text(response)
    assert reload(workspace, company["report"]).status == "active"


def test_a_member_cannot_terminate(workspace, company, member):
    response = signed_in_client(member).post(people(workspace, f"{company['sales_rep'].pk}/terminate"), {})

    assert response.status_code == 403
    assert reload(workspace, company["sales_rep"]).status == "active"


# --- org chart ------------------------------------------------------------------------------------------------


def test_org_chart_opens_a_level_at_a_time(workspace, company, member):
    client = signed_in_client(member)
    ceo = company["ceo"]

    top = text(client.get(people(workspace, "chart/")))
    level = text(client.get(people(workspace, "chart/") + f"?focus={ceo.pk}"))

    assert chart_names(top) == ["Hana HR", "Olivia Owner"]
    assert f'href="?focus={ceo.pk}">2 reports' in top
    assert chart_names(level) == ["Mia Manager", "Sam Sales"]
    assert "2 direct reports of Olivia Owner" in level


def test_org_chart_search_jumps_to_a_person_and_opens_the_path(workspace, company, member):
    client = signed_in_client(member)
    ines = company["indirect"]

    found = text(client.get(people(workspace, "chart/") + "?q=ines"))
    opened = text(client.get(people(workspace, "chart/") + f"?focus={ines.pk}"))

    assert f'href="?focus={ines.pk}">Ines Indirect</a>' in found
    path = opened[opened.index('id="chart-path"'):]
    names = re.findall(r'class="chart-up"[^>]*>([^<]+)<|class="person-name"[^>]*>([^<]+)<', path)
    assert [a or b for a, b in names][:4] == ["Olivia Owner", "Mia Manager", "Remy Report", "Ines Indirect"]
    assert "Nobody reports to Ines Indirect" in opened


def test_org_chart_pages_a_wide_level(workspace, company, hr):
    with workspace_scope(workspace):
        for n in range(30):
            services.create_employee(Actor.system(workspace), code=f"W{n:02d}", full_name=f"Wide Person {n:02d}",
                                     manager=company["ceo"].pk)
    client = signed_in_client(hr)

    first = client.get(people(workspace, "chart/") + f"?focus={company['ceo'].pk}")
    cursor = first.context["level"].next_cursor
    second = client.get(people(workspace, "chart/") + f"?focus={company['ceo'].pk}&cursor={cursor}")

    assert len(chart_names(text(first))) == 25 and len(chart_names(text(second))) == 7
    assert "26–32 of 32" in text(second) and 'rel="prev"' in text(second)


# --- photo ------------------------------------------------------------------------------------------------------


def test_photo_upload_through_the_page_then_the_photo_url_serves_a_jpeg(workspace, company, member):
    client = signed_in_client(member)
    remy = company["report"]
    assert client.get(people(workspace, f"{remy.pk}/photo")).status_code == 404

    upload = io.BytesIO(png_bytes())
    upload.name = "me.png"
    response = client.post(people(workspace, f"{remy.pk}/photo/upload"), {"photo": upload}, follow=True)

    assert "The photo is saved." in text(response)
    photo = client.get(people(workspace, f"{remy.pk}/photo"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo.content[:3] == b"\xff\xd8\xff"
    assert f'src="/w/{workspace.slug}/people/{remy.pk}/photo?v=' in text(client.get(people(workspace)))

    removed = client.post(people(workspace, f"{remy.pk}/photo/remove"), follow=True)
    assert "The photo is removed." in text(removed)
    assert client.get(people(workspace, f"{remy.pk}/photo")).status_code == 404


def test_a_file_that_is_not_an_image_shows_the_error_on_the_photo_field(workspace, company, member):
    upload = io.BytesIO(b"not an image at all")
    upload.name = "me.png"

    response = signed_in_client(member).post(people(workspace, f"{company['report'].pk}/photo/upload"),
                                             {"photo": upload})

    assert response.status_code == 422
    assert response.context["photo_form"].errors["photo"] == ["The photo must be a JPEG, PNG, WebP or GIF image."]
    assert reload(workspace, company["report"]).photo == ""


def test_a_member_cannot_change_a_colleagues_photo(workspace, company, member):
    upload = io.BytesIO(png_bytes())
    upload.name = "x.png"
    client = signed_in_client(member)

    response = client.post(people(workspace, f"{company['sales_rep'].pk}/photo/upload"), {"photo": upload})
    empty = client.post(people(workspace, f"{company['sales_rep'].pk}/photo/upload"), {})

    assert response.status_code == 403 and empty.status_code == 403
    assert reload(workspace, company["sales_rep"]).photo == ""


# --- who sees whom ---------------------------------------------------------------------------------------------


def test_a_member_does_not_find_a_terminated_colleague(workspace, company, member):
    with workspace_scope(workspace):
        services.terminate_employee(Actor.system(workspace), company["sales_rep"])
    client = signed_in_client(member)

    assert client.get(people(workspace, f"{company['sales_rep'].pk}/")).status_code == 404
    assert "Sam Sales" not in text(client.get(people(workspace) + "?status=any"))


def test_ids_from_another_workspace_are_not_choices_of_the_form(workspace, company, hr, other_workspace):
    with workspace_scope(other_workspace):
        system = Actor.system(other_workspace)
        b_department = services.create_department(system, name="B-Department")
        b_person = services.create_employee(system, code="B-001", full_name="B-Employee")
    client = signed_in_client(hr)
    url = people(workspace, f"{company['sales_rep'].pk}/edit")
    data = form_data(client.get(url))

    response = client.post(url, {**data, "department": str(b_department.pk), "manager": str(b_person.pk)})

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"department", "manager"}
    assert reload(workspace, company["sales_rep"]).department_id == company["sales"].pk
    assert "B-Employee" not in text(client.get(people(workspace) + "?q=B-001&status=any"))


def test_hr_corrects_the_end_date_of_someone_who_left(workspace, company, hr):
    with workspace_scope(workspace):
        services.terminate_employee(Actor.system(workspace), company["report"], end_date=dt.date(2025, 3, 31))
    client = signed_in_client(hr)
    url = people(workspace, f"{company['report'].pk}/edit")

    response = client.post(url, {**form_data(client.get(url)), "end_date": "2025-03-15"})

    assert response.status_code == 302  # the ended membership is still the stored value, not an invalid choice
    assert reload(workspace, company["report"]).end_date == dt.date(2025, 3, 15)
