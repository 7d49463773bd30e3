"""Permission names of attendance, the built-in roles that hold them, and what the audit log calls its actions.

Whose attendance one sees follows the org chart, like the people area: one's own (`attendance.own`), one's
reports at any depth (`attendance.team.view`, deciding their corrections with `attendance.team.approve`), or
everyone's (`attendance.view_all`, deciding anyone's with `attendance.approve_all`). Built-in roles nest
(member within manager within hr within admin), so hr and admins also hold the team rights.
"""
from oorg.core import audit
from oorg.core.permissions import register

OWN = register("attendance.own", "Attendance: clock in and out, see one's own days, ask for corrections",
               roles=("admin", "hr", "manager", "member"))
TEAM_VIEW = register("attendance.team.view", "Attendance: see the days of the people who report to one",
                     roles=("admin", "hr", "manager"))
TEAM_APPROVE = register("attendance.team.approve", "Attendance: approve or reject one's reports' corrections",
                        roles=("admin", "hr", "manager"))
VIEW_ALL = register("attendance.view_all", "Attendance: see everyone's days and the monthly reports",
                    roles=("admin", "hr"))
APPROVE_ALL = register("attendance.approve_all", "Attendance: approve or reject anyone's corrections",
                       roles=("admin", "hr"))
CLOCK_OTHERS = register("attendance.clock_others", "Attendance: clock others in and out (employee_id)",
                        roles=("admin", "hr"))
MANAGE = register("attendance.manage",
                  "Attendance: shifts, schedules, holidays, allowed sites, the clocking policy and kiosks",
                  roles=("admin", "hr"))

audit.register_actions({
    "attendance.clocked_in": "Clocked in",
    "attendance.clocked_out": "Clocked out",
    "attendance.break_started": "Break started",
    "attendance.break_ended": "Break ended",
    "attendance.session.auto_closed": "Forgotten clock-out closed by the system",
    "attendance.correction.requested": "Attendance correction requested",
    "attendance.correction.approved": "Attendance correction approved",
    "attendance.correction.rejected": "Attendance correction rejected",
    "attendance.correction.withdrawn": "Attendance correction withdrawn",
    "attendance.shift.created": "Shift created",
    "attendance.shift.updated": "Shift changed",
    "attendance.shift.deleted": "Shift deleted",
    "attendance.assignment.created": "Shift assigned",
    "attendance.assignment.updated": "Shift assignment changed",
    "attendance.assignment.deleted": "Shift assignment removed",
    "attendance.holiday.created": "Holiday added",
    "attendance.holiday.updated": "Holiday changed",
    "attendance.holiday.deleted": "Holiday removed",
    "attendance.holidays.imported": "Holidays imported",
    "attendance.site.created": "Allowed site added",
    "attendance.site.updated": "Allowed site changed",
    "attendance.site.deleted": "Allowed site removed",
    "attendance.policy.updated": "Clocking policy changed",
    "attendance.kiosk.created": "Kiosk created",
    "attendance.kiosk.updated": "Kiosk changed",
    "attendance.kiosk.key_rotated": "Kiosk address changed",
    "attendance.kiosk.deleted": "Kiosk deleted",
    "attendance.pin.set": "Kiosk PIN set",
    "attendance.pin.cleared": "Kiosk PIN removed",
    "attendance.report.exported": "Attendance report exported",
}, group="Attendance")
