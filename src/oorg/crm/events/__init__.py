"""The CRM's event types, one module per kind of object, all registered when the app is ready.

Who may receive a CRM event follows the record scopes: each type's `visible_to(actor, data)` answers whether
the actor (a webhook's creator) sees the record the payload is about, from the payload's owner id, so a
webhook made by someone who sees only their own records never carries a colleague's deal.
"""
from __future__ import annotations


def by_owner(key: str = "owner_id"):
    """`visible_to` for a payload that carries the deciding record's owner under `key`."""
    def visible_to(actor, data: dict) -> bool:
        from ..scopes import sees_owner

        return sees_owner(actor, data.get(key))
    return visible_to


def register_all() -> None:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
