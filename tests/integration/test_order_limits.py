"""What is accepted can be processed (issue 10): the largest order the limits allow is stored, invoiced, cancelled
and listed; one byte more is a 400 before anything is written; DynamoDB's item size is what we think it is."""

from __future__ import annotations

import pytest

from invoicing import clock, pagination
from invoicing.errors import ValidationFailed
from invoicing.invoices.read import InvoiceFilters, Visibility, list_invoices
from invoicing.orders import limits, service
from invoicing.pagination import PageRequest
from invoicing.storage import dynamo
from invoicing.storage import invoices as invoice_store
from invoicing.storage import orders as order_store
from tests.integration.test_transmission import MOMENT
from tests.support import builders

ALL = Visibility(events=None)
# Four bytes in UTF-8, the widest a character gets, and one the invoice can print (CJK Extension B, drawn by Noto
# Sans CJK): an emoji would be refused before any limit is measured.
WIDE = "\U0002000b"


def largest_order(text_length: int, positions: int = 500, fees: int = 100) -> dict:
    """Every position and fee at the limits, each text `text_length` wide characters long."""
    text = WIDE * text_length
    return {
        "email": "buyer@example.org", "locale": "en",
        "positions": [{"description": text, "price": "1.00", "tax_rate": "19.00", "tax_name": text, "tax_code": "S",
                       "attendee_name": text, "event_location": text} for _ in range(positions)],
        "fees": [{"fee_type": "service", "description": text, "value": "0.10", "tax_rate": "19.00", "tax_name": text}
                 for _ in range(fees)],
    }


def widest_accepted(**shape) -> int:
    """The longest texts (in wide characters) the limits accept for this shape of order."""
    low, high = 0, 255
    while low < high:  # a bisection over what the domain says, so the test follows the limits it pins
        middle = (low + high + 1) // 2
        try:
            _measure(largest_order(middle, **shape))
            low = middle
        except ValidationFailed:
            high = middle - 1
    return low


def _measure(body: dict) -> None:
    from invoicing.events import get_event
    from invoicing.orders.models import Order, OrderCreate

    data = OrderCreate.model_validate(body)
    event = get_event("bigevents", "sampleconf")
    record = {**data.model_dump(mode="json"), "organizer": "bigevents", "event": "sampleconf", "code": "X" * 16,
              "locale": "en", "datetime": "2026-11-21T09:00:00Z", "invoice_numbers": ["X" * 167] * 3}
    for index, position in enumerate(record["positions"], start=1):
        position["positionid"] = index
    limits.check_processable(Order.model_validate(record), record, event, service.event_settings("bigevents", event))


@pytest.fixture
def shop(aws):
    clock.set_clock(lambda: MOMENT)
    org = builders.organizer(invoice_generate="True", invoice_event_location=True)
    builders.event(org, location={"en": "Heidelberg"})  # copied onto every line: a long one leaves less room
    return org


def test_item_size_follows_dynamodbs_rules():
    # Examples from the DynamoDB developer guide's item size rules, and UTF-8 for names and strings.
    assert dynamo.item_size({"PK": "a"}) == 3
    assert dynamo.item_size({"n": 12345}) == 1 + 1 + 3
    assert dynamo.item_size({"s": WIDE}) == 1 + 4
    assert dynamo.item_size({"m": {"a": "b", "c": [1, None]}}) == 1 + 3 + (1 + 1 + 1) + (1 + 1 + 3 + (1 + 2) + (1 + 1))


def test_the_largest_accepted_order_is_stored_invoiced_cancelled_and_fits_every_item(shop):
    # Given the widest texts the limits accept for 500 positions and 100 fees
    width = widest_accepted()
    assert width >= 1

    # When the order is created (and invoiced), then cancelled (a cancellation invoice)
    order = builders.order(shop, **largest_order(width))
    service.mark_canceled(shop, "sampleconf", order["code"])

    # Then every item is within DynamoDB's limit, as stored
    stored_order = order_store.get_order(shop, order["code"])
    assert dynamo.item_size(stored_order) < dynamo.MAX_ITEM_BYTES
    for number in [*order["invoices"], *service.get_order(shop, "sampleconf", order["code"])["invoices"]]:
        item = invoice_store.get(shop, number).item
        assert dynamo.item_size(item) <= limits.MAX_DOCUMENT_BYTES
    assert len(service.get_order(shop, "sampleconf", order["code"])["invoices"]) == 2


def test_one_character_more_is_refused_before_anything_is_written(shop):
    width = widest_accepted(positions=100, fees=0)
    assert width < 255  # 100 positions of 255 wide characters in four fields do not fit

    with pytest.raises(ValidationFailed) as refused:
        builders.order(shop, **largest_order(width + 1, positions=100, fees=0))

    [message] = refused.value.errors["non_field_errors"]
    assert message.startswith("The invoice of this order would take ")
    assert message.endswith("Use fewer positions or shorter texts.")
    assert invoice_store.read_counter(shop).seq == 0


@pytest.mark.parametrize(("field", "value", "limit"), [
    ("positions", [{"description": "x", "price": "1"}] * 501, "at most 500 items"),
    ("fees", [{"fee_type": "service", "value": "1"}] * 101, "at most 100 items"),
])
def test_more_positions_or_fees_than_the_limit_are_refused(shop, field, value, limit):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=limit):
        builders.order(shop, **{field: value})


def test_a_list_page_of_large_invoices_is_cut_short_and_next_continues_where_it_ended(shop, monkeypatch):
    for _ in range(7):
        builders.order(shop, positions=[{"description": "x" * 200, "price": "1.00"}] * 20)
    one = invoice_store.wire_size(invoice_store.get(shop, "SAMPLECONF-00001").item)
    monkeypatch.setattr(pagination, "MAX_PAGE_BYTES", one * 3)  # three invoices a page, whatever page_size says

    seen, cursor, pages = [], None, 0
    while True:
        page = list_invoices(shop, InvoiceFilters.from_query({}), "nr", PageRequest(page=pages + 1, page_size=5,
                                                                                     cursor=cursor), ALL)
        seen += [doc["number"] for doc in page.results]
        pages += 1
        if not page.has_next:
            break
        cursor = page.next_cursor

    assert seen == [f"SAMPLECONF-{n:05d}" for n in range(1, 8)]
    assert pages == 3


def test_a_filtered_list_in_memory_is_cut_into_the_same_pages_every_time(shop, monkeypatch):
    for _ in range(7):
        builders.order(shop, positions=[{"description": "x" * 200, "price": "1.00"}] * 20)
    one = invoice_store.wire_size(invoice_store.get(shop, "SAMPLECONF-00001").item)
    monkeypatch.setattr(pagination, "MAX_PAGE_BYTES", one * 3)
    numbers = [f"SAMPLECONF-{n:05d}" for n in range(1, 8)]
    filters = InvoiceFilters.from_query({"number": numbers})

    pages = [list_invoices(shop, filters, "nr", PageRequest(page=n, page_size=50), ALL) for n in (1, 2, 3)]

    assert [[doc["number"] for doc in page.results] for page in pages] == [numbers[:3], numbers[3:6], numbers[6:]]
    assert [page.has_next for page in pages] == [True, True, False]
    last = list_invoices(shop, filters, "nr", PageRequest(page=None, page_size=50), ALL)
    assert [doc["number"] for doc in last.results] == numbers[6:]


def test_should_a_document_still_outgrow_an_item_issuing_is_a_400_not_a_dynamodb_error(shop, monkeypatch):
    from invoicing.invoices import issue

    monkeypatch.setattr(limits, "check_processable", lambda *args: None)  # as if the entry check missed it
    monkeypatch.setattr(issue.store, "item_size", lambda organizer, doc, internal: dynamo.MAX_ITEM_BYTES + 1)

    with pytest.raises(ValidationFailed) as refused:
        builders.order(shop)

    assert refused.value.errors == {"non_field_errors": [
        "This invoice would be too large to be stored. Use fewer positions or shorter texts."]}
    assert invoice_store.read_counter(shop).seq == 0
