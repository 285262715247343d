"""The invoice resource exactly as pretix's API shows it (seed 002): field set and order are the contract."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    # Validators are built on first use, not in the cold start of a function that never validates an invoice.
    model_config = ConfigDict(defer_build=True)


class InvoiceLine(_Model):
    position: int
    description: str
    item: int | None
    variation: int | None
    subevent: int | None
    fee_type: str | None
    fee_internal_type: str | None
    event_date_from: str | None
    event_date_to: str | None
    period_start: str | None
    period_end: str | None
    event_location: str | None
    attendee_name: str | None
    gross_value: str
    tax_value: str
    tax_name: str
    tax_code: str | None
    tax_rate: str


class InvoiceDocument(_Model):
    number: str
    event: str
    order: str
    is_cancellation: bool
    invoice_from_name: str
    invoice_from: str
    invoice_from_zipcode: str
    invoice_from_city: str
    invoice_from_country: str | None
    invoice_from_tax_id: str
    invoice_from_vat_id: str
    invoice_to: str
    invoice_to_company: str | None
    invoice_to_is_business: bool | None
    invoice_to_name: str | None
    invoice_to_street: str | None
    invoice_to_zipcode: str | None
    invoice_to_city: str | None
    invoice_to_state: str | None
    invoice_to_country: str | None
    invoice_to_vat_id: str | None
    invoice_to_beneficiary: str | None
    invoice_to_transmission_info: dict[str, str] | None
    custom_field: str | None
    date: str
    refers: str | None
    locale: str
    introductory_text: str
    internal_reference: str
    additional_text: str
    payment_provider_text: str
    payment_provider_stamp: str | None
    footer_text: str
    lines: list[InvoiceLine]
    foreign_currency_display: str | None
    foreign_currency_rate: str | None
    foreign_currency_rate_date: str | None
    transmission_type: str
    transmission_provider: str | None
    transmission_status: str
    transmission_date: str | None


class InvoicePage(_Model):
    count: int
    next: str | None
    previous: str | None
    results: list[InvoiceDocument]


TRANSMISSION_FIELDS = ("transmission_provider", "transmission_status", "transmission_date")


def __getattr__(name: str) -> Any:
    """`ENFORCED_TRANSMISSION`: the transmission types whose invoices are sent without being asked (pretix:
    `enforce_transmission`). Looked up when first used (issuing, rendering, transmitting): a function that only
    reads invoices does not load the transmission type modules at its cold start."""
    if name == "ENFORCED_TRANSMISSION":
        from invoicing.transmission import types as transmission_types

        globals()[name] = transmission_types.ENFORCED  # later look-ups find it directly
        return transmission_types.ENFORCED
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
