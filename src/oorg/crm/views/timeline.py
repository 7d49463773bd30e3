"""The timeline part of every record page (crm/_timeline.html), and the forms it posts: add a note, log an
activity, mark one done or not done, delete a note.

A record page includes it with `{% include "crm/_timeline.html" %}` and `**timeline_context(request, record)`
in its context; everything the part shows comes from that one key, `timeline`. Its forms post here and come
back to the record page (POST/redirect/GET), to `next` when it is a path of this workspace; a refused form is
shown on a page of its own with every problem (422) and a way back.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST, require_safe

from oorg.core import pagination
from oorg.core.errors import NotFound
from oorg.core.forms import ServiceForm, redirect_get_to, render_form, service_errors

from .. import scopes, timeline
from ..models import Activity
from ..permissions import EDIT
from ..services import activities as activity_services
from ..services import notes as note_services

PER_PAGE = 20
CURSOR = "timeline_cursor"
OPEN_SHOWN = 10


class NoteForm(ServiceForm):
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=50_000,
                           help_text="Bold, italics, lists and links are kept.")


class ActivityForm(ServiceForm):
    kind = forms.ChoiceField(label="Kind", choices=Activity.Kind.choices)
    subject = forms.CharField(label="Subject", max_length=200)
    due_at = forms.DateTimeField(label="Due", required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    remind_at = forms.DateTimeField(label="Remind me at", required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    details = forms.CharField(label="Details", required=False, max_length=10_000,
                              widget=forms.Textarea(attrs={"rows": 2}))


def record_url(workspace_slug: str, entity: str, record_id: int) -> str:
    """The record's page (crm:lead, crm:contact, crm:company, crm:deal)."""
    try:
        return reverse(f"crm:{entity}", args=[workspace_slug, record_id])
    except NoReverseMatch:  # the record pages are another module's; until they exist, the activities page
        return reverse("crm:activities", args=[workspace_slug])


def safe_next(request, workspace_slug: str, fallback: str) -> str:
    """`next` when it is a path inside this workspace on this site; else `fallback`."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    prefix = f"/w/{workspace_slug}/"
    if (target.startswith(prefix) and "\\" not in target and "//" not in target
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        return target
    return fallback


def _entry(entry, *, actor, user_id, can_delete: bool, now) -> dict:
    note = activity = None
    if entry.note_id and entry.note is not None:
        note = {"id": entry.note.pk, "body": entry.note.body,
                "can_change": can_delete or (entry.note.author_id == user_id and actor.can(EDIT))}
    if entry.activity_id and entry.activity is not None:
        a = entry.activity
        activity = {"id": a.pk, "kind": a.kind, "kind_label": a.get_kind_display(), "subject": a.subject,
                    "due_at": a.due_at, "done": a.done_at is not None,
                    "overdue": a.done_at is None and a.due_at is not None and a.due_at < now}
    return {"id": entry.pk, "kind": entry.kind, "kind_label": entry.get_kind_display(), "summary": entry.summary,
            "at": entry.at, "actor": (entry.actor.full_name or entry.actor.email) if entry.actor else None,
            "note": note, "activity": activity}


def _entries(request, record):
    actor = request.actor
    page = pagination.page_for(request, timeline.entries_of(record), param=CURSOR, per_page=PER_PAGE)
    now = timezone.now()
    user_id = getattr(actor.user, "pk", None)
    can_delete = actor.can(note_services.DELETE)
    entries, seen = [], set()
    for e in page:
        entry = _entry(e, actor=actor, user_id=user_id, can_delete=can_delete, now=now)
        if entry["activity"]:  # its state and toggle once, on its newest entry; older ones are history
            entry["activity"]["current"] = entry["activity"]["id"] not in seen
            seen.add(entry["activity"]["id"])
        entries.append(entry)
    return page, entries


def _older(request, entity: str, record_id: int, page) -> dict | None:
    if not page.next_cursor:
        return None
    slug = request.actor.workspace.slug
    query = request.GET.copy()
    query[CURSOR] = page.next_cursor
    part = reverse(f"crm:timeline-{entity}", args=[slug, record_id])
    return {"url": f"{record_url(slug, entity, record_id)}?{query.urlencode()}#timeline",
            "part_url": f"{part}?{urlencode({CURSOR: page.next_cursor})}"}


def timeline_context(request, record) -> dict:
    """What crm/_timeline.html needs, under one key: `timeline`."""
    actor = request.actor
    entity = timeline.LINK_OF[type(record)]
    page, entries = _entries(request, record)
    open_activities = list(activity_services.visible_activities(actor)
                           .filter(**timeline.link_of(record), done_at__isnull=True)
                           .order_by(F("due_at").asc(nulls_last=True), "id")[:OPEN_SHOWN])
    now = timezone.now()
    return {"timeline": {
        "entity": entity, "record_id": record.pk, "entries": entries, "page": page,
        "older": _older(request, entity, record.pk, page),
        "open_activities": [{"id": a.pk, "kind_label": a.get_kind_display(), "subject": a.subject,
                             "due_at": a.due_at, "overdue": a.due_at is not None and a.due_at < now}
                            for a in open_activities],
        "next": request.path,
        "can_edit": actor.can(EDIT),
        "note_form": NoteForm(auto_id="id_note_%s"),
        "activity_form": ActivityForm(auto_id="id_activity_%s"),
    }}


@require_safe
def timeline_part(request, workspace_slug, entity: str, record_id: int):
    """The next (older) entries, for the "Older" link (htmx swaps them in)."""
    model = activity_services.LINKS.get(entity)
    if model is None:
        raise NotFound("No such record.")
    record = scopes.get_visible(request.actor, model, record_id)
    page, entries = _entries(request, record)
    older = _older(request, entity, record.pk, page)
    if older:
        older["url"] = f"{record_url(workspace_slug, entity, record.pk)}?{urlencode({CURSOR: page.next_cursor})}"
    return render(request, "crm/_timeline_entries.html",
                  {"timeline": {"entries": entries, "older": older, "can_edit": request.actor.can(EDIT),
                                "next": safe_next(request, workspace_slug,
                                                  record_url(workspace_slug, entity, record.pk))}})


def _record_from_post(request):
    entity = request.POST.get("entity", "")
    model = activity_services.LINKS.get(entity)
    if model is None:
        raise NotFound("No such record.")
    record = scopes.get_visible(request.actor, model, request.POST.get("record_id") or 0) \
        if str(request.POST.get("record_id") or "").isdigit() else None
    if record is None:
        raise NotFound("No such record.")
    return entity, record


def _refused(request, template_form, form, *, title: str, action: str, back: str, hidden: dict):
    return render_form(request, "crm/activities/refused.html",
                       {"form": form, "title": title, "action": action, "back": back, "hidden": hidden}, form)


@redirect_get_to("crm:activities")
@require_POST
def note_add(request, workspace_slug):
    entity, record = _record_from_post(request)
    back = safe_next(request, workspace_slug, record_url(workspace_slug, entity, record.pk))
    form = NoteForm(request.POST, auto_id="id_note_%s")
    if form.is_valid():
        with service_errors(form):
            note_services.create_note(request.actor, body=form.cleaned_data["body"], **{f"{entity}_id": record.pk})
            messages.success(request, "Note added.")
            return redirect(back)
    return _refused(request, "note", form, title="Add a note", action=reverse("crm:note-add", args=[workspace_slug]),
                    back=back, hidden={"entity": entity, "record_id": record.pk, "next": back})


@redirect_get_to("crm:activities")
@require_POST
def note_delete(request, workspace_slug, note_id: int):
    note = note_services.get_note(request.actor, note_id)
    record = note.record
    back = safe_next(request, workspace_slug, record_url(workspace_slug, timeline.LINK_OF[type(record)], record.pk))
    note_services.delete_note(request.actor, note)
    messages.success(request, "Note deleted.")
    return redirect(back)


@redirect_get_to("crm:activities")
@require_POST
def activity_add(request, workspace_slug):
    entity, record = _record_from_post(request)
    back = safe_next(request, workspace_slug, record_url(workspace_slug, entity, record.pk))
    form = ActivityForm(request.POST, auto_id="id_activity_%s")
    if form.is_valid():
        with service_errors(form):
            activity = activity_services.create_activity(request.actor, **form.cleaned_data,
                                                         **{f"{entity}_id": record.pk})
            messages.success(request, f"{activity.get_kind_display()} “{activity.subject}” logged.")
            return redirect(back)
    return _refused(request, "activity", form, title="Log an activity",
                    action=reverse("crm:activity-add", args=[workspace_slug]), back=back,
                    hidden={"entity": entity, "record_id": record.pk, "next": back})


def _toggle(request, workspace_slug, activity_id: int, done: bool):
    activity = activity_services.get_activity(request.actor, activity_id)
    activity_services.set_done(request.actor, activity, done)
    record = activity.record
    fallback = record_url(workspace_slug, timeline.LINK_OF[type(record)], record.pk)
    messages.success(request, f"“{activity.subject}” is {'done' if done else 'open again'}.")
    return redirect(safe_next(request, workspace_slug, fallback))


@redirect_get_to("crm:activities")
@require_POST
def activity_done(request, workspace_slug, activity_id: int):
    return _toggle(request, workspace_slug, activity_id, True)


@redirect_get_to("crm:activities")
@require_POST
def activity_undone(request, workspace_slug, activity_id: int):
    return _toggle(request, workspace_slug, activity_id, False)


urlpatterns = [
    *(path(f"timeline/{entity}/<int:record_id>/", timeline_part, {"entity": entity}, name=f"timeline-{entity}")
      for entity in activity_services.LINKS),
    path("notes/add/", note_add, name="note-add"),
    path("notes/<int:note_id>/delete/", note_delete, name="note-delete"),
    path("activities/add/", activity_add, name="activity-add"),
    path("activities/<int:activity_id>/done/", activity_done, name="activity-done"),
    path("activities/<int:activity_id>/undone/", activity_undone, name="activity-undone"),
]
