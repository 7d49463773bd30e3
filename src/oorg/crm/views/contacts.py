"""Contact pages: one contact (facts, companies, deals, the timeline), the new/edit form, delete with a
confirmation. The list is crm:contacts (views/lists.py). Every write goes through crm/services/contacts.py."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from oorg.core.errors import ValidationFailed
from oorg.core.forms import ServiceForm, add_service_error, render_form, service_errors
from oorg.core.permissions import require

from .. import fields, scopes
from ..models import Company, Contact, Deal
from ..permissions import DELETE, EDIT
from ..services import contacts as services
from .custom_field_inputs import CustomFieldsMixin, custom_field_facts, custom_field_initial
from .leads import owner_choices

SHOWN_DEALS = 20


def list_url(slug: str, name: str) -> str:
    try:
        return reverse(name, kwargs={"workspace_slug": slug})
    except NoReverseMatch:  # the list pages are another module's
        return f"/w/{slug}/crm/"


def owner_name(record) -> str:
    return (record.owner.user.full_name or record.owner.user.email) if record.owner_id else "nobody"


class ContactForm(CustomFieldsMixin, ServiceForm):
    entity = "contact"
    full_name = forms.CharField(label="Name", max_length=150)
    email = forms.CharField(label="Email", required=False, max_length=254)
    phone = forms.CharField(label="Phone", required=False, max_length=40,
                            help_text="With its country code, like +49 30 1234567.")
    job_title = forms.CharField(label="Job title", required=False, max_length=120)
    company_ids = forms.TypedMultipleChoiceField(label="Companies", required=False, coerce=int,
                                                 widget=forms.CheckboxSelectMultiple)
    add_company = forms.CharField(label="Add a company", required=False, max_length=253,
                                  help_text="Its exact name or its domain (like example.com).")
    owner_id = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    tags = forms.CharField(label="Tags", required=False, max_length=900, help_text="Separated by commas.")
    allow_duplicate = forms.BooleanField(label="Save it even if a contact has this email or phone", required=False)

    def __init__(self, *args, actor, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.contact, self.changes_only = actor, contact, contact is not None
        self.fields["owner_id"].choices = owner_choices(actor)
        current = list(scopes.visible(actor, Company).filter(contact_links__contact=contact).order_by("name")) \
            if contact is not None else []
        self.fields["company_ids"].choices = [(c.pk, c.name) for c in current]
        if not current:
            self.fields["company_ids"].widget = forms.MultipleHiddenInput()

    def clean(self):
        data = super().clean()
        wanted = (self.data.get("add_company") or "").strip()
        if wanted:
            company = self._find_company(wanted)
            if company is None:
                self.add_error("add_company", f"No company you see is called {wanted!r} or has that domain.")
            else:
                data["company_ids"] = sorted(set(data.get("company_ids") or []) | {company.pk})
        return data

    def _find_company(self, wanted: str):
        visible = scopes.visible(self.actor, Company)
        try:
            domain = fields.clean_domain(wanted)
        except ValidationFailed:
            domain = ""
        found = visible.filter(name__iexact=wanted).order_by("pk").first()
        return found or (visible.filter(domain=domain).order_by("pk").first() if domain else None)

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("allow_duplicate", None)
        data.pop("add_company", None)
        if "company_ids" in data or (self.is_bound and (self.data.get("add_company") or "").strip()):
            data["company_ids"] = list(getattr(self, "cleaned_data", {}).get("company_ids") or [])
        if "tags" in data:
            data["tags"] = data["tags"] or ""
        return data

    def check_rules(self, data, *, unchecked):
        return services.check_contact(self.actor, self.contact, data, unchecked=unchecked)


def _initial(contact: Contact) -> dict:
    return {"full_name": contact.full_name, "email": contact.email, "phone": contact.phone,
            "job_title": contact.job_title, "owner_id": contact.owner_id, "tags": ", ".join(contact.tags),
            "company_ids": list(contact.company_links.values_list("company_id", flat=True)),
            **custom_field_initial(contact)}


def _contact(request, contact_id) -> Contact:
    return scopes.get_visible(request.actor, Contact, contact_id, Contact.objects.select_related("owner__user"))


@require_safe
def contact_detail(request, workspace_slug, contact_id: int):
    from .timeline import timeline_context

    actor = request.actor
    contact = _contact(request, contact_id)
    companies = scopes.visible(actor, Company).filter(contact_links__contact=contact).order_by("name", "pk")
    deals = scopes.visible(actor, Deal).filter(contact=contact).select_related("stage").order_by("-created_at", "-pk")
    facts = [("Email", contact.email), ("Phone", contact.phone), ("Job title", contact.job_title),
             ("Owner", owner_name(contact)), ("Tags", ", ".join(contact.tags)),
             *custom_field_facts("contact", contact)]
    context = {"contact": contact, "facts": [(k, v) for k, v in facts if v not in ("", None)],
               "companies": list(companies), "deals": list(deals[:SHOWN_DEALS]), "deal_count": deals.count(),
               "contacts_url": list_url(workspace_slug, "crm:contacts"),
               "can_edit": actor.can(EDIT), "can_delete": actor.can(DELETE), **timeline_context(request, contact)}
    return render(request, "crm/contacts/detail.html", context)


def _form_page(request, form, contact=None):
    context = {"form": form, "contact": contact,
               "contacts_url": list_url(request.actor.workspace.slug, "crm:contacts")}
    return render_form(request, "crm/contacts/form.html", context, form)


@require_http_methods(["GET", "POST"])
def contact_new(request, workspace_slug):
    actor = request.actor
    require(actor, EDIT)
    scopes.require_scope(actor)
    if request.method != "POST":
        initial = {"owner_id": getattr(actor.membership, "pk", None)}
        company_id = request.GET.get("company_id", "")
        if company_id.isdigit():
            company = scopes.visible(actor, Company).filter(pk=int(company_id)).first()
            if company is not None:
                initial["add_company"] = company.domain or company.name
        return _form_page(request, ContactForm(actor=actor, initial=initial))
    form = ContactForm(request.POST, actor=actor)
    if form.is_valid():
        with service_errors(form):
            contact = services.create_contact(actor, allow_duplicate=form.cleaned_data["allow_duplicate"],
                                              **form.service_data())
            messages.success(request, f"Contact {contact.full_name} created.")
            return redirect("crm:contact", workspace_slug=workspace_slug, contact_id=contact.pk)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def contact_edit(request, workspace_slug, contact_id: int):
    actor = request.actor
    require(actor, EDIT)
    contact = _contact(request, contact_id)
    if request.method != "POST":
        return _form_page(request, ContactForm(actor=actor, contact=contact, initial=_initial(contact)), contact)
    form = ContactForm(request.POST, actor=actor, contact=contact, initial=_initial(contact))
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()
            if changes:
                services.update_contact(actor, contact, allow_duplicate=form.cleaned_data["allow_duplicate"],
                                        **changes)
                messages.success(request, f"Contact {contact.full_name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("crm:contact", workspace_slug=workspace_slug, contact_id=contact.pk)
    return _form_page(request, form, contact)


class DeleteForm(forms.Form):
    pass


@require_http_methods(["GET", "POST"])
def contact_delete(request, workspace_slug, contact_id: int):
    actor = request.actor
    require(actor, DELETE)
    contact = _contact(request, contact_id)
    form = DeleteForm(request.POST or None)
    if request.method == "POST":
        name = contact.full_name
        try:
            services.delete_contact(actor, contact)
        except ValidationFailed as exc:  # pragma: no cover - a delete has no input to refuse today
            add_service_error(form, exc, keep_status=True)
        else:
            messages.success(request, f"Contact {name} deleted.")
            return redirect(list_url(workspace_slug, "crm:contacts"))
    return render_form(request, "crm/contacts/delete.html", {"contact": contact, "form": form}, form)


def _more_pages():
    # The duplicates/merge and bulk pages are this helper's too; crm/urls.py collects this module's patterns.
    from . import bulk, merge

    return [*merge.urlpatterns, *bulk.urlpatterns]


urlpatterns = [
    *_more_pages(),
    path("contacts/new", contact_new, name="contact-new"),
    path("contacts/<int:contact_id>/", contact_detail, name="contact"),
    path("contacts/<int:contact_id>/edit", contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/delete", contact_delete, name="contact-delete"),
]
