"""Permission names of leave, the built-in roles that hold them, and what the audit log calls its actions.

Like attendance: one's own requests and balances (`leave.own`), one's reports' at any depth
(`leave.team.view`; deciding their requests, the manager step, with `leave.team.approve`), everyone's
(`leave.view_all`; the HR step and any manager step with `leave.approve_all`). Built-in roles nest.
"""
from oorg.core import audit
from oorg.core.permissions import register

OWN = register("leave.own", "Leave: request leave, see one's own balances and the team calendar",
               roles=("admin", "hr", "manager", "member"))
TEAM_VIEW = register("leave.team.view", "Leave: see the requests and balances of the people who report to one",
                     roles=("admin", "hr", "manager"))
TEAM_APPROVE = register("leave.team.approve", "Leave: approve or reject one's reports' requests (manager step)",
                        roles=("admin", "hr", "manager"))
VIEW_ALL = register("leave.view_all", "Leave: see everyone's requests and balances", roles=("admin", "hr"))
APPROVE_ALL = register("leave.approve_all", "Leave: decide any request, the HR step included", roles=("admin", "hr"))
MANAGE = register("leave.manage", "Leave: leave types and policies, balance adjustments", roles=("admin", "hr"))

audit.register_actions({
    "leave.type.created": "Leave type created",
    "leave.type.updated": "Leave type changed",
    "leave.type.archived": "Leave type archived",
    "leave.balance.adjusted": "Leave balance adjusted",
    "leave.balance.granted": "Leave granted",
    "leave.balance.accrued": "Leave accrued",
    "leave.balance.expired": "Carried-over leave expired",
    "leave.request.created": "Leave requested",
    "leave.request.approved": "Leave request approved",
    "leave.request.step_approved": "Leave request approved by the manager, waiting for HR",
    "leave.request.rejected": "Leave request rejected",
    "leave.request.cancelled": "Leave cancelled",
    "leave.request.cancel_requested": "Cancellation of leave requested",
    "leave.request.commented": "Comment on a leave request",
    "leave.request.attachment_added": "Document attached to a leave request",
    "leave.delegation.created": "Approvals delegated",
    "leave.delegation.deleted": "Delegation ended",
    "leave.feed.rotated": "Calendar feed address changed",
}, group="Leave")
