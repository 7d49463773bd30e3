"""The four CRM lists (leads, contacts, companies, deals): one view, parameterised by the kind of record.

The rows are `records.query(actor, SPECS[entity], request.GET)`: the actor's scope, the filters, `q`, `cf.*`
and the ordering, exactly as the API and the exports read them, in keyset pages of 25. The columns are the
person's choice (lists.COLUMNS), kept as their SavedView row named "" so the choice follows them; a named
saved view keeps a query string and columns, and opening it (?view=<id>) applies both. Every form here posts
and comes back to the list it was on (POST/redirect/GET).
"""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe

from oorg.core import pagination
from oorg.core.errors import DomainError
from oorg.core.forms import INVALID_FORM_STATUS, redirect_get_to
from oorg.core.models import Membership

from .. import records
from ..lists import COLUMNS, SPECS
from ..models import Company, Lead, Pipeline, Stage
from ..permissions import DELETE, EDIT, EXPORT, IMPORT
from ..services import saved_views
from .timeline import safe_next

PLURAL = {"lead": "leads", "contact": "contacts", "company": "companies", "deal": "deals"}
TITLES = {"lead": "Leads", "contact": "Contacts", "company": "Companies", "deal": "Deals"}
NOUNS = {"lead": "lead", "contact": "contact", "company": "company", "deal": "deal"}
MAX_OWNERS = 200  # the owner picker lists at most this many members


def _choices(choices, any_label: str):
    return [("", any_label), *choices]


class ListFilterForm(forms.Form):
    """The filters a list page offers; the names are the query parameters records.query reads."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    owner_id = forms.ChoiceField(label="Owner", required=False)
    tag = forms.CharField(label="Tag", required=False, max_length=40)

    def __init__(self, *args, actor, entity: str, **kwargs):
        super().__init__(*args, **kwargs)
        members = (Membership.objects.filter(is_active=True).select_related("user")
                   .order_by("user__email", "id")[:MAX_OWNERS])
        mine = getattr(actor.membership, "pk", None)
        self.fields["owner_id"].choices = [("", "Anyone"), ("none", "Nobody")] + [
            (str(m.pk), "Me" if m.pk == mine else (m.user.full_name or m.user.email)) for m in members]
        if entity == "lead":
            self.fields["status"] = forms.ChoiceField(label="Status", required=False,
                                                      choices=_choices(Lead.Status.choices, "Any status"))
            self.fields["source"] = forms.ChoiceField(label="Source", required=False,
                                                      choices=_choices(Lead.Source.choices, "Any source"))
        elif entity == "company":
            self.fields["industry"] = forms.CharField(label="Industry", required=False, max_length=120)
            self.fields["size"] = forms.ChoiceField(label="Size", required=False,
                                                    choices=_choices(Company.Size.choices, "Any size"))
        elif entity == "deal":
            pipelines = list(Pipeline.objects.order_by("position", "id")[:100])
            self.fields["pipeline_id"] = forms.ChoiceField(
                label="Pipeline", required=False,
                choices=[("", "Any pipeline")] + [(str(p.pk), p.name) for p in pipelines])
            stages = Stage.objects.select_related("pipeline").order_by("pipeline__position", "pipeline_id",
                                                                       "position", "id")[:500]
            self.fields["stage_id"] = forms.ChoiceField(
                label="Stage", required=False,
                choices=[("", "Any stage")] + [(str(s.pk), f"{s.pipeline.name} · {s.name}") for s in stages])
        orderings = SPECS[entity].orderings
        self.fields["ordering"] = forms.ChoiceField(
            label="Sort by", required=False,
            choices=[("", "Default")] + [(f"{sign}{key}", f"{key.replace('_', ' ').capitalize()}"
                                          f"{' (descending)' if sign else ''}")
                                         for key in orderings for sign in ("", "-")])


def _cell(entity: str, key: str, record, slug: str) -> dict:
    value = getattr(record, key, None) if key not in ("owner",) else None
    cell = {"key": key, "text": "", "url": ""}
    if key in ("full_name", "name"):
        cell["text"] = str(value or "")
        cell["url"] = reverse(f"crm:{entity}", args=[slug, record.pk])
    elif key == "owner":
        owner = record.owner
        cell["text"] = (owner.user.full_name or owner.user.email) if owner else ""
    elif key == "tags":
        cell["text"] = ", ".join(record.tags or [])
    elif key in ("status", "source", "size"):
        cell["text"] = getattr(record, f"get_{key}_display")() if value else ""
    elif key == "amount":
        cell["text"] = f"{record.amount:,.2f} {record.currency}"
    elif key in ("created_at",):
        cell["date"] = value
    elif key == "expected_close_date":
        cell["date_only"] = value
    elif key in ("stage", "pipeline", "contact", "company"):
        cell["text"] = str(value) if value is not None else ""
    else:
        cell["text"] = str(value or "")
    return cell


def _filters_query(request) -> QueryDict:
    query = request.GET.copy()
    for name in saved_views.NOT_FILTERS:
        query.pop(name, None)
    return query


@require_safe
def record_list(request, workspace_slug, entity: str):
    actor = request.actor
    spec = SPECS[entity]
    views = saved_views.views_of(actor, entity)
    current_view = None
    view_id = request.GET.get("view", "")
    if view_id.isdigit():
        current_view = next((v for v in views if v.pk == int(view_id)), None)
    columns = (current_view.columns if current_view and current_view.columns
               else saved_views.current_columns(actor, entity))
    form = ListFilterForm(request.GET, actor=actor, entity=entity)
    form.is_valid()
    problems, page, status = [], None, 200
    try:
        page = pagination.page_for(request, records.query(actor, spec, request.GET))
    except DomainError as exc:
        problems = [p.message for p in exc.problems]
        status = INVALID_FORM_STATUS
    rows = []
    if page is not None:
        rows = [{"id": r.pk, "cells": [_cell(entity, key, r, workspace_slug) for key in columns]} for r in page]
    filters = _filters_query(request)
    shown = {k: v for k, v in filters.items() if k != "ordering" and v}
    labels = {c.key: c.label for c in COLUMNS[entity]}
    context = {
        "entity": entity, "plural": PLURAL[entity], "title": TITLES[entity], "noun": NOUNS[entity],
        "form": form, "page": page, "rows": rows, "problems": problems,
        "columns": [{"key": k, "label": labels[k]} for k in columns],
        "all_columns": [{"key": c.key, "label": c.label, "chosen": c.key in columns} for c in COLUMNS[entity]],
        "views": views, "current_view": current_view, "filtered": bool(shown),
        "filters": filters.urlencode(), "here": request.get_full_path(),
        "entity_query": urlencode({"entity": entity}),
        "can_add": actor.can(EDIT), "can_import": actor.can(IMPORT), "can_export": actor.can(EXPORT),
        "can_bulk": actor.can(EDIT) or actor.can(DELETE), "can_merge": actor.can(DELETE),
    }
    return render(request, "crm/lists/list.html", context, status=status)


def _back(request, workspace_slug, entity: str) -> str:
    return safe_next(request, workspace_slug, reverse(f"crm:{PLURAL[entity]}", args=[workspace_slug]))


def _entity_from_post(request) -> str:
    entity = request.POST.get("entity", "")
    if entity not in SPECS:
        entity = "lead"
    return entity


@redirect_get_to("crm:leads")
@require_POST
def choose_columns(request, workspace_slug):
    entity = _entity_from_post(request)
    try:
        saved_views.set_columns(request.actor, entity, request.POST.getlist("columns"))
        messages.success(request, "Columns saved.")
    except DomainError as exc:
        messages.error(request, " ".join(p.message for p in exc.problems))
    return redirect(_back(request, workspace_slug, entity))


@redirect_get_to("crm:leads")
@require_POST
def save_view(request, workspace_slug):
    entity = _entity_from_post(request)
    columns = request.POST.getlist("columns") or None
    try:
        view = saved_views.save_view(request.actor, entity, name=request.POST.get("name"),
                                     query=request.POST.get("query", ""), columns=columns)
    except DomainError as exc:
        messages.error(request, " ".join(p.message for p in exc.problems))
        return redirect(_back(request, workspace_slug, entity))
    messages.success(request, f"View “{view.name}” saved.")
    target = reverse(f"crm:{PLURAL[entity]}", args=[workspace_slug])
    return redirect(f"{target}?{view.query + '&' if view.query else ''}view={view.pk}")


@redirect_get_to("crm:leads")
@require_POST
def delete_view(request, workspace_slug, view_id: int):
    view = saved_views.get_view(request.actor, view_id)
    entity, name = view.entity, view.name
    saved_views.delete_view(request.actor, view)
    messages.success(request, f"View “{name}” deleted.")
    return redirect(reverse(f"crm:{PLURAL[entity]}", args=[workspace_slug]))


urlpatterns = [
    path("leads/", record_list, {"entity": "lead"}, name="leads"),
    path("contacts/", record_list, {"entity": "contact"}, name="contacts"),
    path("companies/", record_list, {"entity": "company"}, name="companies"),
    path("deals/", record_list, {"entity": "deal"}, name="deals"),
    path("lists/columns/", choose_columns, name="list-columns"),
    path("lists/views/", save_view, name="view-save"),
    path("lists/views/<int:view_id>/delete/", delete_view, name="view-delete"),
]
