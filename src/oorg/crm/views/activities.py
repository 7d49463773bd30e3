"""My activities: the actor's calls, meetings and tasks, open ones first (soonest due first, overdue marked),
filtered by done and kind. Each links to its record; done/undone post to views/timeline.py and come back."""
from __future__ import annotations

from django import forms
from django.db.models import BooleanField, Case, DateTimeField, F, Value, When
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from oorg.core import pagination

from ..models import Activity
from ..permissions import EDIT
from ..services import activities as services
from .timeline import record_url


class ActivityFilterForm(forms.Form):
    done = forms.ChoiceField(label="Show", required=False,
                             choices=[("false", "Open"), ("true", "Done"), ("all", "Open and done")])
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Activity.Kind.choices])


@require_safe
def my_activities(request, workspace_slug):
    actor = request.actor
    form = ActivityFilterForm(request.GET)
    form.is_valid()
    done = form.cleaned_data.get("done") or "false"
    kind = form.cleaned_data.get("kind") or ""
    queryset = services.visible_activities(actor).filter(owner_id=getattr(actor.membership, "pk", None))
    if kind:
        queryset = queryset.filter(kind=kind)
    if done != "all":
        queryset = queryset.filter(done_at__isnull=done == "false")
    # Open first, then by due time (undated ones by when they were made), in keyset pages.
    queryset = (queryset.select_related("lead", "contact", "company", "deal")
                .annotate(is_done=Case(When(done_at__isnull=True, then=Value(False)), default=Value(True),
                                       output_field=BooleanField()),
                          due_sort=Case(When(due_at__isnull=True, then=F("created_at")), default=F("due_at"),
                                        output_field=DateTimeField()))
                .order_by("is_done", "due_sort", "id"))
    page = pagination.page_for(request, queryset)
    now = timezone.now()
    rows = []
    for a in page:
        record = a.record
        entity = services.entity_of(record)
        rows.append({"id": a.pk, "kind_label": a.get_kind_display(), "subject": a.subject, "due_at": a.due_at,
                     "done": a.done_at is not None,
                     "overdue": a.done_at is None and a.due_at is not None and a.due_at < now,
                     "record": str(record), "record_kind": entity.capitalize(),
                     "record_url": record_url(workspace_slug, entity, record.pk)})
    return render(request, "crm/activities/mine.html",
                  {"form": form, "page": page, "rows": rows, "can_edit": actor.can(EDIT),
                   "filtered": done != "false" or bool(kind), "here": request.get_full_path()})


urlpatterns = [
    path("activities/", my_activities, name="activities"),
]
