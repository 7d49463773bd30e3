"""The preferences page's form: per kind, shown in the app (a checkbox) and email (a select); quiet hours.
Security kinds are shown disabled (always on)."""
from __future__ import annotations

from django import forms

from .models import EmailMode

TIME = {"input_formats": ["%H:%M"], "widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
# Where a service problem about a field of the API's shape lands on this form.
QUIET_FIELDS = {"quiet_hours.enabled": "quiet_hours_enabled", "quiet_hours.start": "quiet_start",
                "quiet_hours.end": "quiet_end"}


class PreferencesForm(forms.Form):
    quiet_hours_enabled = forms.BooleanField(required=False, label="Hold emails during quiet hours")
    quiet_start = forms.TimeField(label="From", **TIME)
    quiet_end = forms.TimeField(label="Until", help_text="Before the start: the quiet hours run overnight.", **TIME)

    def __init__(self, *args, state: dict, **kwargs):
        quiet = state["quiet_hours"]
        initial = {"quiet_hours_enabled": quiet["enabled"], "quiet_start": quiet["start"], "quiet_end": quiet["end"]}
        super().__init__(*args, initial=initial, **kwargs)
        self.rows = state["kinds"]
        for row in self.rows:
            locked = row["locked"]
            self.fields[f"in_app__{row['kind']}"] = forms.BooleanField(
                required=False, disabled=locked, initial=row["in_app"], label=f"Show “{row['label']}” in the app")
            # Not required: a form posted without a kind's select (a kind added since the page was shown) keeps it.
            self.fields[f"email__{row['kind']}"] = forms.ChoiceField(
                choices=EmailMode.choices, required=False, disabled=locked, initial=row["email"],
                label=f"Email for “{row['label']}”")

    def groups(self) -> list[tuple[str, list[dict]]]:
        """The kinds by group, each with its two bound fields, for the page's tables."""
        found: dict[str, list[dict]] = {}
        for row in self.rows:
            found.setdefault(row["group"] or "General", []).append(
                {**row, "in_app_field": self[f"in_app__{row['kind']}"], "email_field": self[f"email__{row['kind']}"]})
        return list(found.items())

    def changes(self) -> tuple[list[dict], dict]:
        """(kinds, quiet_hours) for services.update_preferences, from the fields that passed their checks."""
        data = getattr(self, "cleaned_data", {})
        kinds = []
        for row in self.rows:
            if row["locked"]:
                continue
            change = {"kind": row["kind"]}
            if f"in_app__{row['kind']}" in data:
                change["in_app"] = data[f"in_app__{row['kind']}"]
            if data.get(f"email__{row['kind']}"):
                change["email"] = data[f"email__{row['kind']}"]
            kinds.append(change)
        quiet = {key: data[name] for key, name in (("enabled", "quiet_hours_enabled"), ("start", "quiet_start"),
                                                   ("end", "quiet_end")) if name in data}
        return kinds, quiet

    def field_for(self, problem_field: str | None, kinds: list[dict]) -> str | None:
        """The form field of a service problem named kinds[i].email, quiet_hours.start, ..."""
        if problem_field in QUIET_FIELDS:
            return QUIET_FIELDS[problem_field]
        if problem_field and problem_field.startswith("kinds["):
            index, _, key = problem_field[len("kinds["):].partition("].")
            if index.isdigit() and int(index) < len(kinds) and key in ("in_app", "email"):
                return f"{key}__{kinds[int(index)]['kind']}"
        return None
