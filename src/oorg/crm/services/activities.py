"""Activities: calls, meetings and tasks on one record (a lead, contact, company or deal), with a due time, an
owner and an optional reminder (services/reminders.py sends it once).

An activity is visible iff its record is: every read goes through `visible_activities` (one query, the record
scopes applied through each link), every write through `get_activity` first. Creating one and marking it done
write a timeline entry on its record; every change is audited (the audit action is the event type,
events/activities.py) with the record's owner in the payload, so webhooks follow the record scopes.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oorg.core import audit
from oorg.core.errors import NotFound, PermissionDenied, Problems, ValidationFailed
from oorg.core.permissions import require

from .. import fields, scopes, timeline
from ..models import Activity, Company, Contact, Deal, Lead
from ..permissions import DELETE, EDIT

LINKS = {"lead": Lead, "contact": Contact, "company": Company, "deal": Deal}
LINK_FIELDS = tuple(f"{name}_id" for name in LINKS)
UNSET = object()


# --- reading ---------------------------------------------------------------------------------------------------


def record_scope(actor) -> Q | None:
    """The Q keeping notes, activities or entries (Linked rows) to those whose record the actor sees; None:
    every one. The team's owners are one subquery, shared by the four links: one SQL query in all."""
    scope = scopes.require_scope(actor)
    if scope == scopes.ALL:
        return None
    if scope == scopes.OWN:
        owners = {"owner_id": getattr(actor.membership, "pk", None)}
    else:
        owners = {"owner_id__in": scopes.team_owners(actor)}
    condition = Q()
    for name in LINKS:
        condition |= Q(**{f"{name}__{key}": value for key, value in owners.items()})
    return condition


def visible_activities(actor):
    queryset = Activity.objects.all()
    narrowing = record_scope(actor)
    return queryset if narrowing is None else queryset.filter(narrowing)


def get_activity(actor, activity_id) -> Activity:
    activity = (visible_activities(actor).filter(pk=activity_id)
                .select_related("lead", "contact", "company", "deal", "owner__user").first())
    if activity is None:
        raise NotFound("No such activity.")
    return activity


def linked_record(actor, values: dict, *, required: bool = True):
    """The one record named by lead_id | contact_id | company_id | deal_id in `values`, among those the actor
    sees. One the actor cannot see is refused exactly like one that does not exist (nothing is leaked)."""
    given = [(name, values.get(f"{name}_id")) for name in LINKS if values.get(f"{name}_id") not in (None, "")]
    if not given:
        if not required:
            return None
        raise ValidationFailed("Give the record this belongs to: one of lead_id, contact_id, company_id or "
                               "deal_id.", field="lead_id", code="required")
    if len(given) > 1:
        raise ValidationFailed("Give only one of lead_id, contact_id, company_id or deal_id.",
                               field=f"{given[1][0]}_id")
    name, value = given[0]
    model = LINKS[name]
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    record = scopes.visible(actor, model).filter(pk=pk).first() if pk is not None else None
    if record is None:
        raise ValidationFailed(f"No such {model._meta.verbose_name}.", field=f"{name}_id", code="not_found")
    return record


def entity_of(record) -> str:
    return timeline.LINK_OF[type(record)]


def activity_list(actor, *, owner_id=None, done=None, kind=None, due_from=None, due_to=None, **links):
    """The actor's visible activities, filtered; newest first (keyset pages)."""
    queryset = visible_activities(actor).select_related("owner__user")
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if done is not None:
        queryset = queryset.filter(done_at__isnull=not done)
    if kind:
        if kind not in Activity.Kind.values:
            raise ValidationFailed("kind is one of call, meeting, task.", field="kind")
        queryset = queryset.filter(kind=kind)
    if due_from is not None:
        queryset = queryset.filter(due_at__gte=_aware(due_from, "due_from"))
    if due_to is not None:
        queryset = queryset.filter(due_at__lte=_aware(due_to, "due_to"))
    for name in LINKS:
        value = links.get(f"{name}_id")
        if value is not None:
            queryset = queryset.filter(**{f"{name}_id": value})
    return queryset.order_by("-created_at", "-id")


# --- checks ----------------------------------------------------------------------------------------------------


def _aware(value, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationFailed("A time is ISO 8601, like 2026-05-04T09:30:00+02:00.", field=field) from None
    if not isinstance(value, dt.datetime):
        raise ValidationFailed("A time is ISO 8601, like 2026-05-04T09:30:00+02:00.", field=field)
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_current_timezone())
        value.astimezone(dt.timezone.utc)  # a time at the edge of the calendar that UTC cannot hold
    except (OverflowError, ValueError):
        raise ValidationFailed("This time is out of range.", field=field) from None
    return value


def _clean(actor, activity: Activity | None, changes: dict, problems: Problems) -> dict:
    clean = {}
    if "kind" in changes or activity is None:
        with problems.check():
            clean["kind"] = fields.clean_choice(changes.get("kind"), "kind", Activity.Kind)
    if "subject" in changes or activity is None:
        with problems.check():
            clean["subject"] = fields.clean_text(changes.get("subject"), "subject", max_length=200, required=True)
    if "details" in changes:
        details = str(changes.get("details") or "").strip()
        if len(details) > 10_000:
            problems.add("Details have at most 10,000 characters.", field="details")
        clean["details"] = details
    for name in ("due_at", "remind_at"):
        if name in changes:
            with problems.check():
                clean[name] = _aware(changes.get(name), name)
    if "owner_id" in changes:
        with problems.check():
            owner = fields.clean_owner(actor, changes.get("owner_id"))
            clean["owner"] = owner or actor.membership
    remind_at = clean.get("remind_at", activity.remind_at if activity else None)
    if ("remind_at" in clean and remind_at is not None and remind_at <= timezone.now()
            and not problems.about("remind_at")):
        problems.add("A reminder is at a time still to come.", field="remind_at")
    return clean


# --- writing ---------------------------------------------------------------------------------------------------


def _audit(actor, action: str, activity: Activity, **data):
    record = activity.record
    audit.record(actor, action, activity, target_label=activity.subject, record_owner_id=record.owner_id,
                 record_type=entity_of(record), record_id=record.pk, **data)


def _entry(actor, activity: Activity, summary: str, state: str):
    timeline.add(activity.record, timeline.Kind.ACTIVITY, summary, actor=actor, activity=activity,
                 data={"state": state, "kind": activity.kind})


def create_activity(actor, *, kind=None, subject=None, details="", due_at=None, remind_at=None, owner_id=UNSET,
                    **links) -> Activity:
    require(actor, EDIT)
    with Problems() as problems:
        record = None
        with problems.check():
            record = linked_record(actor, links)
        changes = {"kind": kind, "subject": subject, "details": details, "due_at": due_at, "remind_at": remind_at}
        if owner_id is not UNSET and owner_id not in (None, ""):
            changes["owner_id"] = owner_id
        clean = _clean(actor, None, changes, problems)
    clean.setdefault("owner", actor.membership)
    with transaction.atomic():
        activity = Activity.objects.create(workspace_id=actor.workspace.pk, created_by=actor.user,
                                           **timeline.link_of(record), **clean)
        label = Activity.Kind(activity.kind).label
        _entry(actor, activity, f"{label}: {activity.subject}", "created")
        _audit(actor, "crm.activity.created", activity)
    return activity


def update_activity(actor, activity: Activity, **changes) -> Activity:
    require(actor, EDIT)
    unknown = set(changes) - {"kind", "subject", "details", "due_at", "remind_at", "owner_id"}
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    with Problems() as problems:
        clean = _clean(actor, activity, changes, problems)
    moved = [name for name, value in clean.items() if getattr(activity, name) != value]
    if not moved:
        return activity
    with transaction.atomic():
        for name in moved:
            setattr(activity, name, clean[name])
        fields_saved = list(moved)
        if "remind_at" in moved:  # a new reminder time is a new reminder: it goes out again, once
            activity.reminded_at = None
            fields_saved.append("reminded_at")
        activity.save(update_fields=[*fields_saved, "updated_at"])
        _audit(actor, "crm.activity.updated", activity, fields=[m if m != "owner" else "owner_id" for m in moved])
    return activity


def set_done(actor, activity: Activity, done: bool) -> Activity:
    require(actor, EDIT)
    if bool(activity.done_at) == done:
        return activity
    with transaction.atomic():
        activity.done_at = timezone.now() if done else None
        activity.save(update_fields=["done_at", "updated_at"])
        label = Activity.Kind(activity.kind).label
        if done:
            _entry(actor, activity, f"{label} done: {activity.subject}", "done")
        else:
            _entry(actor, activity, f"{label} reopened: {activity.subject}", "reopened")
        _audit(actor, "crm.activity.completed" if done else "crm.activity.reopened", activity)
    return activity


def may_delete(actor, activity: Activity) -> bool:
    mine = (activity.created_by_id == getattr(actor.user, "pk", None)
            or (activity.owner_id is not None and activity.owner_id == getattr(actor.membership, "pk", None)))
    return actor.can(DELETE) or (mine and actor.can(EDIT))


def delete_activity(actor, activity: Activity) -> None:
    if not may_delete(actor, activity):
        raise PermissionDenied("Only whoever made or owns this activity, or someone who may delete records, may "
                               "delete it.")
    with transaction.atomic():
        _audit(actor, "crm.activity.deleted", activity)
        activity.delete()
