"""Creating a billing invoice: its number from the platform-wide sequence, written with the counter in one
transaction (as organizer invoices are), starting in review."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from invoicing import platform
from invoicing.billing.models import BillingCreate
from invoicing.clock import isoformat_z, now
from invoicing.errors import BadRequest, NotFound
from invoicing.invoices.numbering import consecutive_number
from invoicing.retry import retrying
from invoicing.storage import billing as store
from invoicing.storage import dynamo
from invoicing.storage.organizers import get_organizer


def prefix_for(settings: platform.PlatformSettings, date_issued: str) -> str:
    return settings.billing_number_prefix.replace("{year}", date_issued[:4])


def create(data: BillingCreate) -> store.StoredBillingInvoice:
    """Number and store a new billing invoice (status open, in review); returns it as stored."""
    organizer = get_organizer(data.organizer)
    if organizer is None:
        raise NotFound(f"Organizer {data.organizer} does not exist.")
    lines = data.computed_lines()
    amount = sum((Decimal(line["gross"]) for line in lines), Decimal(0))
    if amount <= 0:
        raise BadRequest("The total of a billing invoice must be positive.")
    settings = platform.settings()
    date_issued = (data.date_issued or now().date()).isoformat()
    prefix = prefix_for(settings, date_issued)
    base: dict[str, Any] = {
        "organizer": data.organizer, "date_issued": date_issued, "currency": data.currency,
        "description": data.description, "lines": json.dumps(lines, separators=(",", ":")),
        "amount": amount, "amount_due": amount,
        "status": "open", "review_state": "in_review", "version": 1, "content_version": 1,
        "created": isoformat_z(now()),
        # A snapshot, as for organizer invoices: later changes to the platform or organizer do not change it.
        "sender": {"name": settings.name, "address": settings.address, "zipcode": settings.zipcode,
                   "city": settings.city, "country": settings.country, "vat_id": settings.vat_id,
                   "footer_text": settings.footer_text},
        "recipient": {"name": organizer.get("name") or data.organizer},
    }
    if organizer.get("billing_email"):
        base["billing_email"] = organizer["billing_email"]

    def attempt() -> str:
        counter = store.read_counter()
        value = counter.counters.get(prefix, 0) + 1
        number = consecutive_number(prefix, value, settings.billing_number_counter_length)
        try:
            store.write_new(counter, prefix, value, {**base, "number": number})
        except dynamo.TransactionConflict as exc:
            if exc.reasons[4:5] == ["ConditionalCheckFailed"]:
                raise NotFound(f"Organizer {data.organizer} does not exist.") from exc
            raise
        return number

    number = retrying(attempt)
    created = store.get(data.organizer, number)
    assert created is not None  # written a moment ago, read consistently
    return created
