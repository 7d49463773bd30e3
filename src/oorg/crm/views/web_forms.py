"""Web-to-lead form settings pages (crm.settings.manage): the list, a new form, one form's page (its public
address, the embed snippets and its settings), rotating its key and deleting it, each change confirmed first.
The same services as the API (crm/services/web_forms.py); the public form itself is views/public.py."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from oorg.core.errors import NotFound
from oorg.core.forms import ServiceForm, render_form, service_errors
from oorg.core.models import Membership
from oorg.core.permissions import require

from .. import scopes
from ..models import Lead, WebForm
from ..permissions import SETTINGS
from ..services import web_forms as services
from .deals import owner_label


def _members_in_turn(assignees: list[int]) -> list[Membership]:
    """Active members: the form's assignees first, in their turn order, then everyone else by name."""
    members = list(Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk"))
    turn = {pk: i for i, pk in enumerate(assignees)}
    return sorted(members, key=lambda m: (0, turn[m.pk]) if m.pk in turn else (1, 0))


class WebFormForm(ServiceForm):
    name = forms.CharField(label="Name", max_length=120, help_text="The heading of the form, and its name here.")
    active = forms.BooleanField(label="Active: the form takes submissions", required=False)
    assignees = forms.TypedMultipleChoiceField(
        label="Hand new leads in turn to", required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text="People take turns in the order shown; someone you tick joins at the end of the turn. "
                  "Nobody ticked: the workspace's owner gets every lead.")
    consent_text = forms.CharField(label="Consent text", required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="Shown beside a checkbox; the text and the answer are kept on the lead. "
                                             "Empty: no consent question.")
    consent_required = forms.BooleanField(label="Visitors must agree to send the form", required=False)
    thank_you = forms.CharField(label="Thank-you message", required=False, max_length=300,
                                help_text="Shown after sending, unless a redirect address is set.")
    redirect_url = forms.CharField(label="Redirect address", required=False, max_length=200,
                                   widget=forms.TextInput(attrs={"inputmode": "url",
                                                                 "placeholder": "https://www.example.com/thanks"}),
                                   help_text="Optional: where visitors go after sending (https://…).")
    tags = forms.CharField(label="Tags", required=False, max_length=900,
                           help_text="Put on every lead the form makes; separated by commas.")

    def __init__(self, *args, actor, web_form=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.web_form, self.changes_only = actor, web_form, web_form is not None
        current = list(web_form.assignees) if web_form is not None else []
        self.fields["assignees"].choices = [(m.pk, owner_label(m)) for m in _members_in_turn(current)]

    def check_rules(self, data, *, unchecked):
        return services.check_web_form(self.actor, self.web_form, data, unchecked=unchecked)


def _initial(web_form: WebForm | None) -> dict:
    if web_form is None:
        return {"active": True, "thank_you": WebForm._meta.get_field("thank_you").default}
    return {"name": web_form.name, "active": web_form.active, "assignees": list(web_form.assignees),
            "consent_text": web_form.consent_text, "consent_required": web_form.consent_required,
            "thank_you": web_form.thank_you, "redirect_url": web_form.redirect_url, "tags": ", ".join(web_form.tags)}


def _web_form(request, web_form_id: int) -> WebForm:
    require(request.actor, SETTINGS)
    web_form = WebForm.objects.filter(pk=web_form_id).first()
    if web_form is None:
        raise NotFound("No such web form.")
    return web_form


def _leads_of(request, web_form: WebForm) -> int:
    return scopes.visible(request.actor, Lead).filter(web_form=web_form).count()


@require_safe
def web_form_list(request, workspace_slug):
    require(request.actor, SETTINGS)
    rows = [{"form": f, "url": services.public_url(f), "assignees": len(f.assignees), "leads": _leads_of(request, f)}
            for f in WebForm.objects.order_by("name", "id")]
    return render(request, "crm/web_forms/list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def web_form_new(request, workspace_slug):
    actor = request.actor
    require(actor, SETTINGS)
    if request.method != "POST":
        form = WebFormForm(actor=actor, initial=_initial(None))
    else:
        form = WebFormForm(request.POST, actor=actor)
        if form.is_valid():
            with service_errors(form):
                web_form = services.create_web_form(actor, **form.service_data())
                messages.success(request, f"Web form {web_form.name} created. Put one of its snippets on your site.")
                return redirect("crm:web-form", workspace_slug=workspace_slug, web_form_id=web_form.pk)
    return render_form(request, "crm/web_forms/new.html", {"form": form}, form)


@require_http_methods(["GET", "POST"])
def web_form_detail(request, workspace_slug, web_form_id: int):
    actor = request.actor
    web_form = _web_form(request, web_form_id)
    if request.method != "POST":
        form = WebFormForm(actor=actor, web_form=web_form, initial=_initial(web_form))
    else:
        form = WebFormForm(request.POST, actor=actor, web_form=web_form, initial=_initial(web_form))
        if form.is_valid():
            with service_errors(form):
                changes = form.service_data()
                if changes:
                    services.update_web_form(actor, web_form, **changes)
                    messages.success(request, f"Web form {web_form.name} saved.")
                else:
                    messages.info(request, "Nothing changed.")
                return redirect("crm:web-form", workspace_slug=workspace_slug, web_form_id=web_form.pk)
        web_form.refresh_from_db()  # the page shows the stored form (a refused save changed nothing)
    context = {"web_form": web_form, "form": form, "url": services.public_url(web_form),
               "embed": services.embed(web_form), "leads": _leads_of(request, web_form)}
    return render_form(request, "crm/web_forms/detail.html", context, form)


@require_http_methods(["GET", "POST"])
def web_form_rotate(request, workspace_slug, web_form_id: int):
    actor = request.actor
    web_form = _web_form(request, web_form_id)
    if request.method == "POST":
        services.rotate_web_form_key(actor, web_form)
        messages.success(request, f"Web form {web_form.name} has a new address: put its new snippet on your site. "
                                  "The old address no longer works.")
        return redirect("crm:web-form", workspace_slug=workspace_slug, web_form_id=web_form.pk)
    return render(request, "crm/web_forms/rotate.html", {"web_form": web_form, "url": services.public_url(web_form)})


@require_http_methods(["GET", "POST"])
def web_form_delete(request, workspace_slug, web_form_id: int):
    actor = request.actor
    web_form = _web_form(request, web_form_id)
    if request.method == "POST":
        name = web_form.name
        services.delete_web_form(actor, web_form)
        messages.success(request, f"Web form {name} deleted; the leads it made are kept.")
        return redirect("crm:web-forms", workspace_slug=workspace_slug)
    return render(request, "crm/web_forms/delete.html", {"web_form": web_form, "url": services.public_url(web_form),
                                                         "leads": _leads_of(request, web_form)})


urlpatterns = [
    path("web-forms/", web_form_list, name="web-forms"),
    path("web-forms/new", web_form_new, name="web-form-new"),
    path("web-forms/<int:web_form_id>/", web_form_detail, name="web-form"),
    path("web-forms/<int:web_form_id>/rotate", web_form_rotate, name="web-form-rotate"),
    path("web-forms/<int:web_form_id>/delete", web_form_delete, name="web-form-delete"),
]
