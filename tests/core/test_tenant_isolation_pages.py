"""The same proof for HTML pages: every URL pattern outside the API is listed here, anonymous callers
are sent to sign in unless the page is public, and a workspace-A user aimed at workspace B (its slug
or its object ids) gets 404 and changes nothing of B's."""
from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.web.pages import signed_in_client

from .test_tenant_isolation import assert_harness_covers, fingerprint, world  # noqa: F401  (world: a fixture)

PUBLIC_PAGES = {
    "healthz": "load balancer probe",
    "": "landing page",
    "privacy": "the privacy policy",
    "terms": "the terms",
    "signup": "sign up", "verify": "verify email", "signin": "sign in",
    "signin/two-factor": "second step of sign-in (needs the first)",
    "reset": "password reset", "reset/confirm": "password reset",
    "invitations/accept": "accept an invitation with its code",
    "signout": "POST only; signs out whoever is signed in",
    "app": "redirects to the right place for anyone",
    "^api/": "JSON 404 for unknown API paths",
    "unsubscribe/<str:token>": "an email's unsubscribe link: the signed token is the proof, no sign-in",
    "f/<str:key>": "the public web-to-lead form: its secret key names the workspace (crm/views/public.py)",
    "f/<str:key>/thanks": "the public web form's thank-you page",
    "feeds/leave/<str:token>.ics": "a leave iCal feed: its secret token names the workspace (leave/views/feeds.py)",
    "kiosk/<str:key>/": "the attendance kiosk: its secret key names the workspace (attendance/views/kiosk.py)",
}

# Pages that need a sign-in: how to aim each at workspace B. "slug" pages get B's slug; `ids` put B's
# object ids into a page of A's own workspace. POST bodies are what the page's form would send.
PAGES = {
    "w/<slug:workspace_slug>/": {"slug": True},
    "w/<slug:workspace_slug>/members/": {"slug": True},
    "w/<slug:workspace_slug>/members/invite": {"slug": True, "post": {"email": "x@example.test", "role": "member"}},
    "w/<slug:workspace_slug>/members/<int:membership_id>/role": {
        "ids": {"membership_id": "b_membership"}, "post": {"role": "admin"}},
    "w/<slug:workspace_slug>/invitations/<int:invitation_id>/withdraw": {
        "ids": {"invitation_id": "b_invitation"}, "post": {}},
    "w/<slug:workspace_slug>/audit/": {"slug": True},
    "w/<slug:workspace_slug>/settings/": {"slug": True, "post": {"name": "Hijacked", "time_zone": "UTC",
                                                                 "locale": "en-GB"}},
    # workspace management (workspaces/views.py): security, logo, remove, leave, ownership transfer, another one
    "w/<slug:workspace_slug>/settings/security": {"slug": True, "post": {"require_two_factor": "on"}},
    "w/<slug:workspace_slug>/settings/logo": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/settings/logo/remove": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/logo": {"slug": True},
    "w/<slug:workspace_slug>/members/<int:membership_id>/remove": {"ids": {"membership_id": "b_membership"},
                                                                    "post": {}},
    "w/<slug:workspace_slug>/members/<int:membership_id>/transfer-ownership": {
        "ids": {"membership_id": "b_membership"}, "post": {}},
    "w/<slug:workspace_slug>/ownership-transfer/accept": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/ownership-transfer/cancel": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/leave": {"slug": True, "post": {}},
    "workspaces/new": {"post": {"name": "Isolation"}},
    # roles editor and organization setup (workspaces/role_views.py, org/setup_views.py)
    "w/<slug:workspace_slug>/roles/": {"slug": True},
    "w/<slug:workspace_slug>/roles/new": {"slug": True, "post": {"name": "Isolation",
                                                                 "permissions": ["workspace.member.view"]}},
    "w/<slug:workspace_slug>/roles/<int:role_id>/edit": {
        "ids": {"role_id": "b_role"}, "post": {"name": "Renamed", "permissions": ["workspace.member.view"]}},
    "w/<slug:workspace_slug>/roles/<int:role_id>/delete": {"ids": {"role_id": "b_role"}, "post": {}},
    "w/<slug:workspace_slug>/organization/departments/": {"slug": True},
    "w/<slug:workspace_slug>/organization/departments/new": {
        "slug": True, "post": {"name": "Isolation", "parent": "", "head": ""}},
    "w/<slug:workspace_slug>/organization/departments/<int:department_id>/edit": {
        "ids": {"department_id": "b_department"}, "post": {"name": "Renamed", "parent": "", "head": ""}},
    "w/<slug:workspace_slug>/organization/departments/<int:department_id>/delete": {
        "ids": {"department_id": "b_department"}, "post": {}},
    "w/<slug:workspace_slug>/organization/branches/": {"slug": True},
    "w/<slug:workspace_slug>/organization/branches/new": {
        "slug": True, "post": {"name": "Isolation", "time_zone": "UTC", "work_starts": "09:00", "work_ends": "17:00"}},
    "w/<slug:workspace_slug>/organization/branches/<int:branch_id>/edit": {
        "ids": {"branch_id": "b_branch"},
        "post": {"name": "Renamed", "time_zone": "UTC", "work_starts": "09:00", "work_ends": "17:00"}},
    "w/<slug:workspace_slug>/organization/branches/<int:branch_id>/delete": {
        "ids": {"branch_id": "b_branch"}, "post": {}},
    "w/<slug:workspace_slug>/organization/settings/": {"slug": True, "post": {"self_service_fields": ["phone"]}},
    "w/<slug:workspace_slug>/organization/import/": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/organization/import/confirm": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/organization/import/columns": {"slug": True, "post": {"header": ["a"], "column": [""]}},
    "w/<slug:workspace_slug>/organization/import/jobs/<int:job_id>": {"ids": {"job_id": "b_job"}},
    "w/<slug:workspace_slug>/organization/import/jobs/<int:job_id>/errors.csv": {"ids": {"job_id": "b_job"}},
    "w/<slug:workspace_slug>/organization/import/template.csv": {"slug": True},
    # crm board, forecast, deal pages and pipeline settings (crm/views/board.py, forecast.py, deals.py, pipelines.py)
    "w/<slug:workspace_slug>/crm/board/": {"slug": True},
    "w/<slug:workspace_slug>/crm/board/deals/<int:deal_id>/move": {"ids": {"deal_id": "b_deal"},
                                                                   "post": {"stage_id": "1"}},
    "w/<slug:workspace_slug>/crm/forecast/": {"slug": True},
    "w/<slug:workspace_slug>/crm/deals/new": {"slug": True, "post": {"name": "Isolation", "stage_id": "1",
                                                                    "currency": "EUR"}},
    "w/<slug:workspace_slug>/crm/deals/<int:deal_id>/": {"ids": {"deal_id": "b_deal"}},
    "w/<slug:workspace_slug>/crm/deals/<int:deal_id>/edit": {
        "ids": {"deal_id": "b_deal"}, "post": {"name": "Hijacked", "stage_id": "1", "currency": "EUR"}},
    "w/<slug:workspace_slug>/crm/deals/<int:deal_id>/delete": {"ids": {"deal_id": "b_deal"}, "post": {}},
    "w/<slug:workspace_slug>/crm/pipelines/": {"slug": True},
    "w/<slug:workspace_slug>/crm/pipelines/new": {"slug": True, "post": {"name": "Isolation", "rows": "1",
                                                                        "stage_0_name": "One",
                                                                        "stage_0_probability": "5"}},
    "w/<slug:workspace_slug>/crm/pipelines/<int:pipeline_id>/edit": {
        "ids": {"pipeline_id": "b_pipeline"}, "post": {"name": "Renamed", "rows": "0"}},
    "w/<slug:workspace_slug>/crm/pipelines/<int:pipeline_id>/delete": {"ids": {"pipeline_id": "b_pipeline"},
                                                                        "post": {}},
    # crm import wizard and export (crm/views/imports.py)
    "w/<slug:workspace_slug>/crm/import/": {"slug": True, "post": {"entity": "contact"}},
    "w/<slug:workspace_slug>/crm/import/columns": {"slug": True, "post": {"header": ["a"], "column": [""]}},
    "w/<slug:workspace_slug>/crm/import/confirm": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/crm/import/jobs/<int:job_id>": {"ids": {"job_id": "b_job"}},
    "w/<slug:workspace_slug>/crm/import/jobs/<int:job_id>/errors.csv": {"ids": {"job_id": "b_job"}},
    "w/<slug:workspace_slug>/crm/export": {"slug": True},
    # crm lists, saved views, timelines, notes and activities (crm/views/lists.py, timeline.py, activities.py)
    "w/<slug:workspace_slug>/crm/leads/": {"slug": True},
    "w/<slug:workspace_slug>/crm/contacts/": {"slug": True},
    "w/<slug:workspace_slug>/crm/companies/": {"slug": True},
    "w/<slug:workspace_slug>/crm/deals/": {"slug": True},
    "w/<slug:workspace_slug>/crm/lists/columns/": {"slug": True, "post": {"entity": "lead", "columns": ["email"]}},
    "w/<slug:workspace_slug>/crm/lists/views/": {"slug": True, "post": {"entity": "lead", "name": "Isolation"}},
    "w/<slug:workspace_slug>/crm/lists/views/<int:view_id>/delete/": {"ids": {"view_id": "b_saved_view"},
                                                                       "post": {}},
    "w/<slug:workspace_slug>/crm/activities/": {"slug": True},
    "w/<slug:workspace_slug>/crm/timeline/lead/<int:record_id>/": {"ids": {"record_id": "b_lead"}},
    "w/<slug:workspace_slug>/crm/timeline/contact/<int:record_id>/": {"ids": {"record_id": "b_contact"}},
    "w/<slug:workspace_slug>/crm/timeline/company/<int:record_id>/": {"ids": {"record_id": "b_company"}},
    "w/<slug:workspace_slug>/crm/timeline/deal/<int:record_id>/": {"ids": {"record_id": "b_deal"}},
    "w/<slug:workspace_slug>/crm/notes/add/": {"slug": True, "post": {"entity": "lead", "record_id": "1",
                                                                      "body": "Isolation"}},
    "w/<slug:workspace_slug>/crm/notes/<int:note_id>/delete/": {"ids": {"note_id": "b_note"}, "post": {}},
    "w/<slug:workspace_slug>/crm/activities/add/": {"slug": True, "post": {"entity": "lead", "record_id": "1",
                                                                           "kind": "call", "subject": "Isolation"}},
    "w/<slug:workspace_slug>/crm/activities/<int:activity_id>/done/": {"ids": {"activity_id": "b_activity"},
                                                                        "post": {}},
    "w/<slug:workspace_slug>/crm/activities/<int:activity_id>/undone/": {"ids": {"activity_id": "b_activity"},
                                                                          "post": {}},
    # crm contact and company pages, custom fields settings, duplicates and merge, bulk change
    # (crm/views/contacts.py, companies.py, settings.py, merge.py, bulk.py)
    "w/<slug:workspace_slug>/crm/contacts/new": {"slug": True, "post": {"full_name": "Isolation",
                                                                       "add_company": "globex.test"}},
    "w/<slug:workspace_slug>/crm/contacts/<int:contact_id>/": {"ids": {"contact_id": "b_contact"}},
    "w/<slug:workspace_slug>/crm/contacts/<int:contact_id>/edit": {"ids": {"contact_id": "b_contact"},
                                                                    "post": {"full_name": "Hijacked"}},
    "w/<slug:workspace_slug>/crm/contacts/<int:contact_id>/delete": {"ids": {"contact_id": "b_contact"}, "post": {}},
    "w/<slug:workspace_slug>/crm/companies/new": {"slug": True, "post": {"name": "Isolation"}},
    "w/<slug:workspace_slug>/crm/companies/<int:company_id>/": {"ids": {"company_id": "b_company"}},
    "w/<slug:workspace_slug>/crm/companies/<int:company_id>/edit": {"ids": {"company_id": "b_company"},
                                                                     "post": {"name": "Hijacked"}},
    "w/<slug:workspace_slug>/crm/companies/<int:company_id>/delete": {"ids": {"company_id": "b_company"},
                                                                       "post": {}},
    "w/<slug:workspace_slug>/crm/settings/custom-fields/": {"slug": True},
    "w/<slug:workspace_slug>/crm/settings/custom-fields/new": {
        "slug": True, "post": {"entity": "contact", "label": "B field", "name": "b_field", "type": "text"}},
    "w/<slug:workspace_slug>/crm/settings/custom-fields/<int:field_id>/edit": {
        "ids": {"field_id": "b_custom_field"}, "post": {"label": "Hijacked"}},
    "w/<slug:workspace_slug>/crm/settings/custom-fields/<int:field_id>/delete": {
        "ids": {"field_id": "b_custom_field"}, "post": {}},
    "w/<slug:workspace_slug>/crm/duplicates/": {"slug": True},
    "w/<slug:workspace_slug>/crm/duplicates/merge": {"slug": True, "post": {"entity": "contact", "target_id": "1",
                                                                           "source_id": "2"}},
    "w/<slug:workspace_slug>/crm/bulk/review/": {"slug": True},
    "w/<slug:workspace_slug>/crm/bulk/": {"slug": True, "post": {"entity": "contact", "action": "delete",
                                                                 "confirm_count": "0"}},
    # crm lead pages and web form settings (crm/views/leads.py, web_forms.py)
    "w/<slug:workspace_slug>/crm/leads/new": {"slug": True, "post": {"full_name": "Isolation", "status": "new",
                                                                     "source": "manual"}},
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/": {"ids": {"lead_id": "b_lead"}},
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/edit": {
        "ids": {"lead_id": "b_lead"}, "post": {"full_name": "Hijacked", "status": "new", "source": "manual"}},
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/delete": {"ids": {"lead_id": "b_lead"}, "post": {}},
    "w/<slug:workspace_slug>/crm/leads/<int:lead_id>/convert": {"ids": {"lead_id": "b_lead"},
                                                                "post": {"create_deal": "on"}},
    "w/<slug:workspace_slug>/crm/web-forms/": {"slug": True},
    "w/<slug:workspace_slug>/crm/web-forms/new": {"slug": True, "post": {"name": "Isolation", "active": "on"}},
    "w/<slug:workspace_slug>/crm/web-forms/<int:web_form_id>/": {"ids": {"web_form_id": "b_web_form"},
                                                                 "post": {"name": "Hijacked", "active": "on"}},
    "w/<slug:workspace_slug>/crm/web-forms/<int:web_form_id>/rotate": {"ids": {"web_form_id": "b_web_form"},
                                                                       "post": {}},
    "w/<slug:workspace_slug>/crm/web-forms/<int:web_form_id>/delete": {"ids": {"web_form_id": "b_web_form"},
                                                                       "post": {}},
    # my leave, the request form and its preview, a request and its decisions, the approvals inbox, delegations
    # (leave/views/requests.py, leave/views/approvals.py)
    "w/<slug:workspace_slug>/leave/": {"slug": True},
    "w/<slug:workspace_slug>/leave/requests/new/": {"slug": True, "post": {"leave_type_id": "1",
                                                                          "start_date": "2030-01-07",
                                                                          "end_date": "2030-01-07"}},
    "w/<slug:workspace_slug>/leave/requests/preview/": {"slug": True},
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/": {"ids": {"request_id": "b_leave_request"}},
    "w/<slug:workspace_slug>/leave/requests/<int:request_id>/attachment/": {"ids": {"request_id": "b_leave_request"}},
    **{f"w/<slug:workspace_slug>/leave/requests/<int:request_id>/{action}/": {
        "ids": {"request_id": "b_leave_request"}, "post": {f"{action}-comment": "Hijacked"}}
       for action in ("approve", "reject", "cancel", "comment")},
    "w/<slug:workspace_slug>/leave/approvals/": {"slug": True},
    "w/<slug:workspace_slug>/leave/delegations/": {"slug": True, "post": {"delegate_id": "1",
                                                                         "starts_on": "2030-01-01",
                                                                         "ends_on": "2030-01-02"}},
    "w/<slug:workspace_slug>/leave/delegations/<int:delegation_id>/end/": {"ids": {"delegation_id": "b_delegation"},
                                                                           "post": {}},
    # holidays (attendance/views/holidays.py); leave types, balances and adjustments (leave/views/settings.py)
    "w/<slug:workspace_slug>/attendance/holidays/": {"slug": True},
    "w/<slug:workspace_slug>/attendance/holidays/add": {"slug": True, "post": {"date": "2031-01-01",
                                                                               "name": "Isolation"}},
    "w/<slug:workspace_slug>/attendance/holidays/fill": {"slug": True, "post": {"year": "2031", "country": "DE"}},
    "w/<slug:workspace_slug>/attendance/holidays/import": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/attendance/holidays/<int:holiday_id>/delete": {"ids": {"holiday_id": "b_holiday"},
                                                                            "post": {}},
    "w/<slug:workspace_slug>/leave/settings/types/": {"slug": True},
    "w/<slug:workspace_slug>/leave/settings/types/new": {"slug": True, "post": {"code": "isolation",
                                                                                "name": "Isolation"}},
    "w/<slug:workspace_slug>/leave/settings/types/<int:leave_type_id>/": {
        "ids": {"leave_type_id": "b_leave_type"}, "post": {"name": "Hijacked"}},
    "w/<slug:workspace_slug>/leave/balances/": {"slug": True},
    "w/<slug:workspace_slug>/leave/balances/adjust": {"slug": True, "post": {"employee_id": "1", "days": "1",
                                                                             "reason": "Hijack"}},
    # leave calendar page and its feed buttons (leave/views/calendar.py); the monthly report (attendance/views)
    "w/<slug:workspace_slug>/leave/calendar/": {"slug": True},
    "w/<slug:workspace_slug>/leave/calendar/feeds/rotate": {"slug": True, "post": {"scope": "me"}},
    "w/<slug:workspace_slug>/attendance/reports/monthly/": {"slug": True},
    "w/<slug:workspace_slug>/attendance/reports/monthly/export": {"slug": True},
    # the clock widget's POST, one's kiosk PIN, and the clocking settings (attendance/views/{clocking,settings}.py)
    "w/<slug:workspace_slug>/attendance/clock": {"slug": True, "post": {"action": "in"}},
    "w/<slug:workspace_slug>/attendance/my-pin/": {"slug": True, "post": {"pin": "4812", "password": "x"}},
    "w/<slug:workspace_slug>/attendance/settings/policy/": {"slug": True, "post": {
        "outside_site": "refuse", "forgotten_after_hours": "4", "overtime_threshold_minutes": "15"}},
    "w/<slug:workspace_slug>/attendance/settings/sites/": {"slug": True},
    "w/<slug:workspace_slug>/attendance/settings/sites/new/": {"slug": True, "post": {
        "name": "Isolation", "owner": "branch", "latitude": "1", "longitude": "1", "radius_m": "100"}},
    "w/<slug:workspace_slug>/attendance/settings/sites/<int:site_id>/": {"ids": {"site_id": "b_site"}, "post": {
        "name": "Hijacked", "owner": "branch", "latitude": "1", "longitude": "1", "radius_m": "100"}},
    "w/<slug:workspace_slug>/attendance/settings/sites/<int:site_id>/delete/": {"ids": {"site_id": "b_site"},
                                                                                "post": {}},
    "w/<slug:workspace_slug>/attendance/settings/kiosks/": {"slug": True, "post": {"name": "Isolation"}},
    "w/<slug:workspace_slug>/attendance/settings/kiosks/<int:kiosk_id>/": {"ids": {"kiosk_id": "b_kiosk"},
                                                                           "post": {"name": "Hijacked"}},
    "w/<slug:workspace_slug>/attendance/settings/kiosks/<int:kiosk_id>/rotate/": {"ids": {"kiosk_id": "b_kiosk"},
                                                                                  "post": {}},
    "w/<slug:workspace_slug>/attendance/settings/kiosks/<int:kiosk_id>/delete/": {"ids": {"kiosk_id": "b_kiosk"},
                                                                                  "post": {}},
    "w/<slug:workspace_slug>/attendance/settings/pins/": {"slug": True, "post": {"code": "B-001", "pin": "4812"}},
    # shifts, my and team attendance, corrections (attendance/views/{shifts,days,corrections}.py)
    "w/<slug:workspace_slug>/attendance/my/": {"slug": True},
    "w/<slug:workspace_slug>/attendance/team/": {"slug": True},
    "w/<slug:workspace_slug>/attendance/shifts/": {"slug": True},
    "w/<slug:workspace_slug>/attendance/shifts/add/": {"slug": True, "post": {"shift-name": "Isolation",
                                                                              "shift-starts": "09:00",
                                                                              "shift-ends": "17:00"}},
    "w/<slug:workspace_slug>/attendance/shifts/<int:shift_id>/": {"ids": {"shift_id": "b_shift"},
                                                                  "post": {"name": "Hijacked", "starts": "09:00",
                                                                           "ends": "17:00"}},
    "w/<slug:workspace_slug>/attendance/shifts/<int:shift_id>/delete/": {"ids": {"shift_id": "b_shift"}, "post": {}},
    "w/<slug:workspace_slug>/attendance/shifts/assignments/add/": {"slug": True, "post": {
        "assign-shift_id": "1", "assign-branch_id": "1", "assign-starts_on": "2031-01-01"}},
    "w/<slug:workspace_slug>/attendance/shifts/assignments/<int:assignment_id>/delete/": {
        "ids": {"assignment_id": "b_shift_assignment"}, "post": {}},
    "w/<slug:workspace_slug>/attendance/corrections/": {"slug": True},
    "w/<slug:workspace_slug>/attendance/corrections/new/": {"slug": True, "post": {
        "work_date": "2026-01-05", "clock_in": "2026-01-05T09:00", "clock_out": "2026-01-05T17:00",
        "reason": "Isolation"}},
    **{f"w/<slug:workspace_slug>/attendance/corrections/<int:correction_id>/{action}/": {
        "ids": {"correction_id": "b_correction"}, "post": {"comment": "Hijacked"}}
       for action in ("approve", "reject", "withdraw")},
    # people pages (org/views.py)
    "w/<slug:workspace_slug>/people/": {"slug": True},
    "w/<slug:workspace_slug>/people/export": {"slug": True},
    "w/<slug:workspace_slug>/people/new": {"slug": True, "post": {"code": "X-1", "full_name": "Isolation"}},
    "w/<slug:workspace_slug>/people/chart/": {"slug": True},
    "w/<slug:workspace_slug>/people/chart/level": {"slug": True},
    "w/<slug:workspace_slug>/people/bulk/review": {"slug": True},
    "w/<slug:workspace_slug>/people/bulk": {"slug": True, "post": {"ids": ["1"], "action": "terminate"}},
    "w/<slug:workspace_slug>/people/departments/": {"slug": True},
    "w/<slug:workspace_slug>/people/departments/<int:department_id>/": {"ids": {"department_id": "b_department"}},
    "w/<slug:workspace_slug>/people/my-team/": {"slug": True},
    "w/<slug:workspace_slug>/people/<int:employee_id>/": {"ids": {"employee_id": "b_employee"}},
    "w/<slug:workspace_slug>/people/<int:employee_id>/edit": {
        "ids": {"employee_id": "b_employee"}, "post": {"full_name": "Hijacked", "phone": "+49 30 1234567"}},
    "w/<slug:workspace_slug>/people/<int:employee_id>/terminate": {
        "ids": {"employee_id": "b_employee"}, "post": {"end_date": ""}},
    "w/<slug:workspace_slug>/people/<int:employee_id>/photo": {"ids": {"employee_id": "b_employee"}},
    "w/<slug:workspace_slug>/people/<int:employee_id>/photo/upload": {"ids": {"employee_id": "b_employee"}, "post": {}},
    "w/<slug:workspace_slug>/people/<int:employee_id>/photo/remove": {"ids": {"employee_id": "b_employee"}, "post": {}},
    "account/security": {},
    "account/sessions/<int:session_id>/revoke": {"ids": {"session_id": "b_session"}, "post": {}},
    "account/sessions/revoke-others": {"post": {}},
    "account/tokens": {"post": {"name": "x", "workspace": "globex"}},
    "account/tokens/<int:token_id>/revoke": {"ids": {"token_id": "b_token"}, "post": {}},
    "account/two-factor": {},
    "account/two-factor/disable": {"post": {"password": "x"}},
    # the signed-in user's own account (accounts/account_views.py): no workspace in them to aim at B
    "account/profile": {"post": {"full_name": "Renamed", "time_zone": "UTC", "language": "en"}},
    "account/photo": {},
    "account/photo/upload": {"post": {}},
    "account/photo/remove": {"post": {}},
    "account/password": {"post": {"current_password": "x", "new_password": "y"}},
    "account/email": {"post": {"action": "request", "new_email": "owner@globex.test", "password": "x"}},
    "account/recovery-codes": {"post": {"action": "regenerate", "password": "x"}},
    "account/recovery-codes/download": {},
    # notifications (notifications/views.py): the signed-in person's own, in the workspace of the URL
    "w/<slug:workspace_slug>/notifications/": {"slug": True},
    "w/<slug:workspace_slug>/notifications/bell": {"slug": True},
    "w/<slug:workspace_slug>/notifications/read-all": {"slug": True, "post": {}},
    "w/<slug:workspace_slug>/notifications/preferences": {"slug": True, "post": {"quiet_hours_enabled": "on",
                                                                                 "quiet_start": "22:00",
                                                                                 "quiet_end": "07:00"}},
    "w/<slug:workspace_slug>/notifications/<int:notification_id>/open": {
        "ids": {"notification_id": "b_notification"}, "post": {}},
    "w/<slug:workspace_slug>/notifications/<int:notification_id>/read": {
        "ids": {"notification_id": "b_notification"}, "post": {}},
    "w/<slug:workspace_slug>/notifications/<int:notification_id>/unread": {
        "ids": {"notification_id": "b_notification"}, "post": {}},
    # webhooks (webhooks/views.py)
    "w/<slug:workspace_slug>/webhooks/": {"slug": True},
    "w/<slug:workspace_slug>/webhooks/new": {"slug": True, "post": {"url": "https://hooks.example.test/x",
                                                                    "events": ["*"]}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/": {"ids": {"webhook_id": "b_webhook"}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/edit": {
        "ids": {"webhook_id": "b_webhook"}, "post": {"url": "https://hooks.example.test/x", "events": ["*"]}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/pause": {"ids": {"webhook_id": "b_webhook"}, "post": {}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/resume": {"ids": {"webhook_id": "b_webhook"}, "post": {}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/rotate-secret": {"ids": {"webhook_id": "b_webhook"},
                                                                        "post": {}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/test": {"ids": {"webhook_id": "b_webhook"}, "post": {}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/delete": {"ids": {"webhook_id": "b_webhook"}, "post": {}},
    "w/<slug:workspace_slug>/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend": {
        "ids": {"webhook_id": "b_webhook", "delivery_id": "b_delivery"}, "post": {}},
}


def page_patterns() -> set[str]:
    found = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue  # covered by test_tenant_isolation.py
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.add(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    return found


def fill(pattern: str, values: dict) -> str:
    path = pattern
    for name, value in values.items():
        for converter in ("slug", "int", "str"):
            path = path.replace(f"<{converter}:{name}>", str(value))
    return "/" + path


def test_every_page_is_in_the_harness():
    assert_harness_covers(page_patterns(), PAGES, PUBLIC_PAGES, "pages")


@pytest.mark.parametrize("pattern", sorted(PAGES))
def test_page_sends_anonymous_callers_to_sign_in(client, db, pattern):
    path = fill(pattern, {"workspace_slug": "acme-corp", "membership_id": 1, "invitation_id": 1,
                          "session_id": 1, "token_id": 1,
                          "role_id": 1, "department_id": 1, "branch_id": 1, "employee_id": 1, "job_id": 1,
                          "notification_id": 1, "webhook_id": 1, "delivery_id": 1,
                          "deal_id": 1, "pipeline_id": 1, "view_id": 1, "record_id": 1, "note_id": 1,
                          "activity_id": 1, "contact_id": 1, "company_id": 1, "field_id": 1,
                          "lead_id": 1, "web_form_id": 1, "holiday_id": 1, "leave_type_id": 1,
                          "request_id": 1, "delegation_id": 1, "site_id": 1, "kiosk_id": 1,
                          "shift_id": 1, "assignment_id": 1, "correction_id": 1})
    spec = PAGES[pattern]
    response = client.post(path, spec["post"]) if "post" in spec else client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/signin"), (pattern, response.status_code)


@pytest.mark.parametrize("role", ["owner", "member"])
@pytest.mark.parametrize("pattern", sorted(p for p, spec in PAGES.items() if spec.get("slug") or spec.get("ids")))
def test_page_never_reaches_another_workspace(world, pattern, role):  # noqa: F811
    user = world["a_users"][0] if role == "owner" else world["a_users"][2]
    client = signed_in_client(user)
    spec = PAGES[pattern]
    values = {"workspace_slug": "globex" if spec.get("slug") else "acme-corp"}
    absent = dict(values)
    for param, key in spec.get("ids", {}).items():
        values[param], absent[param] = world[key], 987654321
    before = fingerprint(world["b"], world["b_users"])

    for method in ("get", "post") if "post" in spec else ("get",):
        send = getattr(client, method)
        args = (spec["post"],) if method == "post" else ()
        response = send(fill(pattern, values), *args)
        if spec.get("slug"):
            assert response.status_code == 404, f"{method} {pattern} as {role} on B's slug: {response.status_code}"
        else:
            missing = send(fill(pattern, absent), *args)
            assert response.status_code == missing.status_code, f"{pattern}: B's id and a missing id differ"
            allowed = {404} if role == "owner" else {403, 404}
            if method == "get":
                allowed = allowed | {303}  # POST-only action pages send a GET to their page (web.middleware)
            assert response.status_code in allowed, f"{method} {pattern} as {role}: {response.status_code}"

    assert fingerprint(world["b"], world["b_users"]) == before, f"{pattern} as {role} changed workspace B"


def test_a_token_cannot_be_made_for_a_workspace_one_is_not_in(world):  # noqa: F811
    client = signed_in_client(world["a_users"][0])
    before = fingerprint(world["b"], world["b_users"])
    response = client.post("/account/tokens", PAGES["account/tokens"]["post"])  # names workspace B
    assert response.status_code == 404
    assert fingerprint(world["b"], world["b_users"]) == before
