"""What every area's API shares: pagination parameters and list answers."""
from django.db.models import QuerySet
from ninja import Field, Schema

from . import pagination
from .errors import ValidationFailed
from .schemas import Limit, Offset


class Page(Schema):
    limit: Limit = pagination.DEFAULT_LIMIT
    offset: Offset = 0
    cursor: str | None = Field(None, max_length=pagination.MAX_CURSOR_LENGTH,
                               description="next_cursor of the previous page")


def check_page(page: Page) -> None:
    pagination.check_limit(page.limit)
    if page.offset and page.cursor:
        raise ValidationFailed("Send a cursor or an offset, not both.", field="offset")


def paginate(queryset: QuerySet, page: Page) -> dict:
    """A page of an ordered queryset: after `cursor` (cheap at any depth), or at `offset` (slow deep down)."""
    check_page(page)
    if page.offset:
        return pagination.offset_page(queryset, limit=page.limit, offset=page.offset).as_dict()
    return pagination.keyset_page(queryset, limit=page.limit, cursor=page.cursor).as_dict()


def list_of(schema):
    # count: the total, counted on the first page and carried by the cursor; next_cursor: null on the last page.
    annotations = {"items": list[schema], "count": int | None, "next_cursor": str | None}
    return type(f"{schema.__name__}List", (Schema,), {"__annotations__": annotations, "next_cursor": None})
