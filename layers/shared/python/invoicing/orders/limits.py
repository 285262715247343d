"""What an order may hold so that it can be processed to the end: its item, its invoice and its cancellation
each fit a DynamoDB item (400 KB) with room to spare, whatever the settings do later.

The field limits (positions, fees, text lengths) are in the order models and the OpenAPI document. They are
generous for real orders; the extreme ones (hundreds of positions, every text at its limit in characters that
take four bytes) are caught here, where the order enters, by measuring the invoice the order would get under
the settings that make it largest (attendee names and event location on every line, free positions included).
The settings texts that an invoice copies are capped by their own limits; `SETTINGS_HEADROOM` keeps their
growth after the order was accepted within the item.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from invoicing.errors import ValidationFailed
from invoicing.events import Event
from invoicing.invoices.build import build_invoice
from invoicing.orders.models import Order
from invoicing.settings import InvoiceSettings
from invoicing.storage import dynamo
from invoicing.storage import invoices as invoice_store

SETTINGS_HEADROOM = 64 * 1024  # sender block and the three invoice texts at their limits, four bytes a character
MAX_DOCUMENT_BYTES = dynamo.MAX_ITEM_BYTES - SETTINGS_HEADROOM - 16 * 1024  # and the file / transmission attributes
MAX_ORDER_BYTES = 300 * 1024
_LONGEST_NUMBER = "X" * (155 + 12)  # the longest prefix and counter


def invoice_bytes(order: Order, event: Event, settings: InvoiceSettings) -> int:
    """The stored size of the largest invoice (or cancellation) the order can get."""
    largest = settings.model_copy(update={"invoice_attendee_name": True, "invoice_event_location": True,
                                          "invoice_include_free": True})
    draft = build_invoice(order, event, largest, date(2000, 12, 31))
    doc = {**draft.doc, "number": _LONGEST_NUMBER, "refers": _LONGEST_NUMBER}
    return invoice_store.item_size(order.organizer, doc, {**draft.internal, "refers_date": "2000-12-31"})


def check_processable(order: Order, record: dict[str, Any], event: Event, settings: InvoiceSettings) -> None:
    """400 with a non-field error when the order (`record`: its stored form) or its invoice would be too large."""
    order_bytes = dynamo.item_size(record)
    if order_bytes > MAX_ORDER_BYTES:
        raise ValidationFailed({"non_field_errors": [_message("This order", order_bytes, MAX_ORDER_BYTES)]})
    document_bytes = invoice_bytes(order, event, settings)
    if document_bytes > MAX_DOCUMENT_BYTES:
        raise ValidationFailed({"non_field_errors": [_message("The invoice of this order", document_bytes,
                                                              MAX_DOCUMENT_BYTES)]})


def _message(what: str, size: int, limit: int) -> str:
    return (f"{what} would take {size // 1024} KB; at most {limit // 1024} KB can be processed. "
            f"Use fewer positions or shorter texts.")
