"""My leave (my requests and balances), the request form with its live working-day count, a request's page
with its trail and the decisions the reader may make, and the preview part the form asks for as the dates
change (htmx; without script the form shows the count again after a refused submission)."""
from __future__ import annotations

import os

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import files, pagination
from oorg.core.errors import DomainError, NotFound, PermissionDenied
from oorg.core.forms import ServiceForm, add_service_error, redirect_get_to, render_form, service_errors

from .. import ledger
from ..models import LeaveRequest, LeaveType
from ..scopes import own_employee
from ..services import approvals
from ..services import requests as services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def safe_next(request, workspace_slug: str, fallback: str) -> str:
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if (target.startswith(f"/w/{workspace_slug}/") and "\\" not in target and "//" not in target
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        return target
    return fallback


class RequestForm(ServiceForm):
    leave_type_id = forms.TypedChoiceField(label="Type of leave", coerce=int)
    start_date = forms.DateField(label="First day", widget=DATE)
    end_date = forms.DateField(label="Last day", widget=DATE)
    half_day = forms.BooleanField(label="Half a day only", required=False,
                                  help_text="For one day: the first and the last day the same.")
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label="Document (optional; a PDF, PNG or JPEG up to 5 MB)", required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["leave_type_id"].choices = [(t.pk, t.name) for t in services.visible_types(actor)]

    def check_rules(self, data, *, unchecked):
        if {"leave_type_id", "start_date", "end_date"} & set(unchecked):
            return []
        employee = own_employee(self.actor)
        if employee is None:
            return []
        ev = services.evaluate(employee, data.get("leave_type_id"), data.get("start_date"), data.get("end_date"),
                               data.get("half_day"), has_attachment=data.get("attachment") is not None)
        return ev.problems


def _cards(employee) -> list[dict]:
    types = [t for t in LeaveType.objects.filter(active=True).order_by("position", "name") if t.tracks_balance]
    totals = ledger.balances(employee, types)
    out = []
    for t in types:
        pending = ledger.pending_days(employee, t)
        out.append({"type": t, "balance": totals[t.pk], "pending": pending, "available": totals[t.pk] - pending})
    return out


@require_safe
def my_leave(request, workspace_slug):
    actor = request.actor
    employee = own_employee(actor)
    context = {"employee": employee, "cards": [], "page": None}
    if employee is not None:
        rows = (services.visible_requests(actor).filter(employee=employee)
                .order_by("-start_date", "-id"))
        context.update(cards=_cards(employee), page=pagination.page_for(request, rows))
    return render(request, "leave/requests/mine.html", context)


def _preview_context(actor, data) -> dict:
    employee = own_employee(actor)
    if employee is None or not data.get("start_date") or not data.get("end_date") or not data.get("leave_type_id"):
        return {"ev": None}
    ev = services.evaluate(employee, data.get("leave_type_id"), data["start_date"], data["end_date"],
                           data.get("half_day"), has_attachment=True)
    return {"ev": ev, "problems": [p for problem in ev.problems for p in problem.problems]}


class PreviewForm(forms.Form):
    leave_type_id = forms.IntegerField(required=False)
    start_date = forms.DateField(required=False)
    end_date = forms.DateField(required=False)
    half_day = forms.BooleanField(required=False)


@require_safe
def preview(request, workspace_slug):
    form = PreviewForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return render(request, "leave/requests/_preview.html", _preview_context(request.actor, data))


@require_http_methods(["GET", "HEAD", "POST"])
def request_new(request, workspace_slug):
    actor = request.actor
    employee = own_employee(actor)
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES, actor=actor)
        if form.is_valid():
            with service_errors(form):
                req = services.create_request(actor, **form.service_data())
                messages.success(request, f"Leave requested: {req.working_days.normalize():f} working day(s).")
                return redirect("leave:request", workspace_slug=workspace_slug, request_id=req.pk)
    else:
        form = RequestForm(actor=actor)
    data = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    context = {"form": form, "employee": employee, **_preview_context(actor, data)}
    return render_form(request, "leave/requests/new.html", context, form)


class CommentForm(ServiceForm):
    comment = forms.CharField(label="Comment", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(CommentForm):
    comment = forms.CharField(label="Why (required)", required=True, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


def detail_context(request, req, **forms_) -> dict:
    actor = request.actor
    return {"req": req, "data": services.request_data(req),
            "can_decide": approvals.may_decide(actor, req),
            "can_cancel": approvals.may_cancel(actor, req) and req.status in (
                LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED),
            "approve_form": forms_.get("approve") or CommentForm(prefix="approve"),
            "reject_form": forms_.get("reject") or RejectForm(prefix="reject"),
            "cancel_form": forms_.get("cancel") or CommentForm(prefix="cancel"),
            "comment_form": forms_.get("comment") or CommentForm(prefix="comment"),
            "here": request.path}


@require_safe
def request_detail(request, workspace_slug, request_id: int):
    req = services.get_request(request.actor, request_id)
    return render(request, "leave/requests/detail.html", detail_context(request, req))


ATTACHMENT_CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
                            ".jpeg": "image/jpeg"}


@require_safe
def request_attachment(request, workspace_slug, request_id: int):
    """The request's document (a sick note), for whoever sees the request; always a download."""
    req = services.get_request(request.actor, request_id)
    if not req.attachment:
        raise NotFound("This request has no document.")
    suffix = os.path.splitext(req.attachment)[1].lower()
    response = HttpResponse(files.read(req.attachment),
                            content_type=ATTACHMENT_CONTENT_TYPES.get(suffix, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="leave-request-{req.pk}{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


ACTIONS = {
    "approve": (CommentForm, lambda actor, req, text: approvals.approve(actor, req, comment=text), "Approved."),
    "reject": (RejectForm, lambda actor, req, text: approvals.reject(actor, req, comment=text), "Rejected."),
    "cancel": (CommentForm, lambda actor, req, text: approvals.cancel(actor, req, comment=text), "Cancelled."),
    "comment": (CommentForm, lambda actor, req, text: approvals.comment(actor, req, comment=text), "Comment added."),
}


def _act(request, workspace_slug, request_id, action):
    actor = request.actor
    req = services.get_request(actor, request_id)
    form_class, run, done = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    back = safe_next(request, workspace_slug, reverse("leave:request", args=[workspace_slug, req.pk]))
    if form.is_valid():
        try:
            run(actor, req, form.cleaned_data.get("comment", ""))
        except NotFound:
            raise
        except PermissionDenied:
            raise
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            if action == "cancel" and req.status == LeaveRequest.Status.CANCEL_REQUESTED:
                done = "Your leave has begun: cancelling it waits for your approver."
            messages.success(request, done)
            return redirect(back)
    req = services.get_request(actor, request_id)
    return render_form(request, "leave/requests/detail.html", detail_context(request, req, **{action: form}), form)


def _action_view(action):
    # a GET (a reload after the redirect, a bookmark) goes to a page that exists whatever the id
    @redirect_get_to("leave:approvals" if action in ("approve", "reject") else "leave:my")
    @require_POST
    def view(request, workspace_slug, request_id: int):
        return _act(request, workspace_slug, request_id, action)
    view.__name__ = f"request_{action}"
    return view


request_approve = _action_view("approve")
request_reject = _action_view("reject")
request_cancel = _action_view("cancel")
request_comment = _action_view("comment")

urlpatterns = [
    path("", my_leave, name="my"),
    path("requests/new/", request_new, name="request-new"),
    path("requests/preview/", preview, name="preview"),
    path("requests/<int:request_id>/", request_detail, name="request"),
    path("requests/<int:request_id>/attachment/", request_attachment, name="request-attachment"),
    path("requests/<int:request_id>/approve/", request_approve, name="request-approve"),
    path("requests/<int:request_id>/reject/", request_reject, name="request-reject"),
    path("requests/<int:request_id>/cancel/", request_cancel, name="request-cancel"),
    path("requests/<int:request_id>/comment/", request_comment, name="request-comment"),
]
