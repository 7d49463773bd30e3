"""Webhook pages under /w/<workspace_slug>/webhooks/ (webhooks.manage): the list, a new webhook, one webhook with
its delivery log, editing, pausing and resuming, rotating the secret, a test event, resending, deleting.

A new secret (a new webhook, a rotation) is shown once, on the page the POST redirects to: sealed in this
browser's session until that page is shown, then gone. Every POST redirects.
"""
from __future__ import annotations

import time

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import pagination
from oorg.core.crypto import decrypt, encrypt
from oorg.core.errors import Conflict
from oorg.core.forms import redirect_get_to, render_form, service_errors
from oorg.core.permissions import require

from . import selectors, services
from .forms import WebhookForm
from .models import WebhookDelivery
from .permissions import WEBHOOKS_MANAGE

GET_POST = require_http_methods(["GET", "POST"])
NEW_SECRET = "oorg_webhook_secret"
NEW_SECRET_LIFETIME = 300  # seconds


def _keep_secret(request, subscription, secret: str) -> None:
    request.session[NEW_SECRET] = {"sealed": encrypt(secret), "id": subscription.pk,
                                   "workspace": subscription.workspace_id, "since": time.time()}


def _take_secret(request, subscription) -> str | None:
    """The new secret of this webhook, once; a sealed secret of another page waits for it (or its time ends)."""
    kept = request.session.get(NEW_SECRET)
    if not kept:
        return None
    fresh = time.time() - kept.get("since", 0) <= NEW_SECRET_LIFETIME
    mine = kept.get("id") == subscription.pk and kept.get("workspace") == subscription.workspace_id
    if mine or not fresh:
        del request.session[NEW_SECRET]
    return decrypt(kept["sealed"]) if mine and fresh else None


def _to_detail(workspace_slug, webhook_id):
    return redirect("webhooks:detail", workspace_slug=workspace_slug, webhook_id=webhook_id)


@require_safe
def webhook_list(request, workspace_slug):
    page = pagination.page_for(request, selectors.subscriptions_visible_to(request.actor))
    return render_form(request, "webhooks/list.html", {"page": page})


def _form_page(request, form, webhook=None):
    return render_form(request, "webhooks/form.html", {"form": form, "webhook": webhook,
                                                       "groups": form.event_groups()}, form)


@GET_POST
def webhook_new(request, workspace_slug):
    actor = request.actor
    require(actor, WEBHOOKS_MANAGE)
    if request.method != "POST":
        return _form_page(request, WebhookForm())
    form = WebhookForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            subscription, secret = services.create_subscription(actor, **form.cleaned_data)
            _keep_secret(request, subscription, secret)
            messages.success(request, "Webhook created. Send a test event to see your endpoint answer.")
            return _to_detail(workspace_slug, subscription.pk)
    return _form_page(request, form)


@require_safe
def webhook_detail(request, workspace_slug, webhook_id: int):
    actor = request.actor
    subscription = selectors.get_subscription(actor, webhook_id)
    page = pagination.page_for(request, selectors.deliveries_of(actor, subscription))
    attempts = selectors.attempts_by_delivery(page.items)
    rows = [{"delivery": d, "attempts": attempts[d.pk], "body": services.pretty_body(d)} for d in page]
    return render_form(request, "webhooks/detail.html", {
        "webhook": subscription, "secret": _take_secret(request, subscription), "page": page, "rows": rows,
        "pending": WebhookDelivery.State.PENDING})


@GET_POST
def webhook_edit(request, workspace_slug, webhook_id: int):
    actor = request.actor
    subscription = selectors.get_subscription(actor, webhook_id)
    initial = {"url": subscription.url, "events": subscription.events, "description": subscription.description}
    if request.method != "POST":
        return _form_page(request, WebhookForm(initial=initial, editing=True), subscription)
    form = WebhookForm(request.POST, initial=initial, editing=True)
    if form.is_valid():
        with service_errors(form):
            services.update_subscription(actor, subscription, **form.service_data())
            messages.success(request, "Webhook saved.")
            return _to_detail(workspace_slug, subscription.pk)
    return _form_page(request, form, subscription)


def _button(view):
    """A POST-only button of the webhook page; a GET on its URL goes to the list."""
    return redirect_get_to("webhooks:list")(require_POST(view))


@_button
def webhook_pause(request, workspace_slug, webhook_id: int):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    services.update_subscription(request.actor, subscription, active=False)
    messages.success(request, "Webhook paused: no deliveries go out until you resume it.")
    return _to_detail(workspace_slug, webhook_id)


@_button
def webhook_resume(request, workspace_slug, webhook_id: int):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    services.update_subscription(request.actor, subscription, active=True)
    messages.success(request, "Webhook resumed: deliveries that waited go out now.")
    return _to_detail(workspace_slug, webhook_id)


@_button
def webhook_rotate(request, workspace_slug, webhook_id: int):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    subscription, secret = services.update_subscription(request.actor, subscription, rotate_secret=True)
    _keep_secret(request, subscription, secret)
    messages.success(request, "New secret made; the old one no longer signs deliveries.")
    return _to_detail(workspace_slug, webhook_id)


@_button
def webhook_test(request, workspace_slug, webhook_id: int):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    test = services.send_test_event(request.actor, subscription)
    _tell_result(request, "Test event", selectors.get_delivery(request.actor, subscription, test.pk))
    return _to_detail(workspace_slug, webhook_id)


@_button
def delivery_resend(request, workspace_slug, webhook_id: int, delivery_id: int):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    sent = selectors.get_delivery(request.actor, subscription, delivery_id)
    try:
        sent = services.resend_delivery(request.actor, subscription, sent)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        _tell_result(request, "Delivery resent", sent)
    return _to_detail(workspace_slug, webhook_id)


def _tell_result(request, what: str, row) -> None:
    """What became of a send: known at once when tasks run inline, else it is on its way."""
    tried = selectors.attempts_by_delivery([row])[row.pk]
    attempt = tried[-1] if tried else None
    if row.state == WebhookDelivery.State.SUCCEEDED:
        messages.success(request, f"{what}: delivered (HTTP {attempt.status_code}).")
    elif attempt is not None and attempt.finished:
        messages.error(request, f"{what}: not delivered ({attempt.error}). See the delivery log below.")
    else:
        messages.info(request, f"{what}: on its way; its result appears in the delivery log below.")


@_button
def webhook_delete(request, workspace_slug, webhook_id: int):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    name = str(subscription)
    services.delete_subscription(request.actor, subscription)
    messages.success(request, f"Webhook {name} deleted, with its delivery log.")
    return redirect("webhooks:list", workspace_slug=workspace_slug)
