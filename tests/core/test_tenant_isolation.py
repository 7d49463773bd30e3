"""Two workspaces, every API route: a user of workspace A never reads or writes workspace B.

The harness enumerates the routes itself (from the OpenAPI document): a route missing from ROUTES
fails, and so does a route that answers without a token unless it is on PUBLIC. For each route an
A-user calls it aimed at B's objects; ids of B's objects get 404 (not 403, so existence does not leak),
lists hold none of B's rows, and B's data is byte-for-byte unchanged afterwards.
"""
from __future__ import annotations

import hashlib
import json

import pytest
from django.apps import apps

from oorg.accounts.models import UserSession
from oorg.api import api
from oorg.core.models import AuditEvent, Invitation, Job, Membership
from oorg.core.permissions import Actor
from oorg.core.roles import create_role
from oorg.core.tenancy import workspace_scope
from oorg.org import services as org_services
from oorg.workspaces.services import invite_member

from ..conftest import PASSWORD, ApiClient, add_member, token_for

PREFIX = "/api/v1"

# Routes anyone may call without a token, and why.
PUBLIC = {
    "GET /ping": "liveness probe, no data",
    "POST /auth/signup": "creates an account",
    "POST /auth/verify-email": "proves an email with its code",
    "POST /auth/verify-email/resend": "answers the same for every address",
    "POST /auth/token": "exchanges a password for a token",
    "POST /auth/password-reset": "answers the same for every address",
    "POST /auth/password-reset/confirm": "proves the email with its code",
    "POST /invitations/accept": "proves the invitation with its code",
}

# Every authenticated route: how to aim it at workspace B. `ids` maps a path parameter to B's object;
# `body` is what a client would send; `lists` means the answer is a list whose ids must all be A's.
ROUTES = {
    "GET /me": {},
    "GET /workspaces": {"lists": True},
    "PATCH /workspace": {"body": {"require_two_factor": False}},
    "GET /members": {"lists": True},
    "PATCH /members/{member_id}": {"ids": {"member_id": "b_membership"}, "body": {"role": "admin"}},
    # workspace management (workspaces/api.py): settings, logo, another workspace, remove, leave, transfer
    "POST /workspaces": {"body": {"name": "Isolation"}},
    "GET /workspace": {},
    "GET /workspace/logo": {},
    "POST /workspace/logo": {"upload": ("logo.png", b"x")},
    "DELETE /workspace/logo": {},
    "DELETE /members/{member_id}": {"ids": {"member_id": "b_membership"}},
    "POST /workspace/leave": {},
    "GET /workspace/transfer-ownership": {},
    "POST /workspace/transfer-ownership": {"body": {"member_id": "b_membership"}, "body_ids": True},
    "POST /workspace/transfer-ownership/accept": {},
    "DELETE /workspace/transfer-ownership": {},
    "GET /invitations": {"lists": True},
    "POST /invitations": {"body": {"email": "owner@globex.test", "role": "member"}},
    "DELETE /invitations/{invitation_id}": {"ids": {"invitation_id": "b_invitation"}},
    "GET /audit-events": {"lists": True},
    "GET /permissions": {"lists": True},
    "GET /roles": {"lists": True},
    "POST /roles": {"body": {"name": "Isolation", "permissions": ["workspace.member.view"]}},
    "GET /roles/{role_id}": {"ids": {"role_id": "b_role"}},
    "PATCH /roles/{role_id}": {"ids": {"role_id": "b_role"}, "body": {"name": "Renamed"}},
    "DELETE /roles/{role_id}": {"ids": {"role_id": "b_role"}},
    "GET /branches": {"lists": True},
    "POST /branches": {"body": {"name": "Isolation", "time_zone": "UTC"}},
    "GET /branches/{branch_id}": {"ids": {"branch_id": "b_branch"}},
    "PATCH /branches/{branch_id}": {"ids": {"branch_id": "b_branch"}, "body": {"name": "Renamed"}},
    "DELETE /branches/{branch_id}": {"ids": {"branch_id": "b_branch"}},
    "GET /departments": {"lists": True},
    "POST /departments": {"body": {"name": "Isolation", "parent_id": "b_department"}, "body_ids": True},
    "GET /departments/{department_id}": {"ids": {"department_id": "b_department"}},
    "PATCH /departments/{department_id}": {"ids": {"department_id": "b_department"}, "body": {"name": "Renamed"}},
    "DELETE /departments/{department_id}": {"ids": {"department_id": "b_department"}},
    "GET /employees": {"lists": True},
    "POST /employees": {"body": {"code": "X-1", "full_name": "Isolation", "manager_id": "b_employee",
                                 "department_id": "b_department", "branch_id": "b_branch"}, "body_ids": True},
    "GET /employees/export": {"lists": True},
    "POST /employees/bulk": {"body": {"action": "terminate", "employee_ids": ["b_employee"]}, "body_ids": True},
    "POST /employees/import": {"upload": ("employees.csv", b"employee_code,full_name,manager_code\nB-001,Hijack,\n")},
    "POST /employees/import/preview": {"upload": ("employees.csv", b"employee_code,full_name\nB-001,Hijack\n")},
    "GET /jobs/{job_id}": {"ids": {"job_id": "b_job"}},
    "GET /jobs/{job_id}/error-report": {"ids": {"job_id": "b_job"}},
    "GET /employees/{employee_id}": {"ids": {"employee_id": "b_employee"}},
    "PATCH /employees/{employee_id}": {"ids": {"employee_id": "b_employee"}, "body": {"full_name": "Hijacked"}},
    "POST /employees/{employee_id}/terminate": {"ids": {"employee_id": "b_employee"}, "body": {}},
    "GET /employees/{employee_id}/reports": {"ids": {"employee_id": "b_employee"}},
    "GET /employees/{employee_id}/photo": {"ids": {"employee_id": "b_employee"}},
    "POST /employees/{employee_id}/photo": {"ids": {"employee_id": "b_employee"}, "upload": ("p.png", b"x")},
    "DELETE /employees/{employee_id}/photo": {"ids": {"employee_id": "b_employee"}},
    "GET /org-chart": {"lists": True},
    "GET /org-chart/path/{employee_id}": {"ids": {"employee_id": "b_employee"}},
    "GET /org-settings": {},
    "PATCH /org-settings": {"body": {"self_service_fields": []}},
    "GET /auth/sessions": {"lists": True},
    "DELETE /auth/sessions": {},
    "DELETE /auth/sessions/{session_id}": {"ids": {"session_id": "b_session"}},
    "GET /auth/tokens": {"lists": True},
    "POST /auth/tokens": {"body": {"name": "isolation"}},
    "DELETE /auth/tokens/{token_id}": {"ids": {"token_id": "b_token"}},
    "POST /auth/two-factor/setup": {},
    "POST /auth/two-factor/enable": {"body": {"code": "123456"}},
    "POST /auth/two-factor/disable": {"body": {"password": PASSWORD}},
    # The caller's own account: nothing in them names a workspace; B's owner's address is taken, not reached.
    "POST /auth/two-factor/recovery-codes": {"body": {"password": PASSWORD}},
    "POST /auth/password": {"body": {"current_password": PASSWORD, "new_password": "Another-Sturdy-Phrase-7"}},
    "POST /auth/email": {"body": {"new_email": "owner@globex.test", "password": PASSWORD}},
    "POST /auth/email/confirm": {"body": {"code": "123456"}},
    "GET /auth/profile": {},
    "PATCH /auth/profile": {"body": {"full_name": "Renamed", "time_zone": "Europe/Berlin"}},
    "GET /auth/profile/photo": {},
    "POST /auth/profile/photo": {"upload": ("p.png", b"x")},
    "DELETE /auth/profile/photo": {},
    # notifications (notifications/api.py): the caller's own, seen from the token's workspace
    "GET /notifications": {"lists": True},
    "GET /notifications/unread-count": {},
    "POST /notifications/read-all": {},
    "POST /notifications/{notification_id}/read": {"ids": {"notification_id": "b_notification"}},
    "POST /notifications/{notification_id}/unread": {"ids": {"notification_id": "b_notification"}},
    "GET /notification-preferences": {},
    "PUT /notification-preferences": {"body": {"quiet_hours": {"enabled": True}}},
    # webhooks (webhooks/api.py)
    "GET /webhooks": {"lists": True},
    "POST /webhooks": {"body": {"url": "https://hooks.example.test/a", "events": ["*"]}},
    "GET /webhooks/event-types": {"lists": True},
    "GET /webhooks/{webhook_id}": {"ids": {"webhook_id": "b_webhook"}},
    "PATCH /webhooks/{webhook_id}": {"ids": {"webhook_id": "b_webhook"}, "body": {"active": False,
                                                                                  "rotate_secret": True}},
    "DELETE /webhooks/{webhook_id}": {"ids": {"webhook_id": "b_webhook"}},
    "GET /webhooks/{webhook_id}/deliveries": {"ids": {"webhook_id": "b_webhook"}},
    "POST /webhooks/{webhook_id}/test": {"ids": {"webhook_id": "b_webhook"}},
    "POST /webhooks/{webhook_id}/deliveries/{delivery_id}/resend": {
        "ids": {"webhook_id": "b_webhook", "delivery_id": "b_delivery"}},
    # crm: leads, conversion, web forms (crm/api/leads.py, web_forms.py)
    "GET /leads": {"lists": True},
    "POST /leads": {"body": {"full_name": "Isolation", "email": "lead@globex.test", "owner_id": "b_membership"},
                    "body_ids": True},
    "GET /leads/{lead_id}": {"ids": {"lead_id": "b_lead"}},
    "PATCH /leads/{lead_id}": {"ids": {"lead_id": "b_lead"}, "body": {"full_name": "Hijacked"}},
    "DELETE /leads/{lead_id}": {"ids": {"lead_id": "b_lead"}},
    "POST /leads/{lead_id}/convert": {"ids": {"lead_id": "b_lead"}, "body": {"create_deal": True}},
    "GET /web-forms": {"lists": True},
    "POST /web-forms": {"body": {"name": "Isolation", "assignees": ["b_membership"]}, "body_ids": True},
    "GET /web-forms/{web_form_id}": {"ids": {"web_form_id": "b_web_form"}},
    "PATCH /web-forms/{web_form_id}": {"ids": {"web_form_id": "b_web_form"}, "body": {"name": "Renamed"}},
    "DELETE /web-forms/{web_form_id}": {"ids": {"web_form_id": "b_web_form"}},
    "POST /web-forms/{web_form_id}/rotate-key": {"ids": {"web_form_id": "b_web_form"}},
    # crm: pipelines, deals, stage changes, forecast (crm/api/pipelines.py, deals.py)
    "GET /pipelines": {"lists": True},
    "POST /pipelines": {"body": {"name": "Isolation", "stages": [{"name": "One", "probability": 5}],
                                 "assignees": ["b_membership"]}, "body_ids": True},
    "GET /pipelines/{pipeline_id}": {"ids": {"pipeline_id": "b_pipeline"}},
    "PATCH /pipelines/{pipeline_id}": {"ids": {"pipeline_id": "b_pipeline"}, "body": {"name": "Renamed"}},
    "DELETE /pipelines/{pipeline_id}": {"ids": {"pipeline_id": "b_pipeline"}},
    "GET /deals": {"lists": True},
    "GET /deals/forecast": {"lists": True},
    "POST /deals": {"body": {"name": "Isolation", "pipeline_id": "b_pipeline", "stage_id": "b_stage",
                             "contact_id": "b_contact", "company_id": "b_company", "owner_id": "b_membership"},
                    "body_ids": True},
    "GET /deals/{deal_id}": {"ids": {"deal_id": "b_deal"}},
    "PATCH /deals/{deal_id}": {"ids": {"deal_id": "b_deal"}, "body": {"name": "Hijacked"}},
    "DELETE /deals/{deal_id}": {"ids": {"deal_id": "b_deal"}},
    "POST /deals/{deal_id}/move": {"ids": {"deal_id": "b_deal"}, "body": {"stage_id": 1}},
    "GET /deals/{deal_id}/stage-changes": {"ids": {"deal_id": "b_deal"}},
    # crm: import and export (crm/api/imports.py): B's emails and domains never match, B's rows never export
    "POST /leads/import": {"upload": ("leads.csv", b"full_name,email\nHijack,lead@globex.test\n")},
    "POST /leads/import/preview": {"upload": ("leads.csv", b"full_name,email\nHijack,lead@globex.test\n")},
    "GET /leads/export": {"lists": True},
    "POST /contacts/import": {"upload": ("contacts.csv", b"full_name,email,company_domain\nHijack,contact@globex.test,"
                                                         b"globex.test\n")},
    "POST /contacts/import/preview": {"upload": ("contacts.csv", b"full_name,email\nHijack,contact@globex.test\n")},
    "GET /contacts/export": {"lists": True},
    "POST /companies/import": {"upload": ("companies.csv", b"name,domain\nHijack,globex.test\n")},
    "POST /companies/import/preview": {"upload": ("companies.csv", b"name,domain\nHijack,globex.test\n")},
    "GET /companies/export": {"lists": True},
    "POST /deals/import": {"upload": ("deals.csv", b"name,pipeline,contact_email\n"
                                                   b"Hijack,B-Pipeline,contact@globex.test\n")},
    "POST /deals/import/preview": {"upload": ("deals.csv", b"name,pipeline\nHijack,B-Pipeline\n")},
    "GET /deals/export": {"lists": True},
    # crm: contacts, companies, custom fields, duplicates, merge, bulk (crm/api/contacts.py, companies.py,
    # custom_fields.py, duplicates.py, bulk.py). Merge and bulk take B's ids as "not found / not matched"
    # (404 / matched 0, tested in tests/crm/test_merge.py and test_bulk.py); here they run on A's own rows.
    "GET /contacts": {"lists": True},
    "POST /contacts": {"body": {"full_name": "Isolation", "company_ids": ["b_company"], "owner_id": "b_membership"},
                       "body_ids": True},
    "GET /contacts/{contact_id}": {"ids": {"contact_id": "b_contact"}},
    "PATCH /contacts/{contact_id}": {"ids": {"contact_id": "b_contact"}, "body": {"full_name": "Hijacked"}},
    "DELETE /contacts/{contact_id}": {"ids": {"contact_id": "b_contact"}},
    "GET /companies": {"lists": True},
    "POST /companies": {"body": {"name": "Isolation", "owner_id": "b_membership"}, "body_ids": True},
    "GET /companies/{company_id}": {"ids": {"company_id": "b_company"}},
    "PATCH /companies/{company_id}": {"ids": {"company_id": "b_company"}, "body": {"name": "Hijacked"}},
    "DELETE /companies/{company_id}": {"ids": {"company_id": "b_company"}},
    "GET /companies/{company_id}/contacts": {"ids": {"company_id": "b_company"}},
    "GET /custom-fields": {"lists": True},
    "POST /custom-fields": {"body": {"entity": "contact", "name": "b_field", "label": "Isolation", "type": "text"}},
    "GET /custom-fields/{field_id}": {"ids": {"field_id": "b_custom_field"}},
    "PATCH /custom-fields/{field_id}": {"ids": {"field_id": "b_custom_field"}, "body": {"label": "Hijacked"}},
    "DELETE /custom-fields/{field_id}": {"ids": {"field_id": "b_custom_field"}},
    "GET /contacts/duplicates": {"lists": True},
    "GET /companies/duplicates": {"lists": True},
    "GET /leads/duplicates": {"lists": True},
    "POST /contacts/merge": {"body": {"target_id": 987654321, "source_id": 987654320}},
    "POST /companies/merge": {"body": {"target_id": 987654321, "source_id": 987654320}},
    "POST /leads/merge": {"body": {"target_id": 987654321, "source_id": 987654320}},
    **{f"POST /{plural}/bulk-update": {"body": {"filter": {}, "set": {"add_tags": ["isolation"]}}}
       for plural in ("leads", "contacts", "companies", "deals")},
    **{f"POST /{plural}/bulk-delete": {"body": {"filter": {"q": "B-"}, "confirm_count": 0}}
       for plural in ("leads", "contacts", "companies", "deals")},
    # crm: activities, notes, timelines (crm/api/activities.py, notes.py, timeline.py)
    "GET /activities": {"lists": True},
    "POST /activities": {"body": {"kind": "call", "subject": "Isolation", "deal_id": "b_deal",
                                  "owner_id": "b_membership"}, "body_ids": True},
    "GET /activities/{activity_id}": {"ids": {"activity_id": "b_activity"}},
    "PATCH /activities/{activity_id}": {"ids": {"activity_id": "b_activity"}, "body": {"subject": "Hijacked"}},
    "DELETE /activities/{activity_id}": {"ids": {"activity_id": "b_activity"}},
    "POST /activities/{activity_id}/done": {"ids": {"activity_id": "b_activity"}},
    "POST /activities/{activity_id}/undone": {"ids": {"activity_id": "b_activity"}},
    "GET /notes": {"lists": True},
    "POST /notes": {"body": {"body": "Isolation", "contact_id": "b_contact"}, "body_ids": True},
    "GET /notes/{note_id}": {"ids": {"note_id": "b_note"}},
    "PATCH /notes/{note_id}": {"ids": {"note_id": "b_note"}, "body": {"body": "Hijacked"}},
    "DELETE /notes/{note_id}": {"ids": {"note_id": "b_note"}},
    "GET /leads/{record_id}/timeline": {"ids": {"record_id": "b_lead"}},
    "GET /contacts/{record_id}/timeline": {"ids": {"record_id": "b_contact"}},
    "GET /companies/{record_id}/timeline": {"ids": {"record_id": "b_company"}},
    "GET /deals/{record_id}/timeline": {"ids": {"record_id": "b_deal"}},
    # holidays (attendance/api/holidays.py)
    "GET /holidays": {"lists": True},
    "POST /holidays": {"body": {"date": "2031-01-01", "name": "Isolation", "branch_id": "b_branch"}, "body_ids": True},
    "POST /holidays/fill": {"body": {"branch_id": "b_branch", "year": 2026}, "body_ids": True},
    "POST /holidays/import": {"upload": ("holidays.csv", b"date,name\n2031-01-02,Isolation\n")},
    "GET /holidays/{holiday_id}": {"ids": {"holiday_id": "b_holiday"}},
    "PATCH /holidays/{holiday_id}": {"ids": {"holiday_id": "b_holiday"}, "body": {"name": "Hijacked"}},
    "DELETE /holidays/{holiday_id}": {"ids": {"holiday_id": "b_holiday"}},
    # leave types, balances, ledger, adjustments (leave/api/types.py, leave/api/balances.py)
    "GET /leave/types": {"lists": True},
    "POST /leave/types": {"body": {"code": "isolation", "name": "Isolation"}},
    "GET /leave/types/{leave_type_id}": {"ids": {"leave_type_id": "b_leave_type"}},
    "PATCH /leave/types/{leave_type_id}": {"ids": {"leave_type_id": "b_leave_type"}, "body": {"name": "Hijacked"}},
    "GET /leave/balances": {"lists": True},
    "GET /leave/ledger": {"lists": True},
    "POST /leave/adjustments": {"body": {"employee_id": "b_employee", "leave_type_id": "b_leave_type", "days": 1,
                                         "reason": "Hijack"}, "body_ids": True},
    # leave requests, approvals, delegations (leave/api/requests.py, leave/api/delegations.py)
    "GET /leave/requests": {"lists": True},
    "GET /leave/requests/preview": {},
    "POST /leave/requests": {"body": {"leave_type_id": "b_leave_type", "start_date": "2030-01-07",
                                      "end_date": "2030-01-07", "employee_id": "b_employee"}, "body_ids": True},
    "POST /leave/requests/upload": {"upload": ("note.pdf", b"%PDF-1.4 isolation")},
    "GET /leave/requests/{request_id}": {"ids": {"request_id": "b_leave_request"}},
    "POST /leave/requests/{request_id}/attachment": {"ids": {"request_id": "b_leave_request"},
                                                     "upload": ("note.pdf", b"%PDF-1.4 isolation")},
    **{f"POST /leave/requests/{{request_id}}/{action}": {"ids": {"request_id": "b_leave_request"},
                                                          "body": {"comment": "Hijacked"}}
       for action in ("approve", "reject", "cancel", "comment")},
    "GET /leave/delegations": {"lists": True},
    "POST /leave/delegations": {"body": {"delegate_id": "b_membership", "starts_on": "2030-01-01",
                                         "ends_on": "2030-01-02"}, "body_ids": True},
    "DELETE /leave/delegations/{delegation_id}": {"ids": {"delegation_id": "b_delegation"}},
    # leave calendar and feeds (leave/api/calendar.py), the monthly report (attendance/api/reports.py)
    "GET /leave/calendar": {"lists": True},
    "GET /leave/calendar/feeds": {"lists": True},
    "POST /leave/calendar/feeds/{scope}/rotate": {},
    "GET /attendance/reports/monthly": {"lists": True},
    "GET /attendance/reports/monthly/export": {"lists": True},
    # clocking, policy, allowed sites, kiosks and PINs (attendance/api/{clocking,policy,sites,kiosks}.py).
    # An employee_id of B's in a clocking body is a 404 (tests/attendance/test_clocking_api.py); here A clocks itself.
    **{f"POST /attendance/{action}": {"body": {}} for action in ("clock-in", "clock-out", "break-start", "break-end")},
    "GET /attendance/status": {},
    "GET /attendance/policy": {},
    "PUT /attendance/policy": {"body": {"kiosk_enabled": True}},
    "GET /attendance/sites": {"lists": True},
    "POST /attendance/sites": {"body": {"name": "Isolation", "branch_id": "b_branch", "latitude": 1, "longitude": 1},
                               "body_ids": True},
    "GET /attendance/sites/{site_id}": {"ids": {"site_id": "b_site"}},
    "PATCH /attendance/sites/{site_id}": {"ids": {"site_id": "b_site"}, "body": {"name": "Hijacked"}},
    "DELETE /attendance/sites/{site_id}": {"ids": {"site_id": "b_site"}},
    "GET /attendance/kiosks": {"lists": True},
    "POST /attendance/kiosks": {"body": {"name": "Isolation", "branch_id": "b_branch"}, "body_ids": True},
    "PATCH /attendance/kiosks/{kiosk_id}": {"ids": {"kiosk_id": "b_kiosk"}, "body": {"name": "Hijacked"}},
    "DELETE /attendance/kiosks/{kiosk_id}": {"ids": {"kiosk_id": "b_kiosk"}},
    "POST /attendance/kiosks/{kiosk_id}/rotate-key": {"ids": {"kiosk_id": "b_kiosk"}},
    "PUT /attendance/pins/{employee_id}": {"ids": {"employee_id": "b_employee"}, "body": {"pin": "4812"}},
    "DELETE /attendance/pins/{employee_id}": {"ids": {"employee_id": "b_employee"}},
    "PUT /attendance/my-pin": {"body": {"pin": "4812"}},
    # shifts, assignments, records and corrections (attendance/api/{shifts,records,corrections}.py)
    "GET /attendance/shifts": {"lists": True},
    "POST /attendance/shifts": {"body": {"name": "Isolation", "starts": "09:00", "ends": "17:00"}},
    "GET /attendance/shifts/{shift_id}": {"ids": {"shift_id": "b_shift"}},
    "PATCH /attendance/shifts/{shift_id}": {"ids": {"shift_id": "b_shift"}, "body": {"name": "Hijacked"}},
    "DELETE /attendance/shifts/{shift_id}": {"ids": {"shift_id": "b_shift"}},
    "GET /attendance/shift-assignments": {"lists": True},
    "POST /attendance/shift-assignments": {"body": {"shift_id": "b_shift", "branch_id": "b_branch",
                                                    "starts_on": "2031-01-01"}, "body_ids": True},
    "PATCH /attendance/shift-assignments/{assignment_id}": {"ids": {"assignment_id": "b_shift_assignment"},
                                                            "body": {"ends_on": "2031-01-01"}},
    "DELETE /attendance/shift-assignments/{assignment_id}": {"ids": {"assignment_id": "b_shift_assignment"}},
    "GET /attendance/records": {"lists": True},
    "GET /attendance/corrections": {"lists": True},
    "POST /attendance/corrections": {"body": {"work_date": "2026-01-05", "clock_in": "2026-01-05T09:00:00+00:00",
                                              "clock_out": "2026-01-05T17:00:00+00:00", "reason": "Isolation"}},
    "GET /attendance/corrections/{correction_id}": {"ids": {"correction_id": "b_correction"}},
    **{f"POST /attendance/corrections/{{correction_id}}/{action}": {"ids": {"correction_id": "b_correction"},
                                                                     "body": {"comment": "Hijacked"}}
       for action in ("approve", "reject")},
    "POST /attendance/corrections/{correction_id}/withdraw": {"ids": {"correction_id": "b_correction"}},
}


def operations() -> set[str]:
    schema = api.get_openapi_schema()
    found = set()
    for path, methods in schema["paths"].items():
        for method in methods:
            found.add(f"{method.upper()} {path.removeprefix(PREFIX)}")
    return found


def fingerprint(workspace, users) -> str:
    """A digest of every row that belongs to `workspace` or to its users."""
    rows = []
    user_ids = [u.pk for u in users]
    for model in apps.get_models():
        manager = model._base_manager
        fields = {f.name for f in model._meta.concrete_fields}
        if "workspace" in fields:
            rows.append((model.__name__, list(manager.filter(workspace=workspace).order_by("pk").values())))
        if "user" in fields:
            rows.append((model.__name__, list(manager.filter(user_id__in=user_ids).order_by("pk").values())))
        if model._meta.label == "accounts.User":
            rows.append((model.__name__, list(manager.filter(pk__in=user_ids).order_by("pk").values())))
    return hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()


@pytest.fixture
def world(workspace, other_workspace, admin, member, hr):
    """Workspace A (acme) with owner, admin, member; workspace B (globex) with an owner, a member,
    a pending invitation, a session and a token."""
    b_owner = other_workspace.owner
    b_member = add_member(other_workspace, b_owner, "member@globex.test", "member")
    with workspace_scope(other_workspace):
        b_membership = Membership.objects.get(user=b_member)
        owner_membership = Membership.objects.get(user=b_owner)
        actor = Actor(user=b_owner, workspace=other_workspace, membership=owner_membership, role="owner")
        b_invitation = invite_member(actor, email="pending@globex.test", role="member")
        b_role = create_role(actor, name="B-Secret-Role", permissions=["workspace.member.view"])
        b_branch = org_services.create_branch(actor, name="B-Branch", time_zone="UTC")
        b_department = org_services.create_department(actor, name="B-Department")
        b_employee = org_services.create_employee(actor, code="B-001", full_name="B-Employee", branch=b_branch,
                                                  department=b_department, birth_date="1980-01-01")
        b_job = Job.objects.create(workspace=other_workspace, kind="org.employee.import", state="succeeded",
                                   created_by=owner_membership, result={"created": 1},
                                   params={"error_report": f"workspaces/{other_workspace.pk}/imports/x.csv"})
    b_token_secret = token_for(b_owner, other_workspace, name="b-token")
    from oorg.accounts.models import ApiToken

    b_token = ApiToken.all_workspaces.get(name="b-token")
    b_session = UserSession.objects.create(public_id="b-session", user=b_owner)
    UserSession.objects.create(public_id="a-session", user=workspace.owner)
    import uuid

    from oorg.notifications.models import Notification

    b_notification = Notification.objects.create(user=b_member, workspace=other_workspace, event_id=uuid.uuid4(),
                                                 kind="workspaces.role_changed", title="B-Notification")
    from oorg.webhooks import services as webhooks

    with workspace_scope(other_workspace):
        b_webhook, _secret = webhooks.create_subscription(actor, url="https://hooks.globex.test/b", events=["*"])
        b_delivery = webhooks.send_test_event(actor, b_webhook)  # its send waits for a commit that never comes
    crm = _crm_records(other_workspace, owner_membership, b_owner)
    time_records = _time_records(other_workspace, owner_membership, b_membership, b_branch, b_employee)
    return {
        **crm, **time_records,
        "a": workspace, "b": other_workspace, "a_users": [workspace.owner, admin, member, hr],
        "b_users": [b_owner, b_member],
        "b_membership": b_membership.pk, "b_invitation": b_invitation.pk, "b_role": b_role.pk,
        "b_branch": b_branch.pk, "b_department": b_department.pk, "b_employee": b_employee.pk, "b_token": b_token.pk,
        "b_session": b_session.pk, "b_token_secret": b_token_secret, "b_job": b_job.pk,
        "b_notification": b_notification.pk, "b_webhook": b_webhook.pk, "b_delivery": b_delivery.pk,
    }


def _crm_records(workspace, owner_membership, owner) -> dict:
    """B's CRM: one of each record and definition, named B-... (the markers below)."""
    from oorg.crm import models as crm

    ws = {"workspace": workspace}
    with workspace_scope(workspace):
        company = crm.Company.objects.create(**ws, name="B-Company", domain="globex.test", owner=owner_membership)
        contact = crm.Contact.objects.create(**ws, full_name="B-Contact", email="contact@globex.test",
                                             owner=owner_membership)
        crm.ContactCompany.objects.create(**ws, contact=contact, company=company)
        lead = crm.Lead.objects.create(**ws, full_name="B-Lead", email="lead@globex.test", owner=owner_membership)
        pipeline = crm.Pipeline.objects.create(**ws, name="B-Pipeline")
        stage = crm.Stage.objects.create(**ws, pipeline=pipeline, name="B-Stage", probability=10)
        deal = crm.Deal.objects.create(**ws, name="B-Deal", pipeline=pipeline, stage=stage, contact=contact,
                                       company=company, owner=owner_membership)
        activity = crm.Activity.objects.create(**ws, kind="call", subject="B-Activity", deal=deal,
                                               owner=owner_membership)
        note = crm.Note.objects.create(**ws, body="<p>B-Note</p>", contact=contact, author=owner)
        entry = crm.TimelineEntry.objects.create(**ws, kind="note", note=note, contact=contact, summary="B-Note")
        field = crm.CustomField.objects.create(**ws, entity="contact", name="b_field", label="B-Field", type="text")
        form = crm.WebForm.objects.create(**ws, name="B-Form", key="b-form-key-" + "x" * 20)
        view = crm.SavedView.objects.create(**ws, user=owner, entity="lead", name="B-View")
    return {"b_company": company.pk, "b_contact": contact.pk, "b_lead": lead.pk, "b_pipeline": pipeline.pk,
            "b_stage": stage.pk, "b_deal": deal.pk, "b_activity": activity.pk, "b_note": note.pk,
            "b_timeline_entry": entry.pk, "b_custom_field": field.pk, "b_web_form": form.pk, "b_saved_view": view.pk,
            "b_web_form_key": form.key}


def _time_records(workspace, owner_membership, b_membership, branch, employee) -> dict:
    """B's attendance and leave: one of each, named B-... (the employee is B's owner's)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from oorg.attendance import models as att
    from oorg.leave import models as lv

    ws = {"workspace": workspace}
    now = timezone.now()
    with workspace_scope(workspace):
        employee.member = owner_membership
        employee.save(update_fields=["member"])
        shift = att.Shift.objects.create(**ws, name="B-Shift", starts=dt.time(9), ends=dt.time(17))
        assignment = att.ShiftAssignment.objects.create(**ws, shift=shift, employee=employee,
                                                        starts_on=dt.date(2026, 1, 1))
        holiday = att.Holiday.objects.create(**ws, branch=branch, date=dt.date(2026, 12, 25), name="B-Holiday")
        site = att.Site.objects.create(**ws, name="B-Site", branch=branch, latitude=Decimal("40.7"),
                                       longitude=Decimal("-74.0"), radius_m=100)
        session = att.Session.objects.create(**ws, employee=employee, work_date=now.date(),
                                             started_at=now - dt.timedelta(hours=8),
                                             ended_at=now - dt.timedelta(hours=1), start_source="web", end_source="web")
        correction = att.Correction.objects.create(**ws, employee=employee, session=session, work_date=now.date(),
                                                   clock_in=now - dt.timedelta(hours=9),
                                                   clock_out=now - dt.timedelta(hours=1), reason="B-Correction",
                                                   requested_by=owner_membership)
        kiosk = att.Kiosk.objects.create(**ws, name="B-Kiosk", key_hash="b" * 64, key_sealed="x")
        leave_type = lv.LeaveType.objects.create(**ws, code="b-type", name="B-LeaveType", days_per_year=Decimal(3))
        request = lv.LeaveRequest.objects.create(**ws, employee=employee, leave_type=leave_type,
                                                 start_date=dt.date(2026, 12, 21), end_date=dt.date(2026, 12, 22),
                                                 working_days=Decimal(2), note="B-Request",
                                                 requested_by=owner_membership)
        entry = lv.LedgerEntry.objects.create(**ws, employee=employee, leave_type=leave_type, kind="adjustment",
                                              days=Decimal(3), effective_on=dt.date(2026, 1, 1), reason="B-Ledger")
        delegation = lv.Delegation.objects.create(**ws, delegator=owner_membership, delegate=b_membership,
                                                  starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    return {"b_shift": shift.pk, "b_shift_assignment": assignment.pk, "b_holiday": holiday.pk, "b_site": site.pk,
            "b_session": session.pk, "b_correction": correction.pk, "b_kiosk": kiosk.pk, "b_leave_type": leave_type.pk,
            "b_leave_request": request.pk, "b_ledger_entry": entry.pk, "b_delegation": delegation.pk}


TIME_MARKERS = ("B-Shift", "B-Holiday", "B-Site", "B-Correction", "B-Kiosk", "B-LeaveType", "B-Request", "B-Ledger")


CRM_MARKERS = ("B-Company", "B-Contact", "B-Lead", "B-Pipeline", "B-Stage", "B-Deal", "B-Activity", "B-Note",
               "B-Field", "B-Form", "B-View", "globex.test")


def assert_harness_covers(found: set[str], exercised: dict, public: dict, kind: str) -> None:
    unlisted = found - set(exercised) - set(public)
    stale = (set(exercised) | set(public)) - found
    assert not unlisted, f"{kind} the tenant-isolation harness does not exercise: {sorted(unlisted)}"
    assert not stale, f"harness lists {kind} that no longer exist: {sorted(stale)}"


def test_every_route_is_in_the_harness():
    assert_harness_covers(operations(), ROUTES, PUBLIC, "routes")


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_refuses_anonymous_callers(db, route):
    method, path = route.split(" ", 1)
    path = path.replace("{", "").replace("}", "")  # any value: auth is checked before the id
    path = "/".join("1" if part.endswith("_id") else part for part in path.split("/"))
    response = ApiClient().request(method, path, {} if method in ("POST", "PATCH", "PUT") else None)
    assert response.status_code == 401, f"{route} answered {response.status_code} without a token"


def _send(client, method, path, spec, world):
    if "upload" in spec:
        return client.upload(path, *spec["upload"])
    body = spec.get("body", {})
    if spec.get("body_ids"):  # values naming B's objects become their ids (in lists too)
        def b_id(v):
            return world[v] if isinstance(v, str) and v.startswith("b_") else [b_id(x) for x in v] if isinstance(
                v, list) else v
        body = {k: b_id(v) for k, v in body.items()}
    return client.request(method, path, body if method in ("POST", "PATCH", "PUT") else None)


@pytest.mark.parametrize("role", ["owner", "admin", "hr", "member"])
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_never_reaches_another_workspace(world, route, role):
    user = dict(zip(["owner", "admin", "member", "hr"], world["a_users"], strict=True))[role]
    client = ApiClient(token_for(user, world["a"], name=f"{role}-harness"))
    spec = ROUTES[route]
    method, template = route.split(" ", 1)
    path, absent_path = template, template
    for param, key in spec.get("ids", {}).items():
        path = path.replace("{" + param + "}", str(world[key]))
        absent_path = absent_path.replace("{" + param + "}", "987654321")
    before = fingerprint(world["b"], world["b_users"])

    response = _send(client, method, path, spec, world)

    assert response.status_code < 500, f"{route} crashed: {response.content[:300]}"
    if spec.get("body_ids"):  # B's ids in a body are refused like ids that exist nowhere
        assert response.status_code in (403, 422), f"{route} as {role} accepted B's ids: {response.status_code}"
    if spec.get("ids"):
        # B's id must look exactly like an id that exists nowhere: 404 (or the same 403 a role without
        # the permission gets for any id, which tells nothing about existence).
        absent = _send(client, method, absent_path, spec, world)
        assert response.status_code == absent.status_code, f"{route} as {role}: B's id and a missing id differ"
        assert response.json() == absent.json()
        expected = {404} if role == "owner" else {403, 404}
        assert response.status_code in expected, f"{route} as {role} on B's object answered {response.status_code}"
    assert fingerprint(world["b"], world["b_users"]) == before, f"{route} as {role} changed workspace B's data"
    if spec.get("lists") and response.status_code == 200:
        text = response.getvalue().decode()  # exports stream
        for marker in ("globex", "B-Notification", "B-Secret-Role", "B-Branch", "B-Department", "B-Employee", "B-001",
                       "pending@globex.test", "b-token", "member@globex.test", *CRM_MARKERS, *TIME_MARKERS):
            assert marker not in text, f"{route} leaked {marker!r} from workspace B"


def test_a_b_token_cannot_be_used_with_a_workspace_a_path(world):
    # The workspace always comes from the token: B's token sees B only.
    client = ApiClient(world["b_token_secret"])
    assert client.get("/me").json()["workspace"]["slug"] == "globex"
    members = client.get("/members").json()
    assert {m["user"]["email"] for m in members["items"]} == {"owner@globex.test", "member@globex.test"}


def test_audit_events_of_b_stay_in_b(world):
    a_client = ApiClient(token_for(world["a_users"][0], world["a"], name="audit"))
    ids, url = set(), "/audit-events?limit=200"
    while url:  # every page, following the cursor
        page = a_client.get(url).json()
        ids |= {e["id"] for e in page["items"]}
        url = page["next_cursor"] and f"/audit-events?limit=200&cursor={page['next_cursor']}"
    b_ids = set(AuditEvent.objects.filter(workspace=world["b"]).values_list("pk", flat=True))
    assert ids and not ids & b_ids


def test_invitation_is_created_in_the_callers_workspace_only(world):
    client = ApiClient(token_for(world["a_users"][0], world["a"], name="inv"))
    response = client.post("/invitations", {"email": "someone@example.test", "role": "member"})
    assert response.status_code == 201
    assert Invitation.all_workspaces.get(pk=response.json()["id"]).workspace_id == world["a"].pk
