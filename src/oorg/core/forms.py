"""Workspace page forms: shape only; the services decide who may do what."""
from django import forms

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
