"""The approvals inbox (requests waiting for the reader, with approve and reject forms inline and the balance
each would leave) and one's delegations while away (list, create, end)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from oorg.core import pagination
from oorg.core.forms import ServiceForm, redirect_get_to, render_form, service_errors
from oorg.core.models import Membership

from ..services import approvals, delegations
from ..services import requests as services
from .requests import DATE, CommentForm, RejectForm


@require_http_methods(["GET", "HEAD"])
def inbox(request, workspace_slug):
    actor = request.actor
    page = pagination.page_for(request, approvals.inbox(actor))
    rows = []
    for req in page:
        before = after = None
        if req.leave_type.tracks_balance:
            before = services.available(req.employee, req.leave_type, excluding=req.pk)
            after = before - req.working_days
        rows.append({"req": req, "before": before, "after": after,
                     "approve_form": CommentForm(prefix="approve", auto_id=f"approve-{req.pk}-%s"),
                     "reject_form": RejectForm(prefix="reject", auto_id=f"reject-{req.pk}-%s")})
    return render(request, "leave/requests/approvals.html",
                  {"page": page, "rows": rows, "here": request.get_full_path(),
                   "delegated": delegations.delegated_to(actor).filter(
                       ends_on__gte=delegations.today(actor.workspace)).order_by("starts_on")[:20]})


class DelegationForm(ServiceForm):
    delegate_id = forms.TypedChoiceField(label="Who decides for you", coerce=int)
    starts_on = forms.DateField(label="From", widget=DATE)
    ends_on = forms.DateField(label="Until (inclusive)", widget=DATE)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        me = getattr(actor.membership, "pk", None)
        members = (Membership.objects.filter(is_active=True).exclude(pk=me).select_related("user")
                   .order_by("user__full_name", "pk")[:500])
        self.fields["delegate_id"].choices = [("", "Choose a member")] + [
            (m.pk, f"{m.user.full_name or m.user.email} ({m.user.email})") for m in members]

    def check_rules(self, data, *, unchecked):
        return delegations.check_delegation(self.actor, data, unchecked=unchecked)


@require_http_methods(["GET", "HEAD", "POST"])
def delegation_page(request, workspace_slug):
    actor = request.actor
    if request.method == "POST":
        form = DelegationForm(request.POST, actor=actor)
        if form.is_valid():
            with service_errors(form):
                delegations.create_delegation(actor, **form.service_data())
                messages.success(request, "Delegation saved.")
                return redirect("leave:delegations", workspace_slug=workspace_slug)
    else:
        form = DelegationForm(actor=actor)
    rows = [delegations.delegation_data(d) for d in delegations.my_delegations(actor)[:100]]
    return render_form(request, "leave/requests/delegations.html", {"form": form, "rows": rows}, form)


@redirect_get_to("leave:delegations")
@require_POST
def delegation_end(request, workspace_slug, delegation_id: int):
    actor = request.actor
    delegations.delete_delegation(actor, delegations.get_delegation(actor, delegation_id))
    messages.success(request, "Delegation ended.")
    return redirect("leave:delegations", workspace_slug=workspace_slug)


urlpatterns = [
    path("approvals/", inbox, name="approvals"),
    path("delegations/", delegation_page, name="delegations"),
    path("delegations/<int:delegation_id>/end/", delegation_end, name="delegation-end"),
]
