"""Helpers for the activities, notes, timeline, reminders and list-page tests: records made directly (the
record services are another module's), each owned by one of the CRM team (tests/crm/conftest.py)."""
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, Deal, Lead


def make_record(crm, kind="lead", owner="member", **fields):
    workspace = crm["workspace"]
    membership = crm["members"][owner] if owner else None
    with workspace_scope(workspace):
        if kind == "lead":
            return Lead.objects.create(workspace=workspace, owner=membership,
                                       full_name=fields.pop("full_name", "Lena Lead"), **fields)
        if kind == "contact":
            return Contact.objects.create(workspace=workspace, owner=membership,
                                          full_name=fields.pop("full_name", "Cora Contact"), **fields)
        if kind == "company":
            return Company.objects.create(workspace=workspace, owner=membership,
                                          name=fields.pop("name", "Initech"), **fields)
        return Deal.objects.create(workspace=workspace, owner=membership, name=fields.pop("name", "Big deal"),
                                   pipeline=crm["pipeline"], stage=crm["stages"][0], **fields)


def other_lead(other_crm):
    workspace = other_crm["workspace"]
    with workspace_scope(workspace):
        return Lead.objects.create(workspace=workspace, owner=other_crm["actor"].membership, full_name="Far Away")
