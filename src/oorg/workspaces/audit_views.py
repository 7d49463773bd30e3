"""The audit log page (audit.event.view): what happened, in words, filtered as the filters change."""
from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.views.decorators.http import require_safe

from oorg.core import audit, pagination
from oorg.core.forms import render_form

from . import selectors
from .forms import AuditFilterForm

RESULTS_ID = "audit-results"  # the region an htmx request swaps
DETAIL_LENGTH = 120


def viewer_zone(request) -> zoneinfo.ZoneInfo:
    """The viewer's time zone, as web.middleware.LocalTimeMiddleware chose it (their own, else the workspace's)."""
    return timezone.get_current_timezone()


def _filters(actor, data: dict, zone: zoneinfo.ZoneInfo) -> dict:
    """The selector's arguments for a valid filter form: days become instants in `zone`, `To` included."""
    filters = {"action": data["action"] or None, "target_type": data["target_type"] or None,
               "target_id": data["target_id"].strip() or None}
    who = data["actor"].strip().lower()
    if who:
        user_id = selectors.audit_actor_id(actor, who)
        if user_id is not None:
            filters["actor_user_id"] = user_id
        else:  # "system", or someone no longer on record as a member: the name the event was signed with
            filters["actor_label"] = who
    if data["since"]:
        filters["since"] = dt.datetime.combine(data["since"], dt.time.min, tzinfo=zone)
    if data["until"]:
        filters["before"] = dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return filters


def _value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value) or "none"
    elif isinstance(value, dict):
        text = json.dumps(value, separators=(", ", ": "), default=str)
    else:
        text = "—" if value in (None, "") else str(value)
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1] + "…"


def describe(event, links: dict) -> dict:
    """One row of the log as a person reads it."""
    data = event.data if isinstance(event.data, dict) else {}
    fields = [audit.field_label(event.target_type, name) for name in audit.field_names(event)]
    details = [(capfirst(key.replace("_", " ")), _value(value)) for key, value in sorted(data.items())
               if (key != "fields" or not fields) and value not in (None, "")]
    return {
        "event": event,
        "action_label": audit.action_label(event.action),
        "target": audit.target_name(event),
        "target_url": links.get((event.target_type, event.target_id)),
        "target_history": event.target_type in audit.TARGETS,  # a kind the target filter offers
        # A new record names the fields it was given; any other event, those it changed.
        "fields_title": "Filled in" if event.action.endswith("created") else "Changed",
        "fields": fields,
        "details": details,
    }


@require_safe
def audit_log(request, workspace_slug):
    actor = request.actor
    form = AuditFilterForm(request.GET)
    zone = viewer_zone(request)
    page = rows = None
    if form.is_valid():
        page = pagination.page_for(request, selectors.audit_events_for(actor, **_filters(actor, form.cleaned_data,
                                                                                         zone)))
        links = audit.target_links(actor, page.items)
        rows = [describe(event, links) for event in page]
    filtered = any(form.data.get(name) for name in form.fields)
    context = {"form": form, "events": page, "rows": rows, "zone": zone, "filtered": filtered,
               "results_id": RESULTS_ID}
    if request.htmx and request.htmx.target == RESULTS_ID:
        # The filters changed: only the results (and the status line) are swapped, and the address is pushed.
        # 200 even for a refused filter, so htmx swaps in the message that says why.
        response = render(request, "workspaces/_audit_results.html", context)
    else:
        context["actor_choices"] = selectors.audit_actor_choices(actor)
        response = render_form(request, "workspaces/audit.html", context, form)
    patch_vary_headers(response, ("HX-Request",))
    return response
