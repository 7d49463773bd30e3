"""Converting a lead: one step makes (or finds) its contact and company and, when asked, a deal.

An existing contact the actor sees is linked by the lead's email, else its phone; a company by the domain of
the lead's email (never a free-mail domain: thousands of people share gmail.com), else by its exact name.
What is not found is created, owned by the lead's owner. The lead row is locked for the whole step, so two
conversions at once make one set: the second finds the lead converted and answers 409, creating nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from oorg.core import audit
from oorg.core.errors import Conflict, NotFound, Problems, ValidationFailed
from oorg.core.permissions import Actor, require

from .. import fields, scopes, timeline
from ..models import Company, Contact, ContactCompany, Deal, Lead, Pipeline, Stage, StageChange
from ..permissions import EDIT

FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net", "gmx.com", "gmx.at", "gmx.ch", "web.de",
    "proton.me", "protonmail.com", "pm.me", "mail.com", "yandex.com", "yandex.ru", "zoho.com", "t-online.de",
    "freenet.de", "orange.fr", "libero.it", "qq.com", "163.com",
})


class AlreadyConverted(Conflict):
    code = "already_converted"


@dataclass
class Conversion:
    lead: Lead
    contact: Contact
    company: Company | None
    deal: Deal | None
    contact_created: bool
    company_created: bool

    def as_dict(self) -> dict:
        contact = {**_fields(self.contact, ("id", "full_name", "email", "phone", "owner_id")),
                   "created": self.contact_created}
        company = None if self.company is None else {
            **_fields(self.company, ("id", "name", "domain", "owner_id")), "created": self.company_created}
        return {"lead": self.lead, "contact": contact, "company": company, "deal": self.deal}


def _fields(row, names) -> dict:
    return {name: getattr(row, name) if name != "id" else row.pk for name in names}


def is_free_mail(domain: str) -> bool:
    return domain in FREE_MAIL or domain.startswith("gmx.")


def company_domain(email: str) -> str:
    domain = fields.domain_of_email(email or "")
    return "" if not domain or is_free_mail(domain) else domain


def _deal_plan(lead: Lead, *, pipeline_id, stage_id, deal_name, amount, currency) -> dict:
    """The deal to create, checked: every problem at once."""
    plan = {}
    with Problems() as problems:
        with problems.check():
            if pipeline_id is not None:
                pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
                if pipeline is None:
                    raise ValidationFailed("No such pipeline.", field="pipeline_id")
            else:
                pipeline = Pipeline.objects.order_by("position", "id").first()
                if pipeline is None:
                    raise ValidationFailed("There is no pipeline yet; create one first.", field="pipeline_id")
            plan["pipeline"] = pipeline
        if "pipeline" in plan:
            with problems.check():
                stages = Stage.objects.filter(pipeline=plan["pipeline"])
                if stage_id is not None:
                    stage = stages.filter(pk=stage_id).first()
                    if stage is None:
                        raise ValidationFailed(f"Choose a stage of the pipeline {plan['pipeline'].name}.",
                                               field="stage_id")
                else:
                    stage = stages.order_by("position", "id").first()
                    if stage is None:
                        raise ValidationFailed("The pipeline has no stages.", field="stage_id")
                plan["stage"] = stage
        with problems.check():
            plan["name"] = fields.clean_text(deal_name or lead.company_name or lead.full_name, "deal_name",
                                             max_length=200, required=True, label="Deal name")
        with problems.check():
            plan["amount"] = fields.clean_amount(amount)
        with problems.check():
            plan["currency"] = fields.clean_currency(currency or "EUR")
    return plan


def _find_contact(actor: Actor, lead: Lead) -> Contact | None:
    for key in ("email", "phone"):
        value = getattr(lead, key)
        if value:
            found = scopes.visible(actor, Contact).filter(**{key: value}).order_by("pk").first()
            if found is not None:
                return found
    return None


def _find_company(actor: Actor, lead: Lead) -> Company | None:
    visible = scopes.visible(actor, Company)
    domain = company_domain(lead.email)
    if domain:
        found = visible.filter(domain=domain).order_by("pk").first()
        if found is not None:
            return found
    if lead.company_name:
        return visible.filter(name__iexact=lead.company_name).order_by("pk").first()
    return None


def convert_lead(actor: Actor, lead: Lead, *, create_deal: bool = False, pipeline_id=None, stage_id=None,
                 deal_name=None, amount=None, currency=None) -> Conversion:
    require(actor, EDIT)
    if not scopes.sees(actor, lead):
        raise NotFound("No such lead.")
    user = getattr(actor, "user", None)
    with transaction.atomic():
        lead = Lead.objects.select_for_update(of=("self",)).select_related("owner").get(pk=lead.pk)
        if lead.status == Lead.Status.CONVERTED:
            raise AlreadyConverted("This lead is converted already; open its contact instead.", field="status")
        plan = _deal_plan(lead, pipeline_id=pipeline_id, stage_id=stage_id, deal_name=deal_name, amount=amount,
                          currency=currency) if create_deal else None
        ws = {"workspace_id": lead.workspace_id, "owner": lead.owner, "created_by": user}

        contact = _find_contact(actor, lead)
        contact_created = contact is None
        if contact_created:
            contact = Contact.objects.create(**ws, full_name=lead.full_name, email=lead.email, phone=lead.phone,
                                             tags=list(lead.tags))
            timeline.add(contact, timeline.Kind.CREATED, f"Contact created from the lead {lead.full_name}",
                         actor=actor, data={"lead_id": lead.pk})
            audit.record(actor, "crm.contact.created", contact, source="conversion", lead_id=lead.pk)

        company = _find_company(actor, lead)
        company_created = False
        if company is None and lead.company_name:
            company = Company.objects.create(**ws, name=lead.company_name[:200], domain=company_domain(lead.email))
            company_created = True
            timeline.add(company, timeline.Kind.CREATED, f"Company created from the lead {lead.full_name}",
                         actor=actor, data={"lead_id": lead.pk})
            audit.record(actor, "crm.company.created", company, source="conversion", lead_id=lead.pk)
        if company is not None and not ContactCompany.objects.filter(contact=contact, company=company).exists():
            ContactCompany.objects.create(workspace_id=lead.workspace_id, contact=contact, company=company)

        deal = None
        if plan is not None:
            deal = Deal.objects.create(**ws, name=plan["name"], amount=plan["amount"], currency=plan["currency"],
                                       pipeline=plan["pipeline"], stage=plan["stage"], contact=contact,
                                       company=company)
            change = StageChange.objects.create(workspace_id=lead.workspace_id, deal=deal, from_stage=None,
                                                to_stage=plan["stage"], by=user)
            timeline.add(deal, timeline.Kind.CREATED, f"Deal created in {plan['stage'].name}", actor=actor,
                         data={"lead_id": lead.pk, "stage_id": plan["stage"].pk}, stage_change=change)
            timeline.add(deal, timeline.Kind.CONVERSION, f"Created by converting the lead {lead.full_name}",
                         actor=actor, data={"lead_id": lead.pk})
            audit.record(actor, "crm.deal.created", deal, source="conversion", lead_id=lead.pk)

        lead.status = Lead.Status.CONVERTED
        lead.converted_at = timezone.now()
        lead.converted_contact, lead.converted_company, lead.converted_deal = contact, company, deal
        lead.save()
        made = [f"contact {contact.full_name}"] + ([f"company {company.name}"] if company else []) + (
            [f"deal {deal.name}"] if deal else [])
        ids = {"contact_id": contact.pk, "company_id": getattr(company, "pk", None), "deal_id": getattr(deal, "pk", None)}
        timeline.add(lead, timeline.Kind.CONVERSION, "Converted into " + ", ".join(made), actor=actor, data=ids)
        verb = "Created" if contact_created else "Linked"
        timeline.add(contact, timeline.Kind.CONVERSION, f"{verb} by converting the lead {lead.full_name}",
                     actor=actor, data={"lead_id": lead.pk, **ids})
        audit.record(actor, "crm.lead.converted", lead, **ids)
    return Conversion(lead, contact, company, deal, contact_created, company_created)
