"""Invoice documents for the PDF tests: plain dicts shaped like the public resource plus the `internal` part."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from invoicing.money import format_amount
from invoicing.tax import included_tax

PERIOD = "2027-06-14T08:00:00Z"
PERIOD_END = "2027-06-16T16:00:00Z"

PRODUCTS = [
    ("Conference ticket", "349.00", "19.00", "VAT"),
    ("Workshop day", "149.00", "19.00", "VAT"),
    ("Conference dinner", "89.00", "7.00", "VAT"),
]
ATTENDEES = ["Tara Schmidt", "Paul Hoffmann", "Tara Klein", "Jonas Becker", "Mia Wagner", "Lea Fischer",
             "Noah Weber", "Emma Schulz"]


def line(position: int, description: str, gross: str, rate: str = "19.00", tax_name: str = "VAT",
         start: str | None = PERIOD, end: str | None = PERIOD_END, currency: str = "EUR") -> dict[str, Any]:
    tax = included_tax(Decimal(gross), Decimal(rate), currency)
    return {
        "position": position, "description": description, "item": 1, "variation": None, "subevent": None,
        "fee_type": None, "fee_internal_type": None, "event_date_from": start, "event_date_to": end,
        "period_start": start, "period_end": end, "event_location": None, "attendee_name": None,
        "gross_value": format_amount(Decimal(gross), currency), "tax_value": format_amount(tax, currency),
        "tax_name": tax_name, "tax_code": "S/standard" if Decimal(rate) else None, "tax_rate": rate,
    }


def attendee_lines(count: int) -> list[dict[str, Any]]:
    lines = []
    for index in range(count):
        name, gross, rate, tax_name = PRODUCTS[index % len(PRODUCTS)]
        attendee = ATTENDEES[index % len(ATTENDEES)] + (f" {index // len(ATTENDEES) + 1}" if index >= len(ATTENDEES) else "")
        lines.append(line(index + 1, f"{name}<br />Attendee: {attendee}", gross, rate, tax_name))
    return lines


def invoice(lines: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    doc = {
        "number": "SAMPLECONF-00010", "event": "sampleconf", "order": "JUYUF", "is_cancellation": False,
        "invoice_from_name": "Big Events GmbH", "invoice_from": "Musterstraße 1", "invoice_from_zipcode": "10115",
        "invoice_from_city": "Berlin", "invoice_from_country": "DE", "invoice_from_tax_id": "27/123/45678",
        "invoice_from_vat_id": "DE123456789",
        "invoice_to": "Umbrella Consulting\nLukas Hoffmann\nGartenweg 92\n04109 Leipzig\nGermany\nVAT-ID: DE671965507",
        "invoice_to_company": "Umbrella Consulting", "invoice_to_is_business": True, "invoice_to_name": "Lukas Hoffmann",
        "invoice_to_street": "Gartenweg 92", "invoice_to_zipcode": "04109", "invoice_to_city": "Leipzig",
        "invoice_to_state": "", "invoice_to_country": "DE", "invoice_to_vat_id": "DE671965507",
        "invoice_to_beneficiary": "", "invoice_to_transmission_info": {}, "custom_field": None,
        "date": "2026-11-21", "refers": None, "locale": "en",
        "introductory_text": "Thank you for registering for Sample Conference 2027.",
        "internal_reference": "PO-2026-4711", "additional_text": "", "payment_provider_text": "",
        "payment_provider_stamp": "paid",
        "footer_text": "Big Events GmbH · Amtsgericht Berlin HRB 12345 · IBAN DE02 1203 0000 0000 2020 51",
        "lines": attendee_lines(8) if lines is None else lines,
        "foreign_currency_display": None, "foreign_currency_rate": None, "foreign_currency_rate_date": None,
        "transmission_type": "email", "transmission_provider": None, "transmission_status": "pending",
        "transmission_date": None,
    }
    doc.update(changes)
    return doc


def internal(**changes: Any) -> dict[str, Any]:
    data = {
        "currency": "EUR", "event_name": "Sample Conference 2027", "event_date_from": PERIOD,
        "event_date_to": PERIOD_END, "invoice_from_state": "", "testmode": False, "order_email": "lukas@example.org",
        "event_timezone": "Europe/Berlin",
    }
    data.update(changes)
    return data


def cancellation(original: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(original)
    doc.update(number="SAMPLECONF-00011", is_cancellation=True, refers=original["number"], date="2026-12-02",
               payment_provider_text="", payment_provider_stamp="")
    for item in doc["lines"]:
        item["gross_value"] = format_amount(-Decimal(item["gross_value"]), "EUR")
        item["tax_value"] = format_amount(-Decimal(item["tax_value"]), "EUR")
    return doc
