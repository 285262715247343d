"""The e-invoice cases every format is validated on (issue 14): 19 %, 7 %, mixed rates, reverse charge to
Austria, exempt, 200 lines of 9.99, a cancellation, a foreign (VAT accounting) currency, Unicode names.

Each case is `(doc, internal)` shaped like an invoice snapshot; `SETTINGS` are the seller settings that every
format's national rules ask for (XRechnung's seller contact among them).
"""

from __future__ import annotations

from typing import Any

from tests.support import pdf_samples

SETTINGS = {
    "invoice_seller_peppol_id": "9930:DE123456789", "invoice_seller_contact_name": "Anna Admin",
    "invoice_seller_contact_email": "billing@example.org", "invoice_seller_contact_phone": "+49 30 123456",
    "invoice_seller_iban": "DE02 1203 0000 0000 2020 51", "invoice_seller_bic": "BYLADEM1001",
}
AUSTRIAN_BUSINESS = {
    "invoice_to_company": "Alpen Consulting GmbH", "invoice_to_name": "", "invoice_to_street": "Ringstraße 1",
    "invoice_to_zipcode": "1010", "invoice_to_city": "Wien", "invoice_to_country": "AT",
    "invoice_to_vat_id": "ATU12345678", "internal_reference": "",
    "additional_text": "Reverse charge: VAT liability passes to the recipient.",
}
UNICODE_NAMES = {
    "invoice_to_company": "Zoë Łukasiewicz-Ødegård Sp. z o.o.", "invoice_to_name": "Jürgen Šťastný",
    "invoice_to_street": "Ulica Świętokrzyska 1\nPiętro 2", "invoice_from_name": "Bïg Évents GmbH & Co. KG <Berlin>",
}


def line(position: int, description: str, gross: str, rate: str = "19.00", code: str | None = "S/standard",
         tax_name: str = "VAT") -> dict[str, Any]:
    item = pdf_samples.line(position, description, gross, rate, tax_name)
    item["tax_code"] = code
    return item


def _mixed() -> list[dict[str, Any]]:
    return [
        line(1, "Conference ticket<br />Attendee: Tara Schmidt", "349.00"),
        line(2, "Conference dinner", "89.00", "7.00", "S/reduced"),
        line(3, "Donation", "25.00", "0.00", "E", "Exempt, Art. 132 (1) (l) VAT Directive"),
        line(4, "Early-bird discount", "-34.90"),
    ]


def cases() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    internal = pdf_samples.internal()
    mixed = pdf_samples.invoice(lines=_mixed())
    return {
        "19 %": (pdf_samples.invoice(lines=[line(1, "Conference ticket", "349.00"), line(2, "Workshop", "149.00")]),
                 internal),
        "7 %": (pdf_samples.invoice(lines=[line(1, "Conference dinner", "89.00", "7.00", "S/reduced")]), internal),
        "mixed rates": (mixed, internal),
        "reverse charge to Austria": (pdf_samples.invoice(
            lines=[line(1, "Online workshop (streaming)", "250.00", "0.00", "AE", "Reverse charge")], **AUSTRIAN_BUSINESS),
            internal),
        "exempt": (pdf_samples.invoice(lines=[line(1, "Meetup ticket", "15.00", "0.00", None, "")]), internal),
        "200 lines of 9.99": (pdf_samples.invoice(lines=[line(i, f"Ticket<br />Attendee: Guest {i}", "9.99")
                                                         for i in range(1, 201)]), internal),
        "cancellation": (pdf_samples.cancellation(mixed), pdf_samples.internal(refers_date=mixed["date"])),
        "foreign currency": (pdf_samples.invoice(lines=_mixed(), foreign_currency_display="PLN",
                                                 foreign_currency_rate="4.2500", foreign_currency_rate_date="2026-11-20"),
                             internal),
        "Unicode names": (pdf_samples.invoice(lines=[line(1, "Konferenzticket „Zürich“<br />Teilnehmerin: Zoë Ødegård",
                                                          "349.00")], **UNICODE_NAMES), internal),
    }


NAMES = list(cases())
