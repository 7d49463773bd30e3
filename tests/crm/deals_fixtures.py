"""Helpers for the pipelines/deals/forecast tests: make deals through the service, as a person would."""
from oorg.core.tenancy import workspace_scope
from oorg.crm.services import deals as deal_services


def make_deal(crm, role="admin", *, stage=0, **values):
    actor = crm["actors"][role]
    values.setdefault("name", "Deal")
    values.setdefault("stage_id", crm["stages"][stage].pk)
    with workspace_scope(crm["workspace"]):
        return deal_services.create_deal(actor, **values)
