"""The personal-data catalogue.

Each model that holds personal data declares it next to its fields:

    class PersonalData:
        subject = "user"                      # whose data it is
        fields = {"email": Category.CONTACT}  # field -> category
        on_erasure = Erasure.ANONYMIZE        # what erasure does to the row
        retention = "account"                 # retention class (see RETENTION_CLASSES)
        export = True                         # included in a data-subject access export

Models with none declare `PersonalData = None` only when a field name looks personal but is not
(listed in `not_personal`). Export, erasure, retention and de-identified analytics read only this.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from django.apps import apps


class Category(str, Enum):
    IDENTITY = "identity"          # names, user ids
    CONTACT = "contact"            # email, phone, address
    CREDENTIAL = "credential"      # password hashes, secrets, one-time codes (never exported)
    TECHNICAL = "technical"        # IP address, user agent, device
    ACTIVITY = "activity"          # what the person did and when
    EMPLOYMENT = "employment"
    SENSITIVE = "sensitive"        # birth date, home address, emergency contact


class Erasure(str, Enum):
    DELETE = "delete"              # the row is deleted
    ANONYMIZE = "anonymize"        # personal fields are overwritten, the row stays
    RETAIN = "retain"              # kept for a legal or security reason until its retention ends


RETENTION_CLASSES = {
    "account": "while the account exists",
    "security": "90 days, for abuse prevention",
    "session": "until the session ends or is revoked, then 30 days",
    "audit": "7 years, append-only (legal and security record)",
    "invitation": "until accepted or 30 days after expiry",
    "workspace": "while the workspace exists",
    "outbox": "an email's content until it is sent (encrypted, then wiped); the empty row for 1 more day",
    "employment": "during employment, then kept as an employment record after the end date (terminating keeps it)",
    "events": "an event (what happened, with its payload) for 30 days after every consumer has received it",
    "notifications": "a notification for 90 days after it is read; an unread one for 1 year",
    "jobs": "a background job's record for 30 days after it finishes; its stored upload and error report for 1 day",
    "webhooks": "a webhook delivery (the event's payload as sent) and its attempts for 30 days",
    "attendance": "clock-ins, breaks, corrections and computed days during employment and 2 years after its end "
                  "(working-time records the law asks employers to keep)",
    "leave": "leave requests, decisions and the balance ledger during employment and 2 years after its end",
    "customer": "a lead, contact or company and its notes, activities and timeline while the workspace keeps the "
                "customer relationship; deleted on the workspace's or the person's request (a deal keeps its "
                "amount and stage, without the person)",
}

PERSONAL_LOOKING = re.compile(
    r"(email|e_mail|phone|mobile|name|address|street|city|zip|postcode|\bip\b|_ip$|^ip_|ip_address|birth|dob|"
    r"passport|national|ssn|tax_id|gender|salary|bank|iban|user_agent|device|location|photo|avatar)",
)


@dataclass(frozen=True)
class Entry:
    model: type
    subject: str
    fields: dict
    on_erasure: Erasure
    retention: str
    export: bool


def catalogue() -> list[Entry]:
    entries = []
    for model in apps.get_models():
        spec = getattr(model, "PersonalData", None)
        if spec is None:
            continue
        entries.append(
            Entry(
                model=model,
                subject=spec.subject,
                fields=dict(spec.fields),
                on_erasure=spec.on_erasure,
                retention=spec.retention,
                export=getattr(spec, "export", True),
            )
        )
    return entries


def undeclared_fields(model) -> list[str]:
    """Field names that look personal but the model does not declare (nor mark as not personal)."""
    spec = getattr(model, "PersonalData", None)
    declared = set(getattr(spec, "fields", {}) or {}) | set(getattr(spec, "not_personal", ()) or ())
    missing = []
    for f in model._meta.concrete_fields:
        if f.name in declared:
            continue
        if PERSONAL_LOOKING.search(f.name) or PERSONAL_LOOKING.search(f.attname):
            missing.append(f.name)
    return missing
