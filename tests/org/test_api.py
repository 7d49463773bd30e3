"""The org API as each kind of user sees it: HR, a manager, a member, and bad input."""
import io

import pytest
from PIL import Image

from oorg.core.models import AuditEvent, Membership
from oorg.core.tenancy import workspace_scope
from oorg.org.models import Branch, Department, Employee

from ..conftest import ApiClient, token_for

PERSONAL = {"birth_date", "home_address", "emergency_contact_name", "emergency_contact_phone"}


def by_code(items):
    return {item["code"]: item for item in items}


def count(workspace, model):
    with workspace_scope(workspace):
        return model.objects.count()


# --- visibility ------------------------------------------------------------------------------------------


def test_member_sees_the_directory_with_work_fields_and_their_own_full_profile(company, clients):
    items = by_code(clients["member"].get("/employees").json()["items"])

    assert set(items) == {"E001", "E002", "E003", "E004", "E005", "E006"}
    mia = items["E002"]
    assert mia["access"] == "directory" and mia["work_email"] == "mia@acme.test"
    assert not PERSONAL & set(mia) and "start_date" not in mia and "employment_type" not in mia
    me = items["E003"]
    assert me["access"] == "full" and me["birth_date"] == "1990-05-17" and me["home_address"].startswith("Hausweg")
    assert me["phone"] == "+49301234567"  # normalised in the Berlin branch's country


def test_manager_sees_work_profiles_of_direct_and_indirect_reports_but_no_personal_fields(company, clients):
    manager = clients["manager"]
    remy = manager.get(f"/employees/{company['report'].pk}").json()
    ines = manager.get(f"/employees/{company['indirect'].pk}").json()
    sam = manager.get(f"/employees/{company['sales_rep'].pk}").json()

    assert remy["access"] == "team" and remy["start_date"] == "2024-01-02" and not PERSONAL & set(remy)
    assert ines["access"] == "team"
    assert sam["access"] == "directory"


def test_hr_sees_everything(company, clients):
    remy = clients["hr"].get(f"/employees/{company['report'].pk}").json()
    assert remy["access"] == "full" and remy["emergency_contact_phone"] == "+49307654321"
    admin_view = clients["admin"].get(f"/employees/{company['report'].pk}").json()
    assert admin_view["birth_date"] == "1990-05-17"


def test_reports_direct_and_all_levels(company, clients):
    boss = company["boss"].pk
    direct = clients["member"].get(f"/employees/{boss}/reports").json()
    every = clients["member"].get(f"/employees/{boss}/reports?depth=all").json()
    assert [e["code"] for e in direct["items"]] == ["E003"]
    assert [e["full_name"] for e in every["items"]] == ["Ines Indirect", "Remy Report"]  # by name
    assert every["count"] == 2 and every["next_cursor"] is None
    assert clients["member"].get(f"/employees/{boss}/reports?depth=some").json()["field"] == "depth"


def test_org_chart_opens_one_level_at_a_time(company, clients):
    member = clients["member"]
    top = member.get("/org-chart").json()
    assert {n["full_name"]: n["report_count"] for n in top["items"]} == {"Olivia Owner": 2, "Hana HR": 0}
    assert top["count"] == 2 and top["next_cursor"] is None
    ceo = company["ceo"].pk
    level = member.get(f"/org-chart?parent_id={ceo}").json()
    assert [(n["full_name"], n["report_count"], n["manager_id"]) for n in level["items"]] == [
        ("Mia Manager", 1, ceo), ("Sam Sales", 0, ceo)]
    mia = level["items"][0]["id"]
    assert [n["full_name"] for n in member.get(f"/org-chart?parent_id={mia}").json()["items"]] == ["Remy Report"]


def test_org_chart_pages_a_wide_level(company, clients):
    first = clients["member"].get(f"/org-chart?parent_id={company['ceo'].pk}&limit=1").json()
    assert [n["full_name"] for n in first["items"]] == ["Mia Manager"] and first["count"] == 2
    second = clients["member"].get(f"/org-chart?parent_id={company['ceo'].pk}&limit=1"
                                   f"&cursor={first['next_cursor']}").json()
    assert [n["full_name"] for n in second["items"]] == ["Sam Sales"] and second["next_cursor"] is None
    assert second["count"] == 2  # carried by the cursor, not counted again


def test_a_cursor_that_no_list_gave_out_is_a_422(company, clients):
    import base64
    import json

    def forged(values):
        raw = json.dumps({"v": values, "n": 3, "b": False, "p": 1}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    for cursor in ("not-a-cursor", forged(["Mia", "abc"]), forged(["Mia"]), forged([None, 1]), "x" * 1001):
        response = clients["hr"].get(f"/employees?cursor={cursor}")
        assert response.status_code == 422 and response.json()["field"] == "cursor", cursor
    assert clients["hr"].get("/employees?limit=201").status_code == 422
    assert clients["hr"].get("/employees?offset=5&cursor=" + forged(["Mia", 1])).json()["field"] == "offset"


def test_org_chart_path_opens_the_way_down_to_someone(company, clients):
    found = clients["member"].get("/org-chart?q=ines").json()
    assert [(n["full_name"], n["id"]) for n in found["items"]] == [("Ines Indirect", company["indirect"].pk)]
    both = clients["member"].get(f"/org-chart?q=ines&parent_id={company['ceo'].pk}")
    assert both.status_code == 422 and both.json()["field"] == "q"
    path = clients["member"].get(f"/org-chart/path/{company['indirect'].pk}").json()
    assert [n["full_name"] for n in path["items"]] == ["Olivia Owner", "Mia Manager", "Remy Report", "Ines Indirect"]
    assert [n["report_count"] for n in path["items"]] == [2, 1, 1, 0]


def test_org_chart_of_someone_you_may_not_see_is_404(company, clients, workspace):
    from oorg.core.tenancy import workspace_scope
    from oorg.org.models import Employee

    with workspace_scope(workspace):
        Employee.objects.filter(pk=company["sales_rep"].pk).update(status="terminated")
    assert clients["member"].get(f"/org-chart?parent_id={company['sales_rep'].pk}").status_code == 404
    assert clients["member"].get(f"/org-chart/path/{company['sales_rep'].pk}").status_code == 404


def test_directory_filters(company, clients):
    hr = clients["hr"]
    engineering = company["engineering"].pk

    def codes(query):
        response = hr.get(f"/employees?{query}")
        assert response.status_code == 200, response.content
        return sorted(e["code"] for e in response.json()["items"])

    assert codes(f"department={engineering}") == ["E001", "E002"]
    assert codes(f"department={engineering}&include_subdepartments=true") == ["E001", "E002", "E003", "E004"]
    assert codes(f"branch={company['remote'].pk}") == ["E004", "E005"]
    assert codes(f"manager={company['ceo'].pk}") == ["E002", "E005"]
    assert codes("q=developer") == ["E003", "E004"]
    assert codes("q=e005") == ["E005"]
    assert codes("limit=2&offset=2") == ["E001", "E002"]  # by name: Hana, Ines | Mia, Olivia | ...
    assert hr.get("/employees?status=gone").status_code == 422
    assert hr.get("/employees?limit=0").json()["field"] == "limit"


# --- editing ---------------------------------------------------------------------------------------------


def test_hr_creates_an_employee_and_bad_input_names_the_field(company, clients, workspace):
    hr = clients["hr"]
    created = hr.post("/employees", {"code": "E100", "full_name": "Nina New", "phone": "+1 212 555 0199",
                                     "department_id": company["sales"].pk, "manager_id": company["sales_rep"].pk,
                                     "start_date": "2026-12-01"})
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "+12125550199" and created.json()["manager"]["name"] == "Sam Sales"

    before = count(workspace, Employee)
    cases = [
        ({"code": "E100", "full_name": "Dup"}, 409, "code"),
        ({"code": "E101", "full_name": "X", "phone": "12"}, 422, "phone"),
        ({"code": "E101", "full_name": "X", "work_email": "nope"}, 422, "work_email"),
        ({"code": "E101", "full_name": "X", "department_id": 987654}, 422, "department_id"),  # as sent
        ({"code": "E101", "full_name": "X", "start_date": "2026-02-01", "end_date": "2026-01-01"}, 422, "end_date"),
        ({"code": "E101", "full_name": "X", "employment_type": "slave"}, 422, "employment_type"),
        ({"code": "bad code!", "full_name": "X"}, 422, "code"),
        ({"code": "E101", "full_name": "  "}, 422, "full_name"),
        ({"code": "E101", "full_name": "X", "birth_date": "2990-01-01"}, 422, "birth_date"),
        ({"code": "E101", "full_name": "X", "member_id": Membership.all_workspaces.filter(
            user__email="member@acme.test").get().pk}, 409, "member_id"),
    ]
    for body, status, field in cases:
        response = hr.post("/employees", body)
        assert (response.status_code, response.json().get("field")) == (status, field), (body, response.content)
    assert count(workspace, Employee) == before


def test_a_reporting_loop_is_refused_with_400(company, clients, workspace):
    response = clients["hr"].patch(f"/employees/{company['ceo'].pk}", {"manager_id": company["indirect"].pk})
    assert response.status_code == 400 and response.json()["field"] == "manager_id"
    self_report = clients["hr"].patch(f"/employees/{company['ceo'].pk}", {"manager_id": company["ceo"].pk})
    assert self_report.status_code == 400
    with workspace_scope(workspace):
        assert Employee.objects.get(pk=company["ceo"].pk).manager_id is None


def test_manager_edits_allowed_fields_of_reports_only(company, clients, workspace):
    manager = clients["manager"]
    ok = manager.patch(f"/employees/{company['indirect'].pk}", {"job_title": "Developer"})
    assert ok.status_code == 200 and ok.json()["job_title"] == "Developer"

    personal = manager.patch(f"/employees/{company['report'].pk}", {"birth_date": "1991-01-01"})
    assert personal.status_code == 403 and personal.json()["field"] == "birth_date"
    code = manager.patch(f"/employees/{company['report'].pk}", {"code": "X9"})
    assert code.status_code == 403
    outsider = manager.patch(f"/employees/{company['sales_rep'].pk}", {"job_title": "Boss"})
    assert outsider.status_code == 403
    with workspace_scope(workspace):
        assert Employee.objects.get(pk=company["sales_rep"].pk).job_title == "Account exec"


def test_member_edits_their_own_self_service_fields_as_the_workspace_allows(company, clients, workspace):
    member, me = clients["member"], company["report"].pk
    assert member.patch(f"/employees/{me}", {"phone": "+49 30 999999"}).status_code == 200
    refused = member.patch(f"/employees/{me}", {"job_title": "CTO"})
    assert refused.status_code == 403 and refused.json()["field"] == "job_title"
    assert member.patch(f"/employees/{company['boss'].pk}", {"phone": "+49 30 1"}).status_code == 403
    assert member.get("/org-settings").json()["self_service_fields"] == [
        "phone", "photo", "emergency_contact_name", "emergency_contact_phone"]

    assert clients["member"].patch("/org-settings", {"self_service_fields": []}).status_code == 403
    changed = clients["hr"].patch("/org-settings", {"self_service_fields": ["home_address"]})
    assert changed.status_code == 200 and changed.json()["self_service_fields"] == ["home_address"]
    assert member.patch(f"/employees/{me}", {"phone": "+49 30 888888"}).status_code == 403
    assert member.patch(f"/employees/{me}", {"home_address": "Neuer Weg 1"}).status_code == 200
    bad = clients["hr"].patch("/org-settings", {"self_service_fields": ["salary"]})
    assert bad.status_code == 422 and bad.json()["field"] == "self_service_fields"


def test_changes_are_audited_by_field_name_without_the_values(company, clients, workspace):
    clients["member"].patch(f"/employees/{company['report'].pk}", {"emergency_contact_phone": "+49 30 5555555"})
    event = AuditEvent.objects.filter(workspace=workspace, action="org.employee.updated").latest("seq")
    assert event.data["fields"] == ["emergency_contact_phone"]
    assert "5555555" not in str(event.data)


# --- termination -------------------------------------------------------------------------------------------


def test_terminating_keeps_the_record_ends_access_and_moves_reports_up(company, clients, workspace, manager):
    manager_client = clients["manager"]
    response = clients["hr"].post(f"/employees/{company['boss'].pk}/terminate", {"end_date": "2026-11-30"})

    assert response.status_code == 200 and response.json()["status"] == "terminated"
    assert response.json()["end_date"] == "2026-11-30"
    assert manager_client.get("/me").status_code == 401  # the linked member's token stopped working
    with workspace_scope(workspace):
        assert not Membership.objects.get(user=manager).is_active
        assert Employee.objects.get(pk=company["report"].pk).manager_id == company["ceo"].pk
    assert clients["member"].get(f"/employees/{company['boss'].pk}").status_code == 404
    assert "E002" not in by_code(clients["member"].get("/employees").json()["items"])
    leavers = clients["hr"].get("/employees?status=terminated").json()["items"]
    assert [e["code"] for e in leavers] == ["E002"]
    again = clients["hr"].post(f"/employees/{company['boss'].pk}/terminate", {})
    assert again.status_code == 409


def test_hr_cannot_end_the_access_of_someone_who_holds_more_rights(company, clients, workspace, owner):
    response = clients["hr"].post(f"/employees/{company['ceo'].pk}/terminate", {})
    assert response.status_code == 403
    with workspace_scope(workspace):
        assert Employee.objects.get(pk=company["ceo"].pk).status == "active"
        assert Membership.objects.get(user=owner).is_active


def test_terminating_through_patch_status_takes_the_same_door(company, clients, workspace):
    response = clients["hr"].patch(f"/employees/{company['indirect'].pk}", {"status": "terminated"})
    assert response.status_code == 200 and response.json()["end_date"]
    assert AuditEvent.objects.filter(workspace=workspace, action="org.employee.terminated").count() == 1


# --- branches and departments ------------------------------------------------------------------------------


def test_branch_crud_and_validation(company, clients, workspace):
    hr = clients["hr"]
    created = hr.post("/branches", {"name": "Lisbon", "country": "pt", "time_zone": "Europe/Lisbon",
                                    "working_days": ["mon", "tue", "wed", "thu"], "work_starts": "08:30",
                                    "work_ends": "16:30"})
    assert created.status_code == 201, created.content
    assert created.json()["country"] == "PT" and created.json()["working_days"] == ["mon", "tue", "wed", "thu"]
    branch_id = created.json()["id"]

    before = count(workspace, Branch)
    assert hr.post("/branches", {"name": "X", "time_zone": "Mars/Olympus"}).json()["field"] == "time_zone"
    assert hr.post("/branches", {"name": "X", "country": "ZZ"}).json()["field"] == "country"
    assert hr.post("/branches", {"name": "lisbon"}).status_code == 409
    assert hr.post("/branches", {"name": "X", "work_starts": "18:00", "work_ends": "09:00"}).json()["field"] == (
        "work_ends")
    assert hr.post("/branches", {"name": "X", "working_days": ["funday"]}).status_code == 422
    assert count(workspace, Branch) == before

    assert hr.patch(f"/branches/{branch_id}", {"time_zone": "Asia/Tokyo"}).json()["time_zone"] == "Asia/Tokyo"
    staffed = hr.delete(f"/branches/{company['berlin'].pk}")
    assert staffed.status_code == 409 and "work at Berlin" in staffed.json()["detail"]
    assert hr.delete(f"/branches/{branch_id}").status_code == 204
    assert clients["member"].post("/branches", {"name": "Nope"}).status_code == 403
    assert clients["member"].get("/branches").json()["count"] == 2


def test_department_tree_moves_and_cycles(company, clients, workspace):
    hr = clients["hr"]
    platform = hr.post("/departments", {"name": "Platform", "parent_id": company["backend"].pk,
                                        "head_id": company["indirect"].pk})
    assert platform.status_code == 201, platform.content
    assert platform.json()["head"] == {"id": company["indirect"].pk, "name": "Ines Indirect"}

    loop = hr.patch(f"/departments/{company['engineering'].pk}", {"parent_id": platform.json()["id"]})
    assert loop.status_code == 400 and loop.json()["field"] == "parent_id"
    self_parent = hr.patch(f"/departments/{company['engineering'].pk}", {"parent_id": company["engineering"].pk})
    assert self_parent.status_code == 400
    moved = hr.patch(f"/departments/{platform.json()['id']}", {"parent_id": company["sales"].pk})
    assert moved.status_code == 200 and moved.json()["parent_id"] == company["sales"].pk

    names = [d["name"] for d in hr.get("/departments").json()["items"]]
    assert names == ["Engineering", "Backend", "Sales", "Platform"]  # tree order
    assert hr.post("/departments", {"name": "backend", "parent_id": company["engineering"].pk}).status_code == 409
    busy = hr.delete(f"/departments/{company['engineering'].pk}")
    assert busy.status_code == 409
    assert hr.delete(f"/departments/{platform.json()['id']}").status_code == 204
    assert clients["manager"].post("/departments", {"name": "Shadow"}).status_code == 403
    with workspace_scope(workspace):
        assert not Department.objects.filter(name="Shadow").exists()


# --- photos --------------------------------------------------------------------------------------------------


def png(size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.usefixtures("s3_storage")
def test_photo_goes_through_the_storage_api_resized_and_only_to_those_who_may_see(company, clients, s3_server):
    import boto3

    me = company["report"].pk
    uploaded = clients["member"].upload(f"/employees/{me}/photo", "me.png", png())
    assert uploaded.status_code == 200 and uploaded.json()["has_photo"]

    photo = clients["manager"].get(f"/employees/{me}/photo")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(photo.content)).size) == 512
    endpoint, bucket = s3_server
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=bucket)["Contents"]]
    assert any(k.startswith(f"workspaces/{company['report'].workspace_id}/employee-photos/") for k in keys)

    assert clients["member"].upload(f"/employees/{company['boss'].pk}/photo", "x.png", png()).status_code == 403
    not_image = clients["member"].upload(f"/employees/{me}/photo", "x.png", b"GIF89a nonsense")
    assert not_image.status_code == 422 and not_image.json()["field"] == "photo"
    assert clients["member"].delete(f"/employees/{me}/photo").status_code == 204
    assert clients["member"].get(f"/employees/{me}/photo").status_code == 404


def test_an_api_token_of_another_workspace_sees_none_of_this_one(company, other_workspace):
    b_client = ApiClient(token_for(other_workspace.owner, other_workspace, name="b"))
    assert b_client.get("/employees").json() == {"items": [], "count": 0, "next_cursor": None}
    assert b_client.get(f"/employees/{company['ceo'].pk}").status_code == 404
    assert b_client.get(f"/org-chart?parent_id={company['ceo'].pk}").status_code == 404
    assert b_client.get(f"/employees/{company['ceo'].pk}/reports?depth=all").status_code == 404


def test_a_department_only_former_employees_were_in_still_names_them(company, clients):
    hr = clients["hr"]
    hr.post(f"/employees/{company['sales_rep'].pk}/terminate", {})
    response = hr.delete(f"/departments/{company['sales'].pk}")
    assert response.status_code == 409
    assert "0 current and 1 former employee(s) are in Sales" in response.json()["detail"]


def test_a_refused_change_leaves_the_callers_object_as_stored(company, workspace):
    from oorg.core.errors import DomainError
    from oorg.core.permissions import Actor
    from oorg.org import services

    ceo = company["ceo"]
    with workspace_scope(workspace), pytest.raises(DomainError) as refusal:
        services.update_employee(Actor.system(workspace), ceo, job_title="Chief Loop Officer",
                                 manager=company["indirect"].pk)
    assert refusal.value.field == "manager"
    assert ceo.job_title == "CEO" and ceo.manager_id is None
