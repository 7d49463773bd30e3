"""The list of each kind of record: what `q` searches, its orderings and filters (crm/records.py), and the
columns a person may choose on its page. One declaration serves the API, the pages and the exports."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from oorg.core.errors import ValidationFailed

from . import fields
from .models import Company, Contact, Deal, Lead
from .records import ListSpec, choice_filter, id_filter


def _date_filter(name: str, lookup: str):
    def build(value: str) -> Q:
        return Q(**{lookup: fields.clean_date(value, name)})
    return build


def _text_filter(name: str, lookup: str):
    def build(value: str) -> Q:
        if len(value) > 200:
            raise ValidationFailed(f"{name} has at most 200 characters.", field=name)
        return Q(**{lookup: value})
    return build


def _company_filter(value: str) -> Q:
    try:
        return Q(pk__in=Contact.companies.through.objects.filter(company_id=int(value)).values("contact_id"))
    except ValueError:
        raise ValidationFailed("company_id is a number.", field="company_id") from None


LEADS = ListSpec(
    model=Lead, entity="lead", search=("full_name", "email", "phone", "company_name"),
    orderings={"name": ("full_name", "id"), "created_at": ("created_at", "id"), "updated_at": ("updated_at", "id")},
    default="-created_at",
    filters={"status": choice_filter("status", Lead.Status), "source": choice_filter("source", Lead.Source),
             "created_from": _date_filter("created_from", "created_at__date__gte"),
             "created_to": _date_filter("created_to", "created_at__date__lte")})

CONTACTS = ListSpec(
    model=Contact, entity="contact", search=("full_name", "email", "phone", "job_title"),
    orderings={"name": ("full_name", "id"), "created_at": ("created_at", "id"), "updated_at": ("updated_at", "id")},
    default="name",
    filters={"company_id": _company_filter, "email": _text_filter("email", "email__iexact"),
             "created_from": _date_filter("created_from", "created_at__date__gte"),
             "created_to": _date_filter("created_to", "created_at__date__lte")})

COMPANIES = ListSpec(
    model=Company, entity="company", search=("name", "domain", "industry", "phone"),
    orderings={"name": ("name", "id"), "created_at": ("created_at", "id"), "updated_at": ("updated_at", "id")},
    default="name",
    filters={"industry": _text_filter("industry", "industry__iexact"),
             "size": choice_filter("size", Company.Size), "domain": _text_filter("domain", "domain__iexact")})

DEALS = ListSpec(
    model=Deal, entity="deal", search=("name",),
    orderings={"name": ("name", "id"), "created_at": ("created_at", "id"), "amount": ("amount", "id"),
               "stage_changed_at": ("stage_changed_at", "id"), "updated_at": ("updated_at", "id")},
    default="-created_at",
    filters={"pipeline_id": id_filter("pipeline_id"), "stage_id": id_filter("stage_id"),
             "contact_id": id_filter("contact_id"), "company_id": id_filter("company_id"),
             "currency": _text_filter("currency", "currency__iexact"),
             "close_from": _date_filter("close_from", "expected_close_date__gte"),
             "close_to": _date_filter("close_to", "expected_close_date__lte")},
    select_related=("owner__user", "stage", "pipeline", "contact", "company"),
    # The deal's own columns and the few of its relations that the API (DealOut), the list page and the export
    # show: five joined rows of every column each made the list 2.8x its SQL.
    only=(*(f.name for f in Deal._meta.concrete_fields), "owner__user__full_name", "owner__user__email",
          "stage__name", "pipeline__name", "contact__full_name", "contact__email", "company__name",
          "company__domain"))

SPECS = {"lead": LEADS, "contact": CONTACTS, "company": COMPANIES, "deal": DEALS}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    default: bool = True  # shown until the person chooses


COLUMNS = {
    "lead": [Column("full_name", "Name"), Column("email", "Email"), Column("phone", "Phone"),
             Column("company_name", "Company"), Column("status", "Status"), Column("source", "Source"),
             Column("owner", "Owner"), Column("tags", "Tags", False), Column("created_at", "Created")],
    "contact": [Column("full_name", "Name"), Column("email", "Email"), Column("phone", "Phone"),
                Column("job_title", "Job title"), Column("owner", "Owner"), Column("tags", "Tags", False),
                Column("created_at", "Created", False)],
    "company": [Column("name", "Name"), Column("domain", "Domain"), Column("industry", "Industry"),
                Column("size", "Size"), Column("phone", "Phone", False), Column("owner", "Owner"),
                Column("tags", "Tags", False), Column("created_at", "Created", False)],
    "deal": [Column("name", "Name"), Column("amount", "Amount"), Column("stage", "Stage"),
             Column("pipeline", "Pipeline", False), Column("expected_close_date", "Expected close"),
             Column("contact", "Contact", False), Column("company", "Company"), Column("owner", "Owner"),
             Column("tags", "Tags", False), Column("created_at", "Created", False)],
}
