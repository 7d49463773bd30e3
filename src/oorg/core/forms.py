"""Workspace page forms: shape only; the services decide who may do what."""
from django import forms

from .models import Membership


def role_choices(actor) -> list[tuple[str, str]]:
    # Only an owner may hand out the owner role; the service refuses it anyway, the form just does not offer it.
    return [(value, label) for value, label in Membership.Role.choices
            if value != Membership.Role.OWNER or actor.role == Membership.Role.OWNER]


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class MemberSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name or email")


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=80, label="Action starts with",
                             widget=forms.TextInput(attrs={"list": "audit-actions", "spellcheck": "false"}))


class WorkspaceSecurityForm(forms.Form):
    require_two_factor = forms.BooleanField(required=False, label="Require two-factor sign-in for every member")
