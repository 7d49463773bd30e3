"""Companies: create, change, delete, with every problem at once; a second company with the same domain is a
409 naming the first (unless allow_duplicate)."""
from __future__ import annotations

import copy

from django.db import transaction

from oorg.core import audit
from oorg.core.errors import Problems, ValidationFailed, unchanged_on_refusal
from oorg.core.permissions import Actor, require

from .. import dedupe, fields, scopes, timeline
from ..models import Company, TimelineEntry
from ..permissions import DELETE, EDIT
from .contacts import apply_common, check_required_custom_fields, note_owner_change, unknown_fields

COMPANY_FIELDS = ("name", "domain", "industry", "size", "phone", "address", "owner_id", "tags", "custom_fields")


def _apply_company(actor: Actor, company: Company, changes: dict, *, unchecked=()) -> Problems:
    problems = Problems(unchecked=unchecked)
    for problem in unknown_fields(changes, COMPANY_FIELDS):
        problems.add(problem)
    for name, value in changes.items():
        with problems.check():
            if apply_common(actor, company, "company", name, value, problems):
                continue
            if name == "name":
                company.name = fields.clean_text(value, "name", max_length=200, required=True)
            elif name == "domain":
                company.domain = fields.clean_domain(value)
            elif name == "industry":
                company.industry = fields.clean_text(value, "industry", max_length=120)
            elif name == "size":
                company.size = fields.clean_choice(value, "size", Company.Size) if value else ""
            elif name == "phone":
                company.phone = fields.clean_phone(value)
            elif name == "address":
                text = str(value or "").strip()
                if len(text) > 1000:
                    raise ValidationFailed("Address has at most 1000 characters.", field="address")
                company.address = text
    if company.pk is None and "name" not in changes and not problems.about("name"):
        problems.add(ValidationFailed("Name is required.", field="name", code="required"))
    check_required_custom_fields(company, "company", changes, problems)
    return problems


def check_company(actor: Actor, company: Company | None, data: dict, *, unchecked=()) -> list:
    require(actor, EDIT)
    scopes.require_scope(actor)
    target = Company(workspace=actor.workspace, owner=actor.membership) if company is None else copy.copy(company)
    return list(_apply_company(actor, target, data, unchecked=unchecked))


def create_company(actor: Actor, *, allow_duplicate: bool = False, **data) -> Company:
    require(actor, EDIT)
    scopes.require_scope(actor)
    company = Company(workspace=actor.workspace, owner=actor.membership, created_by=actor.user)
    if data.get("owner_id") is None:  # not given: the creator owns it
        data.pop("owner_id", None)
    with transaction.atomic():
        _apply_company(actor, company, data).raise_if_any()
        dedupe.refuse_duplicate(actor, Company, {"domain": company.domain}, allow=allow_duplicate)
        company.save()
        timeline.add(company, TimelineEntry.Kind.CREATED, "Company created", actor=actor)
        audit.record(actor, "crm.company.created", company, fields=sorted(data))
    return company


def update_company(actor: Actor, company: Company, *, allow_duplicate: bool = False, **changes) -> Company:
    require(actor, EDIT, company)
    old_owner_id, old_domain = company.owner_id, company.domain
    with unchanged_on_refusal(company), transaction.atomic():
        _apply_company(actor, company, changes).raise_if_any()
        if company.domain != old_domain:
            dedupe.refuse_duplicate(actor, Company, {"domain": company.domain}, allow=allow_duplicate,
                                    exclude_pk=company.pk)
        company.save()
        note_owner_change(actor, company, old_owner_id)
        audit.record(actor, "crm.company.updated", company, fields=sorted(changes))
    return company


def delete_company(actor: Actor, company: Company) -> None:
    require(actor, DELETE, company)
    with transaction.atomic():
        audit.record(actor, "crm.company.deleted", company)
        company.delete()
