"""Lists of CRM records, the same for the API, the pages and the exports: the actor's scope, then the filters
of the query string, `q`, `?cf.<name>=`, and an ordering from an allow-list.

Each kind of record declares its list once (`ListSpec`): what `q` searches, which orderings exist (each on
NOT NULL columns ending with the id, so keyset pages work at any depth and an index serves it), and which
filters it takes. A filter value that is not valid is a 422 naming the parameter, like any other input.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from oorg.core.errors import Problems, ValidationFailed

from . import custom_fields, scopes

MAX_Q = 200


@dataclass(frozen=True)
class ListSpec:
    model: type
    entity: str  # "lead", "contact", "company", "deal"
    search: tuple[str, ...]  # fields `q` looks in
    orderings: dict[str, tuple[str, ...]]  # "name" -> ("full_name", "id"); "-name" is added reversed
    default: str
    filters: dict[str, Callable[[str], Q]] = field(default_factory=dict)  # param -> Q (raise ValidationFailed)
    select_related: tuple[str, ...] = ("owner__user",)
    only: tuple[str, ...] = ()  # when set, the columns read (across select_related): no full related rows

    def ordering(self, name: str | None) -> tuple[str, ...]:
        name = name or self.default
        key = name.lstrip("-")
        if key not in self.orderings:
            choices = ", ".join(sorted(self.orderings))
            raise ValidationFailed(f"Order by one of {choices} (a leading - reverses).", field="ordering")
        terms = self.orderings[key]
        return tuple(("" if t.startswith("-") else "-") + t.lstrip("-") for t in terms) if name.startswith("-") \
            else terms


def id_filter(name: str, field_name: str | None = None) -> Callable[[str], Q]:
    def build(value: str) -> Q:
        if value in ("none", "null"):
            return Q(**{f"{field_name or name}__isnull": True})
        try:
            return Q(**{field_name or name: int(value)})
        except ValueError:
            raise ValidationFailed(f"{name} is a number (or none).", field=name) from None
    return build


def choice_filter(name: str, choices) -> Callable[[str], Q]:
    def build(value: str) -> Q:
        values = [v for v in value.split(",") if v]
        unknown = [v for v in values if v not in choices.values]
        if unknown or not values:
            raise ValidationFailed(f"{name} is one of {', '.join(choices.values)} (several: comma-separated).",
                                   field=name)
        return Q(**{f"{name}__in": values})
    return build


def tag_filter(value: str) -> Q:
    condition = Q()
    for tag in [t.strip().lower() for t in value.split(",") if t.strip()]:
        condition &= Q(tags__icontains=f'"{tag}"')
    return condition


COMMON_FILTERS = {"owner_id": id_filter("owner_id"), "tag": tag_filter}


def query(actor, spec: ListSpec, params, *, ordered: bool = True) -> QuerySet:
    """The records of `spec` the actor sees, narrowed by `params` (a QueryDict or dict of strings)."""
    params = {k: (params.get(k) if hasattr(params, "getlist") else params[k]) for k in params}
    queryset = scopes.visible(actor, spec.model)
    condition = Q()
    with Problems() as problems:
        for name in understood(spec, params):
            if "\x00" in str(params[name]):  # no text column holds one; PostgreSQL refuses it in a query
                problems.add(ValidationFailed(f"{name} has a NUL character.", field=name))
                params[name] = ""
        for name, build in {**COMMON_FILTERS, **spec.filters}.items():
            value = str(params.get(name) or "").strip()
            if value:
                with problems.check():
                    condition &= build(value)
        q = " ".join(str(params.get("q") or "").split())
        if len(q) > MAX_Q:
            problems.add(ValidationFailed(f"q has at most {MAX_Q} characters.", field="q"))
        elif q:
            condition &= search(spec, q)
        with problems.check():
            condition &= custom_fields.filters(spec.entity, params)
        ordering = ()
        if ordered:
            with problems.check():
                ordering = spec.ordering(str(params.get("ordering") or "") or None)
    queryset = queryset.filter(condition).select_related(*spec.select_related)
    if spec.only:
        queryset = queryset.only(*spec.only)
    return queryset.order_by(*ordering) if ordered else queryset


def understood(spec: ListSpec, params: dict) -> list[str]:
    """The parameters this list reads (its filters, `q`, `ordering`, `cf.<name>`), in the order given; others
    are ignored, as a query string's unknown parameters are everywhere."""
    known = {*COMMON_FILTERS, *spec.filters, "q", "ordering"}
    return [name for name in params if name in known or name.startswith(custom_fields.FILTER_PREFIX)]


def search(spec: ListSpec, q: str) -> Q:
    """Every word of `q` in one of the searched fields (a phone is also matched without its spacing)."""
    condition = Q()
    for word in q.split()[:8]:
        either = Q()
        for name in spec.search:
            either |= Q(**{f"{name}__icontains": word})
        digits = "".join(c for c in word if c.isdigit())
        if "phone" in spec.search and len(digits) >= 4:
            either |= Q(phone__contains=digits)
        condition &= either
    return condition
