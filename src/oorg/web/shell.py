"""The app shell's registry: areas with their sidebar items, dashboard cards and search.

The shell knows no area. Each area registers what it contributes from its AppConfig.ready(), so a new
area appears in the sidebar and on the dashboard without a line changed here or in web's templates:

    # crm/apps.py
    def ready(self):
        from oorg.web import shell

        from . import dashboard
        from .permissions import LEAD_VIEW, PIPELINE_VIEW

        crm = shell.register_area("crm", label="Customers", icon="briefcase", order=30)
        crm.item("Leads", "crm:leads", icon="inbox", visible=shell.can(LEAD_VIEW), paths=("leads/",))
        crm.item("Pipeline", "crm:pipeline", icon="kanban", visible=shell.can(PIPELINE_VIEW))
        crm.card("crm.open-leads", title="Open leads", icon="inbox", template="crm/cards/open_leads.html",
                 context=dashboard.open_leads, visible=shell.can(LEAD_VIEW))

Every item is a page of the workspace (its URL takes `workspace_slug`). An item shows only when its
`visible(actor)` says so; which item is current is decided once for the whole sidebar (see `sidebar_for`).
A card's `context(actor)` computes what it shows, one bounded query per figure; returning None hides it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from oorg.core.permissions import Actor

Check = Callable[[Actor], bool]


def always(actor: Actor) -> bool:
    return True


def can(*perms: str) -> Check:
    """Visible to an actor holding any of `perms`."""
    def check(actor: Actor) -> bool:
        return any(actor.can(perm) for perm in perms)

    check.perms = perms  # for a reader (and a test) to see what it asks
    return check


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # a workspace page: reversed with workspace_slug
    icon: str  # a lucide icon name
    visible: Check = always
    # What makes this item the current one: its own view, these other view names (exact), or a path under
    # /w/<slug>/ starting with one of `paths`. The most specific match in the sidebar wins (see sidebar_for).
    views: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Card:
    key: str  # unique across areas, "<area>.<name>"
    title: str
    template: str  # rendered with the dict `context(actor)` returns (plus request, actor, current_workspace)
    context: Callable[[Actor], dict | None]
    icon: str = "layout-grid"
    visible: Check = always
    order: int = 100  # place among all areas' cards, lower first: an onboarding card can lead the dashboard
    wide: bool = False  # spans two columns on wide screens


@dataclass
class Area:
    key: str
    label: str
    icon: str
    order: int
    items: list[NavItem] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)

    def item(self, label: str, url_name: str, *, icon: str, visible: Check = always, views: tuple[str, ...] = (),
             paths: tuple[str, ...] = ()) -> NavItem:
        """Add a sidebar item, after the area's earlier ones. The same URL name again replaces it (ready() may
        run twice in tests)."""
        nav = NavItem(label, url_name, icon, visible, tuple(views), tuple(paths))
        self.items[:] = [i for i in self.items if i.url_name != url_name] + [nav]
        return nav

    def card(self, key: str, *, title: str, template: str, context: Callable[[Actor], dict | None],
             icon: str = "layout-grid", visible: Check = always, order: int = 100, wide: bool = False) -> Card:
        card = Card(key, title, template, context, icon, visible, order, wide)
        self.cards[:] = [c for c in self.cards if c.key != key] + [card]
        return card


@dataclass(frozen=True)
class SearchProvider:
    """What the top bar's search field searches: a GET form to a workspace page with `param` as the query."""

    url_name: str
    label: str  # "Search people": the field's label and placeholder
    param: str = "q"
    visible: Check = always
    order: int = 100


_areas: dict[str, Area] = {}
_search: dict[str, SearchProvider] = {}


def register_area(key: str, *, label: str, icon: str, order: int) -> Area:
    """The area `key`, created on first use; areas are listed by `order` (Home always comes first).
    Leave gaps between orders (10, 20, ...) so later areas can sit between."""
    area = _areas.get(key)
    if area is None:
        area = _areas[key] = Area(key, label, icon, order)
    else:
        area.label, area.icon, area.order = label, icon, order
    return area


def register_search(url_name: str, *, label: str, param: str = "q", visible: Check = always,
                    order: int = 100) -> SearchProvider:
    """Offer a page as the top bar's search; the first one (by order) the actor may use is shown. A global
    search area will register itself with a lower order and take over."""
    provider = SearchProvider(url_name, label, param, visible, order)
    _search[url_name] = provider
    return provider


def areas() -> list[Area]:
    return sorted(_areas.values(), key=lambda a: (a.order, a.key))


# --- what one request sees ------------------------------------------------------------------------------


@dataclass
class Link:
    label: str
    url: str
    icon: str
    current: bool = False


@dataclass
class Group:
    key: str
    label: str
    icon: str
    links: list[Link]

    @property
    def has_current(self) -> bool:
        return any(link.current for link in self.links)


def _match(item: NavItem, view_name: str, rest: str) -> tuple[int, int]:
    """How well `item` matches the page: (2, 0) by view name, (1, length) by path prefix, (0, 0) not at all."""
    if view_name and (view_name == item.url_name or view_name in item.views):
        return 2, 0
    best = max((len(p) for p in item.paths if rest.startswith(p)), default=-1)
    return (1, best) if best >= 0 else (0, 0)


def sidebar_for(request, *, home_url_name: str = "web:workspace-home") -> tuple[Link, list[Group]]:
    """Home, then each area's items the actor may use (areas with none are left out), with the one current
    item marked: an exact view name beats a path prefix, a longer prefix beats a shorter one."""
    actor = request.actor
    slug = actor.workspace.slug
    kwargs = {"workspace_slug": slug}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    root = f"/w/{slug}/"
    rest = request.path_info[len(root):] if request.path_info.startswith(root) else ""

    home = Link("Home", reverse(home_url_name, kwargs=kwargs), "house", current=view_name == home_url_name)
    groups, best, current = [], (0, 0), None
    for area in areas():
        links = []
        for item in area.items:
            if not item.visible(actor):
                continue
            link = Link(item.label, reverse(item.url_name, kwargs=kwargs), item.icon)
            score = _match(item, view_name, rest)
            if score > best:
                best, current = score, link
            links.append(link)
        if links:
            groups.append(Group(area.key, area.label, area.icon, links))
    if current is not None and not home.current:
        current.current = True
    return home, groups


def search_for(request) -> dict | None:
    """The top bar's search: {"url", "label", "param"} of the first provider the actor may use, or None."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return None
    for provider in sorted(_search.values(), key=lambda p: (p.order, p.url_name)):
        if provider.visible(actor):
            url = reverse(provider.url_name, kwargs={"workspace_slug": actor.workspace.slug})
            return {"url": url, "label": provider.label, "param": provider.param}
    return None


@dataclass
class DashboardCard:
    key: str
    title: str
    icon: str
    wide: bool
    template: str
    context: dict  # rendered by {% dashboard_card %} inside the page's own context (no second context run)

    @property
    def dom_id(self) -> str:
        return "card-" + self.key.replace(".", "-")


def dashboard_for(actor: Actor) -> list[DashboardCard]:
    """The cards the actor may see, by card order across all areas (ties: by area order), each with its own
    context. A card whose context is None has nothing to say to this actor and is left out."""
    every = sorted(((card.order, area.order, card.key, card) for area in areas() for card in area.cards),
                   key=lambda entry: entry[:3])
    cards = []
    for *_, card in every:
        if not card.visible(actor):
            continue
        context = card.context(actor)
        if context is not None:
            cards.append(DashboardCard(card.key, card.title, card.icon, card.wide, card.template, context))
    return cards


def url_or_none(name: str, **kwargs) -> str | None:
    """A URL by name, or None when no page has that name (yet): for links to pages another area may add."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
