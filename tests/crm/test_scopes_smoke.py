import pytest
from oorg.core.tenancy import workspace_scope
from oorg.crm import scopes
from oorg.crm.models import Lead

pytestmark = pytest.mark.django_db

def test_scopes(crm):
    ws = crm["workspace"]; m = crm["members"]
    with workspace_scope(ws):
        for role in ("member", "member2", "manager"):
            Lead.objects.create(workspace=ws, full_name=role, owner=m[role])
        names = lambda r: sorted(scopes.visible(crm["actors"][r], Lead).values_list("full_name", flat=True))
        assert names("member") == ["member"]
        assert names("manager") == ["manager", "member"]
        assert names("admin") == ["manager", "member", "member2"]
        assert scopes.sees_owner(crm["actors"]["manager"], m["member"].pk)
        assert not scopes.sees_owner(crm["actors"]["manager"], m["member2"].pk)
