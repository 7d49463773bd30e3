"""Leads: create, change and delete, each with a `check_*` twin that reports every problem without saving.

A lead's status "converted" is set only by its conversion (services/conversion.py). Giving a lead to another
owner needs crm.records.assign (fields.clean_owner), writes an "assignment" line on its timeline, and the new
owner is told (events/leads.py: the notice of crm.lead.updated).
"""
from __future__ import annotations

import copy

from django.db import transaction

from oorg.core import audit
from oorg.core.errors import DomainError, NotFound, Problems, ValidationFailed, unchanged_on_refusal
from oorg.core.permissions import Actor, require

from .. import custom_fields, dedupe, fields, scopes, timeline
from ..models import Lead
from ..permissions import ASSIGN, DELETE, EDIT

LEAD_FIELDS = ("full_name", "email", "phone", "company_name", "source", "status", "owner_id", "tags",
               "custom_fields")


def _owner_label(membership) -> str:
    if membership is None:
        return "nobody"
    user = membership.user
    return user.full_name or user.email


def _apply(actor: Actor, lead: Lead, changes: dict, *, unchecked=()) -> Problems:
    """Set `changes` on `lead` (unsaved); answers every problem found."""
    problems = Problems(unchecked=unchecked)
    for name, value in changes.items():
        with problems.check():
            if name not in LEAD_FIELDS:
                raise ValidationFailed(f"Unknown field {name!r}.", field=name)
            if name == "full_name":
                lead.full_name = fields.clean_text(value, name, max_length=150, required=True, label="Name")
            elif name == "email":
                lead.email = fields.clean_email(value, name)
            elif name == "phone":
                lead.phone = fields.clean_phone(value, name)
            elif name == "company_name":
                lead.company_name = fields.clean_text(value, name, max_length=200, label="Company")
            elif name == "source":
                lead.source = fields.clean_choice(value, name, Lead.Source)
            elif name == "status":
                status = fields.clean_choice(value, name, Lead.Status)
                if status != lead.status and Lead.Status.CONVERTED in (status, lead.status):
                    raise ValidationFailed("A lead becomes converted by converting it, and stays converted.",
                                           field=name, code="converted_by_conversion")
                lead.status = status
            elif name == "owner_id":
                owner = fields.clean_owner(actor, value, name)
                if owner is None and lead.owner_id is not None and not actor.is_system and not actor.can(ASSIGN):
                    raise ValidationFailed("Your role lets you own records, not give them away.", field=name,
                                           code="not_allowed")
                lead.owner = owner
            elif name == "tags":
                lead.tags = fields.clean_tags(value, name)
            elif name == "custom_fields":
                lead.custom_fields = custom_fields.clean_values("lead", value, current=lead.custom_fields,
                                                                problems=problems)
    if lead.pk is None and "custom_fields" not in changes:
        custom_fields.clean_values("lead", {}, current={}, problems=problems)  # required fields
    return problems


def _new_lead(actor: Actor) -> Lead:
    return Lead(workspace=actor.workspace, owner=actor.membership, created_by=getattr(actor, "user", None))


def _check_visible(actor: Actor, lead: Lead) -> None:
    if not scopes.sees(actor, lead):
        raise NotFound("No such lead.")


def check_lead(actor: Actor, lead: Lead | None, changes: dict, *, unchecked=(),
               allow_duplicate: bool = False) -> list[DomainError]:
    """Every problem create_lead (`lead` None) or update_lead would refuse `changes` for, without saving."""
    require(actor, EDIT)
    scopes.require_scope(actor)
    if lead is not None:
        _check_visible(actor, lead)
    target = _new_lead(actor) if lead is None else copy.copy(lead)
    problems = _apply(actor, target, changes, unchecked=unchecked)
    if lead is None:
        _refuse_duplicate(actor, target, problems, allow=allow_duplicate)
    return list(problems)


def _refuse_duplicate(actor, lead: Lead, problems: Problems, *, allow: bool) -> None:
    if allow or problems.about("email", "phone"):
        return
    with problems.check():
        dedupe.refuse_duplicate(actor, Lead, {"email": lead.email, "phone": lead.phone})


def create_lead(actor: Actor, *, allow_duplicate: bool = False, **values) -> Lead:
    require(actor, EDIT)
    scopes.require_scope(actor)
    values.setdefault("source", Lead.Source.MANUAL)
    lead = _new_lead(actor)
    with transaction.atomic():
        problems = _apply(actor, lead, values)
        _refuse_duplicate(actor, lead, problems, allow=allow_duplicate)
        problems.raise_if_any()
        lead.save()
        timeline.add(lead, timeline.Kind.CREATED, f"Lead created ({lead.get_source_display().lower()})",
                     actor=actor, data={"source": lead.source})
        audit.record(actor, "crm.lead.created", lead, fields=sorted(values))
    return lead


def update_lead(actor: Actor, lead: Lead, **changes) -> Lead:
    require(actor, EDIT)
    _check_visible(actor, lead)
    previous_owner = lead.owner
    with unchanged_on_refusal(lead), transaction.atomic():
        _apply(actor, lead, changes).raise_if_any()
        lead.save()
        reassigned = lead.owner_id != getattr(previous_owner, "pk", None)
        if reassigned:
            timeline.add(lead, timeline.Kind.ASSIGNMENT,
                         f"Owner changed from {_owner_label(previous_owner)} to {_owner_label(lead.owner)}",
                         actor=actor, data={"from": getattr(previous_owner, "pk", None), "to": lead.owner_id})
        audit.record(actor, "crm.lead.updated", lead, fields=sorted(changes),
                     previous_owner_id=getattr(previous_owner, "pk", None))
    return lead


def delete_lead(actor: Actor, lead: Lead) -> None:
    require(actor, DELETE)
    _check_visible(actor, lead)
    with transaction.atomic():
        audit.record(actor, "crm.lead.deleted", lead, full_name=lead.full_name)
        lead.delete()
