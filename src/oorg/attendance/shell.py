"""Attendance in the app shell: its sidebar group, the clock on the home dashboard, how the audit log names
its rows, and its part of the demo workspace."""


def register() -> None:
    from oorg.core import demo
    from oorg.web import shell

    from . import dashboard
    from .demo import seed_attendance
    from .permissions import MANAGE, OWN, TEAM_VIEW, VIEW_ALL

    area = shell.register_area("attendance", label="Attendance", icon="clock", order=22)
    area.item("My attendance", "attendance:my", icon="calendar-days", visible=shell.can(OWN), paths=("attendance/my/",))
    area.item("Team attendance", "attendance:team", icon="users", visible=shell.can(TEAM_VIEW, VIEW_ALL),
              paths=("attendance/team/",))
    area.item("Corrections", "attendance:corrections", icon="file-pen", visible=shell.can(OWN),
              paths=("attendance/corrections/",))
    area.item("Monthly report", "attendance:report", icon="chart-column", visible=shell.can(TEAM_VIEW, VIEW_ALL),
              paths=("attendance/reports/",))
    area.item("Holidays", "attendance:holidays", icon="party-popper", visible=shell.can(OWN, MANAGE),
              paths=("attendance/holidays/",))
    area.item("Shifts", "attendance:shifts", icon="calendar-clock", visible=shell.can(MANAGE),
              paths=("attendance/shifts/",))
    area.item("Clocking settings", "attendance:policy", icon="settings-2", visible=shell.can(MANAGE),
              paths=("attendance/settings/",))
    area.card("attendance.clock", title="Your clock", icon="clock", template="attendance/cards/clock.html",
              context=dashboard.clock_widget, visible=shell.can(OWN), order=5)
    register_in_audit_log()
    demo.contribute(40, "attendance", seed_attendance)


def register_in_audit_log() -> None:
    """The audit log names attendance rows; corrections link to their page for those who see them."""
    from oorg.core import audit

    from .models import Correction, Holiday, Kiosk, Session, Shift, ShiftAssignment, Site

    audit.register_target(Shift)
    audit.register_target(ShiftAssignment, noun="Shift assignment", label=lambda a: f"{a.shift} from {a.starts_on}")
    audit.register_target(Holiday, label=lambda h: f"{h.name} ({h.date})")
    audit.register_target(Site, noun="Allowed site", label=lambda s: s.name)
    audit.register_target(Kiosk, label=lambda k: k.name)
    audit.register_target(Session, noun="Clocked session", label=lambda s: f"{s.work_date}")
    audit.register_target(Correction, noun="Attendance correction", label=lambda c: f"{c.work_date}")
