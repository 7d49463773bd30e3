"""Bulk change and bulk delete of a filtered set: POST /<things>/bulk-update and /<things>/bulk-delete."""
from __future__ import annotations

from ninja import Router, Status

from ..schemas.bulk import BulkDeleted, BulkDeleteIn, BulkUpdated, BulkUpdateIn
from ..services import bulk as services

router = Router(tags=["crm"])
PLURALS = {"lead": "leads", "contact": "contacts", "company": "companies", "deal": "deals"}


def _routes(entity: str, plural: str) -> None:
    def bulk_update(request, payload: BulkUpdateIn):
        data = payload.model_dump(exclude_unset=True)
        return services.bulk_update(request.actor, entity, filter=data.get("filter"), ids=data.get("ids"),
                                    changes=data.get("set"))

    def bulk_delete(request, payload: BulkDeleteIn):
        data = payload.model_dump(exclude_unset=True)
        result = services.bulk_delete(request.actor, entity, filter=data.get("filter"), ids=data.get("ids"),
                                      confirm_count=payload.confirm_count)
        return Status(200, result)

    bulk_update.__name__ = f"{entity}_bulk_update"
    bulk_delete.__name__ = f"{entity}_bulk_delete"
    router.post(f"/{plural}/bulk-update", response=BulkUpdated, operation_id=f"crm_{entity}_bulk_update",
                summary=f"Change every {entity} a filter (or a list of ids) matches, at most 10,000")(bulk_update)
    router.post(f"/{plural}/bulk-delete", response=BulkDeleted, operation_id=f"crm_{entity}_bulk_delete",
                summary=f"Delete every {entity} a filter matches; confirm_count must equal the number matched "
                        "(409 otherwise, nothing deleted)")(bulk_delete)


for _entity, _plural in PLURALS.items():
    _routes(_entity, _plural)
