from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F

from oorg.core.db import MonthDay
from oorg.core.personal_data import Category, Erasure
from oorg.core.tenancy import WorkspaceOwned

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Branch(WorkspaceOwned):
    """An office or site: where people work, in which time zone, on which days and hours."""

    name = models.CharField(max_length=120)
    address = models.TextField(blank=True)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    time_zone = models.CharField(max_length=64, default="UTC")  # IANA name
    working_days = models.JSONField(default=list)  # ["mon", ..., "fri"]
    work_starts = models.TimeField(default=dt.time(9, 0))
    work_ends = models.TimeField(default=dt.time(17, 0))
    holiday_calendar = models.CharField(max_length=60, blank=True)  # read by the attendance area later
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name", "address")  # a company site, not a person's home
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="branch_unique_name")]
        base_manager_name = "all_workspaces"

    def __str__(self):
        return self.name


class Department(WorkspaceOwned):
    name = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    head = models.ForeignKey("Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name",)
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        indexes = [models.Index(fields=["workspace", "parent", "name", "id"], name="department_by_parent")]
        base_manager_name = "all_workspaces"

    def __str__(self):
        return self.name


class Employee(WorkspaceOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_LEAVE = "on_leave", "On leave"
        TERMINATED = "terminated", "Terminated"

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", "Full-time"
        PART_TIME = "part_time", "Part-time"
        CONTRACTOR = "contractor", "Contractor"
        INTERN = "intern", "Intern"
        TEMPORARY = "temporary", "Temporary"

    code = models.CharField(max_length=32)
    full_name = models.CharField(max_length=150)
    work_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)  # E.164
    job_title = models.CharField(max_length=120, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="employees")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="employees")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    employment_type = models.CharField(max_length=16, choices=EmploymentType.choices,
                                       default=EmploymentType.FULL_TIME)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    photo = models.CharField(max_length=255, blank=True)  # a private name in the storage API
    member = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    # Personal fields: only HR (org.employee.view_personal) and the employee see them.
    birth_date = models.DateField(null=True, blank=True)
    home_address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "employee"
        fields = {
            "code": Category.EMPLOYMENT, "full_name": Category.IDENTITY, "work_email": Category.CONTACT,
            "phone": Category.CONTACT, "job_title": Category.EMPLOYMENT, "department": Category.EMPLOYMENT,
            "branch": Category.EMPLOYMENT, "manager": Category.EMPLOYMENT,
            "employment_type": Category.EMPLOYMENT, "start_date": Category.EMPLOYMENT,
            "end_date": Category.EMPLOYMENT, "status": Category.EMPLOYMENT, "photo": Category.IDENTITY,
            "member": Category.IDENTITY, "birth_date": Category.SENSITIVE, "home_address": Category.SENSITIVE,
            "emergency_contact_name": Category.SENSITIVE, "emergency_contact_phone": Category.SENSITIVE,
        }
        on_erasure = Erasure.ANONYMIZE
        retention = "employment"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="employee_unique_code"),
            models.UniqueConstraint(fields=["workspace", "member"], condition=models.Q(member__isnull=False),
                                    name="employee_unique_member"),
        ]
        # Each serves one list in its order (name, then id for the keyset cursor), per workspace: the directory,
        # a status filter, one manager's reports (also the org chart's levels, its report counts and the
        # recursive walks down a team), one department, one branch.
        indexes = [models.Index(fields=["workspace", "full_name", "id"], name="employee_directory"),
                   models.Index(fields=["workspace", "status", "full_name", "id"], name="employee_by_status"),
                   models.Index(fields=["workspace", "manager", "full_name", "id"], name="employee_by_manager"),
                   models.Index(fields=["workspace", "department", "full_name", "id"], name="employee_by_department"),
                   models.Index(fields=["workspace", "branch", "full_name", "id"], name="employee_by_branch"),
                   # The directory's other sorts (org.selectors.directory_walk): by job title, by start date.
                   models.Index(fields=["workspace", "job_title", "full_name", "id"], name="employee_by_title"),
                   models.Index(fields=["workspace", "start_date", "full_name", "id"], name="employee_by_start"),
                   # The dashboard's cards: leavers this month, upcoming birthdays and work anniversaries.
                   models.Index(fields=["workspace", "end_date"], name="employee_by_end"),
                   models.Index(F("workspace"), MonthDay("birth_date"), name="employee_by_birthday"),
                   models.Index(F("workspace"), MonthDay("start_date"), name="employee_by_anniversary")]
        base_manager_name = "all_workspaces"

    def __str__(self):
        return f"{self.full_name} ({self.code})"

    @property
    def is_terminated(self) -> bool:
        return self.status == self.Status.TERMINATED


class OrgSettings(WorkspaceOwned):
    """One row per workspace: what employees may change on their own profile."""

    SELF_SERVICE_CHOICES = ("phone", "photo", "birth_date", "home_address", "emergency_contact_name",
                            "emergency_contact_phone")

    self_service_fields = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="org_settings_one_per_workspace")]
        base_manager_name = "all_workspaces"
