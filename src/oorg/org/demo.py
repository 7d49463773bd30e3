"""Demo people for the demo workspace: branches, a department tree and two dozen employees, some of
them the demo users, built through the same services as everything else (so they are audited too)."""
from __future__ import annotations

import datetime as dt
import unicodedata

from oorg.core.models import Membership
from oorg.core.permissions import Actor

from . import services
from .models import Employee

# code, name, title, department path, branch, manager code, demo user email (linked member)
PEOPLE = [
    ("D001", "Olivia Owner", "Chief Executive Officer", "Leadership", "Berlin", "", "owner@demo.oorg.test"),
    ("D002", "Adam Admin", "Chief Operating Officer", "Leadership", "Berlin", "D001", "admin@demo.oorg.test"),
    ("D003", "Hana HR", "People Partner", "People", "Berlin", "D002", "hr@demo.oorg.test"),
    ("D004", "Max Manager", "Engineering Lead", "Engineering", "Lisbon", "D001", "manager@demo.oorg.test"),
    ("D005", "Mia Member", "Backend Developer", "Engineering / Backend", "Lisbon", "D004", "member@demo.oorg.test"),
    ("D006", "Bruno Costa", "Backend Developer", "Engineering / Backend", "Lisbon", "D004", ""),
    ("D007", "Chiara Rossi", "Frontend Developer", "Engineering / Frontend", "Remote", "D004", ""),
    ("D008", "Dmitri Volkov", "Site Reliability Engineer", "Engineering / Backend", "Berlin", "D005", ""),
    ("D009", "Emma Schulz", "Designer", "Engineering / Frontend", "Berlin", "D007", ""),
    ("D010", "Farid Haddad", "Junior Developer", "Engineering / Backend", "Lisbon", "D005", ""),
    ("D011", "Grace Okafor", "Head of Sales", "Sales", "Berlin", "D001", ""),
    ("D012", "Hiroshi Tanaka", "Account Executive", "Sales", "Remote", "D011", ""),
    ("D013", "Inês Ferreira", "Account Executive", "Sales", "Lisbon", "D011", ""),
    ("D014", "Jonas Weber", "Sales Development Rep", "Sales", "Berlin", "D012", ""),
    ("D015", "Katarzyna Nowak", "Customer Success Manager", "Sales", "Remote", "D011", ""),
    ("D016", "Liam O'Brien", "Recruiter", "People", "Berlin", "D003", ""),
    ("D017", "Maya Patel", "Payroll Specialist", "People", "Berlin", "D003", ""),
    ("D018", "Noah Fischer", "QA Engineer", "Engineering / Frontend", "Remote", "D007", ""),
]
BRANCHES = [("Berlin", "DE", "Europe/Berlin", "Torstraße 140, 10119 Berlin"),
            ("Lisbon", "PT", "Europe/Lisbon", "Rua Augusta 27, 1100-048 Lisboa"),
            ("Remote", "", "UTC", "")]


def seed_org(actor: Actor, progress=print) -> None:
    if Employee.objects.exists():
        return
    progress("Adding demo branches, departments and people")
    branches = {name: services.create_branch(actor, name=name, country=country, time_zone=tz, address=address)
                for name, country, tz, address in BRANCHES}
    departments = {}
    for path in sorted({p[3] for p in PEOPLE}, key=lambda p: p.count("/")):
        parent, _, name = path.rpartition(" / ")
        departments[path] = services.create_department(
            actor, name=name, parent=departments[parent].pk if parent else None)
    members = {m.user.email: m for m in Membership.objects.select_related("user")}
    people = {}
    for i, (code, name, title, department, branch, manager, email) in enumerate(PEOPLE):
        people[code] = services.create_employee(
            actor, code=code, full_name=name, job_title=title, department=departments[department],
            branch=branches[branch], manager=people.get(manager), member=members[email].pk if email else None,
            work_email=email or f"{_ascii(name.split()[0].lower())}@demo.oorg.test",
            start_date=dt.date(2022, 1, 3) + dt.timedelta(days=37 * i))
    for path, head in (("Leadership", "D001"), ("Engineering", "D004"), ("Sales", "D011"), ("People", "D003")):
        services.update_department(actor, departments[path], head=people[head].pk)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def seed_people(context: dict, progress) -> None:
    """The demo's people part: runs after the workspaces part made the workspace and its users."""
    from oorg.core.tenancy import workspace_scope

    actor = context["actor"]
    with workspace_scope(actor.workspace):
        seed_org(actor, progress)
