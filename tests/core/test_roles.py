"""Roles as data: built-in roles, custom roles composed from permissions, and the no-escalation rule."""
from oorg.core.models import AuditEvent, Membership, Role
from oorg.core.tenancy import workspace_scope

from ..conftest import ApiClient, token_for


def client_for(user, workspace, name="roles"):
    return ApiClient(token_for(user, workspace, name=name))


def membership_of(user, workspace):
    with workspace_scope(workspace):
        return Membership.objects.get(user=user)


def test_every_workspace_has_the_five_built_in_roles(workspace, member):
    roles = client_for(member, workspace).get("/roles").json()
    assert [r["key"] for r in roles["items"]] == ["owner", "admin", "hr", "manager", "member"]
    assert all(r["is_builtin"] for r in roles["items"])
    owner_role = roles["items"][0]
    names = {p["name"] for p in client_for(member, workspace, "p").get("/permissions").json()["items"]}
    assert set(owner_role["permissions"]) == names  # the owner holds everything
    assert "workspace.security.manage" not in roles["items"][1]["permissions"]


def test_admin_composes_a_recruiter_role_and_a_member_gets_its_rights(workspace, admin, member):
    admin_client = client_for(admin, workspace)
    # Everything the member role holds (to invite members), plus inviting.
    chosen = ["workspace.member.view", "workspace.member.invite", "org.directory.view", "crm.records.view_own",
              "crm.records.edit", "attendance.own", "leave.own"]
    created = admin_client.post("/roles", {"name": "Recruiter", "description": "Hires people", "permissions": chosen})
    assert created.status_code == 201, created.content
    role = created.json()
    assert role["key"] == "recruiter" and not role["is_builtin"]
    assert role["permissions"] == sorted(chosen)

    target = membership_of(member, workspace)
    changed = admin_client.patch(f"/members/{target.pk}", {"role": "recruiter"})
    assert changed.status_code == 200 and changed.json()["role"] == "recruiter"

    member_client = client_for(member, workspace, "after")
    assert member_client.get("/me").json()["permissions"] == sorted(chosen)
    invited = member_client.post("/invitations", {"email": "candidate@example.test", "role": "member"})
    assert invited.status_code == 201
    # a recruiter may only hand out roles within their own rights
    assert member_client.post("/invitations", {"email": "m@example.test", "role": "manager"}).status_code == 403
    assert member_client.get("/audit-events").status_code == 403
    actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"roles.role.created", "workspace.member_role_changed"} <= actions


def test_recomposing_a_role_changes_what_its_holders_may_do_and_is_audited(workspace, admin, member):
    admin_client = client_for(admin, workspace)
    role = admin_client.post("/roles", {"name": "Auditor", "permissions": ["audit.event.view"]}).json()
    admin_client.patch(f"/members/{membership_of(member, workspace).pk}", {"role": role["key"]})
    member_client = client_for(member, workspace, "m")
    assert member_client.get("/audit-events").status_code == 200

    response = admin_client.patch(f"/roles/{role['id']}", {"permissions": ["workspace.member.view"]})

    assert response.status_code == 200 and response.json()["member_count"] == 1
    assert member_client.get("/audit-events").status_code == 403
    event = AuditEvent.objects.filter(workspace=workspace, action="roles.role.updated").latest("seq")
    assert event.data["removed"] == ["audit.event.view"] and event.data["added"] == ["workspace.member.view"]


def test_nobody_grants_what_they_do_not_hold(workspace, owner, admin, member):
    admin_client = client_for(admin, workspace)
    refused = admin_client.post("/roles", {"name": "Backdoor", "permissions": ["workspace.security.manage"]})
    assert refused.status_code == 403 and refused.json()["field"] == "permissions"
    assert admin_client.patch(f"/members/{membership_of(member, workspace).pk}", {"role": "owner"}).status_code == 403
    owner_change = admin_client.patch(f"/members/{membership_of(owner, workspace).pk}", {"role": "member"})
    assert owner_change.status_code == 403
    with workspace_scope(workspace):
        assert not Role.objects.filter(name="Backdoor").exists()
        assert Membership.objects.get(user=owner).role == "owner"
    # the owner may compose it
    assert client_for(owner, workspace).post("/roles", {"name": "Backdoor", "permissions": [
        "workspace.security.manage"]}).status_code == 201


def test_built_in_roles_cannot_be_changed_or_deleted(workspace, admin):
    admin_client = client_for(admin, workspace)
    member_role = next(r for r in admin_client.get("/roles").json()["items"] if r["key"] == "member")
    assert admin_client.patch(f"/roles/{member_role['id']}", {"name": "Staff"}).status_code == 409
    assert admin_client.delete(f"/roles/{member_role['id']}").status_code == 409


def test_a_role_in_use_cannot_be_deleted_until_nobody_holds_it(workspace, admin, member):
    admin_client = client_for(admin, workspace)
    role = admin_client.post("/roles", {"name": "Temp", "permissions": []}).json()
    target = membership_of(member, workspace)
    admin_client.patch(f"/members/{target.pk}", {"role": role["key"]})

    in_use = admin_client.delete(f"/roles/{role['id']}")
    assert in_use.status_code == 409 and "in use by 1 member" in in_use.json()["detail"]

    admin_client.patch(f"/members/{target.pk}", {"role": "member"})
    assert admin_client.delete(f"/roles/{role['id']}").status_code == 204
    assert admin_client.get(f"/roles/{role['id']}").status_code == 404
    assert AuditEvent.objects.filter(workspace=workspace, action="roles.role.deleted").exists()


def test_a_role_named_in_a_pending_invitation_is_in_use(workspace, admin):
    admin_client = client_for(admin, workspace)
    role = admin_client.post("/roles", {"name": "Contractor", "permissions": []}).json()
    admin_client.post("/invitations", {"email": "c@example.test", "role": role["key"]})
    assert admin_client.delete(f"/roles/{role['id']}").status_code == 409


def test_bad_role_input_names_the_field_and_changes_nothing(workspace, admin, member):
    admin_client = client_for(admin, workspace)
    unknown = admin_client.post("/roles", {"name": "X", "permissions": ["crm.rocket.launch"]})
    assert unknown.status_code == 422 and unknown.json()["field"] == "permissions"
    blank = admin_client.post("/roles", {"name": "", "permissions": []})
    assert blank.status_code == 422 and blank.json()["field"] == "name"
    admin_client.post("/roles", {"name": "Recruiter", "permissions": []})
    duplicate = admin_client.post("/roles", {"name": "recruiter", "permissions": []})
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "name"
    builtin_name = admin_client.post("/roles", {"name": "Admin", "permissions": []})
    assert builtin_name.status_code == 409
    no_such_role = admin_client.patch(f"/members/{membership_of(member, workspace).pk}", {"role": "astronaut"})
    assert no_such_role.status_code == 422 and no_such_role.json()["field"] == "role"
    with workspace_scope(workspace):
        assert Role.objects.filter(is_builtin=False).count() == 1


def test_custom_role_keys_never_collide_with_built_in_keys(workspace, owner):
    response = client_for(owner, workspace).post("/roles", {"name": "Owner!", "permissions": []})
    assert response.status_code == 201 and response.json()["key"] == "owner-2"
    assert response.json()["name"] == "Owner!"


def test_built_in_roles_nest_so_each_can_manage_the_ones_below():
    from oorg.core.permissions import ROLES

    chain = ["member", "manager", "hr", "admin", "owner"]
    for lower, higher in zip(chain, chain[1:], strict=False):
        assert ROLES[lower] <= ROLES[higher], f"{higher} lacks {sorted(ROLES[lower] - ROLES[higher])} of {lower}"


def test_admin_cannot_delete_a_role_holding_a_permission_they_do_not_hold(workspace, owner, admin):
    owner_client = client_for(owner, workspace, "owner")
    role = owner_client.post("/roles", {"name": "Security officer",
                                        "permissions": ["workspace.security.manage"]}).json()

    refused = client_for(admin, workspace).delete(f"/roles/{role['id']}")

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied" and "workspace.security.manage" in refused.json()["detail"]
    assert [r["key"] for r in owner_client.get("/roles").json()["items"]][-1] == role["key"]
    assert owner_client.delete(f"/roles/{role['id']}").status_code == 204
