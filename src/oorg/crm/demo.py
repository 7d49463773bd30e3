"""Demo customers for the demo workspace: a sales pipeline, companies with their contacts, leads (one from the
web form), deals across the stages with notes and activities, built through the CRM's services (so they are
audited, on the timelines and in the events like anything a person does). Owners are spread over the demo
owner, manager and member, so signing in as each shows the own / team / all record scopes."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oorg.core.models import Membership
from oorg.core.permissions import Actor

from .models import Company
from .services import activities, companies, contacts, conversion, deals, leads, notes, pipelines, web_forms

COMPANIES = [  # name, domain, industry, size
    ("Northwind Traders", "northwind.example", "Wholesale", "51-250"),
    ("Blue Harbor Logistics", "blueharbor.example", "Logistics", "251-1000"),
    ("Kestrel Robotics", "kestrel.example", "Manufacturing", "11-50"),
    ("Lumen Health", "lumenhealth.example", "Healthcare", "1001+"),
    ("Orchard & Vine", "orchardvine.example", "Food and drink", "1-10"),
    ("Tidewater Energy", "tidewater.example", "Energy", "251-1000"),
]
CONTACTS = [  # name, email user, job title, company index
    ("Ana Lima", "ana", "Head of Operations", 0), ("Ben Okoro", "ben", "Procurement Lead", 0),
    ("Clara Jensen", "clara", "CTO", 2), ("David Chen", "david", "Logistics Manager", 1),
    ("Elena Petrova", "elena", "Chief Medical Officer", 3), ("Felix Braun", "felix", "Owner", 4),
    ("Gina Russo", "gina", "Energy Trader", 5), ("Hugo Martin", "hugo", "IT Director", 3),
]
LEADS = [  # name, email, company, status
    ("Iris Novak", "iris@skyline-films.example", "Skyline Films", "new"),
    ("Jamal Wright", "jamal@quarry-stone.example", "Quarry Stone", "contacted"),
    ("Keiko Sato", "keiko@mapleworks.example", "Mapleworks", "qualified"),
    ("Lars Eriksen", "lars@gmail.com", "", "new"),
    ("Mona Haddad", "mona@cedar-labs.example", "Cedar Labs", "unqualified"),
]
DEALS = [  # name, amount, stage index, company index, contact index, days to close
    ("Northwind — warehouse scanners", "18500.00", 0, 0, 0, 20), ("Blue Harbor — fleet tracking", "42000.00", 1, 1, 3, 35),
    ("Kestrel — pilot licences", "6400.00", 2, 2, 2, 12), ("Lumen — clinic rollout", "96000.00", 1, 3, 4, 60),
    ("Orchard & Vine — web shop", "3200.00", 3, 4, 5, -5), ("Tidewater — trading desk", "27500.00", 4, 5, 6, -12),
    ("Lumen — support renewal", "12000.00", 0, 3, 7, 90),
]


def seed_crm(context: dict, progress) -> None:
    from oorg.core.tenancy import workspace_scope

    actor = context["actor"]
    with workspace_scope(actor.workspace):
        if Company.objects.exists():
            return
        progress("Adding demo customers: companies, contacts, leads and deals")
        _seed(actor)



def _seed(owner: Actor) -> None:
    by_email = {m.user.email: m for m in Membership.objects.select_related("user", "workspace")}
    team = [Actor.of(by_email[e]) for e in ("owner@demo.oorg.test", "manager@demo.oorg.test", "member@demo.oorg.test")
            if e in by_email] or [owner]
    pipeline = pipelines.ensure_default_pipeline(owner.workspace)
    stages = list(pipeline.stages.order_by("position", "id"))
    made = [companies.create_company(owner, name=name, domain=domain, industry=industry, size=size,
                                     owner_id=team[i % len(team)].membership.pk)
            for i, (name, domain, industry, size) in enumerate(COMPANIES)]
    people = []
    for i, (name, user, title, company) in enumerate(CONTACTS):
        domain = COMPANIES[company][1]
        people.append(contacts.create_contact(owner, full_name=name, email=f"{user}@{domain}", job_title=title,
                                              company_ids=[made[company].pk],
                                              owner_id=made[company].owner_id))
    today = timezone.localdate()
    for i, (name, amount, stage, company, contact, days) in enumerate(DEALS):
        seller = next((a for a in team if a.membership.pk == made[company].owner_id), owner)
        deal = deals.create_deal(seller, name=name, amount=amount, currency="EUR", pipeline_id=pipeline.pk,
                                 stage_id=stages[0].pk, company_id=made[company].pk, contact_id=people[contact].pk,
                                 expected_close_date=(today + dt.timedelta(days=days)).isoformat())
        for step in stages[1:stage + 1]:
            if step == stages[stage] or not (step.is_won or step.is_lost):  # through the open stages, then its own
                deals.move_deal(seller, deal, step.pk)
        if i % 2 == 0:
            notes.create_note(seller, body=f"<p>Spoke with {people[contact].full_name}: <strong>budget "
                                           "confirmed</strong>, wants a proposal this month.</p>", deal_id=deal.pk)
        activities.create_activity(seller, kind="call" if i % 3 else "meeting", subject=f"Follow up: {name}",
                                   due_at=timezone.now() + dt.timedelta(days=(i % 4) - 1, hours=2),
                                   deal_id=deal.pk)
    for i, (name, email, company, status) in enumerate(LEADS):
        seller = team[i % len(team)]
        lead = leads.create_lead(seller, full_name=name, email=email, company_name=company)
        if status != "new":
            leads.update_lead(seller, lead, status=status)
        if status == "qualified":
            conversion.convert_lead(seller, lead, create_deal=True)
    form = web_forms.create_web_form(owner, name="Website contact form",
                                     consent_text="I agree that Demo may contact me about my enquiry.",
                                     assignees=[a.membership.pk for a in team[1:]] or [owner.membership.pk])
    web_forms.submit_web_form(form, {"full_name": "Noor Rahman", "email": "noor@brightpath.example",
                                     "company_name": "Brightpath", "message": "We need a CRM for 40 people.",
                                     "consent": "on"}, ip="203.0.113.7")
