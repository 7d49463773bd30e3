"""Importing leads, contacts, companies and deals from a spreadsheet, on the import pattern of core/imports.py.

upload -> mapping (headers matched to fields, `cf.<name>` or a custom field's label) -> dry run (every bad row by
line, nothing written) -> the import, in one transaction (all or nothing, or only the valid rows), as a
background job with progress.

Duplicates are matched like a record created by hand (crm/dedupe.py): leads and contacts by normalised email,
then phone; companies by domain. A match is looked for only among the records the importer sees (their record
scope), and only for the keys the file holds, a batch at a time; `dedupe` says what a match does: `skip` (the
row is left out), `update` (the record takes the row's non-empty values) or `create` (another record). Two rows
of one file with the same key are one record: skipped again, refused in `update` mode, created in `create`.

Relations: a contact's `company` (name, case-insensitive) or `company_domain` links it to a company the importer
sees, or to one created by the import (once, in bulk, however many rows name it); a deal's `contact_email`
names a contact the importer sees, its `company` / `company_domain` a company (created if new), its `pipeline`
and `stage` are names (default: the first pipeline, its first stage).

Every row is cleaned once: the check keeps the cleaned rows in a temporary file that the write reads back,
chunk by chunk, so memory follows the chunk, not the file.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.files import File
from django.db import connection
from django.db.models.functions import Lower
from django.utils import timezone

from oorg.core import audit, db, events, files, jobs, limits
from oorg.core import imports as core_imports
from oorg.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from oorg.core.imports import LOOKUP_BATCH, WRITE_BATCH, RowProblems, batched
from oorg.core.models import Membership
from oorg.core.permissions import Actor, require
from oorg.core.tabular import normalise_header

from .. import custom_fields, fields, scopes
from ..models import Company, Contact, ContactCompany, Deal, Lead, Pipeline, Stage, TimelineEntry
from ..permissions import ASSIGN, IMPORT

SKIP, UPDATE, CREATE = "skip", "update", "create"
DEDUPE_MODES = (SKIP, UPDATE, CREATE)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
ANALYZE_AFTER = 5000
PLURALS = {"lead": "leads", "contact": "contacts", "company": "companies", "deal": "deals"}
MODELS = {"lead": Lead, "contact": Contact, "company": Company, "deal": Deal}
ENTITY_OF = {v: k for k, v in PLURALS.items()}

_OWNER = ("owner", "owner_email")
_TAGS = ("tags", "tag", "labels")
COLUMNS = {
    "lead": {"full_name": ("full_name", "name", "lead_name", "contact_name"), "email": ("email", "e_mail"),
             "phone": ("phone", "mobile", "telephone"), "company_name": ("company_name", "company", "organisation",
                                                                          "organization"),
             "status": ("status",), "tags": _TAGS, "owner": _OWNER},
    "contact": {"full_name": ("full_name", "name", "contact_name"), "email": ("email", "e_mail"),
                "phone": ("phone", "mobile", "telephone"), "job_title": ("job_title", "title", "position"),
                "company": ("company", "company_name", "organisation", "organization"),
                "company_domain": ("company_domain", "domain", "website"), "tags": _TAGS, "owner": _OWNER},
    "company": {"name": ("name", "company", "company_name"), "domain": ("domain", "website", "company_domain"),
                "industry": ("industry",), "size": ("size", "company_size"), "phone": ("phone", "telephone"),
                "address": ("address",), "tags": _TAGS, "owner": _OWNER},
    "deal": {"name": ("name", "deal", "deal_name", "title"), "amount": ("amount", "value"),
             "currency": ("currency",), "expected_close_date": ("expected_close_date", "close_date"),
             "pipeline": ("pipeline",), "stage": ("stage",), "contact_email": ("contact_email", "email"),
             "company": ("company", "company_name"), "company_domain": ("company_domain", "domain"),
             "tags": _TAGS, "owner": _OWNER},
}
READ_ONLY = ("created_at", "source")  # in an export; accepted back and left alone (a lead's source is "import")
for _columns in COLUMNS.values():
    _columns["created_at"] = ("created_at",)
COLUMNS["lead"]["source"] = ("source",)
REQUIRED = {"lead": "full_name", "contact": "full_name", "company": "name", "deal": "name"}
DEDUPE_KEYS = {"lead": ("email", "phone"), "contact": ("email", "phone"), "company": ("domain",), "deal": ()}
CF = custom_fields.FILTER_PREFIX  # "cf."
TEXT_LIMITS = {"full_name": 150, "company_name": 200, "job_title": 120, "name": 200, "industry": 120,
               "address": 1000}


def _kind(entity: str) -> str:
    return f"crm.{entity}.import"


# --- the spec -------------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """What an import keeps for the whole file: keys, outcomes by line and the ids it wrote, never the rows."""

    actor: Actor
    mode: str
    dedupe: str
    defs: dict
    cache: object  # a temporary file: the cleaned rows of each chunk, pickled by the check, read by the write
    seen: dict = field(default_factory=dict)  # (key, value) -> first line in the file
    outcome: dict = field(default_factory=dict)  # line -> "new" | "update" | "same" | "skip"
    owners: dict = field(default_factory=dict)  # owner email -> membership id (None: no such member)
    by_domain: dict = field(default_factory=dict)  # company domain -> pk (or a new-company key)
    by_name: dict = field(default_factory=dict)  # company name casefolded -> pk (or a new-company key)
    new_companies: dict = field(default_factory=dict)  # new-company key -> (name, domain)
    company_of_line: dict = field(default_factory=dict)  # line -> new-company key (rows that need one)
    contacts: dict = field(default_factory=dict)  # contact email -> pk (deals)
    pipelines: dict | None = None
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    created_companies: list = field(default_factory=list)
    links: int = 0
    new_pk: dict | None = None  # new-company key -> pk, once written
    linked: set = field(default_factory=set)  # (contact pk, company pk) on record, of the contacts matched


class CrmImport(core_imports.Spec):
    permission = IMPORT
    max_rows = MAX_ROWS
    max_file_bytes = MAX_FILE_BYTES

    def __init__(self, entity: str, dedupe: str = SKIP):
        if dedupe not in DEDUPE_MODES:
            raise ValidationFailed(f"dedupe is {', '.join(DEDUPE_MODES)}.", field="dedupe")
        self.entity, self.dedupe, self.model = entity, dedupe, MODELS[entity]
        self.kind = _kind(entity)
        self.required = (REQUIRED[entity],)
        self.key_column = (DEDUPE_KEYS[entity] or ("",))[0]
        self._defs = None

    @property
    def defs(self) -> dict:
        if self._defs is None:
            self._defs = custom_fields.definitions(self.entity)
        return self._defs

    @property
    def columns(self) -> dict:
        """The entity's columns, then one `cf.<name>` per custom field (also read by its name or its label)."""
        columns = dict(COLUMNS[self.entity])
        taken = {alias for aliases in columns.values() for alias in aliases}
        for name, definition in self.defs.items():
            aliases = [f"{CF}{name}", normalise_header(f"{CF}{name}")]
            aliases += [a for a in (normalise_header(name), normalise_header(definition.label)) if a not in taken]
            columns[f"{CF}{name}"] = tuple(dict.fromkeys(aliases))
        return columns

    def check_columns(self, actor, columns, problems):
        pass  # an owner column is checked per row: naming oneself needs no right

    def begin(self, actor, *, mode):
        return _Run(actor=actor, mode=mode, dedupe=self.dedupe, defs=self.defs, cache=tempfile.TemporaryFile())

    # -- the check, a chunk at a time --

    def check(self, run, rows, problems):
        staged = []
        for line, row in rows:
            data = self._clean(run, line, row, problems)
            if data is not None:
                staged.append((line, data))
        self._owners(run, staged, problems)
        if self.entity in ("contact", "deal"):
            self._companies(run, staged)
        if self.entity == "deal":
            self._deal_refs(run, staged, problems)
        matches = self._matches(run, staged)
        existing = self._load(pk for pk, _key in matches.values() if pk)
        if self.entity == "contact" and run.dedupe == UPDATE:
            for batch in batched(sorted(existing), LOOKUP_BATCH):
                run.linked.update(ContactCompany.objects.filter(contact_id__in=batch)
                                  .values_list("contact_id", "company_id"))
        kept = []
        for line, data in staged:
            if line in problems.lines:
                continue
            outcome, pk = self._decide(run, line, data, matches.get(line), problems)
            if outcome is None:
                continue
            current = existing.get(pk)
            errors = RowProblems()
            try:
                data["custom_fields"] = custom_fields.clean_values(
                    self.entity, data.pop("cf", {}), current=current.custom_fields if current else {},
                    defs=run.defs)
            except DomainError as e:
                for p in e.problems:
                    errors.add(line, _cf_column(p.field), p.message)
            if outcome == "new":
                required = REQUIRED[self.entity]
                if not data.get(required):
                    errors.add(line, required, f"A new {self.entity} needs a {required.replace('_', ' ')}.")
            if errors:
                problems.items.extend(errors.items)
                problems.lines.update(errors.lines)
                continue
            if outcome == "update" and not _changes(current, data, run.linked):
                outcome = "same"
            run.outcome[line] = outcome
            data["pk"] = pk
            self._remember(run, line, data)
            kept.append((line, data))
        pickle.dump(kept, run.cache, protocol=pickle.HIGHEST_PROTOCOL)

    def _clean(self, run, line, row, problems) -> dict | None:
        """The row's values as stored (non-empty cells only), or None when a cell is bad."""
        data, cf, bad = {}, {}, False
        for column, value in row.items():
            if isinstance(value, str):
                value = value.strip()
            if value in ("", None) or column in READ_ONLY:
                continue
            try:
                if column.startswith(CF):
                    cf[column[len(CF):]] = value
                    continue
                cleaned = _clean_cell(column, value)
            except ValidationFailed as e:
                problems.add(line, column, e.message)
                bad = True
                continue
            if cleaned not in ("", None, []):
                data[column] = cleaned
        data["cf"] = cf
        return None if bad else data

    def _owners(self, run, staged, problems):
        wanted = {d["owner"] for _, d in staged if d.get("owner") and d["owner"] not in run.owners}
        for batch in batched(sorted(wanted), LOOKUP_BATCH):
            found = dict(Membership.objects.filter(is_active=True).annotate(e=Lower("user__email"))
                         .filter(e__in=batch).values_list("e", "pk"))
            run.owners.update((email, found.get(email)) for email in batch)
        me = getattr(run.actor.membership, "pk", None)
        may_assign = run.actor.is_system or run.actor.can(ASSIGN)
        for line, data in staged:
            email = data.pop("owner", None)
            if email is None:
                continue
            owner = run.owners.get(email)
            if owner is None:
                problems.add(line, "owner", f"No active member of the workspace has the email {email}.")
            elif owner != me and not may_assign:
                problems.add(line, "owner", "Your role lets you own records, not give them to others.")
            else:
                data["owner_id"] = owner

    def _companies(self, run, staged):
        """Resolve each row's company among the companies the importer sees; a new one gets a key once."""
        domains = {d["company_domain"] for _, d in staged if d.get("company_domain")} - run.by_domain.keys()
        # A row with a domain is matched by its domain (the company's key, indexed); by name only without one.
        names = ({d["company"].casefold() for _, d in staged if d.get("company") and not d.get("company_domain")}
                 - run.by_name.keys())
        visible = scopes.visible(run.actor, Company)
        for batch in batched(sorted(domains), LOOKUP_BATCH):
            for domain, pk in visible.filter(domain__in=batch).order_by("-pk").values_list("domain", "pk"):
                run.by_domain[domain] = pk  # the oldest wins (read last)
        for batch in batched(sorted(names), LOOKUP_BATCH):
            rows = (visible.annotate(key=Lower("name")).filter(key__in=batch).order_by("-pk")
                    .values_list("key", "name", "pk"))
            for key, name, pk in rows:
                run.by_name[name.casefold() if name.casefold() in names else key] = pk
        for line, data in staged:
            domain, name = data.pop("company_domain", ""), data.pop("company", "")
            if not domain and not name:
                continue
            ref = run.by_domain.get(domain) if domain else run.by_name.get(name.casefold())
            if ref is None:
                ref = f"d:{domain}" if domain else f"n:{name.casefold()}"
                run.new_companies.setdefault(ref, (name or domain, domain))
                if domain:
                    run.by_domain[domain] = ref
                if name:
                    run.by_name.setdefault(name.casefold(), ref)
            data["company_ref"] = ref

    def _deal_refs(self, run, staged, problems):
        if run.pipelines is None:
            run.pipelines = {}
            for p in Pipeline.objects.order_by("position", "id"):
                run.pipelines.setdefault(p.name.casefold(), [p.pk, {}, None])
            first = {}
            for s in Stage.objects.order_by("position", "id"):
                for entry in run.pipelines.values():
                    if entry[0] == s.pipeline_id:
                        entry[1].setdefault(s.name.casefold(), s.pk)
                        first.setdefault(s.pipeline_id, s.pk)
                        entry[2] = first[s.pipeline_id]
        emails = {d["contact_email"] for _, d in staged if d.get("contact_email")} - run.contacts.keys()
        visible = scopes.visible(run.actor, Contact)
        for batch in batched(sorted(emails), LOOKUP_BATCH):
            for email, pk in visible.filter(email__in=batch).order_by("-pk").values_list("email", "pk"):
                run.contacts[email] = pk
        default = next(iter(run.pipelines.values()), None)
        for line, data in staged:
            pipeline_name = data.pop("pipeline", "")
            stage_name = data.pop("stage", "")
            pipeline = run.pipelines.get(pipeline_name.casefold()) if pipeline_name else default
            if pipeline is None:
                problems.add(line, "pipeline", f"No pipeline called {pipeline_name!r}." if pipeline_name
                             else "Create a pipeline before importing deals.")
            else:
                stage = pipeline[1].get(stage_name.casefold()) if stage_name else pipeline[2]
                if stage is None:
                    problems.add(line, "stage", f"No stage called {stage_name!r} in this pipeline."
                                 if stage_name else "The pipeline has no stages.")
                else:
                    data["pipeline_id"], data["stage_id"] = pipeline[0], stage
            email = data.pop("contact_email", "")
            if email:
                if run.contacts.get(email) is None:
                    problems.add(line, "contact_email", f"No contact with the email {email} that you can see.")
                else:
                    data["contact_id"] = run.contacts[email]

    def _matches(self, run, staged) -> dict:
        """line -> (pk of the visible record it matches, key), by each dedupe key in turn."""
        keys = DEDUPE_KEYS[self.entity]
        if not keys:
            return {}
        matches, visible = {}, scopes.visible(run.actor, self.model)
        for key in keys:
            wanted = {d[key] for line, d in staged if d.get(key) and line not in matches}
            found = {}
            for batch in batched(sorted(wanted), LOOKUP_BATCH):
                for value, pk in visible.filter(**{f"{key}__in": batch}).order_by("-pk").values_list(key, "pk"):
                    found[value] = pk  # the oldest wins
            for line, data in staged:
                if line not in matches and data.get(key) in found:
                    matches[line] = (found[data[key]], key)
        return matches

    def _load(self, pks) -> dict:
        found = {}
        for batch in batched(sorted(set(pks)), LOOKUP_BATCH):
            found.update((r.pk, r) for r in self.model.objects.filter(pk__in=batch))
        return found

    def _decide(self, run, line, data, match, problems):
        """("new" | "update" | "skip", pk) for a row, or (None, None) when it is refused."""
        for key in DEDUPE_KEYS[self.entity]:
            first = run.seen.get((key, data.get(key))) if data.get(key) else None
            if first is not None:
                if run.dedupe == SKIP:
                    return "skip", None
                if run.dedupe == UPDATE:
                    problems.add(line, key, f"The same {key} is on line {first}; keep one of the rows.")
                    return None, None
                break
        if match is None or run.dedupe == CREATE:
            return "new", None
        return ("skip" if run.dedupe == SKIP else "update"), match[0]

    def _remember(self, run, line, data):
        for key in DEDUPE_KEYS[self.entity]:
            if data.get(key):
                run.seen.setdefault((key, data[key]), line)
        ref = data.get("company_ref")
        if isinstance(ref, str) and run.outcome[line] != "skip":
            run.company_of_line[line] = ref

    def counts(self, run, problems):
        counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        names = {"new": "created", "update": "updated", "same": "unchanged", "skip": "skipped"}
        for line, outcome in run.outcome.items():
            if line not in problems.lines:
                counts[names[outcome]] += 1
        counts["companies_created"] = len({ref for line, ref in run.company_of_line.items()
                                           if line not in problems.lines})
        return counts

    # -- the write, a chunk at a time, inside the run's transaction --

    def write(self, run, rows, problems):
        if run.new_pk is None:  # the first chunk: read the check's rows from the start, create the companies
            run.cache.seek(0)
            self._create_companies(run, problems)
        staged = pickle.load(run.cache)
        actor, now = run.actor, timezone.now()
        me = getattr(actor.membership, "pk", None)
        created, updated, links = [], [], []
        existing = self._load(d["pk"] for line, d in staged
                              if run.outcome.get(line) == "update" and line not in problems.lines)
        changed_fields = set()
        for line, data in staged:
            outcome = run.outcome.get(line)
            if line in problems.lines or outcome in ("skip", "same", None):
                continue
            ref = data.pop("company_ref", None)
            company_id = run.new_pk.get(ref) if isinstance(ref, str) else ref
            values = {k: v for k, v in data.items() if k != "pk"}
            if self.entity == "deal" and company_id:
                values["company_id"] = company_id
            if outcome == "new":
                record = self.model(workspace_id=actor.workspace.pk, created_by_id=getattr(actor.user, "pk", None),
                                    owner_id=values.pop("owner_id", me), **values)
                if self.entity == "lead":
                    record.source = Lead.Source.IMPORT
                created.append((record, company_id))
            else:
                record = existing.get(data["pk"])
                if record is None:
                    raise Conflict("Records changed while importing; run the import again.",
                                                field="file")
                for name, value in values.items():
                    if name == "tags":
                        value = sorted({*record.tags, *value})
                    setattr(record, name, value)
                    changed_fields.add(name)
                record.updated_at = now
                updated.append((record, company_id))
        db.insert_objects(self.model, [r for r, _ in created])  # values prepared a column at a time
        if updated:
            db.update_many(self.model, [r for r, _ in updated], [*sorted(changed_fields), "updated_at"])
        if self.entity == "contact":
            links = [(actor.workspace.pk, r.pk, c) for r, c in [*created, *updated] if c]
            _insert(ContactCompany, ("workspace_id", "contact_id", "company_id"), links, ignore_conflicts=True)
            run.links += len(links)
        _timeline(actor, self.entity, [r.pk for r, _ in created])
        run.created.extend(r.pk for r, _ in created)
        run.updated.extend(r.pk for r, _ in updated)

    def _create_companies(self, run, problems):
        run.new_pk = {}
        needed = sorted({ref for line, ref in run.company_of_line.items() if line not in problems.lines})
        if not needed:
            return
        actor = run.actor
        companies = [Company(workspace_id=actor.workspace.pk, name=run.new_companies[ref][0][:200],
                             domain=run.new_companies[ref][1], owner_id=getattr(actor.membership, "pk", None),
                             created_by_id=getattr(actor.user, "pk", None)) for ref in needed]
        db.insert_objects(Company, companies)
        run.new_pk = {ref: c.pk for ref, c in zip(needed, companies)}
        run.created_companies = [c.pk for c in companies]
        _timeline(actor, "company", run.created_companies)

    def finish(self, run, counts):
        actor = run.actor
        if counts["created"] + counts["updated"] >= ANALYZE_AFTER:
            db.analyze(self.model)
        record = audit.record(actor, "crm.records.imported", actor.workspace, entity=self.entity,
                              dedupe=run.dedupe, created=counts["created"], updated=counts["updated"],
                              unchanged=counts["unchanged"], skipped=counts["skipped"],
                              companies_created=len(run.created_companies), links=run.links)
        _emit_each(record, Company, "crm.company.created", run.created_companies)
        _emit_each(record, self.model, f"crm.{self.entity}.created", run.created)
        _emit_each(record, self.model, f"crm.{self.entity}.updated", run.updated)


def _cf_column(field_name: str | None) -> str:
    """custom_fields.<name> (a service's field) -> cf.<name> (the import's column)."""
    if field_name and field_name.startswith("custom_fields."):
        return CF + field_name[len("custom_fields."):]
    return field_name or "custom_fields"


def _clean_cell(column: str, value):
    if column in ("email", "contact_email"):
        return fields.clean_email(value, column)
    if column == "owner":
        return fields.clean_email(value, column)
    if column in ("phone", "domain", "company_domain") and isinstance(value, str):
        return _cleaned_once(column, value)
    if column == "phone":
        return fields.clean_phone(value, column)
    if column in ("domain", "company_domain"):
        return fields.clean_domain(value, column)
    if column == "tags":
        return fields.clean_tags(str(value), column)
    if column == "status":
        status = fields.clean_choice(str(value).lower(), "status", Lead.Status)
        if status == Lead.Status.CONVERTED:
            raise ValidationFailed("A lead is converted from its page, not imported as converted.", field=column)
        return status
    if column == "size":
        return fields.clean_choice(value, "size", Company.Size)
    if column == "amount":
        return fields.clean_amount(value, column)
    if column == "currency":
        return fields.clean_currency(value, column)
    if column == "expected_close_date":
        return fields.clean_date(value, column)
    if column in ("pipeline", "stage", "company"):
        return fields.clean_text(value, column, max_length=200)
    return fields.clean_text(value, column, max_length=TEXT_LIMITS.get(column, 200))


@lru_cache(maxsize=8192)
def _cleaned_once(column: str, value: str) -> str:
    """Phones and domains cleaned once per distinct text: parsing a phone costs ~0.2 ms, and a contacts file
    names each company's domain on every row of its people (a bad value raises each time: not cached)."""
    if column == "phone":
        return fields.clean_phone(value, column)
    return fields.clean_domain(value, column)


def _changes(current, data, linked: set) -> bool:
    for name, value in data.items():
        if name in ("pk", "company_ref"):
            if name == "company_ref" and value is not None and (current.pk, value) not in linked:
                return True  # a link to add
            continue
        if name == "tags":
            if set(value) - set(current.tags):
                return True
        elif name == "custom_fields":
            if value != current.custom_fields:
                return True
        elif getattr(current, name) != value:
            return True
    return False


def _timeline(actor, entity: str, pks: list) -> None:
    """A "created" entry per record, as plain rows: no model instance per row (the same columns and values
    TimelineEntry(...) would write)."""
    now = TimelineEntry._meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    data = TimelineEntry._meta.get_field("data").get_db_prep_save({"source": "import"}, connection)
    common = (actor.workspace.pk, TimelineEntry.Kind.CREATED, "Imported", data, getattr(actor.user, "pk", None), now)
    _insert(TimelineEntry, ("workspace_id", "kind", "summary", "data", "actor_id", "at", f"{entity}_id"),
            [(*common, pk) for pk in pks])


def _insert(model, columns: tuple, rows: list, *, ignore_conflicts: bool = False) -> None:
    """INSERT prepared rows in one statement per batch (core.db.insert_rows: cheaper than bulk_create here)."""
    db.insert_rows(model, columns, rows, ignore_conflicts=ignore_conflicts, batch_size=WRITE_BATCH * 5)


def _emit_each(record, model, type_name: str, pks: list) -> None:
    """One event per row, read back a batch at a time, when the type is registered (other areas own them)."""
    if type_name not in events.TYPES or not pks:
        return
    if type_name in ("crm.contact.created", "crm.company.created"):
        for batch in batched(pks, LOOKUP_BATCH):
            events.emit_built(record, type_name, model.__name__, _created_payloads(model, batch))
        return
    related = {Deal: ("owner__user", "stage", "pipeline", "contact", "company")}.get(model, ("owner__user",))
    prefetch = ("company_links",) if model is Contact else ()  # the payload's company_ids: no query per row
    for batch in batched(pks, LOOKUP_BATCH):
        events.emit_each(record, type_name, model.objects.filter(pk__in=batch).select_related(*related)
                         .prefetch_related(*prefetch).order_by("pk"))


def _created_payloads(model, pks: list) -> list[dict]:
    """The payloads of crm.contact.created / crm.company.created (the API's ContactOut / CompanyOut dump) from
    the rows' columns read as plain values: the same dict the schema makes, without a model instance and a
    pydantic validation per row (tests/crm/test_import.py compares them with contact_out / company_out)."""
    from pydantic_core import to_jsonable_python

    from ..schemas.companies import CompanyOut
    from ..schemas.contacts import ContactOut

    schema = ContactOut if model is Contact else CompanyOut
    names = [name for name in schema.model_fields if name != "company_ids"]
    rows = list(model.objects.filter(pk__in=pks).order_by("pk").values(*names))
    if model is Contact:
        companies: dict[int, list[int]] = {}
        for contact_id, company_id in ContactCompany.objects.filter(contact_id__in=pks).values_list(
                "contact_id", "company_id"):
            companies.setdefault(contact_id, []).append(company_id)
        for row in rows:
            row["company_ids"] = sorted(companies.get(row["id"], ()))
    return [to_jsonable_python({name: row[name] for name in schema.model_fields}) for row in rows]


# --- doors: preview, start, in-process run ----------------------------------------------------------------------


def spec_for(entity: str, dedupe: str = SKIP) -> CrmImport:
    if entity not in MODELS:
        raise ValidationFailed(f"entity is one of {', '.join(MODELS)}.", field="entity")
    return CrmImport(entity, dedupe)


def _run_job(entity: str):
    def run(actor, job, progress):
        return core_imports._run_job(spec_for(entity, job.params.get("dedupe", SKIP)), actor, job, progress)
    return run


def register() -> None:
    """Called once from CrmConfig.ready(): the job kinds and the upload sizes of the import doors."""
    for entity in MODELS:
        jobs.register(_kind(entity), permission=IMPORT, run=_run_job(entity),
                      on_give_up=core_imports._forget_upload)
    limits.allow_upload(r"^/api/v1/(leads|contacts|companies|deals)/import(/preview)?$", MAX_FILE_BYTES)
    limits.allow_upload(r"^/w/[^/]+/crm/import/$", MAX_FILE_BYTES)


def check_upload(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ValidationFailed("The file is larger than 20 MB; split it.", field="file")


def preview(actor: Actor, entity: str, *, upload, filename: str, mapping: dict | None = None) -> dict:
    """Headers, the column each maps to (auto or as sent), header problems and the first rows mapped."""
    require(actor, IMPORT)
    scopes.require_scope(actor)
    spec = spec_for(entity)
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return core_imports.preview(spec, actor, path=path(), filename=filename, mapping=mapping)
    fd, temp = tempfile.mkstemp(prefix="oorg-preview-")
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(upload, bytes):
                f.write(upload)
            else:
                for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                    f.write(chunk)
        return core_imports.preview(spec, actor, path=temp, filename=filename, mapping=mapping)
    finally:
        os.unlink(temp)


def start(actor: Actor, entity: str, *, upload, filename: str, mapping: dict | None = None,
          dedupe: str = SKIP, mode: str = core_imports.ALL_OR_NOTHING, dry_run: bool = False,
          keep_upload: bool = False):
    """Queue the import as a background job (API, import page); answers the Job. `upload`: bytes, a file, or the
    stored name of an earlier upload. Like core.imports.start, with the dedupe mode in the job's params."""
    require(actor, IMPORT)
    scopes.require_scope(actor)
    spec = spec_for(entity, dedupe)
    if mode not in core_imports.MODES:
        raise ValidationFailed(f"mode is {' or '.join(core_imports.MODES)}.", field="mode")
    core_imports.check_mapping(spec, mapping)
    if isinstance(upload, str):
        stored = upload
    else:
        suffix = os.path.splitext(filename)[1].lower()
        stored = files.save_private(core_imports.upload_folder(actor),
                                    upload if isinstance(upload, bytes) else File(upload),
                                    suffix=suffix if suffix in (".csv", ".txt", ".xlsx") else "")
    params = {"file": stored, "filename": filename[-200:], "mapping": mapping or {}, "mode": mode,
              "dry_run": dry_run, "keep_upload": keep_upload, "dedupe": dedupe, "entity": entity}
    return jobs.start(actor, spec.kind, params=params)


def run_import(actor: Actor, entity: str, *, path, filename: str, mapping: dict | None = None,
               dedupe: str = SKIP, mode: str = core_imports.ALL_OR_NOTHING, dry_run: bool = False,
               progress=None) -> dict:
    """In this process, without a job (benches, the CLI): the same checks and writes."""
    require(actor, IMPORT)
    scopes.require_scope(actor)
    return core_imports.run_import(spec_for(entity, dedupe), actor, path=path, filename=filename, mapping=mapping,
                                   mode=mode, dry_run=dry_run, progress=progress)


def get_job(actor: Actor, job_id: int, entity: str | None = None):
    require(actor, IMPORT)
    job = jobs.get_job(actor, job_id)
    if not job.kind.startswith("crm.") or not job.kind.endswith(".import") or (
            entity and job.kind != _kind(entity)):
        raise NotFound()
    return job
