"""CRM requests racing on real threads (each with its own database connection); see tests/accounts/races.py for
why SQLite runs these in a subprocess on a file database set up as in production."""
from __future__ import annotations

import json
import sys

from tests.accounts.races import _parallel


def four_converts_of_one_lead() -> dict:
    """Four API clients convert the same lead (with a deal) at once: one makes the contact, company and deal; the
    others find it converted (409) and make nothing."""
    from oorg.core.tenancy import workspace_scope
    from oorg.crm.models import Company, Contact, Deal, Lead, TimelineEntry
    from oorg.crm.services import leads
    from oorg.crm.services.pipelines import ensure_default_pipeline
    from tests.conftest import ApiClient, actor_for, make_workspace, token_for

    workspace, owner = make_workspace("Race Corp", "owner@race.test")
    with workspace_scope(workspace):
        ensure_default_pipeline(workspace)
        lead = leads.create_lead(actor_for(owner, workspace), full_name="Rita Racer", email="rita@racing.example",
                                 company_name="Racing Ltd")
    tokens = [token_for(owner, workspace, name=f"race-{n}") for n in range(4)]

    def convert(n):
        response = ApiClient(tokens[n]).post(f"/leads/{lead.pk}/convert", {"create_deal": True})
        return [response.status_code]

    answers, errors = _parallel(4, convert)
    with workspace_scope(workspace):
        lead = Lead.objects.get(pk=lead.pk)
        return {"answers": answers, "errors": errors, "status": lead.status,
                "contacts": Contact.objects.count(), "companies": Company.objects.count(),
                "deals": Deal.objects.count(),
                "linked": [lead.converted_contact_id is not None, lead.converted_company_id is not None,
                           lead.converted_deal_id is not None],
                "conversions": TimelineEntry.objects.filter(lead=lead, kind="conversion").count()}


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps(globals()[sys.argv[1]]()))
