"""Workspace page forms: shape only; the services decide who may do what."""
from django import forms

from oorg.core.forms import ImageUploadField, TimeZoneField
from oorg.core.permissions import PERMISSIONS
from oorg.core.roles import assignable_roles

from .services import LOCALES


def role_choices(actor) -> list[tuple[str, str]]:
    # Only roles the actor may hand out; the service refuses the others anyway, the form just does not offer them.
    return [(role.key, role.name) for role in assignable_roles(actor)]


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    # Empty (the "Resend" button of a pending invitation): the pending invitation's role is kept.
    role = forms.ChoiceField(initial="member", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor)


class RoleForm(forms.Form):
    role = forms.CharField(max_length=32)


class MemberSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name or email")


class AuditFilterForm(forms.Form):
    """The audit log's filters. Days are whole days in the viewer's time zone, both ends included."""

    actor = forms.CharField(required=False, max_length=254, label="Who",
                            widget=forms.TextInput(attrs={"list": "audit-actors", "autocomplete": "off",
                                                          "spellcheck": "false", "inputmode": "email",
                                                          "placeholder": "Email"}))
    action = forms.RegexField(required=False, max_length=80, regex=r"^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$",
                              label="Action", widget=forms.Select,
                              error_messages={"invalid": "Choose an action from the list."})
    target_type = forms.ChoiceField(required=False, label="Target")
    target_id = forms.CharField(required=False, max_length=64, label="Target id",
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from oorg.core import audit

        super().__init__(*args, **kwargs)
        # Read when the form is built: every area has registered its actions and targets by then.
        groups: dict[str, list] = {}
        for name, label in sorted(audit.ACTIONS.items(), key=lambda item: item[1]):
            groups.setdefault(name.split(".", 1)[0], []).append((name, label))
        choices = [("", "Any action")]
        for prefix, actions in sorted(groups.items(), key=lambda g: audit.ACTION_GROUPS.get(g[0], g[0])):
            group = audit.ACTION_GROUPS.get(prefix, prefix)
            choices.append((group, [(f"{prefix}.", f"Any {group.lower()} action"), *actions]))
        chosen = self.data.get("action") if self.is_bound else None
        known = {value for _group, options in choices[1:] for value, _label in options}
        if chosen and chosen not in known:  # a prefix typed into the address, such as "org.employee."
            choices.append((chosen, f"Actions under {chosen}"))
        self.fields["action"].widget.choices = choices
        self.fields["target_type"].choices = [("", "Any target")] + sorted(
            ((name, kind.noun) for name, kind in audit.TARGETS.items()), key=lambda c: c[1])

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”: choose a day on or after it.")
        if data.get("target_id") and not data.get("target_type"):
            self.add_error("target_type", "Choose the kind of target the id belongs to.")
        return data


class WorkspaceSecurityForm(forms.Form):
    require_two_factor = forms.BooleanField(required=False, label="Require two-factor sign-in for every member")


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(max_length=120, label="Workspace name",
                           help_text="Renaming keeps the workspace's address, so links and bookmarks still work.")
    time_zone = TimeZoneField(label="Default time zone",
                              help_text="For dates and times shown to members who have not chosen their own.")
    locale = forms.ChoiceField(label="Locale", choices=list(LOCALES.items()),
                               help_text="How dates and numbers are written, e.g. 31/12/2025 or 12/31/2025.")


class LogoForm(forms.Form):
    logo = ImageUploadField(noun="logo", label="New logo", help_text="JPEG, PNG, WebP or GIF up to 5 MB. It is "
                            "stored at most 512 × 512 pixels, without metadata; transparent parts become white.")


class CreateWorkspaceForm(forms.Form):
    name = forms.CharField(max_length=120, label="Workspace name",
                           help_text="Your company or team. You can rename it later.",
                           widget=forms.TextInput(attrs={"autocomplete": "organization"}))


class ConfirmForm(forms.Form):
    """Nothing to fill in: a confirmation step's form, which carries the service's refusal (the last owner) back."""


# --- the roles editor ---------------------------------------------------------------------------------------------

PERMISSION_AREAS = {"workspace": "Workspace", "roles": "Roles", "audit": "Audit log", "org": "People and organization"}


class CustomRoleForm(forms.Form):
    """A custom role: a name, a description and the permissions it grants (checked by the roles service)."""

    name = forms.CharField(max_length=60)
    description = forms.CharField(required=False, max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="What people with this role do, in a sentence.")
    permissions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is built: every area has registered its permissions by then.
        self.fields["permissions"].choices = list(PERMISSIONS.items())

    def permission_groups(self, actor) -> list[dict]:
        """The permission checkboxes grouped by area (the name's first part), in registry order."""
        chosen = set(self["permissions"].value() or ())
        groups: dict[str, dict] = {}
        for name, description in PERMISSIONS.items():
            area = name.split(".", 1)[0]
            group = groups.setdefault(area, {"area": area, "label": PERMISSION_AREAS.get(area, area.capitalize()),
                                             "items": []})
            group["items"].append({"name": name, "description": description, "checked": name in chosen,
                                   "held": actor.can(name), "id": f"perm-{name.replace('.', '-')}"})
        return list(groups.values())


class DeleteForm(forms.Form):
    """Nothing to fill in: it carries the service's refusal (the role is in use) back to the page."""
