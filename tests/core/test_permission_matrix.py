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
CRM_VIEWERS = {"owner", "admin", "hr", "manager", "member"}
CRM_DELETERS = {"owner", "admin", "hr", "manager"}
# The CRM targets below are the member's records: hr (team scope, nobody reports to hr here) does not see them.
SEES_MEMBERS = CRM_VIEWERS - {"hr"}
DELETES_MEMBERS = CRM_DELETERS - {"hr"}
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
    # crm pipelines (read: any CRM viewer; change: crm.settings.manage), deals (crm.records.edit), forecast
    ("GET", "/pipelines", None, {"owner", "admin", "hr", "manager", "member"}),
    ("GET", "/pipelines/{pipeline}", None, {"owner", "admin", "hr", "manager", "member"}),
    ("POST", "/pipelines", {"name": "Matrix", "stages": [{"name": "One", "probability": 10}]}, {"owner", "admin"}),
    ("PATCH", "/pipelines/{pipeline}", {"name": "Renamed"}, {"owner", "admin"}),
    ("DELETE", "/pipelines/{empty_pipeline}", None, {"owner", "admin"}),
    ("GET", "/deals", None, {"owner", "admin", "hr", "manager", "member"}),
    ("GET", "/deals/forecast", None, {"owner", "admin", "hr", "manager", "member"}),
    ("POST", "/deals", {"name": "Matrix deal", "amount": "10.00"}, {"owner", "admin", "hr", "manager", "member"}),
    # crm import and export (crm.records.import / crm.records.export: owner, admin, manager)
    *[(m, p.format(plural=plural), b, {"owner", "admin", "hr", "manager"})
      for plural, columns in (("leads", b"full_name\nMatrix\n"), ("contacts", b"full_name\nMatrix\n"),
                              ("companies", b"name\nMatrix\n"), ("deals", b"name\nMatrix\n"))
      for m, p, b in (("UPLOAD", "/{plural}/import", columns), ("UPLOAD", "/{plural}/import/preview", columns),
                      ("GET", "/{plural}/export", None))],
    # crm activities, notes and timelines (see the record scopes; notes of others: crm.records.delete)
    ("GET", "/activities", None, {"owner", "admin", "hr", "manager", "member"}),
    ("POST", "/activities", {"kind": "task", "subject": "Matrix", "lead_id": "{crm_lead}"},
     SEES_MEMBERS),
    ("GET", "/activities/{crm_activity}", None, SEES_MEMBERS),
    ("PATCH", "/activities/{crm_activity}", {"subject": "Renamed"}, SEES_MEMBERS),
    ("POST", "/activities/{crm_activity}/done", {}, SEES_MEMBERS),
    ("POST", "/activities/{crm_activity}/undone", {}, SEES_MEMBERS),
    ("DELETE", "/activities/{crm_activity}", None, SEES_MEMBERS),
    ("GET", "/notes", None, {"owner", "admin", "hr", "manager", "member"}),
    ("POST", "/notes", {"body": "<p>Matrix</p>", "lead_id": "{crm_lead}"}, SEES_MEMBERS),
    ("GET", "/notes/{crm_note}", None, SEES_MEMBERS),
    ("PATCH", "/notes/{crm_note}", {"body": "Renamed"}, DELETES_MEMBERS),
    ("DELETE", "/notes/{crm_note}", None, DELETES_MEMBERS),
    ("GET", "/leads/{crm_lead}/timeline", None, SEES_MEMBERS),
    # crm contacts, companies (crm.records.edit; delete and merge: crm.records.delete), custom fields (read: any CRM
    # viewer; change: crm.settings.manage), duplicates, bulk change (edit) and bulk delete (delete)
    *[(m, p, b, CRM_VIEWERS) for m, p, b in (
        ("GET", "/contacts", None), ("POST", "/contacts", {"full_name": "Matrix contact"}),
        ("GET", "/companies", None), ("POST", "/companies", {"name": "Matrix company"}),
        ("GET", "/custom-fields", None), ("GET", "/custom-fields/{crm_custom_field}", None),
        ("GET", "/contacts/duplicates", None), ("GET", "/companies/duplicates", None),
        ("GET", "/leads/duplicates", None))],
    *[(m, p, b, SEES_MEMBERS) for m, p, b in (
        ("GET", "/contacts/{crm_contact}", None), ("PATCH", "/contacts/{crm_contact}", {"job_title": "Renamed"}),
        ("GET", "/companies/{crm_company}", None), ("PATCH", "/companies/{crm_company}", {"industry": "Renamed"}),
        ("GET", "/companies/{crm_company}/contacts", None))],
    ("DELETE", "/contacts/{crm_contact}", None, DELETES_MEMBERS),
    ("DELETE", "/companies/{crm_company}", None, DELETES_MEMBERS),
    ("POST", "/contacts/merge", {"target_id": "{crm_contact}", "source_id": "{crm_contact2}"}, DELETES_MEMBERS),
    ("POST", "/companies/merge", {"target_id": "{crm_company}", "source_id": "{crm_company2}"}, DELETES_MEMBERS),
    ("POST", "/leads/merge", {"target_id": "{crm_lead}", "source_id": "{crm_lead2}"}, DELETES_MEMBERS),
    ("POST", "/custom-fields", {"entity": "lead", "name": "matrix", "label": "Matrix", "type": "text"},
     {"owner", "admin"}),
    ("PATCH", "/custom-fields/{crm_custom_field}", {"label": "Renamed"}, {"owner", "admin"}),
    ("DELETE", "/custom-fields/{crm_custom_field}", None, {"owner", "admin"}),
    *[("POST", f"/{plural}/bulk-update", {"filter": {}, "set": {"add_tags": ["matrix"]}}, CRM_VIEWERS)
      for plural in ("leads", "contacts", "companies", "deals")],
    *[("POST", f"/{plural}/bulk-delete", {"filter": {"q": "nothing-matches"}, "confirm_count": 0}, CRM_DELETERS)
      for plural in ("leads", "contacts", "companies", "deals")],
    # crm leads (edit and convert: crm.records.edit; delete: crm.records.delete) and web forms (crm.settings.manage)
    ("GET", "/leads", None, CRM_VIEWERS),
    ("POST", "/leads", {"full_name": "Matrix new lead"}, CRM_VIEWERS),
    ("GET", "/leads/{crm_lead}", None, SEES_MEMBERS),
    ("PATCH", "/leads/{crm_lead}", {"full_name": "Renamed"}, SEES_MEMBERS),
    ("POST", "/leads/{crm_lead}/convert", {"create_deal": False}, SEES_MEMBERS),
    ("DELETE", "/leads/{crm_lead2}", None, DELETES_MEMBERS),
    ("GET", "/web-forms", None, {"owner", "admin"}),
    ("POST", "/web-forms", {"name": "Matrix form"}, {"owner", "admin"}),
    ("GET", "/web-forms/{crm_web_form}", None, {"owner", "admin"}),
    ("PATCH", "/web-forms/{crm_web_form}", {"name": "Renamed"}, {"owner", "admin"}),
    ("POST", "/web-forms/{crm_web_form}/rotate-key", {}, {"owner", "admin"}),
    ("DELETE", "/web-forms/{crm_web_form}", None, {"owner", "admin"}),
    # leave calendar and feeds (leave.own; the team feed with leave.team.view), the monthly attendance report
    # (attendance.team.view or attendance.view_all)
    ("GET", "/leave/calendar?from=2026-03-01&to=2026-03-31", None, ALL),
    ("GET", "/leave/calendar/feeds", None, ALL),
    ("POST", "/leave/calendar/feeds/me/rotate", {}, ALL),
    ("POST", "/leave/calendar/feeds/team/rotate", {}, {"owner", "admin", "hr", "manager"}),
    ("GET", "/attendance/reports/monthly?month=2026-03", None, {"owner", "admin", "hr", "manager"}),
    ("GET", "/attendance/reports/monthly/export?month=2026-03&format=xlsx", None, {"owner", "admin", "hr", "manager"}),
    # shifts and assignments (any attendance right reads; attendance.manage writes), records (own, team, all) and
    # corrections (the member's: the member may not decide their own; managers above and HR may)
    ("GET", "/attendance/shifts", None, ALL),
    ("GET", "/attendance/shifts/{shift}", None, ALL),
    ("POST", "/attendance/shifts", {"name": "Matrix shift", "starts": "08:00", "ends": "16:00"}, PEOPLE_ADMINS),
    ("PATCH", "/attendance/shifts/{shift}", {"grace_minutes": 10}, PEOPLE_ADMINS),
    ("DELETE", "/attendance/shifts/{shift}", None, PEOPLE_ADMINS),
    ("GET", "/attendance/shift-assignments", None, ALL),
    ("POST", "/attendance/shift-assignments", {"shift_id": "{shift}", "employee_id": "{employee}",
                                               "starts_on": "2031-01-01"}, PEOPLE_ADMINS),
    ("PATCH", "/attendance/shift-assignments/{shift_assignment}", {"ends_on": "2031-12-31"}, PEOPLE_ADMINS),
    ("DELETE", "/attendance/shift-assignments/{shift_assignment}", None, PEOPLE_ADMINS),
    ("GET", "/attendance/records?employee_id={report}", None, ALL),
    ("GET", "/attendance/corrections", None, ALL),
    ("POST", "/attendance/corrections/{correction}/approve", {}, {"owner", "admin", "hr", "manager"}),
    ("POST", "/attendance/corrections/{correction}/reject", {}, {"owner", "admin", "hr", "manager"}),
    # leave requests (leave.own; someone else's with leave.approve_all or leave.manage) and their decisions (the
    # employee's manager, or leave.approve_all; never one's own: the member is the request's employee)
    ("GET", "/leave/requests", None, ALL),
    ("GET", "/leave/requests/{leave_request}", None, ALL),
    ("POST", "/leave/requests", {"leave_type_id": "{leave_unpaid}", "start_date": "2030-01-07",
                                 "end_date": "2030-01-07", "employee_id": "{employee}"}, PEOPLE_ADMINS),
    ("POST", "/leave/requests/{leave_request}/approve", {}, {"owner", "admin", "hr", "manager"}),
    ("GET", "/leave/delegations", None, ALL),
    # holidays (anyone with attendance.own or leave.own reads; attendance.manage writes)
    ("GET", "/holidays", None, ALL),
    ("GET", "/holidays/{holiday}", None, ALL),
    ("POST", "/holidays", {"date": "2031-05-02", "name": "Matrix day", "branch_id": "{branch}"}, PEOPLE_ADMINS),
    ("PATCH", "/holidays/{holiday}", {"name": "Renamed"}, PEOPLE_ADMINS),
    ("DELETE", "/holidays/{holiday}", None, PEOPLE_ADMINS),
    ("POST", "/holidays/fill", {"branch_id": "{branch}", "year": 2031}, PEOPLE_ADMINS),
    ("UPLOAD", "/holidays/import", b"date,name\n2031-06-01,Matrix\n", PEOPLE_ADMINS),
    # leave types (leave.own reads, leave.manage writes), balances and the ledger (leave scope), adjustments
    ("GET", "/leave/types", None, ALL),
    ("GET", "/leave/types/{leave_annual}", None, ALL),
    ("POST", "/leave/types", {"code": "matrix", "name": "Matrix"}, PEOPLE_ADMINS),
    ("PATCH", "/leave/types/{leave_annual}", {"days_per_year": 26}, PEOPLE_ADMINS),
    ("GET", "/leave/balances?employee_id={report}", None, ALL),
    ("GET", "/leave/ledger?employee_id={report}", None, ALL),
    ("POST", "/leave/adjustments", {"employee_id": "{report}", "leave_type_id": "{leave_annual}", "days": 1,
                                    "reason": "Matrix"}, PEOPLE_ADMINS),
    # clocking someone else (attendance.clock_others), a status in one's scope, the clocking policy, allowed sites,
    # kiosks and PINs (attendance.manage). Clocking oneself is every role's with an employee record
    # (tests/attendance/test_clocking_api.py: the admin has none and gets 409).
    ("POST", "/attendance/clock-in", {"employee_id": "{report}"}, PEOPLE_ADMINS),
    ("GET", "/attendance/status?employee_id={report}", None, ALL),
    ("GET", "/attendance/policy", None, PEOPLE_ADMINS),
    ("PUT", "/attendance/policy", {"kiosk_enabled": True}, PEOPLE_ADMINS),
    ("GET", "/attendance/sites", None, PEOPLE_ADMINS),
    ("POST", "/attendance/sites", {"name": "Matrix site", "branch_id": "{branch}", "latitude": 52.5,
                                   "longitude": 13.4}, PEOPLE_ADMINS),
    ("GET", "/attendance/sites/{site}", None, PEOPLE_ADMINS),
    ("PATCH", "/attendance/sites/{site}", {"radius_m": 300}, PEOPLE_ADMINS),
    ("DELETE", "/attendance/sites/{site}", None, PEOPLE_ADMINS),
    ("GET", "/attendance/kiosks", None, PEOPLE_ADMINS),
    ("POST", "/attendance/kiosks", {"name": "Matrix kiosk"}, PEOPLE_ADMINS),
    ("PATCH", "/attendance/kiosks/{kiosk}", {"active": False}, PEOPLE_ADMINS),
    ("POST", "/attendance/kiosks/{kiosk}/rotate-key", {}, PEOPLE_ADMINS),
    ("DELETE", "/attendance/kiosks/{kiosk}", None, PEOPLE_ADMINS),
    ("PUT", "/attendance/pins/{report}", {"pin": "4812"}, PEOPLE_ADMINS),
    ("DELETE", "/attendance/pins/{report}", None, PEOPLE_ADMINS),
]


def _holiday_and_balance_targets(workspace) -> dict:
    """A holiday of every branch and the annual leave type."""
    import datetime as dt

    from oorg.attendance.models import Holiday
    from oorg.leave.models import LeaveType

    holiday = Holiday.objects.create(workspace=workspace, date=dt.date(2031, 1, 1), name="Matrix holiday")
    return {"holiday": holiday.pk, "leave_annual": LeaveType.objects.get(code="annual").pk}


def _attendance_targets(workspace, company) -> dict:
    """A shift assigned to the branch, and a pending correction of the member's (Remy, Mia's report)."""
    import datetime as dt

    from oorg.attendance.models import Correction, Shift, ShiftAssignment

    shift = Shift.objects.create(workspace=workspace, name="Matrix", starts=dt.time(9), ends=dt.time(17))
    assignment = ShiftAssignment.objects.create(workspace=workspace, shift=shift, branch=company["berlin"],
                                                starts_on=dt.date(2030, 1, 1))
    clock_in = dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone.utc)
    correction = Correction.objects.create(workspace=workspace, employee=company["report"], work_date=clock_in.date(),
                                           clock_in=clock_in, clock_out=clock_in + dt.timedelta(hours=8),
                                           reason="Matrix")
    return {"shift": shift.pk, "shift_assignment": assignment.pk, "correction": correction.pk}


def _clocking_targets(workspace, company) -> dict:
    """An allowed site of the Berlin branch and a kiosk."""
    from oorg.attendance.models import Kiosk, Site

    site = Site.objects.create(workspace=workspace, name="Matrix site", branch=company["berlin"], latitude=52.5,
                               longitude=13.4)
    kiosk = Kiosk.objects.create(workspace=workspace, name="Matrix kiosk", key_hash="m" * 64, key_sealed="x")
    return {"site": site.pk, "kiosk": kiosk.pk}


def _leave_targets(workspace, company) -> dict:
    """The unpaid leave type and a pending request of the member's (Remy, Mia's report) at the manager step."""
    import datetime as dt

    from oorg.leave.models import LeaveRequest, LeaveType

    unpaid = LeaveType.objects.get(code="unpaid")
    request = LeaveRequest.objects.create(workspace=workspace, employee=company["report"], leave_type=unpaid,
                                          start_date=dt.date(2030, 1, 8), end_date=dt.date(2030, 1, 8),
                                          working_days=1)
    return {"leave_unpaid": unpaid.pk, "leave_request": request.pk}


def _crm_activity_targets(workspace, membership) -> dict:
    """A lead of the member's (so every CRM role sees it: the manager through her team), with an activity and
    a note made by the system (so only crm.records.delete may change the note)."""
    from oorg.crm.models import Activity, Lead, Note

    lead = Lead.objects.create(workspace=workspace, full_name="Matrix lead", owner=membership)
    activity = Activity.objects.create(workspace=workspace, lead=lead, kind="call", subject="Matrix", owner=membership)
    note = Note.objects.create(workspace=workspace, lead=lead, body="<p>Matrix</p>")
    return {"crm_lead": lead.pk, "crm_activity": activity.pk, "crm_note": note.pk}


def _crm_contact_targets(workspace, membership) -> dict:
    """Two contacts, two companies, a second lead and a custom field, all the member's (every CRM role sees them)."""
    from oorg.crm.models import Company, Contact, CustomField, Lead

    made = {}
    for key, model, name in (("crm_contact", Contact, "full_name"), ("crm_contact2", Contact, "full_name"),
                             ("crm_company", Company, "name"), ("crm_company2", Company, "name"),
                             ("crm_lead2", Lead, "full_name")):
        made[key] = model.objects.create(workspace=workspace, owner=membership, **{name: f"Matrix {key}"}).pk
    made["crm_custom_field"] = CustomField.objects.create(workspace=workspace, entity="contact", name="matrix_field",
                                                          label="Matrix", type="text").pk
    return made


def _crm_web_form_target(workspace) -> dict:
    from oorg.crm.models import WebForm

    return {"crm_web_form": WebForm.objects.create(workspace=workspace, name="Matrix form", key="matrix-key").pk}


def _crm_web_forms():
    from oorg.crm.models import WebForm

    return sorted(WebForm.objects.values_list("pk", "name", "key", "active"))


def _crm_contacts_and_companies():
    from oorg.crm.models import Company, Contact, CustomField, Lead

    return (sorted(Contact.objects.values_list("pk", "full_name", "job_title", "tags")),
            sorted(Company.objects.values_list("pk", "name", "industry", "tags")),
            sorted(Lead.objects.values_list("pk", "full_name", "tags")),
            sorted(CustomField.objects.values_list("pk", "label")))


def _crm_pipelines_and_deals():
    from oorg.crm.models import Deal, Pipeline, Stage

    return (sorted(Pipeline.objects.values_list("pk", "name", "assignees")),
            sorted(Stage.objects.values_list("pk", "name", "probability")),
            sorted(Deal.objects.values_list("pk", "name", "stage_id", "owner_id")))


def state(workspace):
    with workspace_scope(workspace):
        return (
            _crm_pipelines_and_deals(),
            _crm_contacts_and_companies(),
            _crm_web_forms(),
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
        from oorg.crm.models import Pipeline
        from oorg.crm.services.pipelines import ensure_default_pipeline

        crm_pipeline = ensure_default_pipeline(workspace)
        empty_pipeline = Pipeline.objects.create(workspace=workspace, name="Empty", position=9)
        crm_records = _crm_activity_targets(workspace, Membership.objects.get(user=member))
        crm_records.update(_crm_contact_targets(workspace, Membership.objects.get(user=member)))
        crm_records.update(_crm_web_form_target(workspace))
        return {"webhook": webhook.pk, "webhook_delivery": webhook_delivery.pk,"member": Membership.objects.get(user=member).pk, "role": role.pk, "branch": company["berlin"].pk,
                "empty_branch": empty_branch.pk, "department": company["sales"].pk,
                "empty_department": empty_department.pk, "employee": company["sales_rep"].pk,
                "report": company["report"].pk, "pipeline": crm_pipeline.pk, "empty_pipeline": empty_pipeline.pk,
                **crm_records, **_leave_targets(workspace, company), **_holiday_and_balance_targets(workspace),
                **_attendance_targets(workspace, company), **_clocking_targets(workspace, company)}


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
    elif role == "hr" and allowed in (SEES_MEMBERS, DELETES_MEMBERS):
        # hr may act on CRM records, but the member's are outside hr's record scope: "no such record"
        assert response.status_code in (404, 422), response.content
        assert state(workspace) == before
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"]
        assert state(workspace) == before
