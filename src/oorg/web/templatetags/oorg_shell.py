"""Template tags of the app shell: the sidebar, the search slot, dashboard cards and icons."""
from django import template
from lucide.templatetags.lucide import lucide

from oorg.web import shell

register = template.Library()


@register.simple_tag
def icon(name: str, size: int = 18):
    """`{% icon "users" %}`: a lucide icon, decorative (the text beside it names the thing)."""
    return lucide(name, size=size, aria_hidden="true", focusable="false", **{"class": "icon"})


@register.inclusion_tag("web/_sidebar.html", takes_context=True)
def app_sidebar(context):
    request = context["request"]
    home, groups = shell.sidebar_for(request)
    return {"home": home, "groups": groups, "current_workspace": context.get("current_workspace")}


@register.simple_tag(takes_context=True)
def shell_search(context):
    """`{% shell_search as search %}`: what the top bar's search field searches, or None."""
    return shell.search_for(context["request"])


@register.simple_tag
def url_or_none(name: str):
    """`{% url_or_none "workspaces:create" as create_url %}`: a global page's URL, None until it exists."""
    return shell.url_or_none(name)


@register.simple_tag(takes_context=True)
def dashboard_card(context, card):
    """Render one dashboard card's template inside the page's context, with the card's own values on top."""
    card_template = context.template.engine.get_template(card.template)
    with context.push(card.context):
        return card_template.render(context)
