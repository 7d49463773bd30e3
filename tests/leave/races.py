"""Leave decisions racing on real threads (each with its own database connection); see tests/accounts/races.py
for why SQLite runs these in a subprocess on a file database set up as in production."""
from __future__ import annotations

import json
import sys

from tests.accounts.races import _parallel


def two_approvals_at_once() -> dict:
    """Two HR approvers approve the same request at the same moment: exactly one wins (200), the other is told
    it was already decided (409), and the ledger has one "taken" entry."""
    import datetime as dt

    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope
    from oorg.leave import ledger
    from oorg.leave.models import LeaveRequest, LeaveType, LedgerEntry
    from oorg.leave.services import requests
    from oorg.org import services as org_services
    from tests.conftest import ApiClient, actor_for, add_member, make_workspace, token_for

    workspace, owner = make_workspace("Race Leave", "owner@race-leave.test")
    hr = add_member(workspace, owner, "hr@race-leave.test", "hr")
    system = Actor.system(workspace)
    with workspace_scope(workspace):
        employee = org_services.create_employee(system, code="R001", full_name="Rita Racer")
        day = dt.date.today() + dt.timedelta(days=30)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        annual = LeaveType.objects.get(code="annual")
        ledger.post(employee, annual, "adjustment", 5, effective_on=dt.date.today(), reason="race")
        req = requests.create_request(actor_for(owner, workspace), leave_type_id=annual.pk, start_date=day,
                                      end_date=day, employee_id=employee.pk)
    tokens = [token_for(owner, workspace, name="race-owner"), token_for(hr, workspace, name="race-hr")]

    def approve(n):
        response = ApiClient(tokens[n]).post(f"/leave/requests/{req.pk}/approve", {})
        return [response.status_code]

    answers, errors = _parallel(2, approve)
    with workspace_scope(workspace):
        req = LeaveRequest.objects.get(pk=req.pk)
        return {"answers": answers, "errors": errors, "status": req.status, "version": req.version,
                "taken": LedgerEntry.objects.filter(request=req, kind="taken").count(),
                "decisions": req.approvals.filter(decision="approved").count()}


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps(globals()[sys.argv[1]]()))
