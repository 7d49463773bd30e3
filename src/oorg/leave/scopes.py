"""Whose leave an actor sees and whose requests they decide: the same rule as attendance
(attendance/scopes.py), with leave's permission names."""
from oorg.attendance.scopes import NoEmployeeRecord, People, own_employee, require_own_employee

from .permissions import APPROVE_ALL, OWN, TEAM_APPROVE, TEAM_VIEW, VIEW_ALL

LEAVE = People(own=OWN, team=TEAM_VIEW, all=VIEW_ALL, team_decide=TEAM_APPROVE, all_decide=APPROVE_ALL, noun="leave")

__all__ = ["LEAVE", "NoEmployeeRecord", "own_employee", "require_own_employee"]
