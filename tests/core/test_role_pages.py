"""The roles editor: built-in and custom roles, composed from permission checkboxes."""
import pytest

from oorg.core.models import Role
from oorg.core.roles import permissions_of
from oorg.core.tenancy import workspace_scope
from tests.conftest import add_member
from tests.web.pages import signed_in_client, text

pytestmark = pytest.mark.django_db


def _role(workspace, name):
    with workspace_scope(workspace):
        return Role.objects.filter(name=name).first()


def _builtin(workspace, key):
    with workspace_scope(workspace):
        return Role.objects.get(key=key, is_builtin=True)


def _custom_roles(workspace):
    with workspace_scope(workspace):
        return sorted(Role.objects.filter(is_builtin=False).values_list("name", flat=True))


def test_roles_page_lists_builtin_roles_with_member_counts_and_permissions(workspace, admin, member):
    page = text(signed_in_client(admin).get(f"/w/{workspace.slug}/roles/"))

    for name in ("Owner", "Admin", "HR", "Manager", "Member"):
        assert f">{name}</a>" in page
    assert page.count("<span class=\"badge\">Built-in</span>") == 5
    assert "Read the workspace audit log <code" in page  # inside the collapsed <details>
    assert "<details class=\"role-perms\">" in page and "1 member<" in page


def test_the_form_groups_permissions_by_area_with_their_descriptions(workspace, admin):
    page = text(signed_in_client(admin).get(f"/w/{workspace.slug}/roles/new"))

    for legend in ("Workspace", "Roles", "Audit log", "People and organization"):
        assert f"<legend>{legend}</legend>" in page
    assert 'value="org.employee.import"' in page and "Import employees from a spreadsheet" in page
    assert "not yours to grant" in page  # workspace.security.manage: admins do not hold it


def test_admin_creates_edits_and_cannot_delete_an_assigned_role(workspace, admin, outbox):
    client = signed_in_client(admin)

    created = client.post(f"/w/{workspace.slug}/roles/new", {
        "name": "Recruiter", "description": "Brings people in",
        "permissions": ["workspace.member.view", "workspace.member.invite"]}, follow=True)

    assert "Role Recruiter created." in text(created)
    recruiter = _role(workspace, "Recruiter")
    assert permissions_of(recruiter) == ["workspace.member.invite", "workspace.member.view"]
    assert "Custom" in text(created) and ">Recruiter</a>" in text(created)

    edit_page = text(client.get(f"/w/{workspace.slug}/roles/{recruiter.pk}/edit"))
    assert 'value="Recruiter"' in edit_page
    assert 'value="workspace.member.invite" id="perm-workspace-member-invite" checked' in edit_page

    edited = client.post(f"/w/{workspace.slug}/roles/{recruiter.pk}/edit", {
        "name": "Talent scout", "description": "Finds and invites people",
        "permissions": ["workspace.member.view", "workspace.member.invite", "org.directory.view"]}, follow=True)

    assert "Role Talent scout saved." in text(edited)
    recruiter = _role(workspace, "Talent scout")
    assert permissions_of(recruiter) == ["org.directory.view", "workspace.member.invite", "workspace.member.view"]

    add_member(workspace, workspace.owner, "scout@acme.test", recruiter.key)
    refused = client.post(f"/w/{workspace.slug}/roles/{recruiter.pk}/delete")

    assert refused.status_code == 409
    assert "The role &#x27;Talent scout&#x27; is in use by 1 member(s)" in text(refused)
    assert _custom_roles(workspace) == ["Talent scout"]


def test_an_unused_custom_role_is_deleted(workspace, admin):
    client = signed_in_client(admin)
    client.post(f"/w/{workspace.slug}/roles/new", {"name": "Temp", "permissions": ["workspace.member.view"]})

    response = client.post(f"/w/{workspace.slug}/roles/{_role(workspace, 'Temp').pk}/delete", follow=True)

    assert "Role Temp deleted." in text(response)
    assert _custom_roles(workspace) == []


def test_admin_cannot_grant_a_permission_they_do_not_hold(workspace, admin):
    client = signed_in_client(admin)

    response = client.post(f"/w/{workspace.slug}/roles/new", {
        "name": "Security", "permissions": ["workspace.member.view", "workspace.security.manage"]})

    assert response.status_code == 403
    assert response.context["form"].errors["permissions"] == [
        "You can't grant a role with permissions you don't hold: workspace.security.manage."]
    assert 'value="workspace.security.manage" id="perm-workspace-security-manage" checked' in text(response)
    assert _custom_roles(workspace) == []


def test_a_duplicate_name_is_refused_on_the_name_field(workspace, admin):
    response = signed_in_client(admin).post(f"/w/{workspace.slug}/roles/new",
                                            {"name": "hr", "permissions": ["workspace.member.view"]})

    assert response.status_code == 422
    assert response.context["form"].errors["name"] == ["There is already a role called 'hr'."]


def test_builtin_roles_are_read_only_and_can_be_duplicated(workspace, admin):
    client = signed_in_client(admin)
    hr = _builtin(workspace, "hr")

    page = text(client.get(f"/w/{workspace.slug}/roles/{hr.pk}/edit"))

    assert "Built-in roles can't be changed" in page and 'name="permissions"' not in page
    assert f'href="/w/{workspace.slug}/roles/new?from={hr.pk}"' in page

    copy = client.get(f"/w/{workspace.slug}/roles/new?from={hr.pk}")
    copy_page = text(copy)
    assert 'value="HR (copy)"' in copy_page
    checked = {p for g in copy.context["groups"] for p in (i["name"] for i in g["items"] if i["checked"])}
    assert checked == set(permissions_of(hr))

    forced = client.post(f"/w/{workspace.slug}/roles/{hr.pk}/edit", {"name": "Hacked", "permissions": []})
    assert forced.status_code == 422 and "Built-in roles can&#x27;t be changed" in text(forced)
    assert _builtin(workspace, "hr").name == "HR"


def test_a_member_gets_403_on_the_roles_pages(workspace, member):
    client = signed_in_client(member)
    hr = _builtin(workspace, "hr")

    responses = [
        client.get(f"/w/{workspace.slug}/roles/"),
        client.get(f"/w/{workspace.slug}/roles/new"),
        client.get(f"/w/{workspace.slug}/roles/{hr.pk}/edit"),
        client.post(f"/w/{workspace.slug}/roles/new", {"name": "Mine", "permissions": ["workspace.member.view"]}),
        client.post(f"/w/{workspace.slug}/roles/{hr.pk}/delete"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert _custom_roles(workspace) == []
    assert f'href="/w/{workspace.slug}/roles/"' not in text(client.get(f"/w/{workspace.slug}/members/"))  # nor the nav


def test_admin_cannot_delete_a_role_holding_a_permission_they_do_not_hold(workspace, admin):
    owner_client = signed_in_client(workspace.owner)
    owner_client.post(f"/w/{workspace.slug}/roles/new", {"name": "Security officer",
                                                         "permissions": ["workspace.security.manage"]})
    role = _role(workspace, "Security officer")

    response = signed_in_client(admin).post(f"/w/{workspace.slug}/roles/{role.pk}/delete")

    assert response.status_code == 403
    assert "permissions you don&#x27;t hold: workspace.security.manage" in text(response)
    assert _custom_roles(workspace) == ["Security officer"]
