"""Each built-in role against each guarded route: allowed, or refused with 403 and nothing changed.

Routes that only read what everyone in the workspace may read (the directory, roles, the org chart)
are in the matrix too, so a permission added to them later shows up here."""
import pytest

from oorg.core.models import AuditEvent, Invitation, Membership, Role
from oorg.core.tenancy import workspace_scope
from oorg.org.models import Branch, Department, Employee, OrgSettings
from oorg.webhooks.models import WebhookDelivery, WebhookSubscription

from ..conftest import ApiClient, token_for

ALL = {"owner", "admin", "hr", "manager", "member"}
PEOPLE_ADMINS = {"owner", "admin", "hr"}
CSV = b"employee_code,full_name\nN1,New Person\n"


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 40), (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


LOGO = _png()

# (method, path, body, roles that may). {member}, {employee}, ... are the company fixture's objects.
MATRIX = [
    ("GET", "/members", None, ALL),
    ("GET", "/audit-events", None, {"owner", "admin"}),
    ("GET", "/invitations", None, {"owner", "admin"}),
    ("POST", "/invitations", {"email": "new@example.test", "role": "member"}, {"owner", "admin"}),
    ("POST", "/invitations", {"email": "boss@example.test", "role": "owner"}, {"owner"}),
    ("PATCH", "/members/{member}", {"role": "manager"}, {"owner", "admin"}),
    ("PATCH", "/workspace", {"require_two_factor": False}, {"owner"}),
    ("PATCH", "/workspace", {"name": "Acme Holding", "time_zone": "Europe/Berlin", "locale": "de-DE"},
     {"owner", "admin"}),
    ("UPLOAD", "/workspace/logo", LOGO, {"owner", "admin"}),
    ("DELETE", "/workspace/logo", None, {"owner", "admin"}),
    ("GET", "/workspace", None, ALL),
    ("POST", "/workspaces", {"name": "Acme Spin-off"}, ALL),
    ("DELETE", "/members/{member}", None, {"owner", "admin"}),
    ("POST", "/workspace/transfer-ownership", {"member_id": "{member}"}, {"owner"}),
    ("GET", "/permissions", None, ALL),
    ("GET", "/roles", None, ALL),
    ("GET", "/roles/{role}", None, ALL),
    ("POST", "/roles", {"name": "Recruiter", "permissions": ["org.directory.view"]}, {"owner", "admin"}),
    ("PATCH", "/roles/{role}", {"name": "Renamed"}, {"owner", "admin"}),
    ("DELETE", "/roles/{role}", None, {"owner", "admin"}),
    ("GET", "/branches", None, ALL),
    ("GET", "/branches/{branch}", None, ALL),
    ("POST", "/branches", {"name": "Lisbon", "time_zone": "Europe/Lisbon"}, PEOPLE_ADMINS),
    ("PATCH", "/branches/{branch}", {"holiday_calendar": "DE-BE"}, PEOPLE_ADMINS),
    ("DELETE", "/branches/{empty_branch}", None, PEOPLE_ADMINS),
    ("GET", "/departments", None, ALL),
    ("GET", "/departments/{department}", None, ALL),
    ("POST", "/departments", {"name": "Legal"}, PEOPLE_ADMINS),
    ("PATCH", "/departments/{department}", {"name": "Revenue"}, PEOPLE_ADMINS),
    ("DELETE", "/departments/{empty_department}", None, PEOPLE_ADMINS),
    ("GET", "/employees", None, ALL),
    ("GET", "/employees/{employee}", None, ALL),
    ("GET", "/employees/{employee}/reports", None, ALL),
    ("GET", "/org-chart", None, ALL),
    ("POST", "/employees", {"code": "N2", "full_name": "Nora New"}, PEOPLE_ADMINS),
    ("PATCH", "/employees/{employee}", {"full_name": "Sam Seller"}, PEOPLE_ADMINS),
    ("PATCH", "/employees/{report}", {"job_title": "Staff engineer"}, PEOPLE_ADMINS | {"manager"}),
    ("PATCH", "/employees/{report}", {"phone": "+49 30 111111"}, PEOPLE_ADMINS | {"member"}),  # member: self-service
    ("PATCH", "/employees/{report}", {"birth_date": "1990-01-01"}, PEOPLE_ADMINS),  # not self-service by default
    ("POST", "/employees/{employee}/terminate", {}, PEOPLE_ADMINS),
    # bulk actions (org.services.bulk_*): a manager may move their own team, nothing more
    ("POST", "/employees/bulk", {"action": "move", "employee_ids": ["{report}"], "department_id": "{department}"},
     PEOPLE_ADMINS | {"manager"}),
    ("POST", "/employees/bulk", {"action": "change_manager", "employee_ids": ["{report}"],
                                 "manager_id": "{employee}"}, PEOPLE_ADMINS),
    ("POST", "/employees/bulk", {"action": "terminate", "employee_ids": ["{employee}"]}, PEOPLE_ADMINS),
    ("GET", "/employees/export", None, PEOPLE_ADMINS),
    ("UPLOAD", "/employees/import?dry_run=false", CSV, PEOPLE_ADMINS),
    ("GET", "/org-settings", None, ALL),
    ("PATCH", "/org-settings", {"self_service_fields": ["phone", "birth_date"]}, PEOPLE_ADMINS),
    # notifications: each person's own, whatever the role (notifications/api.py)
    ("GET", "/notifications", None, ALL),
    ("GET", "/notifications/unread-count", None, ALL),
    ("POST", "/notifications/read-all", None, ALL),
    ("GET", "/notification-preferences", None, ALL),
    ("PUT", "/notification-preferences", {"quiet_hours": {"enabled": True, "start": "21:00"}}, ALL),
    # webhooks (webhooks.manage: owner and admin)
    ("GET", "/webhooks", None, {"owner", "admin"}),
    ("GET", "/webhooks/event-types", None, {"owner", "admin"}),
    ("POST", "/webhooks", {"url": "https://hooks.example.test/m", "events": ["*"]}, {"owner", "admin"}),
    ("GET", "/webhooks/{webhook}", None, {"owner", "admin"}),
    ("PATCH", "/webhooks/{webhook}", {"description": "Renamed", "rotate_secret": True}, {"owner", "admin"}),
    ("GET", "/webhooks/{webhook}/deliveries", None, {"owner", "admin"}),
    ("POST", "/webhooks/{webhook}/test", {}, {"owner", "admin"}),
    ("POST", "/webhooks/{webhook}/deliveries/{webhook_delivery}/resend", {}, {"owner", "admin"}),
    ("DELETE", "/webhooks/{webhook}", None, {"owner", "admin"}),
]


def state(workspace):
    with workspace_scope(workspace):
        return (
            sorted(Membership.objects.values_list("pk", "role", "is_active")),
            Invitation.objects.count(),
            sorted(Role.objects.values_list("pk", "name", "permissions")),
            sorted(Branch.objects.values_list("pk", "name", "holiday_calendar")),
            sorted(Department.objects.values_list("pk", "name")),
            sorted(Employee.objects.values_list("pk", "full_name", "job_title", "status", "birth_date",
                                                "home_address")),
            list(OrgSettings.objects.values_list("self_service_fields", flat=True)),
            AuditEvent.objects.filter(workspace=workspace).exclude(action="auth.api_token_created").count(),
            sorted(WebhookSubscription.objects.values_list("pk", "description", "secret_encrypted", "active")),
            sorted(WebhookDelivery.objects.values_list("pk", "state", "next_attempt_at")),
        )


@pytest.fixture
def targets(company, workspace, member):
    from oorg.core.permissions import Actor
    from oorg.core.roles import create_role
    from oorg.org import services
    from oorg.webhooks import services as webhooks

    system = Actor.system(workspace)
    with workspace_scope(workspace):
        role = create_role(system, name="Unused", permissions=[])
        empty_branch = services.create_branch(system, name="Empty")
        empty_department = services.create_department(system, name="Empty")
        webhook, _secret = webhooks.create_subscription(system, url="https://hooks.example.test/t", events=["*"])
        webhook_delivery = webhooks.send_test_event(system, webhook)  # its send waits for a commit never made
        return {"webhook": webhook.pk, "webhook_delivery": webhook_delivery.pk,"member": Membership.objects.get(user=member).pk, "role": role.pk, "branch": company["berlin"].pk,
                "empty_branch": empty_branch.pk, "department": company["sales"].pk,
                "empty_department": empty_department.pk, "employee": company["sales_rep"].pk,
                "report": company["report"].pk}


@pytest.mark.parametrize("method, path, body, allowed", MATRIX, ids=lambda v: str(v) if isinstance(v, str) else "")
@pytest.mark.parametrize("role", sorted(ALL))
def test_permission_matrix(workspace, owner, admin, hr, manager, member, targets, method, path, body, allowed,
                           role):
    user = {"owner": owner, "admin": admin, "hr": hr, "manager": manager, "member": member}[role]
    client = ApiClient(token_for(user, workspace, name=role))
    before = state(workspace)

    path = path.format(**targets)
    if isinstance(body, dict):  # "{member}" in a body (or in a list in it): the id of that target
        def fill(v):
            return targets[v[1:-1]] if isinstance(v, str) and v[1:-1] in targets else [fill(x) for x in v] if (
                isinstance(v, list)) else v
        body = {k: fill(v) for k, v in body.items()}
    if method == "UPLOAD":
        response = client.upload(path, "people.csv", body)
    else:
        response = client.request(method, path, body)

    if role in allowed:
        assert response.status_code in (200, 201, 202, 204), response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"]
        assert state(workspace) == before
