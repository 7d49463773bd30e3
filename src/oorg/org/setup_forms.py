"""Forms of the organization setup pages: shape only; the org services decide what is allowed, and their
`check_*` runs on the fields that passed when another did not (core.forms.ServiceForm), so one submission
shows every problem.

Ids chosen in selects are passed on as ids: the services resolve them through scoped selectors.
"""
from __future__ import annotations

from django import forms

from oorg.core.forms import CountryField, ServiceForm, TimeZoneField

from . import services
from .importing import MAX_FILE_BYTES
from .models import WEEKDAYS, OrgSettings
from .validation import SELF_SERVICE_LABELS, WEEKDAY_LABELS


class DepartmentForm(ServiceForm):
    name = forms.CharField(max_length=120)
    parent = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Part of",
                                    help_text="Leave empty for a top-level department.")
    head = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Head")

    def __init__(self, *args, actor, tree, employees, department=None, **kwargs):
        """`tree`: (department, depth) in order; `employees`: current employees; `department`: the one being
        edited (it cannot sit under itself). Its sub-departments stay offered: the service explains why
        moving under them is refused."""
        super().__init__(*args, **kwargs)
        self.actor, self.department, self.changes_only = actor, department, department is not None
        self.fields["parent"].choices = [("", "— none (top level) —")] + [
            (d.pk, "\u2003" * depth + d.name) for d, depth in tree if department is None or d.pk != department.pk]
        self.fields["head"].choices = [("", "— nobody —")] + [
            (e.pk, f"{e.full_name} ({e.code})") for e in employees]

    def check_rules(self, data, *, unchecked):
        return services.check_department(self.actor, self.department, data, unchecked=unchecked)


class BranchForm(ServiceForm):
    name = forms.CharField(max_length=120)
    address = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    country = CountryField(required=False, help_text="Phone numbers without a +country prefix are read in it.")
    time_zone = TimeZoneField(help_text="Working hours are in this time zone.")
    working_days = forms.MultipleChoiceField(required=False, label="Working days",
                                             choices=[(d, WEEKDAY_LABELS[d]) for d in WEEKDAYS],
                                             widget=forms.CheckboxSelectMultiple)
    work_starts = forms.TimeField(label="Work starts",
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    work_ends = forms.TimeField(label="Work ends", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    holiday_calendar = forms.CharField(required=False, max_length=60, label="Holiday calendar",
                                       help_text="A placeholder for the attendance area; it does nothing yet.")

    def __init__(self, *args, actor, branch=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.branch, self.changes_only = actor, branch, branch is not None

    def check_rules(self, data, *, unchecked):
        return services.check_branch(self.actor, self.branch, data, unchecked=unchecked)


class OrgSettingsForm(forms.Form):
    self_service_fields = forms.MultipleChoiceField(
        required=False, label="Employees may change on their own profile",
        choices=[(c, SELF_SERVICE_LABELS.get(c, c.replace("_", " ").capitalize()))
                 for c in OrgSettings.SELF_SERVICE_CHOICES],
        widget=forms.CheckboxSelectMultiple)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Spreadsheet (.csv or .xlsx)",
                           widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                                                                   "officedocument.spreadsheetml.sheet"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; split it into smaller files.")
        return upload


class DeleteForm(forms.Form):
    """Nothing to fill in: it carries the service's refusal (still in use) back to the page."""
