"""The attendance API: one router per kind of object, mounted together at /api/v1/ (oorg/api.py)."""
from ninja import Router

from . import clocking, corrections, holidays, kiosks, policy, records, reports, shifts, sites

router = Router()
for module in (clocking, records, corrections, shifts, holidays, sites, policy, kiosks, reports):
    router.add_router("", module.router)
