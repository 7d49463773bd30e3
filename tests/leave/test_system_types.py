"""Annual, sick and unpaid leave exist in every workspace, from its creation."""
from oorg.core.tenancy import workspace_scope
from oorg.leave.models import LeaveType


def test_a_new_workspace_has_the_three_system_leave_types(workspace, other_workspace):
    for ws in (workspace, other_workspace):
        with workspace_scope(ws):
            types = {t.code: t for t in LeaveType.objects.all()}
        assert set(types) == {"annual", "sick", "unpaid"}
        assert types["annual"].days_per_year == 25 and types["annual"].accrual == "yearly"
        assert not types["unpaid"].paid and not types["unpaid"].tracks_balance
