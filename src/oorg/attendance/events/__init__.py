"""This area's event types and notification kinds, one module per kind of object, all registered when the app is
ready (each module registers at import)."""
from __future__ import annotations


def register_all() -> None:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
