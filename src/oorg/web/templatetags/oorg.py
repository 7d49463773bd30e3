from django import template

register = template.Library()


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
