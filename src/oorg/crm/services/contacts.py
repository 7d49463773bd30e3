"""Contacts: create, change, delete, with every problem of a request at once and duplicates refused (409).

The helpers at the top are shared with companies (services/companies.py): the fields every record has
(owner, tags, custom fields), the owner-change trail (a timeline "assignment" entry; the record's updated
event tells the new owner, crm/events/contacts.py) and the "created" timeline entry.
"""
from __future__ import annotations

import copy

from django.db import transaction

from oorg.core import audit
from oorg.core.errors import Problems, ValidationFailed, unchanged_on_refusal
from oorg.core.permissions import Actor, require

from .. import custom_fields, dedupe, fields, scopes, timeline
from ..models import Company, Contact, ContactCompany, TimelineEntry
from ..permissions import DELETE, EDIT

CONTACT_FIELDS = ("full_name", "email", "phone", "job_title", "company_ids", "owner_id", "tags", "custom_fields")
MAX_COMPANIES = 50


# --- shared by every record service of this helper ---------------------------------------------------------


def apply_common(actor: Actor, record, entity: str, name: str, value, problems: Problems) -> bool:
    """Set owner_id, tags or custom_fields on `record`; False when `name` is none of them."""
    if name == "owner_id":
        record.owner = fields.clean_owner(actor, value)
    elif name == "tags":
        record.tags = fields.clean_tags(value)
    elif name == "custom_fields":
        record.custom_fields = custom_fields.clean_values(entity, value, current=record.custom_fields,
                                                         problems=problems)
    else:
        return False
    return True


def check_required_custom_fields(record, entity: str, changes: dict, problems: Problems) -> None:
    """A new record without `custom_fields` still needs its required ones."""
    if record.pk is None and "custom_fields" not in changes and not problems.about("custom_fields"):
        custom_fields.clean_values(entity, {}, current={}, problems=problems)


def owner_label(membership) -> str:
    if membership is None:
        return "nobody"
    user = membership.user
    return getattr(user, "full_name", "") or user.email


def note_owner_change(actor: Actor, record, old_owner_id) -> None:
    if record.owner_id == old_owner_id:
        return
    timeline.add(record, TimelineEntry.Kind.ASSIGNMENT, f"Owner changed to {owner_label(record.owner)}",
                 actor=actor, data={"from_owner_id": old_owner_id, "to_owner_id": record.owner_id})


def unknown_fields(changes: dict, allowed) -> list[ValidationFailed]:
    return [ValidationFailed(f"Unknown field {name!r}.", field=name) for name in changes if name not in allowed]


# --- contacts ------------------------------------------------------------------------------------------------


def _companies(actor: Actor, company_ids) -> list[Company]:
    if company_ids is None:
        return []
    if not isinstance(company_ids, list | tuple):
        raise ValidationFailed("company_ids is a list of company ids.", field="company_ids")
    try:
        wanted = {int(i) for i in company_ids}
    except (TypeError, ValueError):
        raise ValidationFailed("company_ids is a list of company ids.", field="company_ids") from None
    if len(wanted) > MAX_COMPANIES:
        raise ValidationFailed(f"A contact belongs to at most {MAX_COMPANIES} companies.", field="company_ids")
    found = list(scopes.visible(actor, Company).filter(pk__in=wanted).order_by("name", "pk"))
    missing = sorted(wanted - {c.pk for c in found})
    if missing:
        raise ValidationFailed(f"No such company: {', '.join(map(str, missing))}.", field="company_ids")
    return found


def _apply_contact(actor: Actor, contact: Contact, changes: dict, *, unchecked=()) -> tuple[Problems, list | None]:
    """Set `changes` on `contact` (unsaved); answers the problems and the companies chosen (None: unchanged)."""
    problems = Problems(unchecked=unchecked)
    for problem in unknown_fields(changes, CONTACT_FIELDS):
        problems.add(problem)
    companies = None
    for name, value in changes.items():
        with problems.check():
            if apply_common(actor, contact, "contact", name, value, problems):
                continue
            if name == "full_name":
                contact.full_name = fields.clean_text(value, "full_name", max_length=150, required=True, label="Name")
            elif name == "email":
                contact.email = fields.clean_email(value)
            elif name == "phone":
                contact.phone = fields.clean_phone(value)
            elif name == "job_title":
                contact.job_title = fields.clean_text(value, "job_title", max_length=120)
            elif name == "company_ids":
                companies = _companies(actor, value)
    if contact.pk is None and "full_name" not in changes and not problems.about("full_name"):
        problems.add(ValidationFailed("Name is required.", field="full_name", code="required"))
    check_required_custom_fields(contact, "contact", changes, problems)
    return problems, companies


def check_contact(actor: Actor, contact: Contact | None, data: dict, *, unchecked=()) -> list:
    """Every problem create_contact (`contact` None) or update_contact would refuse `data` for, unsaved."""
    require(actor, EDIT)
    scopes.require_scope(actor)
    target = Contact(workspace=actor.workspace, owner=actor.membership) if contact is None else copy.copy(contact)
    problems, _ = _apply_contact(actor, target, data, unchecked=unchecked)
    return list(problems)


def _link_companies(actor: Actor, contact: Contact, companies: list[Company]) -> None:
    """The contact's companies the actor sees become `companies`; links to companies outside their scope stay."""
    wanted = {c.pk for c in companies}
    (ContactCompany.objects.filter(contact=contact, company__in=scopes.visible(actor, Company))
     .exclude(company_id__in=wanted).delete())
    have = set(ContactCompany.objects.filter(contact=contact).values_list("company_id", flat=True))
    ContactCompany.objects.bulk_create([ContactCompany(workspace_id=contact.workspace_id, contact=contact, company=c)
                                        for c in companies if c.pk not in have])


def create_contact(actor: Actor, *, allow_duplicate: bool = False, **data) -> Contact:
    require(actor, EDIT)
    scopes.require_scope(actor)
    contact = Contact(workspace=actor.workspace, owner=actor.membership, created_by=actor.user)
    if data.get("owner_id") is None:  # not given: the creator owns it
        data.pop("owner_id", None)
    with transaction.atomic():
        problems, companies = _apply_contact(actor, contact, data)
        problems.raise_if_any()
        dedupe.refuse_duplicate(actor, Contact, {"email": contact.email, "phone": contact.phone},
                                allow=allow_duplicate)
        contact.save()
        _link_companies(actor, contact, companies or [])
        timeline.add(contact, TimelineEntry.Kind.CREATED, "Contact created", actor=actor)
        audit.record(actor, "crm.contact.created", contact, fields=sorted(data))
    return contact


def update_contact(actor: Actor, contact: Contact, *, allow_duplicate: bool = False, **changes) -> Contact:
    require(actor, EDIT, contact)
    old_owner_id, old_keys = contact.owner_id, (contact.email, contact.phone)
    with unchanged_on_refusal(contact), transaction.atomic():
        problems, companies = _apply_contact(actor, contact, changes)
        problems.raise_if_any()
        if (contact.email, contact.phone) != old_keys:
            keys = {k: v for k, v, old in (("email", contact.email, old_keys[0]), ("phone", contact.phone, old_keys[1]))
                    if v != old}
            dedupe.refuse_duplicate(actor, Contact, keys, allow=allow_duplicate, exclude_pk=contact.pk)
        contact.save()
        if companies is not None:
            _link_companies(actor, contact, companies)
        note_owner_change(actor, contact, old_owner_id)
        audit.record(actor, "crm.contact.updated", contact, fields=sorted(changes))
    return contact


def delete_contact(actor: Actor, contact: Contact) -> None:
    require(actor, DELETE, contact)
    with transaction.atomic():
        audit.record(actor, "crm.contact.deleted", contact)  # its event is built while the row still exists
        contact.delete()
