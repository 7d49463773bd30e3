"""Forms of the organization setup pages: shape only; the org services decide what is allowed.

Ids chosen in selects are passed on as ids: the services resolve them through scoped selectors.
"""
from __future__ import annotations

from django import forms

from .importing import MAX_FILE_BYTES
from .models import WEEKDAYS, OrgSettings

WEEKDAY_LABELS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
                  "sat": "Saturday", "sun": "Sunday"}
SELF_SERVICE_LABELS = {
    "phone": "Work phone", "photo": "Photo", "birth_date": "Birth date", "home_address": "Home address",
    "emergency_contact_name": "Emergency contact name", "emergency_contact_phone": "Emergency contact phone",
}


class DepartmentForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Part of",
                                    help_text="Leave empty for a top-level department.")
    head = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Head")

    def __init__(self, *args, tree, employees, exclude=None, **kwargs):
        """`tree`: (department, depth) in order; `employees`: current employees; `exclude`: the department
        being edited (it cannot sit under itself). Its sub-departments stay offered: the service explains
        why moving under them is refused."""
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "— none (top level) —")] + [
            (d.pk, "\u2003" * depth + d.name) for d, depth in tree if exclude is None or d.pk != exclude.pk]
        self.fields["head"].choices = [("", "— nobody —")] + [
            (e.pk, f"{e.full_name} ({e.code})") for e in employees]


class BranchForm(forms.Form):
    name = forms.CharField(max_length=120)
    address = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    country = forms.CharField(required=False, max_length=2, label="Country code",
                              help_text="Two letters, such as DE or US.",
                              widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false",
                                                            "size": 2}))
    time_zone = forms.CharField(max_length=64, label="Time zone", help_text="An IANA name, such as Europe/Berlin.",
                                widget=forms.TextInput(attrs={"list": "time-zones", "spellcheck": "false",
                                                              "autocomplete": "off"}))
    working_days = forms.MultipleChoiceField(required=False, label="Working days",
                                             choices=[(d, WEEKDAY_LABELS[d]) for d in WEEKDAYS],
                                             widget=forms.CheckboxSelectMultiple)
    work_starts = forms.TimeField(label="Work starts",
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    work_ends = forms.TimeField(label="Work ends", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    holiday_calendar = forms.CharField(required=False, max_length=60, label="Holiday calendar",
                                       help_text="A placeholder for the attendance area; it does nothing yet.")


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
