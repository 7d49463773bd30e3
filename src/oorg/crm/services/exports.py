"""Exporting leads, contacts, companies and deals as CSV or XLSX: the list the person sees (their scope, the
list's filters, `q`, `?cf.<name>=`), streamed a keyset batch at a time, in the columns the importer reads, so an
export can be edited and imported back."""
from __future__ import annotations

from oorg.core import audit
from oorg.core.errors import ValidationFailed
from oorg.core.permissions import Actor, require
from oorg.core.tabular import stream_table
from oorg.core.tenancy import workspace_scope

from .. import custom_fields, lists, records
from ..models import ContactCompany
from ..permissions import EXPORT
from .imports import COLUMNS, PLURALS

BATCH = 2000
FORMATS = ("csv", "xlsx")
BASE = {"lead": ["full_name", "email", "phone", "company_name", "status", "source"],
        "contact": ["full_name", "email", "phone", "job_title", "company", "company_domain"],
        "company": ["name", "domain", "industry", "size", "phone", "address"],
        "deal": ["name", "amount", "currency", "expected_close_date", "pipeline", "stage", "contact_email",
                 "company", "company_domain"]}
assert all(set(BASE[e]) - {"source"} <= set(COLUMNS[e]) for e in BASE)


def headers_for(entity: str, defs: dict) -> list[str]:
    return [*BASE[entity], "tags", "owner", "created_at", *(f"cf.{name}" for name in defs)]


def export(actor: Actor, entity: str, params, *, fmt: str):
    """The file's bytes as an iterator that reads the rows while it is sent (a response streams it)."""
    require(actor, EXPORT)
    if entity not in lists.SPECS:
        raise ValidationFailed(f"entity is one of {', '.join(lists.SPECS)}.", field="entity")
    if fmt not in FORMATS:
        raise ValidationFailed("Export as csv or xlsx.", field="format")
    spec = lists.SPECS[entity]
    queryset = records.query(actor, spec, params, ordered=False)  # scope + filters; 422 for a bad filter
    defs = custom_fields.definitions(entity)
    count = queryset.count()
    given = _params(params)  # the audit keeps the filters the list read, not whatever else the URL carried
    audit.record(actor, "crm.records.exported", actor.workspace, entity=entity, format=fmt, rows=count,
                 filters={k: str(given[k])[:200] for k in records.understood(spec, given)})
    headers = headers_for(entity, defs)
    return _in_scope(actor.workspace.pk, stream_table(fmt, headers, _rows(entity, queryset, defs))), count


def filename_for(entity: str) -> str:
    return PLURALS[entity]


def _params(params) -> dict:
    return {k: (params.get(k) if hasattr(params, "getlist") else params[k]) for k in params}


def _rows(entity: str, queryset, defs: dict):
    """Keyset batches by id: each batch is one indexed range read, whatever the depth."""
    related = {"deal": ("owner__user", "stage", "pipeline", "contact", "company")}.get(entity, ("owner__user",))
    queryset = queryset.select_related(None).select_related(*related).order_by("pk")
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        companies = _companies_of(batch) if entity == "contact" else {}
        for record in batch:
            yield _row(entity, record, defs, companies)


def _companies_of(contacts) -> dict:
    found: dict[int, list] = {}
    links = (ContactCompany.objects.filter(contact_id__in=[c.pk for c in contacts])
             .select_related("company").order_by("company__name", "company_id"))
    for link in links:
        found.setdefault(link.contact_id, []).append(link.company)
    return found


def _row(entity: str, r, defs: dict, companies: dict) -> list:
    owner = r.owner.user.email if r.owner_id and r.owner else ""
    if entity == "lead":
        base = [r.full_name, r.email, r.phone, r.company_name, r.status, r.source]
    elif entity == "contact":
        mine = companies.get(r.pk, [])
        base = [r.full_name, r.email, r.phone, r.job_title, "; ".join(c.name for c in mine),
                "; ".join(c.domain for c in mine if c.domain)]
    elif entity == "company":
        base = [r.name, r.domain, r.industry, r.size, r.phone, r.address]
    else:
        base = [r.name, r.amount, r.currency, r.expected_close_date, r.pipeline.name, r.stage.name,
                r.contact.email if r.contact else "", r.company.name if r.company else "",
                r.company.domain if r.company else ""]
    cf = r.custom_fields or {}
    extra = [", ".join(str(v) for v in cf[n]) if isinstance(cf.get(n), list) else cf.get(n, "") for n in defs]
    return [*base, ", ".join(r.tags or []), owner, r.created_at, *extra]


def _in_scope(workspace_id: int, chunks):
    """A response streams after the request's workspace scope has closed: read the rows inside it again."""
    with workspace_scope(workspace_id):
        yield from chunks
