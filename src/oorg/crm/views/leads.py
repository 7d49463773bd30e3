"""Lead pages: one lead (its facts, convert, delete, the timeline), and the new/edit form. The list is
crm:leads (views/lists.py). Every write goes through crm/services, exactly as the API does."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from oorg.core.forms import ServiceForm, render_form, service_errors
from oorg.core.models import Membership
from oorg.core.permissions import require

from .. import scopes
from ..models import Lead, Pipeline, Stage
from ..permissions import ASSIGN, DELETE, EDIT
from ..services import conversion, leads
from .custom_field_inputs import CustomFieldsMixin, custom_field_facts, custom_field_initial


def leads_url(slug: str) -> str:
    try:
        return reverse("crm:leads", kwargs={"workspace_slug": slug})
    except NoReverseMatch:  # the list page is another module's; until it exists, the CRM's home
        return f"/w/{slug}/crm/"


def owner_choices(actor) -> list[tuple]:
    members = Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")
    if not actor.can(ASSIGN):  # they own what they make: no "nobody", no colleague
        members = members.filter(pk=getattr(actor.membership, "pk", None))
        return [(m.pk, m.user.full_name or m.user.email) for m in members]
    return [("", "— nobody —")] + [(m.pk, m.user.full_name or m.user.email) for m in members]


class LeadForm(CustomFieldsMixin, ServiceForm):
    entity = "lead"
    full_name = forms.CharField(label="Name", max_length=150)
    email = forms.CharField(label="Email", required=False, max_length=254)
    phone = forms.CharField(label="Phone", required=False, max_length=40,
                            help_text="With its country code, like +49 30 1234567.")
    company_name = forms.CharField(label="Company", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", choices=[c for c in Lead.Status.choices if c[0] != "converted"])
    source = forms.ChoiceField(label="Source", choices=Lead.Source.choices)
    owner_id = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    tags = forms.CharField(label="Tags", required=False, max_length=900, help_text="Separated by commas.")
    allow_duplicate = forms.BooleanField(label="Create it even if a lead has this email or phone", required=False)

    def __init__(self, *args, actor, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.lead, self.changes_only = actor, lead, lead is not None
        self.fields["owner_id"].choices = owner_choices(actor)
        if lead is not None:
            del self.fields["allow_duplicate"]
            if lead.status == Lead.Status.CONVERTED:
                self.fields["status"].choices = Lead.Status.choices

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("allow_duplicate", None)
        return data

    def check_rules(self, data, *, unchecked):
        return leads.check_lead(self.actor, self.lead, data, unchecked=unchecked,
                                allow_duplicate=bool(self.cleaned_data.get("allow_duplicate")))


def _initial(lead: Lead) -> dict:
    return {"full_name": lead.full_name, "email": lead.email, "phone": lead.phone,
            "company_name": lead.company_name, "status": lead.status, "source": lead.source,
            "owner_id": lead.owner_id, "tags": ", ".join(lead.tags), **custom_field_initial(lead)}


class ConvertForm(forms.Form):
    create_deal = forms.BooleanField(label="Also create a deal", required=False, initial=True)
    pipeline_id = forms.TypedChoiceField(label="Pipeline", required=False, coerce=int, empty_value=None)
    stage_id = forms.TypedChoiceField(label="Stage", required=False, coerce=int, empty_value=None,
                                      help_text="A stage of the chosen pipeline; empty: its first stage.")
    deal_name = forms.CharField(label="Deal name", required=False, max_length=200)
    amount = forms.DecimalField(label="Amount", required=False, min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label="Currency", required=False, max_length=3, initial="EUR")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pipelines = list(Pipeline.objects.order_by("position", "id"))
        self.fields["pipeline_id"].choices = [("", "— the first pipeline —")] + [(p.pk, p.name) for p in pipelines]
        names = {p.pk: p.name for p in pipelines}
        self.fields["stage_id"].choices = [("", "— its first stage —")] + [
            (s.pk, f"{names.get(s.pipeline_id, '')}: {s.name}")
            for s in Stage.objects.order_by("pipeline__position", "pipeline_id", "position", "id")]


class DeleteForm(forms.Form):
    pass


def _detail_page(request, lead, *, convert_form=None, status=200):
    from .timeline import timeline_context

    actor = request.actor
    facts = [("Email", lead.email), ("Phone", lead.phone), ("Company", lead.company_name),
             ("Status", lead.get_status_display()), ("Source", lead.get_source_display()),
             ("Owner", (lead.owner.user.full_name or lead.owner.user.email) if lead.owner else "nobody"),
             ("Tags", ", ".join(lead.tags))]
    facts += custom_field_facts("lead", lead)
    if lead.consent_given is not None:
        facts.append(("Consent", f"{'Given' if lead.consent_given else 'Not given'}: “{lead.consent_text}”"))
    context = {"lead": lead, "facts": [(k, v) for k, v in facts if v not in ("", None)],
               "leads_url": leads_url(actor.workspace.slug),
               "convert_form": convert_form or ConvertForm(),
               "can_edit": actor.can(EDIT), "can_delete": actor.can(DELETE),
               "converted": lead.status == Lead.Status.CONVERTED, **timeline_context(request, lead)}
    return render(request, "crm/leads/detail.html", context, status=status)


def _lead(request, lead_id) -> Lead:
    return scopes.get_visible(request.actor, Lead, lead_id,
                              Lead.objects.select_related("owner__user", "converted_contact", "converted_company",
                                                          "converted_deal"))


@require_safe
def lead_detail(request, workspace_slug, lead_id: int):
    return _detail_page(request, _lead(request, lead_id))


def _form_page(request, form, lead=None):
    context = {"form": form, "lead": lead, "leads_url": leads_url(request.actor.workspace.slug)}
    return render_form(request, "crm/leads/form.html", context, form)


@require_http_methods(["GET", "POST"])
def lead_new(request, workspace_slug):
    actor = request.actor
    require(actor, EDIT)
    scopes.require_scope(actor)
    if request.method != "POST":
        return _form_page(request, LeadForm(actor=actor, initial={"owner_id": getattr(actor.membership, "pk", None),
                                                                  "status": "new", "source": "manual"}))
    form = LeadForm(request.POST, actor=actor)
    if form.is_valid():
        with service_errors(form):
            lead = leads.create_lead(actor, allow_duplicate=form.cleaned_data["allow_duplicate"],
                                     **form.service_data())
            messages.success(request, f"Lead {lead.full_name} created.")
            return redirect("crm:lead", workspace_slug=workspace_slug, lead_id=lead.pk)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def lead_edit(request, workspace_slug, lead_id: int):
    actor = request.actor
    require(actor, EDIT)
    lead = _lead(request, lead_id)
    if request.method != "POST":
        return _form_page(request, LeadForm(actor=actor, lead=lead, initial=_initial(lead)), lead)
    form = LeadForm(request.POST, actor=actor, lead=lead, initial=_initial(lead))
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()
            if changes:
                leads.update_lead(actor, lead, **changes)
                messages.success(request, f"Lead {lead.full_name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("crm:lead", workspace_slug=workspace_slug, lead_id=lead.pk)
    return _form_page(request, form, lead)


@require_http_methods(["GET", "POST"])
def lead_delete(request, workspace_slug, lead_id: int):
    actor = request.actor
    require(actor, DELETE)
    lead = _lead(request, lead_id)
    if request.method == "POST":
        name = lead.full_name
        leads.delete_lead(actor, lead)
        messages.success(request, f"Lead {name} deleted.")
        return redirect(leads_url(workspace_slug))
    return render(request, "crm/leads/delete.html", {"lead": lead})


@require_http_methods(["GET", "POST"])
def lead_convert(request, workspace_slug, lead_id: int):
    actor = request.actor
    require(actor, EDIT)
    lead = _lead(request, lead_id)
    if request.method != "POST":
        return render(request, "crm/leads/convert.html", {"lead": lead, "convert_form": ConvertForm(),
                                                           "converted": lead.status == Lead.Status.CONVERTED})
    form = ConvertForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            done = conversion.convert_lead(actor, lead, **form.cleaned_data)
            messages.success(request, f"Lead {lead.full_name} converted into the contact {done.contact.full_name}.")
            return redirect("crm:lead", workspace_slug=workspace_slug, lead_id=lead.pk)
    status = getattr(form, "error_status", 422)
    return render(request, "crm/leads/convert.html", {"lead": lead, "convert_form": form,
                                                      "converted": lead.status == Lead.Status.CONVERTED},
                  status=status)


urlpatterns = [
    path("leads/new", lead_new, name="lead-new"),
    path("leads/<int:lead_id>/", lead_detail, name="lead"),
    path("leads/<int:lead_id>/edit", lead_edit, name="lead-edit"),
    path("leads/<int:lead_id>/delete", lead_delete, name="lead-delete"),
    path("leads/<int:lead_id>/convert", lead_convert, name="lead-convert"),
]
