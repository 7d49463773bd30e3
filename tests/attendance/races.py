"""Parallel clocking requests, on real threads (each with its own database connection).

On PostgreSQL the tests call these in-process (transaction=True); on SQLite they run `python -m
tests.attendance.races NAME` on a fresh file database configured as in production (see tests/conftest.py race).
"""
from __future__ import annotations

import json
import sys

from tests.accounts.races import _parallel


def ten_clock_ins() -> dict:
    """Ten clock-ins of one employee at once: one session, one audit record, nine 409s."""
    from django.test import Client

    from oorg.attendance.models import Session
    from oorg.core.models import AuditEvent, Membership
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope
    from oorg.org import services as org_services
    from tests.conftest import make_workspace, token_for

    workspace, owner = make_workspace("Race Co", "racer@example.test")
    with workspace_scope(workspace):
        org_services.create_employee(Actor.system(workspace), code="R1", full_name="Rita Racer",
                                     member=Membership.objects.get(user=owner).pk)
    token = token_for(owner, workspace, name="race")

    def clock_in(n):
        return [Client().post("/api/v1/attendance/clock-in", "{}", content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {token}").status_code]

    answers, errors = _parallel(10, clock_in)
    with workspace_scope(workspace):
        sessions = Session.objects.count()
        audited = AuditEvent.objects.filter(action="attendance.clocked_in").count()
    return {"answers": answers, "errors": errors, "sessions": sessions, "audited": audited}


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps(globals()[sys.argv[1]]()))
