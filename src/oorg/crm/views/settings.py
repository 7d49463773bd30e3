"""CRM settings pages for custom fields (crm.settings.manage): the fields of each kind of record, a form to
add one, an edit page (label, choices, required; entity, name and type stay), delete with a confirmation.
Pipeline settings pages live with the deals (views/deals.py, views/pipelines)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core.errors import Conflict
from oorg.core.forms import ServiceForm, add_service_error, redirect_get_to, render_form, service_errors
from oorg.core.permissions import require

from ..models import ENTITIES, CustomField
from ..permissions import SETTINGS
from ..services import custom_fields as services

ENTITY_LABELS = {"lead": "Leads", "contact": "Contacts", "company": "Companies", "deal": "Deals"}


def _choices_list(text: str) -> list[str]:
    items = [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]
    return items


class CustomFieldForm(ServiceForm):
    entity = forms.ChoiceField(label="Kind of record", choices=[(e, ENTITY_LABELS[e]) for e in ENTITIES])
    label = forms.CharField(label="Label", max_length=80)
    name = forms.CharField(label="Name", max_length=40,
                           help_text="The key in the API and in imports: lower-case letters, digits and _, "
                                     "like deal_source. It cannot change later.")
    type = forms.ChoiceField(label="Type", choices=CustomField.Type.choices)
    choices = forms.CharField(label="Choices", required=False, max_length=8000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="For choice fields: one per line.")
    required = forms.BooleanField(label="Required on every record", required=False)

    def __init__(self, *args, actor, field=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.field, self.changes_only = actor, field, field is not None
        if field is not None:
            for fixed in ("entity", "name", "type"):
                self.fields[fixed].disabled = True
                self.fields[fixed].help_text = "It cannot change: make a new field instead."

    def service_data(self) -> dict:
        data = super().service_data()
        if "choices" in data:
            data["choices"] = _choices_list(data["choices"])
        if self.field is not None:
            for fixed in ("entity", "name", "type"):
                data.pop(fixed, None)
        return data

    def check_rules(self, data, *, unchecked):
        return services.check_custom_field(self.actor, self.field, data, unchecked=unchecked)


def _initial(field: CustomField) -> dict:
    return {"entity": field.entity, "label": field.label, "name": field.name, "type": field.type,
            "choices": "\n".join(field.choices), "required": field.required}


def _list_page(request, *, form=None):
    actor = request.actor
    require(actor, SETTINGS)
    chosen = request.GET.get("entity", "")
    by_entity = {e: [] for e in ENTITIES}
    for field in CustomField.objects.order_by("entity", "position", "id"):
        by_entity[field.entity].append(field)
    groups = [{"entity": e, "label": ENTITY_LABELS[e], "fields": by_entity[e]} for e in ENTITIES]
    form = form or CustomFieldForm(actor=actor, initial={"entity": chosen if chosen in ENTITIES else "contact"})
    return render_form(request, "crm/custom_fields/list.html", {"groups": groups, "form": form}, form)


@require_safe
def custom_fields(request, workspace_slug):
    return _list_page(request)


@redirect_get_to("crm:custom-fields")
@require_POST
def custom_field_new(request, workspace_slug):
    actor = request.actor
    require(actor, SETTINGS)
    form = CustomFieldForm(request.POST, actor=actor)
    if form.is_valid():
        with service_errors(form):
            field = services.create_custom_field(actor, **form.service_data())
            messages.success(request, f"Custom field {field.label} added to {ENTITY_LABELS[field.entity].lower()}.")
            return redirect("crm:custom-fields", workspace_slug=workspace_slug)
    return _list_page(request, form=form)


def _edit_page(request, field, *, form=None, delete_form=None):
    form = form or CustomFieldForm(actor=request.actor, field=field, initial=_initial(field))
    delete_form = delete_form or forms.Form()
    return render_form(request, "crm/custom_fields/edit.html",
                       {"field": field, "form": form, "delete_form": delete_form,
                        "entity_label": ENTITY_LABELS[field.entity]}, form, delete_form)


@require_http_methods(["GET", "POST"])
def custom_field_edit(request, workspace_slug, field_id: int):
    actor = request.actor
    require(actor, SETTINGS)
    field = services.get_custom_field(actor, field_id)
    if request.method != "POST":
        return _edit_page(request, field)
    form = CustomFieldForm(request.POST, actor=actor, field=field, initial=_initial(field))
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()
            if changes:
                services.update_custom_field(actor, field, **changes)
                messages.success(request, f"Custom field {field.label} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("crm:custom-fields", workspace_slug=workspace_slug)
    return _edit_page(request, field, form=form)


@require_POST
def custom_field_delete(request, workspace_slug, field_id: int):
    actor = request.actor
    require(actor, SETTINGS)
    field = services.get_custom_field(actor, field_id)
    label = field.label
    try:
        services.delete_custom_field(actor, field)
    except Conflict as exc:  # pragma: no cover - nothing refuses a delete today
        delete_form = forms.Form()
        add_service_error(delete_form, exc, keep_status=True)
        return _edit_page(request, field, delete_form=delete_form)
    messages.success(request, f"Custom field {label} deleted; values already stored are kept but no longer shown.")
    return redirect("crm:custom-fields", workspace_slug=workspace_slug)


urlpatterns = [
    path("settings/custom-fields/", custom_fields, name="custom-fields"),
    path("settings/custom-fields/new", custom_field_new, name="custom-field-new"),
    path("settings/custom-fields/<int:field_id>/edit", custom_field_edit, name="custom-field-edit"),
    path("settings/custom-fields/<int:field_id>/delete", custom_field_delete, name="custom-field-delete"),
]
