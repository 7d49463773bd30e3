"""Whose attendance or leave an actor sees: their own, their reports' at any depth, or everyone's.

`People(own, team, all)` is built once per area from its permission names (attendance here, leave in
leave/scopes.py), so both areas answer the question the same way. The team is a recursive walk in SQL
(org.hierarchy.reports_below): one subquery for a team of any size, never a list of ids in Python.
Someone outside the scope answers 404, exactly like an id that does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from oorg.core.errors import Conflict, NotFound, PermissionDenied
from oorg.org.hierarchy import reports_below
from oorg.org.models import Employee

from .permissions import APPROVE_ALL, OWN, TEAM_APPROVE, TEAM_VIEW, VIEW_ALL


class NoEmployeeRecord(Conflict):
    code = "no_employee_record"

    def __init__(self, message: str | None = None, **kwargs):
        super().__init__(message or "Your account is not linked to an employee record, so there is no attendance "
                                    "or leave to keep for it. Ask HR to link your account to your employee record.",
                         **kwargs)


def own_employee(actor) -> Employee | None:
    """The actor's employee record (linked to their membership), or None."""
    membership_id = getattr(actor.membership, "pk", None)
    if membership_id is None:
        return None
    return next(iter(Employee.objects.filter(member_id=membership_id)[:1]), None)


def require_own_employee(actor) -> Employee:
    employee = own_employee(actor)
    if employee is None:
        raise NoEmployeeRecord()
    return employee


@dataclass(frozen=True)
class People:
    own: str
    team: str
    all: str
    team_decide: str
    all_decide: str
    noun: str  # "attendance", "leave": for the refusal's message

    def filter(self, actor, *, key: str = "employee_id") -> Q | None:
        """The Q that keeps rows to the actor's scope, `key` naming the employee id ("employee_id" for rows
        with an employee, "pk" for employees); None: no narrowing. PermissionDenied: the actor sees nobody's."""
        if actor.can(self.all):
            return None
        if not (actor.can(self.own) or actor.can(self.team)):
            raise PermissionDenied(f"Your role does not let you see {self.noun}.")
        me = own_employee(actor)
        if me is None:
            return Q(**{f"{key}__in": []})
        clauses = Q(**{key: me.pk}) if actor.can(self.own) else Q(**{f"{key}__in": []})
        if actor.can(self.team):
            clauses |= Q(**{f"{key}__in": reports_below(me.pk, in_or=True)})
        return clauses

    def employees(self, actor) -> QuerySet:
        """The employees whose attendance (or leave) the actor sees."""
        narrowing = self.filter(actor, key="pk")
        return Employee.objects.all() if narrowing is None else Employee.objects.filter(narrowing)

    def rows(self, actor, queryset: QuerySet, *, key: str = "employee_id") -> QuerySet:
        narrowing = self.filter(actor, key=key)
        return queryset if narrowing is None else queryset.filter(narrowing)

    def get_employee(self, actor, employee_id) -> Employee:
        """An employee the actor sees, or NotFound (also for other workspaces' ids and garbage)."""
        try:
            employee_id = int(employee_id)
        except (TypeError, ValueError):
            raise NotFound("No such employee.") from None
        employee = self.employees(actor).filter(pk=employee_id).first()
        if employee is None:
            raise NotFound("No such employee.")
        return employee

    def sees(self, actor, employee: Employee) -> bool:
        return self.employees(actor).filter(pk=employee.pk).exists()

    def decides_for(self, actor, employee: Employee) -> bool:
        """May the actor decide (approve, reject) this employee's requests? Never their own."""
        me = own_employee(actor)
        if me is not None and me.pk == employee.pk:
            return False
        if actor.can(self.all_decide):
            return True
        if not actor.can(self.team_decide) or me is None:
            return False
        return Employee.objects.filter(pk=employee.pk).filter(pk__in=reports_below(me.pk)).exists()


ATTENDANCE = People(own=OWN, team=TEAM_VIEW, all=VIEW_ALL, team_decide=TEAM_APPROVE, all_decide=APPROVE_ALL,
                    noun="attendance")
