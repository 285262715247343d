"""The Hostway-style account API: an account's invoices whole or by page with their links, a 303 when too many.

The caller passes the API root as the client addressed it; every URL here is built on it. A foreign
account answers 404 like an unknown one (`read.account_organizer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from invoicing.access import Principal
from invoicing.billing import read
from invoicing.billing.models import Shapes
from invoicing.errors import ValidationFailed
from invoicing.pagination import PageRequest

FULL_LIST = 100  # a list asked for without page/pageSize is returned whole up to this size, else 303
MAX_PAGE_SIZE = 400
BAD_PAGING = {"page": ["page and pageSize must be positive integers."]}


@dataclass(frozen=True)
class SeeOther:
    """303: the list is too long for one answer (or the page too large); ask for `location` instead."""

    location: str


def invoices_url(api_root: str, account: str) -> str:
    return f"{api_root}/accounts/{quote(account, safe='')}/invoices"


def account_organizer(principal: Principal, account: str) -> str:
    """The organizer an account id names, if the token may see its invoices (404 for any other account)."""
    return read.account_organizer(principal, account)


def invoice(organizer: str, number: str, api_root: str) -> dict[str, Any]:
    """One invoice as JSON, its `self` link included (the PDF is `read.download`)."""
    found = read.get(organizer, number)
    return Shapes.hostway(found, f"{invoices_url(api_root, organizer)}/{quote(found.number, safe='')}/")


def page_parameters(page: str | None, page_size: str | None) -> tuple[int, int] | None:
    """(page, pageSize), or None for the whole list; ValidationFailed for values that are not positive integers."""
    if page is None and page_size is None:
        return None
    try:
        number, size = int(page or 1), int(page_size or FULL_LIST)
    except ValueError as exc:
        raise ValidationFailed(BAD_PAGING) from exc
    if number < 1 or size < 1:
        raise ValidationFailed(BAD_PAGING)
    return number, size


def list_invoices(organizer: str, api_root: str, page: str | None, page_size: str | None) -> dict[str, Any] | SeeOther:
    """`{"list": [...], "links": [...]}`: the whole list with a `self` link, or one page with self, previous,
    first, next and last as they apply; SeeOther when the whole list or the page size is too large."""
    base = invoices_url(api_root, organizer)

    def url(number: int, size: int) -> str:
        return f"{base}?{urlencode({'page': number, 'pageSize': size})}"

    paging = page_parameters(page, page_size)
    if paging is None:
        whole = read.list_page(organizer, PageRequest(page=1, page_size=FULL_LIST))
        if whole.has_next:
            return SeeOther(url(1, FULL_LIST))
        return {"list": [_item(entry) for entry in whole.results], "links": [{"href": base, "rel": "self"}]}
    number, size = paging
    if size > MAX_PAGE_SIZE:
        return SeeOther(url(number, MAX_PAGE_SIZE))
    found = read.list_page(organizer, PageRequest(page=number, page_size=size))
    last = max(1, -(-found.count // size))
    links = [{"href": url(number, size), "rel": "self"}]
    if number > 1:
        links += [{"href": url(number - 1, size), "rel": "previous"}, {"href": url(1, size), "rel": "first"}]
    if number < last:
        links += [{"href": url(number + 1, size), "rel": "next"}, {"href": url(last, size), "rel": "last"}]
    return {"list": [_item(entry) for entry in found.results], "links": links}


def _item(invoice: Any) -> dict[str, Any]:
    """A list entry: the invoice without its links, as documented."""
    shape = Shapes.hostway(invoice, "")
    shape.pop("links")
    return shape
