"""People page forms: shape only. Which fields a form holds comes from `services.editable_fields`, the
choices from the scoped selectors; the services decide what a value may be and who may set it. When a field
fails its shape check, the service's check still runs on the others (core.forms.ServiceForm), so the page
shows every problem at once."""
from __future__ import annotations

from django import forms

from oorg.core.errors import PermissionDenied
from oorg.core.forms import ImageUploadField, ServiceForm
from oorg.workspaces import selectors as workspace_selectors

from . import selectors, services
from .models import Employee
from .selectors import PERSONAL_FIELDS
from .services import WORK_EDIT_FIELDS

EMPLOYEE_FIELDS = WORK_EDIT_FIELDS + PERSONAL_FIELDS  # every field an employee form can hold
RELATION_FIELDS = ("department", "branch", "manager", "member")  # select fields: the value is an id
NONE = ("", "—")


def _or_empty(choices):
    """Choices the actor may not list at all (a custom role) become an empty select; the service refuses anyway."""
    try:
        return list(choices())
    except PermissionDenied:
        return []


def department_choices(actor) -> list[tuple[str, str]]:
    return _or_empty(lambda: ((str(d.pk), "— " * depth + d.name) for d, depth in selectors.department_tree(actor)))


def branch_choices(actor) -> list[tuple[str, str]]:
    return _or_empty(lambda: ((str(b.pk), b.name) for b in selectors.branches_visible_to(actor)))


def manager_choices(viewer, employee: Employee | None) -> list[tuple[str, str]]:
    people = selectors.employees_visible_to(viewer)
    if employee is not None and employee.pk is not None:
        people = people.exclude(pk=employee.pk)
    return [(str(e.pk), f"{e.full_name} ({e.code})") for e in people]


def member_choices(actor) -> list[tuple[str, str]]:
    return _or_empty(lambda: ((str(m.pk), f"{m.user.full_name} <{m.user.email}>")
                              for m in workspace_selectors.members_visible_to(actor)))


STATUS_FILTERS = [("", "Current staff"), ("active", "Active"), ("on_leave", "On leave"),
                  ("terminated", "Terminated"), ("any", "Everyone")]


SORT_CHOICES = [("name", "Name, A–Z"), ("-name", "Name, Z–A"), ("title", "Job title, A–Z"),
                ("-title", "Job title, Z–A"), ("start", "Start date, earliest first"),
                ("-start", "Start date, latest first"), ("department", "Department, in tree order"),
                ("-department", "Department, tree reversed"), ("branch", "Branch, A–Z"), ("-branch", "Branch, Z–A")]
GROUP_CHOICES = [("", "No grouping")] + list(selectors.GROUPS.items())


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name, code, email or title")
    department = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Department")
    branch = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Branch")
    status = forms.ChoiceField(required=False, choices=STATUS_FILTERS, label="Status")
    sort = forms.ChoiceField(required=False, label="Sort by", choices=SORT_CHOICES)
    group = forms.ChoiceField(required=False, label="Group by", choices=GROUP_CHOICES)

    ORDER_FIELDS = ("sort", "group")

    def __init__(self, *args, actor, with_status: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "All departments")] + department_choices(actor)
        self.fields["branch"].choices = [("", "All branches")] + branch_choices(actor)
        if not with_status:  # only those who see leavers get to ask for them
            del self.fields["status"]

    def filters(self) -> dict:
        """Keyword arguments for selectors.employees_visible_to; a value that does not fit is left out."""
        self.is_valid()  # cleaned_data keeps the fields that are valid
        data = {name: value for name, value in self.cleaned_data.items()
                if value not in (None, "") and name not in self.ORDER_FIELDS}
        if "department" in data:
            data["include_subdepartments"] = True
        return data

    def order(self) -> tuple[str, bool, str | None]:
        """(sort, descending, group) for selectors.directory_walk; what does not fit is the default."""
        self.is_valid()
        sort = self.cleaned_data.get("sort") or "name"
        return sort.lstrip("-"), sort.startswith("-"), self.cleaned_data.get("group") or None


class EmployeeForm(ServiceForm):
    """Only the fields the viewer may change on this employee (or on a new one)."""

    SECTIONS = (
        ("Name and role", ("full_name", "code", "job_title")),
        ("Contact", ("work_email", "phone")),
        ("Employment", ("department", "branch", "manager", "employment_type", "start_date", "end_date", "status",
                        "member")),
        ("Personal", ("birth_date", "home_address", "emergency_contact_name", "emergency_contact_phone")),
    )

    def __init__(self, *args, viewer, employee: Employee | None, allowed: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        actor = viewer.actor
        self.actor, self.employee = actor, employee
        builders = {
            "full_name": lambda: forms.CharField(max_length=150, label="Full name"),
            "code": lambda: forms.CharField(max_length=32, label="Employee code",
                                            help_text="Letters, digits, '.', '_', '-' or '/'; "
                                                      "unique in the workspace."),
            "job_title": lambda: forms.CharField(max_length=120, label="Job title"),
            "work_email": lambda: forms.CharField(max_length=254, label="Work email", widget=forms.EmailInput()),
            "phone": lambda: _phone("Phone"),
            "department": lambda: forms.ChoiceField(label="Department", choices=[NONE] + department_choices(actor)),
            "branch": lambda: forms.ChoiceField(label="Branch", choices=[NONE] + branch_choices(actor)),
            "manager": lambda: forms.ChoiceField(label="Manager", choices=[NONE] + manager_choices(viewer, employee)),
            "employment_type": lambda: forms.ChoiceField(label="Employment type",
                                                         choices=Employee.EmploymentType.choices),
            "start_date": lambda: _date("Start date"),
            "end_date": lambda: _date("End date"),
            "status": lambda: forms.ChoiceField(label="Status", choices=Employee.Status.choices,
                                                help_text="Terminating moves their reports to their manager "
                                                          "and ends their workspace access."),
            "member": lambda: forms.ChoiceField(label="Workspace account", choices=[NONE] + member_choices(actor),
                                                help_text="The member who signs in as this employee."),
            "birth_date": lambda: _date("Birth date"),
            "home_address": lambda: forms.CharField(max_length=500, label="Home address",
                                                    widget=forms.Textarea(attrs={"rows": 3})),
            "emergency_contact_name": lambda: forms.CharField(max_length=150, label="Emergency contact"),
            "emergency_contact_phone": lambda: _phone("Emergency contact phone"),
        }
        for name in EMPLOYEE_FIELDS:
            if name in allowed:
                field = builders[name]()
                field.required = False  # what is required is the service's rule (it names the field)
                self.fields[name] = field
        if employee is not None:
            self._keep_current_choice(employee, "manager", lambda e: f"{e.full_name} ({e.code})")
            self._keep_current_choice(employee, "member", lambda m: f"{m.user.full_name} <{m.user.email}> (left)")
        if employee is not None:
            self.initial = {name: _initial(employee, name) for name in self.fields}
        elif "employment_type" in self.fields:
            self.initial = {"employment_type": Employee.EmploymentType.FULL_TIME, "status": Employee.Status.ACTIVE}

    def _keep_current_choice(self, employee: Employee, name: str, label) -> None:
        """A terminated employee's ended membership (or a manager who left) is no longer offered, but it is
        still the stored value: keep it selectable, so saving other fields does not trip over it."""
        current = getattr(employee, f"{name}_id")
        field = self.fields.get(name)
        if field is None or current is None or str(current) in {value for value, _ in field.choices}:
            return
        field.choices = [*field.choices, (str(current), label(getattr(employee, name)))]

    def sections(self):
        """[(title, [bound fields])] for the fields this form holds, in page order."""
        found = []
        for title, names in self.SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                found.append((title, fields))
        return found

    def values(self) -> dict:
        """cleaned_data as the service takes it: related rows by id (or None), text stripped."""
        values = {}
        for name, value in self.cleaned_data.items():
            if name in RELATION_FIELDS:
                value = int(value) if value else None
            values[name] = value
        return values

    def changes(self, employee: Employee) -> dict:
        """Only what differs from the stored employee."""
        return {name: value for name, value in self.values().items() if value != _current(employee, name)}

    def service_data(self) -> dict:
        """What create_employee / update_employee get: for a new employee, name and code always (the service
        says which is missing) and the rest when filled in; for a stored one, what changed. Employee fields
        the request sends that this form does not offer go too, so the service refuses them (403) and
        nothing is saved: dropping them quietly would hide that."""
        if self.employee is None:
            data = {name: value for name, value in self.values().items()
                    if name in ("code", "full_name") or value not in (None, "")}
        else:
            data = self.changes(self.employee)
        refused = {name: self.data.get(name) for name in EMPLOYEE_FIELDS
                   if name in self.data and name not in self.fields}
        return {**refused, **data}

    def check_rules(self, data, *, unchecked):
        return services.check_employee(self.actor, self.employee, data, unchecked=unchecked)


def _phone(label: str) -> forms.CharField:
    return forms.CharField(max_length=40, label=label,
                           widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                           help_text="With the country code, such as +49 30 1234567; "
                                     "without it, the number is read in the branch's country.")


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _current(employee: Employee, name: str):
    if name in RELATION_FIELDS:
        return getattr(employee, f"{name}_id")
    return getattr(employee, name)


def _initial(employee: Employee, name: str):
    value = _current(employee, name)
    if name in RELATION_FIELDS:
        return "" if value is None else str(value)
    return value


BULK_ACTIONS = [("move_department", "Move to department"), ("move_branch", "Move to branch"),
                ("change_manager", "Change manager"), ("terminate", "Terminate")]


class BulkActionForm(forms.Form):
    """The directory's bulk action: which people (ids, checked on the page), what to do, and its one target.
    Shape only; the services decide who may do it to whom."""

    action = forms.ChoiceField(label="Action", choices=BULK_ACTIONS)
    department = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Department")
    branch = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Branch")
    manager = forms.CharField(required=False, max_length=100, label="New manager",
                              help_text="A name or an employee code.")
    manager_id = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="New manager",
                                        widget=forms.RadioSelect)
    end_date = forms.DateField(required=False, label="Last day",
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text="Leave empty for today.")

    def __init__(self, *args, actor, actions, manager_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(k, label) for k, label in BULK_ACTIONS if k in actions]
        self.fields["department"].choices = [NONE] + department_choices(actor)
        self.fields["branch"].choices = [NONE] + branch_choices(actor)
        self.fields["manager_id"].choices = list(manager_choices)

    def ids(self) -> list[int]:
        """The selected ids as sent; the view checks their number (and the selector that each is visible)."""
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if not all(value.isdigit() and len(value) < 19 for value in raw):
            raise forms.ValidationError("The selection is not valid; select the people again.")
        return [int(value) for value in raw]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "move_department" and not data.get("department"):
            self.add_error("department", "Choose the department to move them to.")
        if action == "move_branch" and not data.get("branch"):
            self.add_error("branch", "Choose the branch to move them to.")
        if action == "change_manager" and not (data.get("manager") or data.get("manager_id")):
            self.add_error("manager", "Name the new manager, or give their employee code.")
        return data


class TerminateForm(forms.Form):
    end_date = forms.DateField(required=False, label="Last day",
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text="Leave empty for today.")


class PhotoForm(forms.Form):
    photo = ImageUploadField(noun="photo", label="New photo", help_text="JPEG, PNG, WebP or GIF up to 5 MB. "
                             "It is stored resized, without location or camera data.")
