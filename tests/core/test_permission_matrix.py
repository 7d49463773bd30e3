"""Each role against each guarded route: allowed, or refused with 403 and nothing changed."""
import pytest

from oorg.core.models import AuditEvent, Invitation, Membership
from oorg.core.tenancy import workspace_scope

from ..conftest import ApiClient, token_for

# route -> roles that may use it. Everything else gets 403.
MATRIX = [
    ("GET", "/members", None, {"owner", "admin", "member"}),
    ("GET", "/audit-events", None, {"owner", "admin"}),
    ("GET", "/invitations", None, {"owner", "admin"}),
    ("POST", "/invitations", {"email": "new@example.test", "role": "member"}, {"owner", "admin"}),
    ("POST", "/invitations", {"email": "boss@example.test", "role": "owner"}, {"owner"}),
    ("PATCH", "/members/{member}", {"role": "admin"}, {"owner", "admin"}),
    ("PATCH", "/workspace", {"require_two_factor": False}, {"owner"}),
]


def state(workspace):
    with workspace_scope(workspace):
        return (
            sorted(Membership.objects.values_list("pk", "role")),
            Invitation.objects.count(),
            AuditEvent.objects.filter(workspace=workspace).exclude(action="auth.api_token_created").count(),
        )


@pytest.mark.parametrize("method, path, body, allowed", MATRIX, ids=lambda v: str(v) if isinstance(v, str) else "")
@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_permission_matrix(workspace, owner, admin, member, method, path, body, allowed, role):
    user = {"owner": owner, "admin": admin, "member": member}[role]
    with workspace_scope(workspace):
        target = Membership.objects.get(user=member)
    client = ApiClient(token_for(user, workspace, name=role))
    before = state(workspace)

    response = client.request(method, path.replace("{member}", str(target.pk)), body)

    if role in allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"]
        assert state(workspace) == before
