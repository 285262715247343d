"""Reading invoices: one by number, and pretix's list with its filters, ordering and pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from invoicing.access import Principal
from invoicing.errors import NotFound
from invoicing.pagination import Page, PageRequest, paginate_list
from invoicing.storage import events as event_store
from invoicing.storage import invoices as store
from invoicing.storage import orders as order_store
from invoicing.storage.listing import ListQuery, ReadStats, fetch_page

NOT_FOUND = "No Invoice matches the given query."
_ORDERINGS = {"nr": "nr", "-nr": "-nr", "number": "nr", "-number": "-nr", "date": "date", "-date": "-date"}


@dataclass(frozen=True)
class InvoiceFilters:
    """pretix's list filters. `orders`/`numbers` are unions (None: not filtered; empty: matches nothing)."""

    orders: tuple[str, ...] | None = None
    numbers: tuple[str, ...] | None = None
    is_cancellation: bool | None = None
    refers: str | None = None
    locale: str | None = None

    @classmethod
    def from_query(cls, params: dict[str, list[str]]) -> InvoiceFilters:
        """Read multi-value query parameters the way django-filter does for pretix's invoice filter set."""

        def last(name: str) -> str | None:
            values = params.get(name) or []
            return values[-1] if values and values[-1] != "" else None

        def many(name: str) -> tuple[str, ...] | None:
            if name not in params:
                return None
            return tuple(value for value in params[name] if value != "")

        flag = (last("is_cancellation") or "").lower()
        return cls(orders=many("order"), numbers=many("number"),
                   is_cancellation={"true": True, "1": True, "false": False, "0": False}.get(flag),
                   refers=last("refers"), locale=last("locale"))


def parse_ordering(value: str | None) -> str:
    """The first valid field of a comma-separated `ordering`; `nr` when none is valid."""
    for part in (value or "").split(","):
        if part.strip() in _ORDERINGS:
            return _ORDERINGS[part.strip()]
    return "nr"


@dataclass
class Visibility:
    """Which events' invoices the caller may see: all (None) or a set."""

    events: frozenset[str] | None = None
    fixed_event: str | None = None

    @classmethod
    def for_principal(cls, principal: Principal, permission: str, event: str | None = None) -> Visibility:
        if event is not None:
            return cls(events=frozenset({event}), fixed_event=event)
        if permission not in principal.permissions:
            return cls(events=frozenset())
        return cls(events=None if principal.all_events else principal.limit_events)

    def allows(self, event: str) -> bool:
        return self.events is None or event in self.events


def get_invoice(organizer: str, number: str, visibility: Visibility) -> store.StoredInvoice:
    invoice = store.get(organizer, number)
    if invoice is None or not visibility.allows(invoice.event):
        raise NotFound(NOT_FOUND)
    return invoice


def get_document(organizer: str, number: str, visibility: Visibility) -> dict[str, Any]:
    """What `get_invoice(...).doc` is, reading only the public document (the detail route)."""
    found = store.get_document(organizer, number)
    if found is None or not visibility.allows(found[0]):
        raise NotFound(NOT_FOUND)
    return found[1]


def _in_memory(organizer: str, filters: InvoiceFilters, visibility: Visibility) -> list[store.StoredInvoice]:
    """Candidates when a filter names the invoices: by order, number or referenced invoice (a few items)."""
    candidates: set[str] | None = None
    if filters.orders is not None:
        orders = [item for item in (order_store.get_order(organizer, code.upper()) for code in set(filters.orders))
                  if item]
        candidates = {number for order in orders for number in order.get("invoice_numbers", [])}
    if filters.numbers is not None:
        found = set(store.find_numbers(organizer, list(filters.numbers)))
        candidates = found if candidates is None else candidates & found
    if filters.refers is not None:
        referenced = store.find_numbers(organizer, [filters.refers])
        originals = store.get_many(organizer, referenced)
        found = {inv.canceled_by for inv in originals if inv.canceled_by}
        candidates = found if candidates is None else candidates & found
    invoices = store.get_many(organizer, sorted(candidates or ()))
    return [inv for inv in invoices if visibility.allows(inv.event)
            and (filters.is_cancellation is None or inv.doc["is_cancellation"] == filters.is_cancellation)
            and (filters.locale is None or inv.doc["locale"] == filters.locale)]


def _sort(invoices: list[store.StoredInvoice], ordering: str) -> list[store.StoredInvoice]:
    if ordering in ("nr", "-nr"):
        return sorted(invoices, key=lambda inv: inv.number, reverse=ordering == "-nr")
    if ordering == "date":
        return sorted(invoices, key=lambda inv: (inv.doc["date"], -inv.seq))
    return sorted(invoices, key=lambda inv: (inv.doc["date"], inv.seq), reverse=True)


def _count(stats: list[dict[str, Any]], filters: InvoiceFilters) -> int:
    def total(name: str) -> int:
        return sum(int(item.get(name, 0)) for item in stats)

    suffix = f":{filters.locale}" if filters.locale is not None else ""
    everything = total(f"l{suffix}") if suffix else total("n")
    cancellations = total(f"lc{suffix}") if suffix else total("c")
    if filters.is_cancellation is None:
        return everything
    return cancellations if filters.is_cancellation else everything - cancellations


def list_invoices(organizer: str, filters: InvoiceFilters, ordering: str, request: PageRequest,
                  visibility: Visibility, stats: ReadStats | None = None, as_json: bool = False) -> Page:
    """One page of invoices; no request reads more than a page (plus keys while skipping to `?page=N`).
    The results are public documents, or with `as_json` the same as compact JSON texts (a list page read from
    the index then never parses the stored documents: `store.listed_json`)."""
    if visibility.events is not None and not visibility.events:
        return paginate_list([], request)
    if filters.orders is not None or filters.numbers is not None or filters.refers is not None:
        page = paginate_list(_sort(_in_memory(organizer, filters, visibility), ordering), request,
                             size_of=lambda invoice: store.wire_size(invoice.item))
        page.results = [store.stored_json(inv.doc) if as_json else inv.doc for inv in page.results]
        return page
    event = visibility.fixed_event
    if event is not None:
        partition = ("EventScope", store.event_scope(organizer, event))
        index = {"nr": "ByEventNumber", "-nr": "ByEventNumber", "date": "ByEventDate", "-date": "ByEventDateDesc"}
        counted = list(event_store.get_stats(organizer, [event]).values())
    else:
        partition = ("PK", store.invoice_pk(organizer))
        index = {"nr": None, "-nr": None, "date": "ByOrgDate", "-date": "ByOrgDateDesc"}
        if visibility.events is None:
            counted = [store.organizer_stats(organizer)]
        else:
            counted = list(event_store.get_stats(organizer, sorted(visibility.events)).values())
    sort = {"nr": "SK", "-nr": "SK", "date": "DateAsc", "-date": "DateDesc"}[ordering]
    conditions, names, values = [], {}, {}
    if filters.is_cancellation is not None:
        conditions.append("#canc = :canc")
        names["#canc"], values[":canc"] = "is_cancellation", filters.is_cancellation
    if filters.locale is not None:
        conditions.append("#loc = :loc")
        names["#loc"], values[":loc"] = "locale", filters.locale
    if event is None and visibility.events is not None:
        placeholders = [f":ev{i}" for i in range(len(visibility.events))]
        conditions.append(f"#event IN ({', '.join(placeholders)})")
        names["#event"] = "event"
        values.update(dict(zip(placeholders, sorted(visibility.events), strict=True)))
    scope = "|".join([partition[1], ordering, repr(filters), repr(sorted(visibility.events or []))])
    query = ListQuery(partition=partition, sort=sort, index=index[ordering], forward=ordering != "-nr",
                      filter=" AND ".join(conditions) or None, filter_names=names, filter_values=values,
                      scope=scope, projection=store.LISTED_ATTRIBUTES)
    page = fetch_page(query, request, _count(counted, filters), stats, size_of=store.wire_size)
    page.results = [(store.listed_json if as_json else store.listed_doc)(item) for item in page.results]
    return page


