"""Deal pages: one deal (its facts, stage history, the timeline), the new/edit form and delete. The list is
crm:deals (views/lists.py); the board is views/board.py. Every write goes through crm/services/deals.py,
exactly as the API does."""
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
from ..models import Company, Contact, Deal, Stage
from ..permissions import ASSIGN, DELETE, EDIT
from ..services import deals as deal_services
from ..services import pipelines as pipeline_services
from .custom_field_inputs import CustomFieldsMixin, custom_field_facts, custom_field_initial

LINK_CHOICES = 200  # contacts/companies offered in the form's pickers (the API takes any id one sees)


def deals_url(slug: str, **params) -> str:
    from django.utils.http import urlencode

    try:
        url = reverse("crm:deals", kwargs={"workspace_slug": slug})
    except NoReverseMatch:  # the list is another module's; until it exists, the board
        url = reverse("crm:board", kwargs={"workspace_slug": slug})
    return f"{url}?{urlencode(params)}" if params else url


def owner_label(membership) -> str:
    return (membership.user.full_name or membership.user.email) if membership is not None else "nobody"


def money(amount, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _owner_choices(actor) -> list[tuple]:
    members = Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")
    if not actor.can(ASSIGN):
        members = members.filter(pk=getattr(actor.membership, "pk", None))
    return [("", "— me, or the pipeline's next in turn —")] + [(m.pk, owner_label(m)) for m in members]


def _link_choices(actor, model, label: str, current=None) -> list[tuple]:
    order = "full_name" if model is Contact else "name"
    rows = list(scopes.visible(actor, model).order_by(order, "id")[:LINK_CHOICES])
    if current is not None and current not in rows:
        rows.insert(0, current)
    return [("", f"— no {label} —")] + [(r.pk, str(r)) for r in rows]


def _stage_choices() -> list:
    groups: dict = {}
    for stage in Stage.objects.select_related("pipeline").order_by("pipeline__position", "pipeline_id", "position",
                                                                   "id"):
        groups.setdefault(stage.pipeline.name, []).append((stage.pk, f"{stage.name} ({stage.probability}%)"))
    return list(groups.items())


class DealForm(CustomFieldsMixin, ServiceForm):
    entity = "deal"
    name = forms.CharField(label="Name", max_length=200)
    amount = forms.CharField(label="Amount", required=False, max_length=40, help_text="Like 1200.50.")
    currency = forms.CharField(label="Currency", max_length=3, initial="EUR",
                               help_text="An ISO 4217 code, like EUR or USD.")
    expected_close_date = forms.DateField(label="Expected close", required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    stage_id = forms.TypedChoiceField(label="Pipeline and stage", coerce=int)
    owner_id = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    contact_id = forms.TypedChoiceField(label="Contact", required=False, coerce=int, empty_value=None)
    company_id = forms.TypedChoiceField(label="Company", required=False, coerce=int, empty_value=None)
    tags = forms.CharField(label="Tags", required=False, max_length=900, help_text="Separated by commas.")

    def __init__(self, *args, actor, deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.deal, self.changes_only = actor, deal, deal is not None
        self.fields["stage_id"].choices = _stage_choices()
        self.fields["owner_id"].choices = _owner_choices(actor)
        if deal is not None:  # a deal keeps an owner: the empty choice means "round-robin" for new ones only
            self.fields["owner_id"].choices = self.fields["owner_id"].choices[1:]
            self.fields["owner_id"].required = True
            if deal.owner_id and deal.owner_id not in dict(self.fields["owner_id"].choices):
                self.fields["owner_id"].choices.insert(0, (deal.owner_id, owner_label(deal.owner)))
        self.fields["contact_id"].choices = _link_choices(actor, Contact, "contact", deal.contact if deal else None)
        self.fields["company_id"].choices = _link_choices(actor, Company, "company", deal.company if deal else None)

    def service_data(self) -> dict:
        data = super().service_data()
        if data.get("stage_id"):  # the stage names its pipeline
            data["pipeline_id"] = Stage.objects.filter(pk=data["stage_id"]).values_list("pipeline_id",
                                                                                        flat=True).first()
        if self.deal is not None and data.get("pipeline_id") == self.deal.pipeline_id:
            data.pop("pipeline_id")
        return data

    def check_rules(self, data, *, unchecked):
        return deal_services.check_deal(self.actor, self.deal, data, unchecked=unchecked)


def _initial(deal: Deal) -> dict:
    return {"name": deal.name, "amount": f"{deal.amount:.2f}", "currency": deal.currency,
            "expected_close_date": deal.expected_close_date, "stage_id": deal.stage_id, "owner_id": deal.owner_id,
            "contact_id": deal.contact_id, "company_id": deal.company_id, "tags": ", ".join(deal.tags),
            **custom_field_initial(deal)}


def _deal(request, deal_id) -> Deal:
    return deal_services.get_deal(request.actor, deal_id)


@require_safe
def deal_detail(request, workspace_slug, deal_id: int):
    from .timeline import timeline_context

    actor = request.actor
    deal = _deal(request, deal_id)
    facts = [("Amount", money(deal.amount, deal.currency)), ("Pipeline", deal.pipeline.name),
             ("Stage", f"{deal.stage.name} ({deal.stage.probability}%)"),
             ("Expected close", deal.expected_close_date), ("Owner", owner_label(deal.owner)),
             ("Contact", deal.contact), ("Company", deal.company), ("Tags", ", ".join(deal.tags)),
             ("Closed", deal.closed_at)]
    facts += custom_field_facts("deal", deal)
    changes = list(deal_services.stage_changes_of(deal)[:50])
    context = {"deal": deal, "facts": [(k, v) for k, v in facts if v not in ("", None)], "changes": changes,
               "deals_url": deals_url(workspace_slug), "can_edit": actor.can(EDIT), "can_delete": actor.can(DELETE),
               **timeline_context(request, deal)}
    return render(request, "crm/deals/detail.html", context)


def _form_page(request, form, deal=None):
    context = {"form": form, "deal": deal, "deals_url": deals_url(request.actor.workspace.slug)}
    return render_form(request, "crm/deals/form.html", context, form)


@require_http_methods(["GET", "POST"])
def deal_new(request, workspace_slug):
    actor = request.actor
    require(actor, EDIT)
    scopes.require_scope(actor)
    pipeline_services.ensure_default_pipeline(actor.workspace)
    if request.method != "POST":
        initial = {"currency": "EUR"}
        wanted = request.GET.get("stage")
        first = pipeline_services.first_pipeline()
        initial["stage_id"] = wanted if wanted and wanted.isdigit() else (
            first.stages.order_by("position", "id").values_list("pk", flat=True).first())
        return _form_page(request, DealForm(actor=actor, initial=initial))
    form = DealForm(request.POST, actor=actor)
    if form.is_valid():
        with service_errors(form):
            deal = deal_services.create_deal(actor, **form.service_data())
            messages.success(request, f"Deal {deal.name} created.")
            return redirect("crm:deal", workspace_slug=workspace_slug, deal_id=deal.pk)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def deal_edit(request, workspace_slug, deal_id: int):
    actor = request.actor
    require(actor, EDIT)
    deal = _deal(request, deal_id)
    if request.method != "POST":
        return _form_page(request, DealForm(actor=actor, deal=deal, initial=_initial(deal)), deal)
    form = DealForm(request.POST, actor=actor, deal=deal, initial=_initial(deal))
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()
            if changes:
                deal_services.update_deal(actor, deal, **changes)
                messages.success(request, f"Deal {deal.name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("crm:deal", workspace_slug=workspace_slug, deal_id=deal.pk)
    return _form_page(request, form, deal)


@require_http_methods(["GET", "POST"])
def deal_delete(request, workspace_slug, deal_id: int):
    actor = request.actor
    require(actor, DELETE)
    deal = _deal(request, deal_id)
    if request.method == "POST":
        name, pipeline_id = deal.name, deal.pipeline_id
        deal_services.delete_deal(actor, deal)
        messages.success(request, f"Deal {name} deleted.")
        return redirect(f"{reverse('crm:board', kwargs={'workspace_slug': workspace_slug})}?pipeline={pipeline_id}")
    return render(request, "crm/deals/delete.html", {"deal": deal})


urlpatterns = [
    path("deals/new", deal_new, name="deal-new"),
    path("deals/<int:deal_id>/", deal_detail, name="deal"),
    path("deals/<int:deal_id>/edit", deal_edit, name="deal-edit"),
    path("deals/<int:deal_id>/delete", deal_delete, name="deal-delete"),
]
