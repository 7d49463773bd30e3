"""Web-to-lead forms: their settings (crm.settings.manage) and what a visitor's submission makes.

A form is public at /f/<key>; the key is the only thing that names its workspace, so `form_by_key` is the one
read across workspaces here (tests/core/test_house_rules.py). Rotating the key retires the old address.
A submission makes a lead with source web_form, the consent text exactly as shown and the answer, given to
the next active member in the form's round-robin (the row is locked while the turn advances).
"""
from __future__ import annotations

import copy
import html
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from oorg.core import audit, ratelimit
from oorg.core.errors import DomainError, Problems, ValidationFailed, unchanged_on_refusal
from oorg.core.models import Membership
from oorg.core.permissions import Actor, require

from .. import fields, sanitize, timeline
from ..models import Lead, Note, WebForm
from ..permissions import SETTINGS

FORM_FIELDS = ("name", "active", "consent_text", "consent_required", "thank_you", "redirect_url", "tags",
               "assignees")
MAX_ASSIGNEES = 50
MAX_MESSAGE = 5000
IP_LIMITS = [(5, timedelta(minutes=1)), (30, timedelta(hours=1))]
FORM_LIMITS = [(300, timedelta(hours=1))]


def new_key() -> str:
    return secrets.token_urlsafe(32)


def clean_redirect_url(value, field: str = "redirect_url") -> str:
    url = str(value or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationFailed("A redirect is a web address starting with https:// (or http://).",
                               field=field) from None
    if len(url) > 200:
        raise ValidationFailed("A redirect address has at most 200 characters.", field=field)
    return url


def clean_assignees(value, field: str = "assignees") -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise ValidationFailed("Assignees are a list of member ids.", field=field)
    try:
        ids = list(dict.fromkeys(int(v) for v in value))
    except (TypeError, ValueError):
        raise ValidationFailed("Assignees are a list of member ids.", field=field) from None
    if len(ids) > MAX_ASSIGNEES:
        raise ValidationFailed(f"A form hands leads to at most {MAX_ASSIGNEES} people.", field=field)
    active = set(Membership.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    missing = [i for i in ids if i not in active]
    if missing:
        raise ValidationFailed(f"Choose active members of the workspace (not {missing[0]}).", field=field)
    return ids


def _apply(form: WebForm, changes: dict, *, unchecked=()) -> Problems:
    problems = Problems(unchecked=unchecked)
    for name, value in changes.items():
        with problems.check():
            if name not in FORM_FIELDS:
                raise ValidationFailed(f"Unknown field {name!r}.", field=name)
            if name == "name":
                value = fields.clean_text(value, name, max_length=120, required=True)
            elif name == "consent_text":
                value = str(value or "").strip()
                if len(value) > 2000:
                    raise ValidationFailed("The consent text has at most 2,000 characters.", field=name)
            elif name == "thank_you":
                value = fields.clean_text(value, name, max_length=300) or "Thank you, we will be in touch."
            elif name == "redirect_url":
                value = clean_redirect_url(value)
            elif name == "tags":
                value = fields.clean_tags(value)
            elif name == "assignees":
                value = clean_assignees(value)
                if value != form.assignees:
                    form.next_assignee = 0
            elif name in ("active", "consent_required"):
                value = bool(value)
            setattr(form, name, value)
    if form.consent_required and not form.consent_text and not problems.about("consent_text", "consent_required"):
        problems.add(ValidationFailed("A required consent needs the text people agree to.", field="consent_text"))
    return problems


def check_web_form(actor: Actor, form: WebForm | None, changes: dict, *, unchecked=()) -> list[DomainError]:
    require(actor, SETTINGS, form)
    target = WebForm(workspace=actor.workspace) if form is None else copy.copy(form)
    return list(_apply(target, changes, unchecked=unchecked))


def create_web_form(actor: Actor, **values) -> WebForm:
    require(actor, SETTINGS)
    form = WebForm(workspace=actor.workspace, key=new_key())
    with transaction.atomic():
        _apply(form, values).raise_if_any()
        form.save()
        audit.record(actor, "crm.web_form.created", form, fields=sorted(values))
    return form


def update_web_form(actor: Actor, form: WebForm, **changes) -> WebForm:
    require(actor, SETTINGS, form)
    with unchanged_on_refusal(form), transaction.atomic():
        _apply(form, changes).raise_if_any()
        form.save()
        audit.record(actor, "crm.web_form.updated", form, fields=sorted(changes))
    return form


def rotate_web_form_key(actor: Actor, form: WebForm) -> WebForm:
    """A new public address; the old one answers 404 from now on (embed the new snippet)."""
    require(actor, SETTINGS, form)
    with transaction.atomic():
        form.key = new_key()
        form.save(update_fields=["key"])
        audit.record(actor, "crm.web_form.key_rotated", form)
    return form


def delete_web_form(actor: Actor, form: WebForm) -> None:
    """Its leads stay (their web_form link is cleared); the address answers 404."""
    require(actor, SETTINGS, form)
    with transaction.atomic():
        audit.record(actor, "crm.web_form.deleted", form, name=form.name)
        form.delete()


# --- the public side -------------------------------------------------------------------------------------------


def form_by_key(key: str) -> WebForm | None:
    """The active form at /f/<key>, in any workspace: its secret key is what names the workspace."""
    if not key or len(key) > 64:
        return None
    return WebForm.objects.unscoped().filter(key=key, active=True).select_related("workspace").first()


def throttle(form: WebForm, ip: str | None) -> None:
    """Per visitor address and per form; raises Throttled (429)."""
    ratelimit.hit("crm.web_form.ip", ip or "unknown", limits=IP_LIMITS)
    ratelimit.hit("crm.web_form.form", str(form.pk), limits=FORM_LIMITS)


def _next_assignee(form: WebForm) -> Membership | None:
    """The next active member in turn (the form's row is locked by the caller), else the workspace's owner."""
    turn = form.next_assignee
    count = len(form.assignees)
    active = dict(Membership.objects.filter(pk__in=form.assignees, is_active=True).values_list("pk", "pk"))
    for step in range(count):
        index = (turn + step) % count
        if form.assignees[index] in active:
            form.next_assignee = (index + 1) % count
            return Membership.objects.get(pk=form.assignees[index])
    return Membership.objects.filter(role=Membership.OWNER, is_active=True).order_by("pk").first()


def check_submission(form: WebForm, data: dict) -> tuple[dict, Problems]:
    problems = Problems()
    values = {}
    with problems.check():
        values["full_name"] = fields.clean_text(data.get("full_name"), "full_name", max_length=150, required=True,
                                                label="Name")
    with problems.check():
        values["email"] = fields.clean_email(data.get("email"), "email")
    with problems.check():
        values["phone"] = fields.clean_phone(data.get("phone"), "phone")
    with problems.check():
        values["company_name"] = fields.clean_text(data.get("company_name"), "company_name", max_length=200,
                                                   label="Company")
    if not problems.about("email", "phone") and not values["email"] and not values["phone"]:
        problems.add(ValidationFailed("Give an email address or a phone number, so we can reply.", field="email",
                                      code="required"))
    message = str(data.get("message") or "").strip()
    if len(message) > MAX_MESSAGE:
        problems.add(ValidationFailed(f"The message has at most {MAX_MESSAGE:,} characters.", field="message"))
    values["message"] = message
    consent = str(data.get("consent") or "").lower() in ("on", "true", "1", "yes")
    if form.consent_text and form.consent_required and not consent:
        problems.add(ValidationFailed("Please agree to this to send the form.", field="consent", code="required"))
    values["consent"] = consent
    return values, problems


def _note_body(message: str) -> str:
    paragraphs = [p.strip() for p in message.replace("\r\n", "\n").split("\n\n") if p.strip()]
    raw = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return sanitize.clean_html(raw, "message")


def submit_web_form(form: WebForm, data: dict, *, ip: str | None) -> Lead:
    """A visitor's submission (already past the honeypot and the throttle): the lead, with its owner told."""
    values, problems = check_submission(form, data)
    problems.raise_if_any()
    actor = Actor.system(form.workspace)
    with transaction.atomic():
        locked = WebForm.objects.select_for_update().get(pk=form.pk)
        owner = _next_assignee(locked)
        locked.save(update_fields=["next_assignee"])
        now = timezone.now()
        asked = bool(form.consent_text)
        lead = Lead.objects.create(
            workspace_id=form.workspace_id, full_name=values["full_name"], email=values["email"],
            phone=values["phone"], company_name=values["company_name"], source=Lead.Source.WEB_FORM,
            owner=owner, tags=list(form.tags), web_form=form, consent_text=form.consent_text if asked else "",
            consent_given=values["consent"] if asked else None, consent_at=now if asked else None,
            consent_ip=ip if asked else None)
        timeline.add(lead, timeline.Kind.CREATED, f"Lead received from the web form {form.name}",
                     data={"web_form_id": form.pk, "source": lead.source})
        if values["message"]:
            note = Note.objects.create(workspace_id=form.workspace_id, lead=lead, body=_note_body(values["message"]))
            timeline.add(lead, timeline.Kind.NOTE, sanitize.plain_text(note.body), note=note)
        audit.record(actor, "crm.lead.submitted", lead, each={"crm.lead.created": [lead]}, web_form_id=form.pk,
                     consent_given=lead.consent_given)
    return lead


def public_url(form: WebForm) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.BASE_URL.rstrip("/") + reverse("crm-public:form", kwargs={"key": form.key})


def embed(form: WebForm) -> dict:
    """The snippets another site pastes: an iframe of the page, or a plain HTML form posting here."""
    url = public_url(form)
    esc = html.escape
    consent = ""
    if form.consent_text:
        consent = (f'  <label><input type="checkbox" name="consent" value="on"'
                   f'{" required" if form.consent_required else ""}> {esc(form.consent_text)}</label>\n')
    plain = (f'<form method="post" action="{esc(url)}">\n'
             '  <label>Name <input name="full_name" required maxlength="150"></label>\n'
             '  <label>Email <input type="email" name="email" maxlength="254"></label>\n'
             '  <label>Phone <input type="tel" name="phone" maxlength="40"></label>\n'
             '  <label>Company <input name="company_name" maxlength="200"></label>\n'
             '  <label>Message <textarea name="message" maxlength="5000"></textarea></label>\n'
             f'{consent}'
             '  <input type="text" name="website" value="" tabindex="-1" autocomplete="off" hidden>\n'
             '  <button type="submit">Send</button>\n'
             '</form>')
    frame = (f'<iframe src="{esc(url)}" title="{esc(form.name)}" width="100%" height="640" '
             'style="border:0" loading="lazy"></iframe>')
    return {"iframe": frame, "html": plain}


def redirect_origin(form: WebForm) -> str:
    parts = urlsplit(form.redirect_url) if form.redirect_url else None
    return f"{parts.scheme}://{parts.netloc}" if parts else ""
