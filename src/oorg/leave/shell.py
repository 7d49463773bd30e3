"""Leave in the app shell: its sidebar group, how the audit log names its rows, and its part of the demo
workspace."""


def register() -> None:
    from oorg.core import demo
    from oorg.web import shell

    from .demo import seed_leave
    from .permissions import APPROVE_ALL, MANAGE, OWN, TEAM_APPROVE, TEAM_VIEW, VIEW_ALL

    area = shell.register_area("leave", label="Leave", icon="plane", order=24)
    area.item("My leave", "leave:my", icon="plane", visible=shell.can(OWN), paths=("leave/requests/",),
              views=("leave:my",))
    area.item("Balances", "leave:balances", icon="wallet", visible=shell.can(OWN, TEAM_VIEW, VIEW_ALL),
              paths=("leave/balances/",))
    area.item("Approvals", "leave:approvals", icon="inbox", visible=shell.can(TEAM_APPROVE, APPROVE_ALL),
              paths=("leave/approvals/", "leave/delegations/"))
    area.item("Team calendar", "leave:calendar", icon="calendar-range", visible=shell.can(OWN, TEAM_VIEW, VIEW_ALL),
              paths=("leave/calendar/",))
    area.item("Leave policies", "leave:types", icon="sliders-horizontal", visible=shell.can(MANAGE),
              paths=("leave/settings/",))
    register_in_audit_log()
    demo.contribute(45, "leave", seed_leave)


def register_in_audit_log() -> None:
    from oorg.core import audit

    from .models import Delegation, LeaveRequest, LeaveType
    from .scopes import LEAVE

    audit.register_target(LeaveType, noun="Leave type", label=lambda t: t.name)
    audit.register_target(LeaveRequest, noun="Leave request",
                          label=lambda r: f"{r.start_date} – {r.end_date}",
                          links=audit.page_links("leave:request", "request_id",
                                                 lambda actor: LEAVE.rows(actor, LeaveRequest.objects.order_by())))
    audit.register_target(Delegation, label=lambda d: f"{d.starts_on} – {d.ends_on}")
