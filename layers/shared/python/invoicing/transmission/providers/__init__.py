"""Transmission providers: one module per channel, all with the same small interface.

A provider sends one invoice and returns, or raises `Rejected` (permanent: the invoice fails at once, the
reason recorded) or `Unavailable` (temporary: the attempt is retried through SQS with backoff, then fails).
Adding a channel: its type in `transmission/types/` names the provider class written here (see there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from invoicing.settings import InvoiceSettings
from invoicing.storage.invoices import StoredInvoice


class Rejected(Exception):
    """The channel or the data refuses this invoice: retrying cannot help."""


class Unavailable(Exception):
    """The channel could not take the invoice now (5xx, timeout, throttling, PDF not rendered yet).

    `retry_after` (seconds) overrides the exponential backoff when the wait is known to be short.
    """

    def __init__(self, reason: str, retry_after: int | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Receipt:
    reference: str | None = None  # the channel's id for the delivery, if it gives one


def checked_seller(invoice: StoredInvoice, settings: InvoiceSettings,
                   missing_for: Callable[[Mapping[str, Any], Any], list[str]]) -> Any:
    """The e-invoice seller data, or Rejected naming every setting or field the format still lacks."""
    from invoicing.einvoice import Seller

    seller = Seller.from_invoice(invoice.doc, invoice.internal, settings.model_dump())
    missing = missing_for(invoice.doc, seller)
    if missing:
        raise Rejected(missing_reason(missing))
    return seller


def missing_reason(missing: list[str]) -> str:
    """`seller data missing: invoice_seller_iban; buyer data missing: invoice_to_vat_id` (keys, never values)."""
    buyer = [key for key in missing if key.startswith(("invoice_to_", "transmission_"))]
    seller = [key for key in missing if key not in buyer]
    parts = [f"{who} data missing: {', '.join(keys)}" for who, keys in (("seller", seller), ("buyer", buyer)) if keys]
    return "; ".join(parts)


class Provider(Protocol):
    name: str
    supports_testmode: bool

    def send(self, invoice: StoredInvoice, settings: InvoiceSettings, attempt: str) -> Receipt: ...
