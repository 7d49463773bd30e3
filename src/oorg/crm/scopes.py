"""Record scopes: which leads, contacts, companies and deals an actor sees, decided by each record's owner.

- all: every record of the workspace;
- team: records owned by the actor or by anyone below them in the reporting lines (their employee record's
  reports, at any depth: a recursive walk in SQL, org.hierarchy.reports_below, so a team of any size is one
  subquery and never a list of ids in Python);
- own: records the actor owns.

`visible(actor, Model)` is the one way any list, board, export, timeline, forecast, import match or event
reader gets records; a record outside it answers 404 (`get_visible`). `sees(actor, record)` answers the same
question for one record already in hand (webhook payloads, notifications).
"""
from __future__ import annotations

from django.db.models import Q, QuerySet

from oorg.core.errors import NotFound, PermissionDenied
from oorg.core.models import Membership

from .permissions import VIEW_ALL, VIEW_OWN, VIEW_TEAM

ALL, TEAM, OWN = "all", "team", "own"


def scope_of(actor) -> str | None:
    """The widest scope the actor's role gives, or None: no CRM records at all."""
    if actor.can(VIEW_ALL):
        return ALL
    if actor.can(VIEW_TEAM):
        return TEAM
    if actor.can(VIEW_OWN):
        return OWN
    return None


def require_scope(actor) -> str:
    scope = scope_of(actor)
    if scope is None:
        raise PermissionDenied("Your role does not let you see CRM records.")
    return scope


def team_owners(actor):
    """Memberships whose records the actor sees in the team scope, as a subquery: the actor's own and those
    of everyone below the actor's employee record."""
    from oorg.org.hierarchy import reports_below
    from oorg.org.models import Employee

    membership_id = getattr(actor.membership, "pk", None)
    employee_id = Employee.objects.filter(member_id=membership_id).values_list("pk", flat=True).first()
    if employee_id is None:
        return Membership.objects.filter(pk=membership_id).values("pk")
    below = Employee.objects.filter(pk__in=reports_below(employee_id), member__isnull=False).values("member_id")
    return Membership.objects.filter(Q(pk=membership_id) | Q(pk__in=below)).values("pk")


def owner_filter(actor, *, owner_field: str = "owner") -> Q | None:
    """The Q that keeps a queryset to the actor's scope (None: no narrowing needed)."""
    scope = require_scope(actor)
    if scope == ALL:
        return None
    membership_id = getattr(actor.membership, "pk", None)
    if scope == OWN:
        return Q(**{f"{owner_field}_id": membership_id})
    return Q(**{f"{owner_field}_id__in": team_owners(actor)})


def visible(actor, model, queryset: QuerySet | None = None) -> QuerySet:
    """The records of `model` (Lead, Contact, Company, Deal) the actor sees."""
    queryset = model.objects.all() if queryset is None else queryset
    narrowing = owner_filter(actor)
    return queryset if narrowing is None else queryset.filter(narrowing)


def get_visible(actor, model, pk, queryset: QuerySet | None = None):
    record = visible(actor, model, queryset).filter(pk=pk).first()
    if record is None:
        raise NotFound(f"No such {model._meta.verbose_name}.")
    return record


def sees(actor, record) -> bool:
    """Does the actor see this one record? (Same rule as `visible`, for a record already loaded.)"""
    if record is None or record.workspace_id != actor.workspace.pk:
        return False
    scope = scope_of(actor)
    if scope is None:
        return False
    if scope == ALL:
        return True
    if record.owner_id is not None and record.owner_id == getattr(actor.membership, "pk", None):
        return True
    return scope == TEAM and record.owner_id is not None and team_owners(actor).filter(pk=record.owner_id).exists()


def sees_owner(actor, owner_id: int | None) -> bool:
    """Would a record owned by `owner_id` be in the actor's scope? (Event payloads carry `owner_id`.)"""
    scope = scope_of(actor)
    if scope == ALL:
        return True
    if scope is None or owner_id is None:
        return False
    if owner_id == getattr(actor.membership, "pk", None):
        return True
    return scope == TEAM and team_owners(actor).filter(pk=owner_id).exists()
