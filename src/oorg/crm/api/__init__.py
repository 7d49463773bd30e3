"""The CRM API: one router per kind of object, mounted together at /api/v1/ (oorg/api.py)."""
from ninja import Router

from . import (
    activities,
    bulk,
    companies,
    contacts,
    custom_fields,
    deals,
    duplicates,
    imports,
    leads,
    notes,
    pipelines,
    timeline,
    web_forms,
)

router = Router()
# Fixed paths before {id} paths: /leads/duplicates, /leads/merge, /leads/bulk, /leads/import come first.
for module in (duplicates, bulk, imports, custom_fields, pipelines, web_forms, timeline, leads, contacts, companies,
               deals, activities, notes):
    router.add_router("", module.router)
