"""Company pages: one company (facts, contacts, deals, the timeline), the new/edit form, delete with a
confirmation. The list is crm:companies (views/lists.py). Writes go through crm/services/companies.py."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from oorg.core.forms import ServiceForm, render_form, service_errors
from oorg.core.permissions import require

from .. import scopes
from ..models import Company, Contact, Deal
from ..permissions import DELETE, EDIT
from ..services import companies as services
from .contacts import SHOWN_DEALS, DeleteForm, list_url, owner_name
from .custom_field_inputs import CustomFieldsMixin, custom_field_facts, custom_field_initial
from .leads import owner_choices

SHOWN_CONTACTS = 50


class CompanyForm(CustomFieldsMixin, ServiceForm):
    entity = "company"
    name = forms.CharField(label="Name", max_length=200)
    domain = forms.CharField(label="Domain", required=False, max_length=253, help_text="Like example.com.")
    industry = forms.CharField(label="Industry", required=False, max_length=120)
    size = forms.ChoiceField(label="Size", required=False, choices=[("", "—"), *Company.Size.choices])
    phone = forms.CharField(label="Phone", required=False, max_length=40,
                            help_text="With its country code, like +49 30 1234567.")
    address = forms.CharField(label="Address", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    owner_id = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    tags = forms.CharField(label="Tags", required=False, max_length=900, help_text="Separated by commas.")
    allow_duplicate = forms.BooleanField(label="Save it even if a company has this domain", required=False)

    def __init__(self, *args, actor, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.company, self.changes_only = actor, company, company is not None
        self.fields["owner_id"].choices = owner_choices(actor)

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("allow_duplicate", None)
        return data

    def check_rules(self, data, *, unchecked):
        return services.check_company(self.actor, self.company, data, unchecked=unchecked)


def _initial(company: Company) -> dict:
    return {"name": company.name, "domain": company.domain, "industry": company.industry, "size": company.size,
            "phone": company.phone, "address": company.address, "owner_id": company.owner_id,
            "tags": ", ".join(company.tags), **custom_field_initial(company)}


def _company(request, company_id) -> Company:
    return scopes.get_visible(request.actor, Company, company_id, Company.objects.select_related("owner__user"))


@require_safe
def company_detail(request, workspace_slug, company_id: int):
    from .timeline import timeline_context

    actor = request.actor
    company = _company(request, company_id)
    contacts = scopes.visible(actor, Contact).filter(company_links__company=company).order_by("full_name", "pk")
    deals = scopes.visible(actor, Deal).filter(company=company).select_related("stage").order_by("-created_at", "-pk")
    facts = [("Domain", company.domain), ("Industry", company.industry), ("Size", company.get_size_display()),
             ("Phone", company.phone), ("Address", company.address), ("Owner", owner_name(company)),
             ("Tags", ", ".join(company.tags)), *custom_field_facts("company", company)]
    context = {"company": company, "facts": [(k, v) for k, v in facts if v not in ("", None)],
               "contacts": list(contacts[:SHOWN_CONTACTS]), "contact_count": contacts.count(),
               "deals": list(deals[:SHOWN_DEALS]), "deal_count": deals.count(),
               "companies_url": list_url(workspace_slug, "crm:companies"),
               "contacts_url": list_url(workspace_slug, "crm:contacts"),
               "can_edit": actor.can(EDIT), "can_delete": actor.can(DELETE), **timeline_context(request, company)}
    return render(request, "crm/companies/detail.html", context)


def _form_page(request, form, company=None):
    context = {"form": form, "company": company,
               "companies_url": list_url(request.actor.workspace.slug, "crm:companies")}
    return render_form(request, "crm/companies/form.html", context, form)


@require_http_methods(["GET", "POST"])
def company_new(request, workspace_slug):
    actor = request.actor
    require(actor, EDIT)
    scopes.require_scope(actor)
    if request.method != "POST":
        initial = {"owner_id": getattr(actor.membership, "pk", None)}
        return _form_page(request, CompanyForm(actor=actor, initial=initial))
    form = CompanyForm(request.POST, actor=actor)
    if form.is_valid():
        with service_errors(form):
            company = services.create_company(actor, allow_duplicate=form.cleaned_data["allow_duplicate"],
                                              **form.service_data())
            messages.success(request, f"Company {company.name} created.")
            return redirect("crm:company", workspace_slug=workspace_slug, company_id=company.pk)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def company_edit(request, workspace_slug, company_id: int):
    actor = request.actor
    require(actor, EDIT)
    company = _company(request, company_id)
    if request.method != "POST":
        return _form_page(request, CompanyForm(actor=actor, company=company, initial=_initial(company)), company)
    form = CompanyForm(request.POST, actor=actor, company=company, initial=_initial(company))
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()
            if changes:
                services.update_company(actor, company, allow_duplicate=form.cleaned_data["allow_duplicate"],
                                        **changes)
                messages.success(request, f"Company {company.name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("crm:company", workspace_slug=workspace_slug, company_id=company.pk)
    return _form_page(request, form, company)


@require_http_methods(["GET", "POST"])
def company_delete(request, workspace_slug, company_id: int):
    actor = request.actor
    require(actor, DELETE)
    company = _company(request, company_id)
    if request.method == "POST":
        name = company.name
        services.delete_company(actor, company)
        messages.success(request, f"Company {name} deleted.")
        return redirect(list_url(workspace_slug, "crm:companies"))
    return render(request, "crm/companies/delete.html", {"company": company, "form": DeleteForm()})


urlpatterns = [
    path("companies/new", company_new, name="company-new"),
    path("companies/<int:company_id>/", company_detail, name="company"),
    path("companies/<int:company_id>/edit", company_edit, name="company-edit"),
    path("companies/<int:company_id>/delete", company_delete, name="company-delete"),
]
