"""Bulk change and bulk delete of a filtered list, from the list pages: crm:bulk-review (GET, ?entity= plus the
list's filters, optionally ids) shows how many records match and a few of them, with a change form and a
delete form; crm:bulk (POST) does it (crm/services/bulk.py) and goes back to the list (PRG). The delete
carries the count the person saw: if the set changed meanwhile, nothing is deleted and the page says so."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST, require_safe

from oorg.core.errors import DomainError, NotFound, PermissionDenied
from oorg.core.forms import add_service_error, redirect_get_to, render_form
from oorg.core.permissions import require

from .. import scopes
from ..models import Lead
from ..permissions import ASSIGN, DELETE, EDIT
from ..services import bulk as services
from .leads import owner_choices

LABELS = {"lead": ("lead", "leads"), "contact": ("contact", "contacts"), "company": ("company", "companies"),
          "deal": ("deal", "deals")}
RESERVED = {"entity", "ids", "next", "offset", "cursor", "limit", "columns", "view"}
SHOWN = 20
FILTER = "filter."


class BulkChangeForm(forms.Form):
    owner_id = forms.TypedChoiceField(label="New owner", required=False, coerce=int, empty_value=None)
    add_tags = forms.CharField(label="Add tags", required=False, max_length=900, help_text="Separated by commas.")
    remove_tags = forms.CharField(label="Remove tags", required=False, max_length=900)
    status = forms.ChoiceField(label="New status", required=False,
                               choices=[("", "— unchanged —")]
                               + [c for c in Lead.Status.choices if c[0] != "converted"])

    def __init__(self, *args, actor, entity, **kwargs):
        super().__init__(*args, **kwargs)
        if actor.can(ASSIGN):
            self.fields["owner_id"].choices = [("", "— unchanged —")] + owner_choices(actor)[1:]
        else:
            del self.fields["owner_id"]
        if entity != "lead":
            del self.fields["status"]

    def changes(self) -> dict:
        data = self.cleaned_data
        found = {}
        if data.get("owner_id"):
            found["owner_id"] = data["owner_id"]
        for name in ("add_tags", "remove_tags"):
            if data.get(name):
                found[name] = data[name]
        if data.get("status"):
            found["status"] = data["status"]
        return found


class BulkDeleteForm(forms.Form):
    confirm_count = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def _entity(value) -> str:
    if value not in LABELS:
        raise NotFound("No such kind of record.")
    return value


def _list_url(slug: str, entity: str, filters: dict) -> str:
    try:
        url = reverse(f"crm:{LABELS[entity][1]}", kwargs={"workspace_slug": slug})
    except NoReverseMatch:
        url = f"/w/{slug}/crm/"
    return f"{url}?{urlencode(filters)}" if filters else url


def _selection(query, *, prefix: str = ""):
    """(filters, ids) from a query dict: filters are the list's parameters (prefixed on the POST)."""
    filters = {}
    for key in query:
        name = key[len(prefix):] if prefix and key.startswith(prefix) else (None if prefix else key)
        if name and name not in RESERVED and key != "csrfmiddlewaretoken" and query.get(key) not in ("", None):
            filters[name] = query.get(key)
    ids = [v for v in query.getlist("ids") if str(v).isdigit()] or None
    return filters, ids


def _next(request, slug, entity, filters) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) \
            and target.startswith(f"/w/{slug}/"):
        return target
    return _list_url(slug, entity, filters)


def _review(request, entity, filters, ids, *, change_form=None, delete_form=None):
    actor = request.actor
    require(actor, EDIT)
    scopes.require_scope(actor)
    context = {"entity": entity, "noun": LABELS[entity][0], "plural": LABELS[entity][1],
               "filters": [(FILTER + k, v) for k, v in filters.items()], "ids": ids or [],
               "next": _next(request, actor.workspace.slug, entity, filters),
               "can_delete": actor.can(DELETE), "max_rows": services.MAX_ROWS, "problem": ""}
    try:
        queryset = services.matched(actor, entity, filter=filters, ids=ids)
        count = queryset.count()
        context["records"] = list(queryset.order_by("pk")[:SHOWN])
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        count, context["records"], context["problem"] = 0, [], exc.message
    context.update(count=count, more=max(0, count - SHOWN), too_many=count > services.MAX_ROWS,
                   change_form=change_form or BulkChangeForm(actor=actor, entity=entity),
                   delete_form=delete_form or BulkDeleteForm(initial={"confirm_count": count}),
                   record_url=f"crm:{entity}")
    return render_form(request, "crm/bulk/review.html", context, change_form, delete_form)


@require_safe
def bulk_review(request, workspace_slug):
    entity = _entity(request.GET.get("entity") or "contact")
    filters, ids = _selection(request.GET)
    return _review(request, entity, filters, ids)


@redirect_get_to("crm:bulk-review")
@require_POST
def bulk(request, workspace_slug):
    actor = request.actor
    entity = _entity(request.POST.get("entity"))
    filters, ids = _selection(request.POST, prefix=FILTER)
    noun, plural = LABELS[entity]
    if request.POST.get("action") == "delete":
        form = BulkDeleteForm(request.POST)
        if form.is_valid():
            try:
                done = services.bulk_delete(actor, entity, filter=filters, ids=ids,
                                            confirm_count=form.cleaned_data["confirm_count"])
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                for problem in exc.problems:  # about the selection, not a field the person sees
                    problem.field = None
                add_service_error(form, exc, keep_status=True)
            else:
                messages.success(request, f"{done['deleted']} {noun if done['deleted'] == 1 else plural} deleted.")
                return redirect(_next(request, workspace_slug, entity, filters))
        return _review(request, entity, filters, ids, delete_form=form)
    form = BulkChangeForm(request.POST, actor=actor, entity=entity)
    if form.is_valid():
        try:
            done = services.bulk_update(actor, entity, filter=filters, ids=ids, changes=form.changes())
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            for problem in exc.problems:  # "set.owner_id" -> the form's owner_id
                if problem.field and problem.field.startswith("set."):
                    problem.field = problem.field[4:]
            add_service_error(form, exc)
        else:
            messages.success(request, f"{done['updated']} {noun if done['updated'] == 1 else plural} changed.")
            return redirect(_next(request, workspace_slug, entity, filters))
    return _review(request, entity, filters, ids, change_form=form)


urlpatterns = [
    path("bulk/review/", bulk_review, name="bulk-review"),
    path("bulk/", bulk, name="bulk"),
]
