"""pretix's page-number pagination (`page`, `page_size`, `page=last`), plus opaque cursors for `next` links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from invoicing.errors import NotFound

MAX_PAGE_SIZE = 50
_MAX_PAGE = 10**9


@dataclass(frozen=True)
class PageRequest:
    page: int | None  # None means "last"
    page_size: int = MAX_PAGE_SIZE
    cursor: str | None = None


@dataclass
class Page:
    count: int
    results: list[Any]
    number: int
    page_size: int
    next_cursor: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    offset: int | None = None  # items before this page, when known exactly (pages cut short by size)

    @property
    def has_next(self) -> bool:
        if self.offset is None:
            return self.number * self.page_size < self.count
        return self.offset + len(self.results) < self.count

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_request(page: str | None, page_size: str | None, cursor: str | None = None) -> PageRequest:
    """Parse the query parameters as pretix does: a bad page is 404 `Invalid page.`, a bad size means 50."""
    size = MAX_PAGE_SIZE
    if page_size is not None:
        try:
            size = int(page_size)
        except ValueError:
            size = MAX_PAGE_SIZE
        if size <= 0:
            size = MAX_PAGE_SIZE
        size = min(size, MAX_PAGE_SIZE)
    if page is None or page == "":
        number: int | None = 1
    elif page == "last":
        number = None
    else:
        try:
            number = int(page)
        except ValueError as exc:
            raise NotFound("Invalid page.") from exc
        if number < 1 or number > _MAX_PAGE:
            raise NotFound("Invalid page.")
    return PageRequest(page=number, page_size=size, cursor=cursor or None)


def resolve_number(request: PageRequest, count: int) -> int:
    """The page number to serve; 404 past the end (page 1 of an empty list is fine)."""
    last = max(1, -(-count // request.page_size))
    number = last if request.page is None else request.page
    if number > last:
        raise NotFound("Invalid page.")
    return number


# A Lambda response holds at most 6 MB: a page of large documents ends before this many bytes.
MAX_PAGE_BYTES = 5 * 1024 * 1024


def paginate_list(items: list[Any], request: PageRequest, size_of: Callable[[Any], int] | None = None) -> Page:
    """Paginate a list already in memory (small collections such as events or a filtered invoice set).

    With `size_of` (an item's bytes in the response) a page also ends before it would pass MAX_PAGE_BYTES; the
    pages are then cut from the whole list, so every page number still names the same items.
    """
    if size_of is None:
        number = resolve_number(request, len(items))
        start = (number - 1) * request.page_size
        return Page(count=len(items), results=items[start:start + request.page_size], number=number,
                    page_size=request.page_size)
    pages: list[list[Any]] = [[]]
    total = 0
    for item in items:
        size = size_of(item)
        if pages[-1] and (len(pages[-1]) == request.page_size or total + size > MAX_PAGE_BYTES):
            pages.append([])
            total = 0
        pages[-1].append(item)
        total += size
    number = len(pages) if request.page is None else request.page
    if number > len(pages):
        raise NotFound("Invalid page.")
    return Page(count=len(items), results=pages[number - 1], number=number, page_size=request.page_size,
                offset=sum(len(page) for page in pages[:number - 1]))
