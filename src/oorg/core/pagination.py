"""Pages of a list, for the API and the pages alike.

A list is read a page at a time: `limit` (at most MAX_LIMIT) rows after a cursor. The cursor carries the
ordering values of the last row shown, so the next page is an indexed range read whatever its depth
("keyset" pagination; an OFFSET near the end of 100,000 rows walks them all). The total is counted once,
on the first page, and travels in the cursor, so paging on never counts the workspace again.

A cursor is not a secret: it holds values the reader has just been shown and is only ever used inside the
reader's own scoped query. A tampered one gives a different page of what they may see, or a 422.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

from .errors import ValidationFailed

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
PAGE_SIZE = 25  # rows per HTML page
MAX_CURSOR_LENGTH = 1000


@dataclass
class PageOf:
    items: list
    count: int | None
    next_cursor: str | None
    prev_cursor: str | None = None
    start: int = 0  # how many rows come before this page (carried by the cursor, for "26-50 of 1,234")

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def first_number(self) -> int:
        return self.start + 1

    @property
    def last_number(self) -> int:
        return self.start + len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)

    def as_dict(self) -> dict:
        return {"items": self.items, "count": self.count, "next_cursor": self.next_cursor}


def _order_of(queryset: QuerySet) -> list[tuple[str, bool]]:
    """(field path, descending) for each ordering term; the last must be the primary key."""
    terms = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    order = []
    for term in terms:
        if not isinstance(term, str):
            raise TypeError(f"keyset pages need plain field orderings, not {term!r}")
        desc = term.startswith("-")
        name = term.lstrip("-")
        order.append(("pk" if name in ("pk", "id") else name, desc))
    if not order or order[-1][0] != "pk":
        raise TypeError(f"keyset pages need an ordering that ends with the primary key: {terms}")
    return order


def _value_of(obj, path: str):
    for part in path.split("__"):
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part)
    if isinstance(obj, dt.datetime | dt.date):
        return {"t": obj.isoformat()}
    if isinstance(obj, Decimal):  # an amount: its exact text, which the column's lookup reads back
        return str(obj)
    return obj


def _field_value(value):
    if isinstance(value, dict) and set(value) == {"t"} and isinstance(value["t"], str):
        text = value["t"]
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    return value


def encode(values: list, count: int | None, backwards: bool = False, position: int = 0) -> str:
    raw = json.dumps({"v": values, "n": count, "b": backwards, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[list, int | None, bool, int]:
    bad = ValidationFailed("This cursor is not one a list gave out; start from the first page.", field="cursor")
    if len(token) > MAX_CURSOR_LENGTH:
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        values, count, backwards, position = data["v"], data["n"], data["b"], data.get("p", 0)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad from None
    scalar = (str, int, float, bool, type(None))
    if (not isinstance(values, list) or not isinstance(backwards, bool)
            or not (isinstance(position, int) and 0 <= position < 2**53)
            or not (count is None or (isinstance(count, int) and count >= 0))
            or not all(isinstance(v, scalar) or (isinstance(v, dict) and set(v) == {"t"}) for v in values)):
        raise bad
    try:
        values = [_field_value(v) for v in values]
    except (TypeError, ValueError):
        raise bad from None
    return values, count, backwards, position


def _after(order: list[tuple[str, bool]], values: list, *, backwards: bool) -> Q:
    """Rows strictly after `values` in this order (before them when walking backwards)."""
    if len(values) != len(order):
        raise ValidationFailed("This cursor belongs to another list; start from the first page.", field="cursor")
    alternatives = []
    for i, (name, desc) in enumerate(order):
        if values[i] is None:  # ordering columns are NOT NULL; a null here is a forged cursor
            raise ValidationFailed("This cursor is not one a list gave out; start from the first page.",
                                   field="cursor")
        greater = desc == backwards  # ascending forwards, or descending backwards: look for bigger values
        same = {order[j][0]: values[j] for j in range(i)}
        alternatives.append(Q(**same, **{f"{name}__{'gt' if greater else 'lt'}": values[i]}))
    # (a > x) OR (a = x AND b > y) is the same rows as the row comparison (a, b) > (x, y), but neither
    # database starts an index range from an OR: the leading "a >= x" gives them where to start.
    name, desc = order[0]
    start = Q(**{f"{name}__{'gte' if desc == backwards else 'lte'}": values[0]})
    return start & reduce(lambda a, b: a | b, alternatives)


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}.", field="limit")
    return limit


def keyset_page(queryset: QuerySet, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None,
                count: bool = True) -> PageOf:
    """One page of `queryset` (ordered, ending with the primary key) after `cursor`."""
    check_limit(limit)
    order = _order_of(queryset)
    total, backwards, position = None, False, 0
    if cursor:
        values, total, backwards, position = decode(cursor)
        try:  # a value of the wrong type for its column (a forged cursor) fails here, as the filter is built
            queryset = queryset.filter(_after(order, values, backwards=backwards))
        except (TypeError, ValueError, DjangoValidationError):
            raise ValidationFailed("This cursor is not one a list gave out; start from the first page.",
                                   field="cursor") from None
    elif count:
        total = queryset.count()
    if backwards:
        queryset = queryset.reverse()
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
        position = max(position - len(rows), 0)
    keys = [[_value_of(row, name) for name, _desc in order] for row in (rows[0], rows[-1])] if rows else None
    next_cursor = prev_cursor = None
    if keys:
        if more or backwards:
            next_cursor = encode(keys[1], total, position=position + len(rows))
        if cursor and (more or not backwards) and position > 0:
            prev_cursor = encode(keys[0], total, backwards=True, position=position)
    return PageOf(rows, total, next_cursor, prev_cursor, start=position)


def offset_page(queryset: QuerySet, *, limit: int, offset: int) -> PageOf:
    """The old way, kept for API callers that send `offset`: fine near the start, slow deep down."""
    check_limit(limit)
    if offset < 0:
        raise ValidationFailed("offset must be 0 or more.", field="offset")
    rows = list(queryset[offset: offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    total = queryset.count()
    order = _order_of(queryset)
    next_cursor = None
    if rows and more:
        next_cursor = encode([_value_of(rows[-1], name) for name, _d in order], total, position=offset + len(rows))
    return PageOf(rows, total, next_cursor, start=offset)


def page_for(request, queryset: QuerySet, *, param: str = "cursor", per_page: int = PAGE_SIZE) -> PageOf:
    """A page of a list for an HTML page: the cursor comes in the query string under `param`; one that is
    not ours shows the first page rather than an error."""
    try:
        return keyset_page(queryset, limit=per_page, cursor=request.GET.get(param) or None)
    except ValidationFailed:
        return keyset_page(queryset, limit=per_page)


# --- lists one index range cannot order alone ---------------------------------------------------------------
#
# Some orders have no single index: people grouped by department in tree order, or by start date with the
# undated last in both directions (NULLs sort first on SQLite and last on PostgreSQL, and a cursor cannot
# hold a NULL). Such a list is a sequence of segments, each an ordered queryset a keyset page can read (an
# index range of one department, say), walked in order until the page is full. The cursor names the
# segment and the row values inside it, so a deep page starts where the last one ended, as above.


@dataclass
class Segment:
    key: str  # names this segment in cursors: stable for the same list
    queryset: QuerySet  # ordered, ending with the primary key; no ordering column NULL inside the segment
    label: object = None  # what the rows of this segment have in common (a group header), if anything


@dataclass
class SegmentedPage(PageOf):
    labels: list = None  # the label of each row's segment, in row order
    continues: bool = False  # the first row's segment began on an earlier page

    def rows_with_labels(self):
        return zip(self.items, self.labels or [None] * len(self.items), strict=True)


def _rows_of(segment: Segment, need: int, values: list | None, *, backwards: bool) -> list:
    """Up to `need` rows of a segment in list order: its first ones (after `values`, when given), or, walking
    backwards, its last ones (before `values`)."""
    queryset = segment.queryset
    if values is not None:
        try:  # a value of the wrong type for its column (a forged cursor) fails here, as the filter is built
            queryset = queryset.filter(_after(_order_of(queryset), values, backwards=backwards))
        except (TypeError, ValueError, DjangoValidationError):
            raise ValidationFailed("This cursor is not one a list gave out; start from the first page.",
                                   field="cursor") from None
    if backwards:
        return list(reversed(queryset.reverse()[:need]))
    return list(queryset[:need])


def segmented_page(walk, *, limit: int = PAGE_SIZE, cursor: str | None = None, count=None) -> SegmentedPage:
    """A page of a list made of segments. `walk(key, backwards)` yields the segments in list order starting
    with the one keyed `key` (None: the first, or the last when backwards), lazily, so a list of many
    groups builds only those a page reaches. `count()` gives the total, called on the first page only."""
    check_limit(limit)
    start_key, values, total, backwards, position = None, None, None, False, 0
    if cursor:
        raw, total, backwards, position = decode(cursor)
        if not raw or not isinstance(raw[0], str):
            raise ValidationFailed("This cursor is not one a list gave out; start from the first page.",
                                   field="cursor")
        start_key, values = raw[0], raw[1:]
    elif count is not None:
        total = count()
    found: list[tuple[Segment, object]] = []
    first = True
    for segment in walk(start_key, backwards):
        if first and start_key is not None and segment.key != start_key:
            raise ValidationFailed("This cursor belongs to another list; start from the first page.", field="cursor")
        rows = _rows_of(segment, limit + 1 - len(found), values if first else None, backwards=backwards)
        pairs = [(segment, row) for row in rows]
        found = pairs + found if backwards else found + pairs
        first = False
        if len(found) > limit:
            break
    more = len(found) > limit
    if backwards:  # the row before this page, if any, tells whether its first group began earlier
        continues = more and found[0][0].key == found[1][0].key
    else:
        continues = bool(found) and start_key is not None and found[0][0].key == start_key
    found = found[-limit:] if backwards else found[:limit]
    if backwards:
        position = max(position - len(found), 0)
    next_cursor = prev_cursor = None
    if found:
        def key_of(segment: Segment, row) -> list:
            return [segment.key] + [_value_of(row, name) for name, _desc in _order_of(segment.queryset)]

        if more or backwards:
            next_cursor = encode(key_of(*found[-1]), total, position=position + len(found))
        if cursor and (more or not backwards) and position > 0:
            prev_cursor = encode(key_of(*found[0]), total, backwards=True, position=position)
    return SegmentedPage([row for _s, row in found], total, next_cursor, prev_cursor, start=position,
                         labels=[segment.label for segment, _row in found], continues=continues)


def segmented_page_for(request, walk, *, count=None, param: str = "cursor", per_page: int = PAGE_SIZE):
    """`segmented_page` for an HTML page; a cursor that is not ours shows the first page (as `page_for`)."""
    try:
        return segmented_page(walk, limit=per_page, cursor=request.GET.get(param) or None, count=count)
    except ValidationFailed:
        return segmented_page(walk, limit=per_page, count=count)
