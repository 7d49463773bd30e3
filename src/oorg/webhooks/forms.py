"""The webhook form: shape only; services.check_subscription decides what is refused (shown all at once)."""
from django import forms

from oorg.core import events as core_events
from oorg.core.forms import ServiceForm

from . import services
from .models import ALL_EVENTS


class WebhookForm(ServiceForm):
    url = forms.CharField(label="Endpoint URL", max_length=2000, widget=forms.TextInput(attrs={
        "inputmode": "url", "placeholder": "https://example.com/oorg-webhooks", "autocomplete": "off",
        "spellcheck": "false"}),
        help_text="An https address on the public internet. Each event is POSTed there as signed JSON.")
    events = forms.MultipleChoiceField(label="Events", required=False)
    description = forms.CharField(label="Description", max_length=200, required=False,
                                  help_text="For you and your team: what listens there.")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.changes_only = editing
        self.types = core_events.webhook_types()
        self.fields["events"].choices = [(ALL_EVENTS, "All events")] + [(t.name, t.name) for t in self.types]

    def check_rules(self, data, *, unchecked):
        return services.check_subscription(unchecked=unchecked, **data)

    def chosen(self) -> set[str]:
        value = self["events"].value() or []
        return set(value if isinstance(value, list | tuple) else [value])

    def event_groups(self) -> list[dict]:
        """The event types by area, for checkboxes: [{"label", "items": [{"name", "description", "id", "checked"}]}]."""
        chosen, groups = self.chosen(), {}
        for t in self.types:
            groups.setdefault(t.group or "Other", []).append({
                "name": t.name, "description": t.description, "id": "event-" + t.name.replace(".", "-"),
                "checked": t.name in chosen})
        return [{"label": label, "items": items} for label, items in sorted(groups.items())]
