"""One page of a DynamoDB query, addressed by page number or by an opaque cursor.

DynamoDB has no OFFSET. A `next` link carries a cursor (the key the page ended on), so walking a list
costs one page of reads per page however deep it goes. A bare `?page=N` is served by skipping from the
nearer end of the list (the total is known from counters, never from reading the items), reading only
the key attributes while skipping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from invoicing import pagination
from invoicing.pagination import Page, PageRequest, resolve_number
from invoicing.storage import dynamo


@dataclass(frozen=True)
class ListQuery:
    """A Query over one partition: `partition` is (attribute, value); `sort` the range attribute."""

    partition: tuple[str, str]
    sort: str
    index: str | None = None
    forward: bool = True
    filter: str | None = None
    filter_names: dict[str, str] = field(default_factory=dict)
    filter_values: dict[str, Any] = field(default_factory=dict)
    scope: str = ""  # what a cursor is bound to: the partition plus filters and ordering
    # The attributes a page needs besides the keys (empty: all): fewer attributes, less to read and parse.
    projection: tuple[str, ...] = ()

    def key_attributes(self) -> list[str]:
        return list(dict.fromkeys(["PK", "SK", self.partition[0], self.sort]))

    def kwargs(self, forward: bool) -> dict[str, Any]:
        names = {"#pk": self.partition[0], **self.filter_names}
        values = {":pk": self.partition[1], **self.filter_values}
        kwargs: dict[str, Any] = {"KeyConditionExpression": "#pk = :pk", "ScanIndexForward": forward,
                                  "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
        if self.index:
            kwargs["IndexName"] = self.index
        if self.filter:
            kwargs["FilterExpression"] = self.filter
        return kwargs


@dataclass
class ReadStats:
    """How many items a page cost (bench/ prints it)."""

    queries: int = 0
    scanned: int = 0


def _key_of(item: dict[str, Any], query: ListQuery) -> dict[str, Any]:
    return {name: item[name] for name in query.key_attributes()}


def _skip(query: ListQuery, forward: bool, count: int, stats: ReadStats) -> tuple[dict[str, Any] | None, bool]:
    """Walk past `count` matching items; returns the key to start after (None: from the start) and
    whether the walk ran off the end."""
    start: dict[str, Any] | None = None
    remaining = count
    names = {f"#k{i}": name for i, name in enumerate(query.key_attributes())}
    while remaining > 0:
        kwargs = query.kwargs(forward)
        kwargs["ExpressionAttributeNames"] = {**kwargs["ExpressionAttributeNames"], **names}
        kwargs["ProjectionExpression"] = ", ".join(names)
        kwargs["Limit"] = remaining
        if start:
            kwargs["ExclusiveStartKey"] = start
        response = dynamo.query_page(**kwargs)
        stats.queries += 1
        stats.scanned += response.get("ScannedCount", 0)
        items = response["Items"]
        remaining -= len(items)
        if "LastEvaluatedKey" not in response:
            return (_key_of(items[-1], query) if items else start), remaining > 0
        start = response["LastEvaluatedKey"]
    return start, False


def _read(query: ListQuery, forward: bool, start: dict[str, Any] | None, size: int,
          stats: ReadStats) -> tuple[list[dict[str, Any]], bool]:
    """Up to `size` matching items after `start`; and whether more may follow."""
    items: list[dict[str, Any]] = []
    while len(items) < size:
        kwargs = query.kwargs(forward)
        if query.projection:
            wanted = {f"#p{i}": name for i, name in enumerate([*query.key_attributes(), *query.projection])}
            kwargs["ExpressionAttributeNames"] = {**kwargs["ExpressionAttributeNames"], **wanted}
            kwargs["ProjectionExpression"] = ", ".join(wanted)
        kwargs["Limit"] = size - len(items) if not query.filter else max(size - len(items), 25)
        if start:
            kwargs["ExclusiveStartKey"] = start
        response = dynamo.query_page(**kwargs)
        stats.queries += 1
        stats.scanned += response.get("ScannedCount", 0)
        for item in response["Items"]:
            if len(items) < size:
                items.append(item)
        if len(items) >= size:
            return items, True
        if "LastEvaluatedKey" not in response:
            return items, False
        start = response["LastEvaluatedKey"]
    return items, True


def fetch_page(query: ListQuery, request: PageRequest, count: int, stats: ReadStats | None = None,
               size_of: Callable[[dict[str, Any]], int] | None = None) -> Page:
    """The requested page of `query`, whose total number of matching items is `count`.

    With `size_of` (an item's bytes in the response), the page ends before the item that would take it over
    `MAX_PAGE_BYTES` (one item at least); its `next` cursor then carries the exact offset and continues
    right after the last item shown.
    """
    stats = stats or ReadStats()
    size = request.page_size
    offset: int | None = None
    if request.cursor:
        start, number, offset = dynamo.decode_cursor_offset(request.cursor, query.scope)
        if start.get(query.partition[0]) != query.partition[1]:
            start, number, offset = {}, 1, None
        items, _ = _read(query, query.forward, start or None, size, stats)
    else:
        number = resolve_number(request, count)
        offset = (number - 1) * size
        page_len = max(0, min(size, count - offset))
        after = count - offset - page_len
        if after < offset:
            start, _ = _skip(query, not query.forward, after, stats)
            items, _ = _read(query, not query.forward, start, page_len, stats)
            items.reverse()
        else:
            start, _ = _skip(query, query.forward, offset, stats)
            items, _ = _read(query, query.forward, start, size, stats)
    cut = _within(items, size_of) if size_of else len(items)
    if cut < len(items) and offset is None:
        offset = (number - 1) * size
    page = Page(count=count, results=items[:cut], number=number, page_size=size, meta={"reads": stats}, offset=offset)
    if page.has_next and page.results:
        following = None if offset is None else offset + cut
        page.next_cursor = dynamo.encode_cursor(_key_of(items[cut - 1], query), query.scope, number + 1, following)
    return page


def _within(items: list[dict[str, Any]], size_of: Callable[[dict[str, Any]], int]) -> int:
    """How many of `items` fit in MAX_PAGE_BYTES (at least one)."""
    total = 0
    for index, item in enumerate(items):
        total += size_of(item)
        if total > pagination.MAX_PAGE_BYTES and index > 0:
            return index
    return len(items)
