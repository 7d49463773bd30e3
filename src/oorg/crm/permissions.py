"""Permission names of the CRM, the built-in roles that hold them, and what the audit log calls its actions.

Seeing CRM records comes with a scope, and the scope is itself a permission, so it is set per role like any
other right, custom roles included: `crm.records.view_all` (every record), `crm.records.view_team` (records
owned by oneself or by anyone who reports to one, at any depth) or `crm.records.view_own` (records one owns).
A role holding several has the widest (crm/scopes.py). The other rights act within what the actor sees.
Built-in roles nest (member within manager within hr within admin), so hr holds what managers hold: their own
and their team's records.
"""
from oorg.core import audit
from oorg.core.permissions import register

VIEW_OWN = register("crm.records.view_own", "CRM: see the leads, contacts, companies and deals one owns",
                    roles=("admin", "hr", "manager", "member"))
VIEW_TEAM = register("crm.records.view_team",
                     "CRM: see records owned by oneself or by anyone who reports to one", roles=("admin", "hr", "manager"))
VIEW_ALL = register("crm.records.view_all", "CRM: see every lead, contact, company and deal", roles=("admin",))
EDIT = register("crm.records.edit", "CRM: create and change the records one sees, log activities and notes",
                roles=("admin", "hr", "manager", "member"))
DELETE = register("crm.records.delete", "CRM: delete and merge the records one sees", roles=("admin", "hr", "manager"))
ASSIGN = register("crm.records.assign", "CRM: give records one sees to another owner", roles=("admin", "hr", "manager"))
IMPORT = register("crm.records.import", "CRM: import leads, contacts, companies and deals", roles=("admin", "hr", "manager"))
EXPORT = register("crm.records.export", "CRM: export the records one sees", roles=("admin", "hr", "manager"))
SETTINGS = register("crm.settings.manage", "CRM: pipelines, stages, custom fields, web forms and assignment rules",
                    roles=("admin",))

SCOPES = (VIEW_ALL, VIEW_TEAM, VIEW_OWN)  # widest first

audit.register_actions({
    "crm.lead.created": "Lead created",
    "crm.lead.updated": "Lead changed",
    "crm.lead.deleted": "Lead deleted",
    "crm.lead.converted": "Lead converted",
    "crm.lead.merged": "Leads merged",
    "crm.lead.submitted": "Lead received from a web form",
    "crm.contact.created": "Contact created",
    "crm.contact.updated": "Contact changed",
    "crm.contact.deleted": "Contact deleted",
    "crm.contact.merged": "Contacts merged",
    "crm.company.created": "Company created",
    "crm.company.updated": "Company changed",
    "crm.company.deleted": "Company deleted",
    "crm.company.merged": "Companies merged",
    "crm.deal.created": "Deal created",
    "crm.deal.updated": "Deal changed",
    "crm.deal.deleted": "Deal deleted",
    "crm.deal.stage_changed": "Deal moved to another stage",
    "crm.record.assigned": "CRM record given to another owner",
    "crm.records.bulk_updated": "CRM records changed in bulk",
    "crm.records.bulk_deleted": "CRM records deleted in bulk",
    "crm.records.imported": "CRM records imported",
    "crm.records.exported": "CRM records exported",
    "crm.activity.created": "Activity logged",
    "crm.activity.updated": "Activity changed",
    "crm.activity.completed": "Activity done",
    "crm.activity.reopened": "Activity not done",
    "crm.activity.deleted": "Activity deleted",
    "crm.activity.due": "Activity reminder sent",
    "crm.note.created": "Note added",
    "crm.note.updated": "Note changed",
    "crm.note.deleted": "Note deleted",
    "crm.pipeline.created": "Pipeline created",
    "crm.pipeline.updated": "Pipeline changed",
    "crm.pipeline.deleted": "Pipeline deleted",
    "crm.custom_field.created": "Custom field created",
    "crm.custom_field.updated": "Custom field changed",
    "crm.custom_field.deleted": "Custom field deleted",
    "crm.web_form.created": "Web form created",
    "crm.web_form.updated": "Web form changed",
    "crm.web_form.key_rotated": "Web form address changed",
    "crm.web_form.deleted": "Web form deleted",
}, group="CRM")
