"""Workspace page forms: shape only; the services decide who may do what."""
from django import forms

from .permissions import PERMISSIONS
from .roles import assignable_roles


def role_choices(actor) -> list[tuple[str, str]]:
    # Only roles the actor may hand out; the service refuses the others anyway, the form just does not offer them.
    return [(role.key, role.name) for role in assignable_roles(actor)]


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(initial="member")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor)


class RoleForm(forms.Form):
    role = forms.CharField(max_length=32)


class MemberSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name or email")


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=80, label="Action starts with",
                             widget=forms.TextInput(attrs={"list": "audit-actions", "spellcheck": "false"}))


class WorkspaceSecurityForm(forms.Form):
    require_two_factor = forms.BooleanField(required=False, label="Require two-factor sign-in for every member")


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
