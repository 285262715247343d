"""Invoice numbers: pretix's prefixes and counters.

A number is prefix + counter. The prefix comes from the settings (default `EVENTSLUG-`, strftime
placeholders filled with the invoice date, a separate prefix for cancellations, `TEST-` appended for
test-mode orders). The counter is consecutive per (organizer, prefix) and zero-padded, or, in
non-consecutive mode, `<ORDERCODE>-<n>`. The counter item and the invoice are written in one
transaction (storage.invoices.write_issue), which is what makes the sequence gap-free.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # an annotation only: the billing functions number invoices without the settings model
    from invoicing.settings import InvoiceSettings


def prefix_for(settings: InvoiceSettings, event_slug: str, *, is_cancellation: bool, testmode: bool,
               invoice_date: date) -> str:
    prefix = settings.invoice_numbers_prefix or f"{event_slug.upper()}-"
    if is_cancellation and settings.invoice_numbers_prefix_cancellations:
        prefix = settings.invoice_numbers_prefix_cancellations
    if "%" in prefix:
        prefix = invoice_date.strftime(prefix)
    if testmode:
        prefix += "TEST-"
    return prefix


def consecutive_number(prefix: str, counter: int, length: int) -> str:
    return f"{prefix}{str(counter).zfill(length)}"


def order_number(prefix: str, order_code: str, existing: list[str]) -> str:
    """Non-consecutive mode: `<prefix><ORDERCODE>-<n>`, n counting this order's numbers with the prefix."""
    stem = f"{prefix}{order_code}-"
    return f"{stem}{1 + sum(1 for number in existing if number.startswith(stem))}"
