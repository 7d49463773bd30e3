from django import template

from oorg.core.places import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """`{{ branch.country|country_name }}`: "DE" -> "Germany" (countries are shown by name, stored by code)."""
    return _country_name(code)


@register.filter
def form_problems(form) -> list[dict]:
    """Every message of a refused form, the form's own first, then each field's in page order:
    [{"id": the input's id or None, "label", "message"}]. web/_form_errors.html lists them at the top."""
    if form is None or not getattr(form, "is_bound", False) or not form.errors:
        return []
    found = [{"id": None, "label": None, "message": message} for message in form.non_field_errors()]
    # A group of checkboxes has no single input to link to: its problems are named by the group's label.
    for field in form:
        found += [{"id": field.id_for_label, "label": field.label, "message": message} for message in field.errors]
    return found


@register.filter
def can(actor, perm: str) -> bool:
    """`{% if actor|can:"audit.event.view" %}`: templates hide what the actor may not do."""
    return actor is not None and actor.can(perm)


@register.filter
def get(mapping, key):
    """`{{ names|get:m.role }}`: a dictionary lookup by a variable key."""
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def page_url(context, param: str, cursor: str) -> str:
    """`?…` for the page of list `param` at `cursor`, keeping the page's other query parameters (filters)."""
    query = context["request"].GET.copy()
    query[param] = cursor
    return "?" + query.urlencode()
