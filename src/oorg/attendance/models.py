"""Attendance: shifts and who works them, clocking (sessions and breaks), where one may clock in, kiosks,
corrections, public holidays, and each employee's computed day.

Times are stored in UTC. A day is a date in the employee's branch's time zone (UTC without a branch): a
session belongs to the day its shift started, so a night shift from 22:00 to 06:00 is one day's work even
across midnight or a DST change. `AttendanceDay` is derived (attendance/days.py recomputes it from sessions,
shifts, holidays and approved leave); the monthly reports read only it, one GROUP BY.
"""
from __future__ import annotations

from django.db import models

from oorg.core.personal_data import Category, Erasure
from oorg.core.tenancy import WorkspaceOwned

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Source(models.TextChoices):
    WEB = "web", "Web app"
    API = "api", "API"
    DESKTOP = "desktop", "Desktop agent"
    KIOSK = "kiosk", "Kiosk"
    IMPORT = "import", "Import"
    CORRECTION = "correction", "Approved correction"
    SYSTEM = "system", "Closed by the system"


class Shift(WorkspaceOwned):
    """A shift template: 09:00–17:00 with a 30-minute break and 5 minutes' grace. `ends` at or before `starts`
    means the shift ends the next day (overnight)."""

    name = models.CharField(max_length=80)
    starts = models.TimeField()
    ends = models.TimeField()
    break_minutes = models.PositiveSmallIntegerField(default=0)  # unpaid break expected within the shift
    break_after_minutes = models.PositiveSmallIntegerField(null=True, blank=True)  # break due after this much work
    grace_minutes = models.PositiveSmallIntegerField(default=0)  # late / early-leave tolerance
    working_days = models.JSONField(default=list)  # ["mon", ..., "fri"]; empty: the branch's working days
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name",)
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="shift_unique_name")]

    def __str__(self):
        return self.name

    @property
    def overnight(self) -> bool:
        return self.ends <= self.starts


class ShiftAssignment(WorkspaceOwned):
    """Who works a shift, and when: one employee or a whole branch, from `starts_on` to `ends_on` (open-ended
    when empty). An employee's own assignment wins over their branch's; among several, the latest start."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    employee = models.ForeignKey("org.Employee", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "employee"
        fields = {"employee": Category.EMPLOYMENT}
        on_erasure = Erasure.RETAIN
        retention = "employment"

    class Meta:
        constraints = [models.CheckConstraint(
            condition=(models.Q(employee__isnull=False, branch__isnull=True)
                       | models.Q(employee__isnull=True, branch__isnull=False)),
            name="shift_assignment_one_target")]
        indexes = [models.Index(fields=["workspace", "employee", "starts_on"], name="shift_assignment_employee"),
                   models.Index(fields=["workspace", "branch", "starts_on"], name="shift_assignment_branch")]


class Holiday(WorkspaceOwned):
    """A public holiday of one branch, or of every branch when `branch` is empty."""

    class Origin(models.TextChoices):
        PACKAGE = "package", "Holidays package"
        ICAL = "ical", "iCal import"
        CSV = "csv", "CSV import"
        MANUAL = "manual", "Added by hand"

    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    name = models.CharField(max_length=120)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name",)
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "branch", "date"], name="holiday_unique_branch_date"),
            models.UniqueConstraint(fields=["workspace", "date"], condition=models.Q(branch__isnull=True),
                                    name="holiday_unique_everywhere_date"),
        ]
        indexes = [models.Index(fields=["workspace", "date"], name="holiday_by_date")]


class Site(WorkspaceOwned):
    """A place one may clock in from: a point and a radius. Belongs to a branch (everyone there) or to one
    employee (a client's office, a home office); an employee may clock in at any of theirs and their branch's."""

    name = models.CharField(max_length=120)
    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey("org.Employee", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(default=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "employee"
        # An employee's own site may be their home: its point is their address.
        fields = {"employee": Category.EMPLOYMENT, "latitude": Category.SENSITIVE, "longitude": Category.SENSITIVE}
        not_personal = ("name",)
        on_erasure = Erasure.DELETE
        retention = "employment"

    class Meta:
        constraints = [models.CheckConstraint(
            condition=(models.Q(employee__isnull=False, branch__isnull=True)
                       | models.Q(employee__isnull=True, branch__isnull=False)),
            name="site_one_owner")]
        indexes = [models.Index(fields=["workspace", "branch"], name="site_by_branch"),
                   models.Index(fields=["workspace", "employee"], name="site_by_employee")]


class AttendancePolicy(WorkspaceOwned):
    """The workspace's clocking rules (one row; attendance/policy.py creates it with these defaults)."""

    class OutsideSite(models.TextChoices):
        REFUSE = "refuse", "Refuse the clock-in"
        FLAG = "flag", "Accept it and flag it"

    outside_site = models.CharField(max_length=8, choices=OutsideSite.choices, default=OutsideSite.FLAG)
    require_location = models.BooleanField(default=False)  # a clock-in without a location is treated as outside
    ip_allow_list = models.JSONField(default=list)  # ["203.0.113.0/24", "2001:db8::/32"]; empty: any address
    forgotten_after_hours = models.PositiveSmallIntegerField(default=4)  # after the shift's end (or 12 h without)
    overtime_threshold_minutes = models.PositiveSmallIntegerField(default=15)  # less than this is not overtime
    kiosk_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("ip_allow_list", "require_location")
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="attendance_policy_one")]


class Session(WorkspaceOwned):
    """One stretch of work: from a clock-in to its clock-out. At most one open session per employee (a
    partial unique index: a second clock-in, even a concurrent one, fails)."""

    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    work_date = models.DateField()  # the local day it counts for (the shift's start day)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    start_source = models.CharField(max_length=10, choices=Source.choices)
    end_source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    start_ip = models.GenericIPAddressField(null=True, blank=True)
    end_ip = models.GenericIPAddressField(null=True, blank=True)
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outside_site = models.BooleanField(default=False)  # accepted outside every allowed site (policy: flag)
    auto_closed = models.BooleanField(default=False)  # the clock-out was forgotten; the system closed it
    corrected = models.BooleanField(default=False)  # changed by an approved correction
    created_by = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "employee"
        fields = {"employee": Category.EMPLOYMENT, "work_date": Category.ACTIVITY, "started_at": Category.ACTIVITY,
                  "ended_at": Category.ACTIVITY, "start_ip": Category.TECHNICAL, "end_ip": Category.TECHNICAL,
                  "start_latitude": Category.SENSITIVE, "start_longitude": Category.SENSITIVE,
                  "end_latitude": Category.SENSITIVE, "end_longitude": Category.SENSITIVE,
                  "site": Category.ACTIVITY, "created_by": Category.ACTIVITY}
        not_personal = ("start_source", "end_source", "outside_site", "auto_closed", "corrected")
        on_erasure = Erasure.RETAIN  # working-time records are kept by law (e.g. 2 years in Germany)
        retention = "attendance"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "employee"],
                                               condition=models.Q(ended_at__isnull=True), name="session_one_open")]
        indexes = [models.Index(fields=["workspace", "employee", "started_at"], name="session_by_employee"),
                   models.Index(fields=["workspace", "ended_at", "started_at"], name="session_open")]


class Break(WorkspaceOwned):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="breaks")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    start_source = models.CharField(max_length=10, choices=Source.choices)

    class PersonalData:
        subject = "employee"
        fields = {"started_at": Category.ACTIVITY, "ended_at": Category.ACTIVITY}
        not_personal = ("start_source",)
        on_erasure = Erasure.RETAIN
        retention = "attendance"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "session"],
                                               condition=models.Q(ended_at__isnull=True), name="break_one_open")]


class Correction(WorkspaceOwned):
    """An employee asks to set a day's clock-in and clock-out (a forgotten clock-out, a wrong one); their
    manager (or HR) approves or rejects it. Approval rewrites the day's sessions, audited."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    work_date = models.DateField()
    clock_in = models.DateTimeField()
    clock_out = models.DateTimeField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey("core.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "employee"
        fields = {"employee": Category.EMPLOYMENT, "work_date": Category.ACTIVITY, "clock_in": Category.ACTIVITY,
                  "clock_out": Category.ACTIVITY, "reason": Category.ACTIVITY, "requested_by": Category.ACTIVITY,
                  "decided_by": Category.ACTIVITY, "comment": Category.ACTIVITY}
        not_personal = ("status",)
        on_erasure = Erasure.RETAIN
        retention = "attendance"

    class Meta:
        indexes = [models.Index(fields=["workspace", "status", "created_at"], name="correction_by_status"),
                   models.Index(fields=["workspace", "employee", "work_date"], name="correction_by_employee")]


class Kiosk(WorkspaceOwned):
    """A shared office device: its page (behind a secret, rotatable address) lets employees clock in and out
    with their code and personal PIN. Only a hash of the address's key is stored, to find the kiosk; the key
    itself is kept sealed (core.crypto) so an admin can show the address again."""

    name = models.CharField(max_length=80)
    branch = models.ForeignKey("org.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    key_sealed = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name", "key_hash", "key_sealed")
        on_erasure = Erasure.RETAIN
        retention = "workspace"


class KioskPin(WorkspaceOwned):
    """An employee's kiosk PIN: a password hash (Argon2), checked through the throttle like a password."""

    employee = models.OneToOneField("org.Employee", on_delete=models.CASCADE, related_name="+")
    pin_hash = models.CharField(max_length=200)
    set_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "employee"
        fields = {"employee": Category.EMPLOYMENT, "pin_hash": Category.CREDENTIAL}
        on_erasure = Erasure.DELETE
        retention = "employment"


class AttendanceDay(WorkspaceOwned):
    """An employee's computed day (attendance/days.py): what the shift expected, what happened, and the
    numbers the monthly report sums. Rewritten whenever its inputs change; never edited by hand."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        LEAVE = "leave", "On leave"
        HOLIDAY = "holiday", "Public holiday"
        OFF = "off", "Day off"
        OPEN = "open", "Clocked in"  # today, still working

    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # at the time, for the per-department report
    date = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices)
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expected_start = models.DateTimeField(null=True, blank=True)
    expected_end = models.DateTimeField(null=True, blank=True)
    first_in = models.DateTimeField(null=True, blank=True)
    last_out = models.DateTimeField(null=True, blank=True)
    worked_minutes = models.PositiveIntegerField(default=0)  # sessions minus breaks
    break_minutes = models.PositiveIntegerField(default=0)
    late_minutes = models.PositiveIntegerField(default=0)
    early_leave_minutes = models.PositiveIntegerField(default=0)
    overtime_minutes = models.PositiveIntegerField(default=0)
    leave_type = models.ForeignKey("leave.LeaveType", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    leave_fraction = models.DecimalField(max_digits=3, decimal_places=2, default=0)  # 0.5 on a half day
    auto_closed = models.BooleanField(default=False)
    outside_site = models.BooleanField(default=False)
    corrected = models.BooleanField(default=False)
    computed_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "employee"
        fields = {"employee": Category.EMPLOYMENT, "date": Category.ACTIVITY, "status": Category.ACTIVITY,
                  "first_in": Category.ACTIVITY, "last_out": Category.ACTIVITY, "leave_type": Category.SENSITIVE,
                  "department": Category.EMPLOYMENT}
        not_personal = ("shift", "expected_start", "expected_end", "worked_minutes", "break_minutes",
                        "late_minutes", "early_leave_minutes", "overtime_minutes", "leave_fraction", "auto_closed",
                        "outside_site", "corrected")
        on_erasure = Erasure.RETAIN
        retention = "attendance"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "employee", "date"], name="attendance_day_unique")]
        # The monthly report: one range of dates per workspace, grouped by employee or department.
        indexes = [models.Index(fields=["workspace", "date", "employee"], name="attendance_day_by_date")]
