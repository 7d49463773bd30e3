"""Leave: types with their policies, the balance ledger, requests and their approvals, delegations while an
approver is away, and the secret calendar feeds.

A balance is never stored: it is the sum of the employee's ledger entries for a type (grant, accrual, taken,
cancelled, adjustment, expiry, carry-over). Entries made by a job carry a `period` and a unique constraint,
so running the accrual twice grants once.
"""
from __future__ import annotations

from django.db import models

from oorg.core.personal_data import Category, Erasure
from oorg.core.tenancy import WorkspaceOwned

SYSTEM_CODES = ("annual", "sick", "unpaid")


class LeaveType(WorkspaceOwned):
    """A kind of leave and its policy. `annual`, `sick` and `unpaid` exist in every workspace
    (leave/defaults.py); others are added by the workspace."""

    class Accrual(models.TextChoices):
        YEARLY = "yearly", "Granted each year on 1 January"
        MONTHLY = "monthly", "Accrued each month"
        NONE = "none", "No balance (not counted against an allowance)"

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    color = models.CharField(max_length=7, default="#2563eb")
    paid = models.BooleanField(default=True)
    accrual = models.CharField(max_length=8, choices=Accrual.choices, default=Accrual.YEARLY)
    days_per_year = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    prorate = models.BooleanField(default=True)  # a first year started mid-year gets its share
    carry_over_max = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # None: no cap
    carry_over_expires_months = models.PositiveSmallIntegerField(null=True, blank=True)  # None: never expires
    max_balance = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    allow_negative = models.BooleanField(default=False)
    min_notice_days = models.PositiveSmallIntegerField(default=0)
    attachment_after_days = models.PositiveSmallIntegerField(null=True, blank=True)  # a sick note after N days
    half_days = models.BooleanField(default=True)
    hr_approval = models.BooleanField(default=False)  # a second step by HR after the manager
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name", "code")
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "code"], name="leave_type_unique_code")]

    def __str__(self):
        return self.name

    @property
    def is_system(self) -> bool:
        return self.code in SYSTEM_CODES

    @property
    def tracks_balance(self) -> bool:
        return self.accrual != self.Accrual.NONE


class LedgerEntry(WorkspaceOwned):
    """One change of a balance, in days (negative takes away). Never updated or deleted: a mistake is put
    right with another entry."""

    class Kind(models.TextChoices):
        GRANT = "grant", "Yearly grant"
        ACCRUAL = "accrual", "Monthly accrual"
        CARRY_OVER = "carry_over", "Carried over"
        EXPIRY = "expiry", "Expired"
        TAKEN = "taken", "Leave taken"
        CANCELLED = "cancelled", "Leave cancelled"
        ADJUSTMENT = "adjustment", "Adjustment"

    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    days = models.DecimalField(max_digits=6, decimal_places=2)
    effective_on = models.DateField()
    period = models.CharField(max_length=10, blank=True)  # "2026" or "2026-03" for job entries: once each
    request = models.ForeignKey("LeaveRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "employee"
        fields = {"employee": Category.EMPLOYMENT, "days": Category.EMPLOYMENT, "reason": Category.EMPLOYMENT,
                  "created_by": Category.ACTIVITY, "effective_on": Category.EMPLOYMENT}
        not_personal = ("kind", "period")
        on_erasure = Erasure.RETAIN
        retention = "leave"

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["workspace", "employee", "leave_type", "kind", "period"],
            condition=models.Q(kind__in=["grant", "accrual", "carry_over", "expiry"]),
            name="ledger_job_entry_once")]
        indexes = [models.Index(fields=["workspace", "employee", "leave_type", "effective_on"],
                                name="ledger_by_employee")]


class LeaveRequest(WorkspaceOwned):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        CANCEL_REQUESTED = "cancel_requested", "Cancellation waiting for approval"

    class Step(models.TextChoices):
        MANAGER = "manager", "Manager"
        HR = "hr", "HR"
        DONE = "done", "Decided"

    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    half_day = models.BooleanField(default=False)  # a single day, half of it
    working_days = models.DecimalField(max_digits=6, decimal_places=2)
    note = models.TextField(blank=True)
    attachment = models.CharField(max_length=255, blank=True)  # a private name in the storage API
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    step = models.CharField(max_length=8, choices=Step.choices, default=Step.MANAGER)
    version = models.PositiveIntegerField(default=0)  # every decision is UPDATE ... WHERE version = seen
    requested_by = models.ForeignKey("core.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "employee"
        fields = {"employee": Category.EMPLOYMENT, "leave_type": Category.SENSITIVE, "start_date": Category.EMPLOYMENT,
                  "end_date": Category.EMPLOYMENT, "working_days": Category.EMPLOYMENT, "note": Category.SENSITIVE,
                  "attachment": Category.SENSITIVE, "requested_by": Category.ACTIVITY}
        not_personal = ("half_day", "status", "step", "version")
        on_erasure = Erasure.RETAIN
        retention = "leave"

    class Meta:
        indexes = [models.Index(fields=["workspace", "employee", "start_date"], name="leave_request_by_employee"),
                   models.Index(fields=["workspace", "status", "step", "created_at"], name="leave_request_open"),
                   models.Index(fields=["workspace", "start_date", "end_date"], name="leave_request_by_dates")]


class Approval(WorkspaceOwned):
    """One decision in a request's chain: who decided, at which step, with what comment."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        COMMENT = "comment", "Commented"

    request = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, related_name="approvals")
    step = models.CharField(max_length=8, choices=LeaveRequest.Step.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey("core.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    on_behalf_of = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")  # a delegate deciding for an away approver
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "employee"
        fields = {"decided_by": Category.ACTIVITY, "on_behalf_of": Category.ACTIVITY, "comment": Category.ACTIVITY}
        not_personal = ("step", "decision")
        on_erasure = Erasure.RETAIN
        retention = "leave"


class Delegation(WorkspaceOwned):
    """While `delegator` is away (from `starts_on` to `ends_on`), `delegate` decides the requests waiting
    for them."""

    delegator = models.ForeignKey("core.Membership", on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey("core.Membership", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "employee"
        fields = {"delegator": Category.ACTIVITY, "delegate": Category.ACTIVITY, "starts_on": Category.ACTIVITY,
                  "ends_on": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "leave"

    class Meta:
        indexes = [models.Index(fields=["workspace", "delegate", "starts_on"], name="delegation_by_delegate")]


class CalendarFeed(WorkspaceOwned):
    """A secret iCal address: the absences of one person (`me`) or of everyone they may see (`team`). Only a
    hash finds it; the token is kept sealed (core.crypto) so the address can be shown again."""

    class Scope(models.TextChoices):
        ME = "me", "My leave"
        TEAM = "team", "My team's leave"

    member = models.ForeignKey("core.Membership", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=4, choices=Scope.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    token_sealed = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "account"
        fields = {"member": Category.ACTIVITY, "token_hash": Category.CREDENTIAL, "token_sealed": Category.CREDENTIAL}
        not_personal = ("scope",)
        on_erasure = Erasure.DELETE
        retention = "account"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "member", "scope"], name="calendar_feed_one")]
