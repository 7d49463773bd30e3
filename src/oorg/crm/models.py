"""The CRM: leads, contacts, companies, pipelines and deals, and what happens around them (activities, notes,
the timeline), plus the definitions a workspace adds (custom fields, web forms, saved views).

Leads, contacts, companies and deals are *records*: each has an owner (a membership), tags and custom field
values, and the record scopes (crm/scopes.py) decide who sees it by its owner. Emails and phones are stored
normalised (lower-case email, E.164 phone, bare domain) so duplicates are found with an index, not a scan.
"""
from __future__ import annotations

from django.db import models

from oorg.core.personal_data import Category, Erasure
from oorg.core.tenancy import WorkspaceOwned

ENTITIES = ("lead", "contact", "company", "deal")


class Record(WorkspaceOwned):
    """What every CRM record has."""

    owner = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tags = models.JSONField(default=list)  # ["vip", "fair-2026"]: lower-case, sorted, unique
    custom_fields = models.JSONField(default=dict)  # {name: value}, checked against CustomField definitions
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        base_manager_name = "all_workspaces"


RECORD_FIELDS = {"owner": Category.ACTIVITY, "tags": Category.ACTIVITY, "custom_fields": Category.CONTACT,
                 "created_by": Category.ACTIVITY}


class Company(Record):
    class Size(models.TextChoices):
        MICRO = "1-10", "1–10"
        SMALL = "11-50", "11–50"
        MEDIUM = "51-250", "51–250"
        LARGE = "251-1000", "251–1,000"
        ENTERPRISE = "1001+", "More than 1,000"

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True)  # "example.com": no scheme, no www., lower-case
    industry = models.CharField(max_length=120, blank=True)
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)
    phone = models.CharField(max_length=32, blank=True)  # E.164
    address = models.TextField(blank=True)

    class PersonalData:
        subject = "customer"
        # A company is not a person, but a sole trader's name, phone and address are theirs.
        fields = {**RECORD_FIELDS, "name": Category.IDENTITY, "domain": Category.CONTACT, "phone": Category.CONTACT,
                  "address": Category.CONTACT}
        not_personal = ("industry", "size")
        on_erasure = Erasure.DELETE
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        verbose_name_plural = "companies"
        indexes = [models.Index(fields=["workspace", "name", "id"], name="crm_company_by_name"),
                   models.Index(fields=["workspace", "domain"], name="crm_company_by_domain"),
                   models.Index(fields=["workspace", "owner", "name", "id"], name="crm_company_by_owner"),
                   models.Index(fields=["workspace", "created_at", "id"], name="crm_company_by_created")]

    def __str__(self):
        return self.name


class Contact(Record):
    full_name = models.CharField(max_length=150)
    email = models.CharField(max_length=254, blank=True)  # lower-case
    phone = models.CharField(max_length=32, blank=True)  # E.164
    job_title = models.CharField(max_length=120, blank=True)
    companies = models.ManyToManyField(Company, through="ContactCompany", related_name="contacts")

    class PersonalData:
        subject = "customer"
        fields = {**RECORD_FIELDS, "full_name": Category.IDENTITY, "email": Category.CONTACT,
                  "phone": Category.CONTACT, "job_title": Category.EMPLOYMENT}
        on_erasure = Erasure.DELETE
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["workspace", "full_name", "id"], name="crm_contact_by_name"),
                   models.Index(fields=["workspace", "email"], name="crm_contact_by_email"),
                   models.Index(fields=["workspace", "phone"], name="crm_contact_by_phone"),
                   models.Index(fields=["workspace", "owner", "full_name", "id"], name="crm_contact_by_owner"),
                   models.Index(fields=["workspace", "created_at", "id"], name="crm_contact_by_created")]

    def __str__(self):
        return self.full_name


class ContactCompany(WorkspaceOwned):
    """A contact works at (or with) a company; a contact may have several."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="company_links")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contact_links")

    class PersonalData:
        subject = "customer"
        fields = {"contact": Category.IDENTITY, "company": Category.EMPLOYMENT}
        on_erasure = Erasure.DELETE
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        constraints = [models.UniqueConstraint(fields=["contact", "company"], name="crm_contact_company_once")]
        indexes = [models.Index(fields=["workspace", "company", "contact"], name="crm_contacts_of_company")]


class Lead(Record):
    class Source(models.TextChoices):
        WEB_FORM = "web_form", "Web form"
        IMPORT = "import", "Import"
        API = "api", "API"
        MANUAL = "manual", "Manual"
        FACEBOOK = "facebook", "Facebook"
        WHATSAPP = "whatsapp", "WhatsApp"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        QUALIFIED = "qualified", "Qualified"
        UNQUALIFIED = "unqualified", "Unqualified"
        CONVERTED = "converted", "Converted"

    full_name = models.CharField(max_length=150)
    email = models.CharField(max_length=254, blank=True)  # lower-case
    phone = models.CharField(max_length=32, blank=True)  # E.164
    company_name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    # Conversion (crm/services/conversion.py): what the lead became, set once.
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    converted_company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    converted_deal = models.ForeignKey("Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Consent given on a web form: the exact text shown, the answer, when, and from which form.
    web_form = models.ForeignKey("WebForm", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    consent_text = models.TextField(blank=True)
    consent_given = models.BooleanField(null=True, blank=True)  # None: no consent question was asked
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)

    class PersonalData:
        subject = "customer"
        fields = {**RECORD_FIELDS, "full_name": Category.IDENTITY, "email": Category.CONTACT,
                  "phone": Category.CONTACT, "company_name": Category.EMPLOYMENT, "source": Category.ACTIVITY,
                  "status": Category.ACTIVITY, "converted_at": Category.ACTIVITY,
                  "converted_contact": Category.IDENTITY, "converted_company": Category.EMPLOYMENT,
                  "converted_deal": Category.ACTIVITY, "web_form": Category.ACTIVITY,
                  "consent_text": Category.ACTIVITY, "consent_given": Category.ACTIVITY,
                  "consent_at": Category.ACTIVITY, "consent_ip": Category.TECHNICAL}
        on_erasure = Erasure.DELETE
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["workspace", "full_name", "id"], name="crm_lead_by_name"),
                   models.Index(fields=["workspace", "email"], name="crm_lead_by_email"),
                   models.Index(fields=["workspace", "phone"], name="crm_lead_by_phone"),
                   models.Index(fields=["workspace", "status", "created_at", "id"], name="crm_lead_by_status"),
                   models.Index(fields=["workspace", "owner", "created_at", "id"], name="crm_lead_by_owner"),
                   models.Index(fields=["workspace", "created_at", "id"], name="crm_lead_by_created")]

    def __str__(self):
        return self.full_name


class RoundRobin(WorkspaceOwned):
    """Who new records are handed to in turn (a pipeline's deals, a web form's leads); empty: manual."""

    assignees = models.JSONField(default=list)  # membership ids, in turn order
    next_assignee = models.PositiveIntegerField(default=0)  # index into assignees, advanced under a row lock

    class Meta:
        abstract = True
        base_manager_name = "all_workspaces"


class Pipeline(RoundRobin):
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name",)
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        base_manager_name = "all_workspaces"
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="crm_pipeline_unique_name")]

    def __str__(self):
        return self.name


class Stage(WorkspaceOwned):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=80)
    probability = models.PositiveSmallIntegerField(default=0)  # percent, 0-100
    position = models.PositiveIntegerField(default=0)
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name",)
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        base_manager_name = "all_workspaces"
        ordering = ("position", "id")
        constraints = [models.UniqueConstraint(fields=["pipeline", "name"], name="crm_stage_unique_name")]

    def __str__(self):
        return self.name


class Deal(Record):
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")  # ISO 4217
    expected_close_date = models.DateField(null=True, blank=True)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals")
    stage_changed_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # set on entering a won or lost stage

    class PersonalData:
        subject = "customer"
        fields = {**RECORD_FIELDS, "contact": Category.IDENTITY, "company": Category.EMPLOYMENT,
                  "amount": Category.ACTIVITY, "stage": Category.ACTIVITY}
        not_personal = ("name",)  # a deal's title ("Q3 licences"), not a person's name
        on_erasure = Erasure.ANONYMIZE  # the business keeps its sales record; the person's link goes
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["workspace", "name", "id"], name="crm_deal_by_name"),
                   # The board: one pipeline's stage columns, newest move first.
                   models.Index(fields=["workspace", "stage", "stage_changed_at", "id"], name="crm_deal_by_stage"),
                   models.Index(fields=["workspace", "pipeline", "expected_close_date", "id"],
                                name="crm_deal_by_close"),
                   models.Index(fields=["workspace", "owner", "created_at", "id"], name="crm_deal_by_owner"),
                   models.Index(fields=["workspace", "contact"], name="crm_deal_by_contact"),
                   models.Index(fields=["workspace", "company"], name="crm_deal_by_company"),
                   models.Index(fields=["workspace", "created_at", "id"], name="crm_deal_by_created"),
                   # The board's counts and totals (GROUP BY stage, currency): read from the index alone.
                   models.Index(fields=["workspace", "pipeline", "stage", "currency", "amount"],
                                name="crm_deal_board_totals")]

    def __str__(self):
        return self.name


class StageChange(WorkspaceOwned):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+")
    to_stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+")
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "customer"
        fields = {"by": Category.ACTIVITY, "at": Category.ACTIVITY}
        on_erasure = Erasure.RETAIN
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["workspace", "deal", "at"], name="crm_stage_changes_of_deal")]


class Linked(WorkspaceOwned):
    """Belongs to exactly one record: a lead, a contact, a company or a deal."""

    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
        base_manager_name = "all_workspaces"

    @property
    def record(self):
        return self.lead or self.contact or self.company or self.deal


class Activity(Linked):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        TASK = "task", "Task"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the reminder went out (once)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "customer"
        fields = {"subject": Category.ACTIVITY, "details": Category.ACTIVITY, "owner": Category.ACTIVITY,
                  "created_by": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["workspace", "owner", "done_at", "due_at"], name="crm_activities_of_owner"),
                   # The reminder job: reminders due and not yet sent, across workspaces.
                   models.Index(fields=["remind_at"], condition=models.Q(reminded_at__isnull=True),
                                name="crm_reminders_due")]


class Note(Linked):
    body = models.TextField()  # sanitised HTML (crm/sanitize.py)
    author = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "customer"
        fields = {"body": Category.ACTIVITY, "author": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"


class TimelineEntry(Linked):
    """One line of a record's timeline, newest first: written by the service that did the thing, in its
    transaction, so a record's history is one indexed range read, and a merge moves it with one UPDATE."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        NOTE = "note", "Note"
        ACTIVITY = "activity", "Activity"
        STAGE_CHANGE = "stage_change", "Stage change"
        CONVERSION = "conversion", "Conversion"
        MERGE = "merge", "Merge"
        EMAIL = "email", "Email"
        ASSIGNMENT = "assignment", "Owner change"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stage_change = models.ForeignKey(StageChange, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    summary = models.CharField(max_length=300)  # "Moved from Qualified to Proposal"
    data = models.JSONField(default=dict)
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "customer"
        fields = {"summary": Category.ACTIVITY, "data": Category.ACTIVITY, "actor": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "customer"

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["workspace", "lead", "at", "id"], name="crm_timeline_of_lead"),
                   models.Index(fields=["workspace", "contact", "at", "id"], name="crm_timeline_of_contact"),
                   models.Index(fields=["workspace", "company", "at", "id"], name="crm_timeline_of_company"),
                   models.Index(fields=["workspace", "deal", "at", "id"], name="crm_timeline_of_deal")]


class CustomField(WorkspaceOwned):
    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        CHOICE = "choice", "Choice"
        MULTI_CHOICE = "multi_choice", "Several choices"
        BOOLEAN = "boolean", "Yes or no"
        URL = "url", "Link"

    entity = models.CharField(max_length=10, choices=[(e, e) for e in ENTITIES])
    name = models.SlugField(max_length=40)  # the key in custom_fields; never changes
    label = models.CharField(max_length=80)
    type = models.CharField(max_length=12, choices=Type.choices)
    choices = models.JSONField(default=list)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name",)  # a field's key, not a person's name
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        base_manager_name = "all_workspaces"
        ordering = ("position", "id")
        constraints = [models.UniqueConstraint(fields=["workspace", "entity", "name"], name="crm_custom_field_once")]


class WebForm(RoundRobin):
    """A public lead form: /f/<key> (a page, an iframe, or a plain form post from another site)."""

    name = models.CharField(max_length=120)
    key = models.CharField(max_length=43, unique=True)  # random, in the public URL; rotating it retires the old
    active = models.BooleanField(default=True)
    consent_text = models.TextField(blank=True)  # shown beside a checkbox; empty: no consent question
    consent_required = models.BooleanField(default=False)
    thank_you = models.CharField(max_length=300, default="Thank you, we will be in touch.")
    redirect_url = models.URLField(blank=True)  # where a plain form post goes afterwards
    tags = models.JSONField(default=list)  # put on every lead the form makes
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name",)
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        base_manager_name = "all_workspaces"

    def __str__(self):
        return self.name


class SavedView(WorkspaceOwned):
    """A person's named list: its filters (the list's query string) and chosen columns."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=10, choices=[(e, e) for e in ENTITIES])
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    columns = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "user"
        fields = {"user": Category.IDENTITY, "query": Category.ACTIVITY}
        not_personal = ("name",)
        on_erasure = Erasure.DELETE
        retention = "workspace"

    class Meta:
        base_manager_name = "all_workspaces"
        constraints = [models.UniqueConstraint(fields=["workspace", "user", "entity", "name"],
                                               name="crm_saved_view_unique_name")]
