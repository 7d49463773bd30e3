"""Every problem of a submission at once, in the API (`errors`) and on the page (each on its field), with
choices named by their labels and countries and time zones as pickers."""
import re

import pytest

from oorg.core.errors import ValidationFailed
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services
from oorg.org.models import Branch, Department, Employee
from tests.web.pages import signed_in_client, text

pytestmark = pytest.mark.django_db


def count(workspace, model):
    with workspace_scope(workspace):
        return model.objects.count()


def field_errors(page: str, field: str) -> list[str]:
    """The messages shown under one field: Django's error list, tied to its input by id."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_lists_every_problem_of_an_employee_at_once(company, clients, workspace):
    before = count(workspace, Employee)

    response = clients["hr"].post("/employees", {
        "code": "E100", "full_name": "Nina New", "work_email": "nina-at-acme", "phone": "12",
        "start_date": "2026-02-01", "end_date": "2026-01-01", "department_id": 987654})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert {e["field"] for e in body["errors"]} == {"work_email", "phone", "end_date", "department_id"}
    assert body["field"] == body["errors"][0]["field"]
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["end_date"] == "The end date is before the start date."
    assert messages["department_id"] == "No such department."
    assert all(message in body["detail"] for message in messages.values())
    assert count(workspace, Employee) == before


def test_a_taken_code_is_reported_with_the_other_problems_and_keeps_its_own_code(company, clients):
    response = clients["hr"].post("/employees", {"code": "E001", "full_name": "Copy", "employment_type": "serf"})

    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("employment_type", "validation_failed"), ("code", "conflict")]


def test_a_lone_conflict_is_still_a_409(company, clients):
    response = clients["hr"].post("/employees", {"code": "E001", "full_name": "Copy"})

    assert response.status_code == 409 and response.json()["field"] == "code"


def test_the_api_lists_every_problem_of_a_branch_at_once(company, clients, workspace):
    response = clients["hr"].post("/branches", {"name": "berlin", "country": "ZZ", "time_zone": "Mars/Olympus",
                                                "work_starts": "18:00", "work_ends": "09:00"})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name", "country", "time_zone", "work_ends"]
    assert count(workspace, Branch) == 2


def test_an_update_reports_every_problem_and_changes_nothing(company, clients, workspace):
    report = company["report"]

    response = clients["hr"].patch(f"/employees/{report.pk}", {
        "work_email": "nope", "manager_id": report.pk, "birth_date": "2990-01-01", "status": "gone"})

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"work_email", "manager_id", "birth_date", "status"}
    with workspace_scope(workspace):
        stored = Employee.objects.get(pk=report.pk)
    assert (stored.job_title, stored.manager_id) == ("Backend developer", company["boss"].pk)


def test_the_api_lists_every_problem_of_a_department_at_once(company, clients):
    response = clients["hr"].post("/departments", {"name": "  ", "parent_id": 987654, "head_id": 987654})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name", "parent_id", "head_id"]


def test_schema_errors_come_first_each_named(company, clients):
    response = clients["hr"].post("/employees", {"code": "E100", "full_name": "X", "start_date": "soon",
                                                 "department_id": "sales"})

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"start_date", "department_id"}
    assert all(e["code"] for e in response.json()["errors"])


# --- choices by their labels -------------------------------------------------------------------------------------


def test_a_bad_choice_names_the_allowed_values_by_label_and_code(company, clients):
    response = clients["hr"].post("/employees", {"code": "E100", "full_name": "X", "employment_type": "serf"})

    assert response.json()["errors"][0]["message"] == (
        "Employment type must be one of: Full-time (full_time), Part-time (part_time), Contractor (contractor), "
        "Intern (intern), Temporary (temporary); not 'serf'.")


def test_a_choice_may_be_given_by_its_label(company, workspace):
    with workspace_scope(workspace):
        employee = services.create_employee(Actor.system(workspace), code="E100", full_name="Pat Part",
                                            employment_type="Part-time", status="On leave")

    assert (employee.employment_type, employee.status) == ("part_time", "on_leave")


def test_terminating_by_the_label_goes_through_the_termination_door(company, workspace):
    with workspace_scope(workspace):
        services.update_employee(Actor.system(workspace), company["indirect"], status="Terminated")
        left = Employee.objects.get(pk=company["indirect"].pk)

    assert left.status == "terminated" and left.end_date is not None  # the end date is the termination's


def test_the_working_days_error_names_the_days(company, workspace):
    with workspace_scope(workspace), pytest.raises(ValidationFailed) as refused:
        services.update_branch(Actor.system(workspace), company["remote"], working_days=["mon", "fun"])

    assert "Monday (mon)" in refused.value.message and "Sunday (sun)" in refused.value.message


def test_the_profile_and_the_form_show_labels_not_codes(company, workspace, hr):
    client = signed_in_client(hr)
    report = company["report"]

    profile = text(client.get(f"/w/{workspace.slug}/people/{report.pk}/"))
    form = text(client.get(f"/w/{workspace.slug}/people/{report.pk}/edit"))

    assert "Full-time" in profile and "full_time" not in profile.replace('value="full_time"', "")
    assert '<option value="full_time" selected>Full-time</option>' in form


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_employee_form_shows_shape_and_rule_errors_together_each_on_its_field(company, workspace, hr):
    client = signed_in_client(hr)
    before = count(workspace, Employee)

    response = client.post(f"/w/{workspace.slug}/people/new", {
        "code": "E100", "full_name": "Nina New", "work_email": "nina-at-acme", "phone": "12",
        "start_date": "2026-02-01", "end_date": "2026-01-01",  # rules: the service's
        "birth_date": "someday", "department": "987654",  # shapes: the form's
        "employment_type": "full_time", "status": "active"})

    assert response.status_code == 422
    page = text(response)
    assert field_errors(page, "work_email") == ["&#x27;nina-at-acme&#x27; is not a valid email address."]
    assert field_errors(page, "phone")[0].startswith("&#x27;12&#x27; is not a valid phone number.")
    assert field_errors(page, "end_date") == ["The end date is before the start date."]
    assert field_errors(page, "birth_date") == ["Enter a valid date."]
    assert field_errors(page, "department") == [
        "Select a valid choice. 987654 is not one of the available choices."]
    assert "5 things to fix" in page and 'href="#id_work_email"' in page  # and a summary at the top
    assert count(workspace, Employee) == before


def test_when_the_shapes_are_right_the_service_reports_every_rule_at_once(company, workspace, hr):
    client = signed_in_client(hr)
    report = company["report"]

    response = client.post(f"/w/{workspace.slug}/people/{report.pk}/edit", {
        "code": "E001", "full_name": report.full_name, "work_email": "nope", "phone": "12",
        "start_date": "2026-02-01", "end_date": "2026-01-01", "employment_type": "full_time", "status": "active"})

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"code", "work_email", "phone", "end_date"}
    assert errors["code"] == ["Employee code 'E001' is already taken."]


def test_the_branch_form_shows_every_problem_at_once(company, workspace, hr):
    client = signed_in_client(hr)

    response = client.post(f"/w/{workspace.slug}/organization/branches/new", {
        "name": "Berlin", "country": "ZZ", "time_zone": "Europe/Lisbon", "working_days": ["mon"],
        "work_starts": "18:00", "work_ends": "09:00"})

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["country"] == ["Select a valid choice. ZZ is not one of the available choices."]  # shape
    assert errors["name"] == ["There is already a branch called 'Berlin'."]  # rule, found anyway
    assert errors["work_ends"] == ["Work ends after it starts."]
    assert count(workspace, Branch) == 2


def test_the_department_form_shows_every_problem_at_once(company, workspace, hr):
    client = signed_in_client(hr)

    response = client.post(f"/w/{workspace.slug}/organization/departments/new", {
        "name": "Sales", "parent": "", "head": "987654"})

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["head"] == ["Select a valid choice. 987654 is not one of the available choices."]
    assert errors["name"] == ["There is already a department called 'Sales' here."]  # at the top level
    assert count(workspace, Department) == 3


def test_a_rule_that_needs_a_malformed_field_is_not_judged(company, workspace, hr):
    # Where "Sales" would sit is not known when its parent is not a choice: no "already a department" guess.
    response = signed_in_client(hr).post(f"/w/{workspace.slug}/organization/departments/new", {
        "name": "Sales", "parent": "987654"})

    assert set(response.context["form"].errors) == {"parent"}


# --- pickers -----------------------------------------------------------------------------------------------------


def test_the_branch_pickers_offer_names_grouped_zones_and_keep_a_stored_legacy_zone(company, workspace, hr):
    client = signed_in_client(hr)
    remote = company["remote"]
    with workspace_scope(workspace):
        Branch.objects.filter(pk=remote.pk).update(time_zone="US/Eastern")  # stored before the picker

    page = text(client.get(f"/w/{workspace.slug}/organization/branches/{remote.pk}/edit"))
    assert '<select name="time_zone"' in page and '<optgroup label="America">' in page
    assert '<option value="US/Eastern" selected>US/Eastern</option>' in page
    assert '<select name="country"' in page and '<option value="DE">Germany</option>' in page

    saved = client.post(f"/w/{workspace.slug}/organization/branches/{remote.pk}/edit", {
        "name": "Remote team", "time_zone": "US/Eastern", "country": "", "work_starts": "09:00",
        "work_ends": "17:00"})
    assert saved.status_code == 302  # renaming does not trip over the stored zone
    with workspace_scope(workspace):
        assert Branch.objects.get(pk=remote.pk).time_zone == "US/Eastern"


def test_the_services_accept_exactly_what_the_pickers_offer(company, clients):
    hr = clients["hr"]

    legacy = hr.post("/branches", {"name": "X", "time_zone": "US/Eastern"})
    not_iso = hr.post("/branches", {"name": "X", "country": "XK"})  # a phone region, not an ISO country
    fine = hr.post("/branches", {"name": "Tokyo", "country": "jp", "time_zone": "Asia/Tokyo"})

    assert legacy.status_code == 422 and legacy.json()["field"] == "time_zone"
    assert not_iso.status_code == 422 and not_iso.json()["field"] == "country"
    assert fine.status_code == 201 and fine.json()["country"] == "JP"


def test_the_branch_list_shows_countries_by_name(company, workspace, hr):
    page = text(signed_in_client(hr).get(f"/w/{workspace.slug}/organization/branches/"))

    assert '<td data-label="Country">Germany</td>' in page
