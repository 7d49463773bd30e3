"""Duplicates and merging: the same person or company entered twice.

`duplicate_groups` finds likely duplicates with one GROUP BY per key (email, phone, domain) over the records
the actor sees, HAVING more than one, so the database does the work and a page costs the same at any size.
`merge_records` folds a source record into a target in one transaction, both rows locked: blank fields are
filled from the source, tags joined, custom fields kept (the target's win), every link moved (companies,
deals, conversions, notes, activities, the timeline), a "merge" entry written, and the source deleted.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from oorg.core import audit
from oorg.core.errors import NotFound, ValidationFailed
from oorg.core.permissions import Actor, require

from .. import dedupe, fields, scopes, timeline
from ..models import Company, Contact, ContactCompany, Deal, Lead, TimelineEntry
from ..permissions import DELETE

MODELS = {"contact": Contact, "company": Company, "lead": Lead}
ENTITY_OF = {model: entity for entity, model in MODELS.items()}
# The fields a merge fills on the target when it has none and the source has one.
FILL = {
    Contact: ("email", "phone", "job_title", "owner"),
    Company: ("domain", "industry", "size", "phone", "address", "owner"),
    Lead: ("email", "phone", "company_name", "owner", "converted_at", "converted_contact", "converted_company",
           "converted_deal", "web_form", "consent_text", "consent_given", "consent_at", "consent_ip"),
}
GROUP_RECORDS = 10  # records shown per group


def record_name(record) -> str:
    return getattr(record, "full_name", None) or getattr(record, "name", "")


def _record_summary(record) -> dict:
    summary = {"id": record.pk, "name": record_name(record), "owner_id": record.owner_id,
               "created_at": record.created_at.isoformat()}
    for key in ("email", "phone", "domain"):
        if hasattr(record, key):
            summary[key] = getattr(record, key)
    return summary


def duplicate_groups(actor: Actor, model, *, limit: int, offset: int = 0) -> dict:
    """{"items": [{"key", "value", "count", "records": [...]}], "count"}: groups of visible records sharing a
    normalised key, one GROUP BY ... HAVING COUNT > 1 per key; records of the page's groups in one query per key."""
    scopes.require_scope(actor)
    visible = scopes.visible(actor, model)
    groups, total, skip, room = [], 0, offset, limit
    for key in dedupe.KEYS[model]:
        grouped = (visible.exclude(**{key: ""}).values(key).annotate(n=Count("pk")).filter(n__gt=1)
                   .order_by("-n", key))
        count = grouped.count()
        total += count
        if room <= 0 or skip >= count:
            skip = max(0, skip - count)
            continue
        page = list(grouped[skip:skip + room])
        skip, room = 0, room - len(page)
        values = [g[key] for g in page]
        members: dict[str, list] = {}
        for record in visible.filter(**{f"{key}__in": values}).order_by("pk"):
            members.setdefault(getattr(record, key), []).append(record)
        groups += [{"key": key, "value": g[key], "count": g["n"],
                    "records": [_record_summary(r) for r in members.get(g[key], [])[:GROUP_RECORDS]]}
                   for g in page]
    return {"items": groups, "count": total, "next_cursor": None}


def _snapshot(record) -> dict:
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields
            if f.attname not in ("workspace_id",)}


def _move_links(model, source, target) -> None:
    if model is Contact:
        taken = ContactCompany.objects.filter(contact=target).values("company_id")
        ContactCompany.objects.filter(contact=source).exclude(company_id__in=taken).update(contact=target)
        Deal.objects.filter(contact=source).update(contact=target)
        Lead.objects.filter(converted_contact=source).update(converted_contact=target)
    elif model is Company:
        taken = ContactCompany.objects.filter(company=target).values("contact_id")
        ContactCompany.objects.filter(company=source).exclude(contact_id__in=taken).update(company=target)
        Deal.objects.filter(company=source).update(company=target)
        Lead.objects.filter(converted_company=source).update(converted_company=target)


def merge_records(actor: Actor, model, *, target_id: int, source_id: int):
    """Fold the source into the target; answers the target. Both must be visible (404), and different (422)."""
    require(actor, DELETE)
    scopes.require_scope(actor)
    if target_id == source_id:
        raise ValidationFailed("Choose two different records to merge.", field="source_id")
    entity = ENTITY_OF[model]
    with transaction.atomic():
        rows = {r.pk: r for r in scopes.visible(actor, model).select_for_update().filter(pk__in=[target_id, source_id])}
        target, source = rows.get(target_id), rows.get(source_id)
        if target is None or source is None:
            raise NotFound(f"No such {model._meta.verbose_name}.")
        snapshot = _snapshot(source)
        for name in FILL[model]:
            attname = model._meta.get_field(name).attname
            if getattr(target, attname) in (None, "") and getattr(source, attname) not in (None, ""):
                setattr(target, attname, getattr(source, attname))
        if model is Lead and source.status == Lead.Status.CONVERTED and target.converted_at is not None:
            target.status = Lead.Status.CONVERTED
        target.tags = sorted(set(target.tags or []) | set(source.tags or []))[:fields.MAX_TAGS]
        target.custom_fields = {**(source.custom_fields or {}), **(target.custom_fields or {})}
        _move_links(model, source, target)
        moved = timeline.move(source, target)
        target.save()
        timeline.add(target, TimelineEntry.Kind.MERGE, f"Merged with {record_name(source)}", actor=actor,
                     data={"source_id": source.pk, "source_name": record_name(source), "moved": moved})
        source_pk = source.pk
        source.delete()
        action = {"contact": "crm.contact.merged", "company": "crm.company.merged", "lead": "crm.lead.merged"}[entity]
        audit.record(actor, action, target, source_id=source_pk, source=snapshot)
    return target
