"""The CRM's kinds of notification (what a person turns on or off in their preferences)."""
from oorg.core import events

ASSIGNED = "crm.assigned"  # a lead, contact, company or deal was given to you (by a person or a round-robin rule)
ACTIVITY_DUE = "crm.activity_due"  # the reminder of one of your calls, meetings or tasks

events.register_kinds([
    events.Kind(ASSIGNED, "A CRM record was given to you", description="A lead, contact, company or deal now "
                "has you as its owner."),
    events.Kind(ACTIVITY_DUE, "Activity reminders", description="A call, meeting or task of yours is due."),
], group="CRM")
