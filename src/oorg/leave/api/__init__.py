"""The leave API: one router per kind of object, mounted together at /api/v1/ (oorg/api.py)."""
from ninja import Router

from . import balances, calendar, delegations, requests, types

router = Router()
# Fixed paths before {id} paths: /leave/requests/count and /leave/calendar/feeds come first in their modules.
for module in (types, balances, calendar, delegations, requests):
    router.add_router("", module.router)
