"""The duplicates page of leads, contacts or companies (crm:duplicates ?entity=) and the merge it posts
(crm:merge): keep one record, fold another into it (crm/services/merge.py), back to the page (PRG)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from oorg.core import pagination
from oorg.core.errors import DomainError, NotFound, PermissionDenied
from oorg.core.forms import redirect_get_to

from .. import scopes
from ..permissions import DELETE
from ..services import merge as services

LABELS = {"contact": ("contact", "contacts"), "company": ("company", "companies"), "lead": ("lead", "leads")}
PER_PAGE = pagination.PAGE_SIZE


def _entity(value: str) -> str:
    if value not in services.MODELS:
        raise NotFound("No such kind of record.")
    return value


class MergeForm(forms.Form):
    entity = forms.ChoiceField(choices=[(e, e) for e in services.MODELS])
    target_id = forms.IntegerField(min_value=1, label="Keep")
    source_id = forms.IntegerField(min_value=1, label="Merge into it and delete")


def _page(request, entity: str, *, error: str = "", status: int = 200):
    actor = request.actor
    scopes.require_scope(actor)
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    data = services.duplicate_groups(actor, services.MODELS[entity], limit=PER_PAGE, offset=offset)
    base = reverse("crm:duplicates", kwargs={"workspace_slug": actor.workspace.slug})
    more = offset + PER_PAGE < data["count"]
    context = {"entity": entity, "noun": LABELS[entity][0], "plural": LABELS[entity][1], "groups": data["items"],
               "count": data["count"], "can_merge": actor.can(DELETE), "error": error,
               "record_url": f"crm:{entity}", "entities": [(e, LABELS[e][1]) for e in services.MODELS],
               "next_url": f"{base}?{urlencode({'entity': entity, 'offset': offset + PER_PAGE})}" if more else "",
               "prev_url": f"{base}?{urlencode({'entity': entity, 'offset': max(0, offset - PER_PAGE)})}"
               if offset else ""}
    return render(request, "crm/merge/duplicates.html", context, status=status)


@require_safe
def duplicates(request, workspace_slug):
    return _page(request, _entity(request.GET.get("entity", "contact")))


@redirect_get_to("crm:duplicates")
@require_POST
def merge(request, workspace_slug):
    actor = request.actor
    form = MergeForm(request.POST)
    if not form.is_valid():
        entity = request.POST.get("entity") if request.POST.get("entity") in services.MODELS else "contact"
        return _page(request, entity, error="Choose the record to keep and the one to merge into it.", status=422)
    entity = form.cleaned_data["entity"]
    try:
        target = services.merge_records(actor, services.MODELS[entity], target_id=form.cleaned_data["target_id"],
                                        source_id=form.cleaned_data["source_id"])
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _page(request, entity, error=exc.message, status=exc.status if exc.status != 400 else 422)
    messages.success(request, f"Merged into {services.record_name(target)}.")
    url = reverse("crm:duplicates", kwargs={"workspace_slug": workspace_slug})
    return redirect(f"{url}?{urlencode({'entity': entity})}")


urlpatterns = [
    path("duplicates/", duplicates, name="duplicates"),
    path("duplicates/merge", merge, name="merge"),
]
