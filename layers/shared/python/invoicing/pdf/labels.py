"""The words printed on an invoice PDF, in English and German (other languages fall back to English)."""

from __future__ import annotations

_EN = {
    "invoice": "Invoice", "cancellation": "Cancellation", "title": "Invoice {number}",
    "order_code": "Order code", "quote": "(Please quote at all times.)",
    "invoice_number": "Invoice number", "invoice_date": "Invoice date",
    "cancellation_number": "Cancellation number", "original_invoice": "Original invoice",
    "cancellation_date": "Cancellation date", "original_invoice_date": "Original invoice date",
    "until": "until {date}", "test_mode": "TEST MODE",
    "vat_id": "VAT-ID: {id}", "tax_id": "Tax ID: {id}",
    "customer_reference": "Customer reference: {reference}", "customer_vat_id": "Customer VAT ID: {id}",
    "beneficiary": "Beneficiary:",
    "description": "Description", "qty": "Qty", "tax_rate": "Tax rate", "net": "Net", "gross": "Gross",
    "amount": "Amount", "invoice_total": "Invoice total", "cancellation_total": "Cancellation total",
    "cancellation_intro": "This document cancels invoice {number} of {date}.",
    "single_price_taxed": "Single price: {net} net / {gross} gross", "single_price": "Single price: {price}",
    "invoice_period": "Invoice period: {period}", "period": "{start} \u2013 {end}",
    "included_taxes": "Included taxes", "net_value": "Net value", "gross_value": "Gross value", "tax": "Tax",
    "total": "Total",
    "conversion": "Using the conversion rate of 1:{rate} as published by the European Central Bank on {date}, "
                  "this corresponds to:",
    "conversion_total": "Using the conversion rate of 1:{rate} as published by the European Central Bank on {date}, "
                        "the invoice total corresponds to {amount}.",
    "page": "Page {page} of {pages}",
}

_DE = {
    "invoice": "Rechnung", "cancellation": "Stornierung", "title": "Rechnung {number}",
    "order_code": "Bestellnummer", "quote": "(Bitte stets angeben.)",
    "invoice_number": "Rechnungsnummer", "invoice_date": "Rechnungsdatum",
    "cancellation_number": "Stornonummer", "original_invoice": "Ursprüngliche Rechnung",
    "cancellation_date": "Stornodatum", "original_invoice_date": "Datum der ursprünglichen Rechnung",
    "until": "bis {date}", "test_mode": "TESTMODUS",
    "vat_id": "USt-IdNr.: {id}", "tax_id": "Steuernummer: {id}",
    "customer_reference": "Ihre Referenz: {reference}", "customer_vat_id": "USt-IdNr. des Kunden: {id}",
    "beneficiary": "Leistungsempfänger:",
    "description": "Beschreibung", "qty": "Anz.", "tax_rate": "Steuersatz", "net": "Netto", "gross": "Brutto",
    "amount": "Betrag", "invoice_total": "Gesamtbetrag", "cancellation_total": "Stornobetrag",
    "cancellation_intro": "Dieses Dokument storniert die Rechnung {number} vom {date}.",
    "single_price_taxed": "Einzelpreis: {net} netto / {gross} brutto", "single_price": "Einzelpreis: {price}",
    "invoice_period": "Leistungszeitraum: {period}", "period": "{start} \u2013 {end}",
    "included_taxes": "Enthaltene Steuern", "net_value": "Nettowert", "gross_value": "Bruttowert", "tax": "Steuer",
    "total": "Summe",
    "conversion": "Mit dem von der Europäischen Zentralbank am {date} veröffentlichten Umrechnungskurs von 1:{rate} "
                  "entspricht dies:",
    "conversion_total": "Mit dem von der Europäischen Zentralbank am {date} veröffentlichten Umrechnungskurs von 1:{rate} "
                        "entspricht der Rechnungsbetrag {amount}.",
    "page": "Seite {page} von {pages}",
}

_TABLES = {"en": _EN, "de": _DE}


def language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


class Labels:
    """Labels of one language; `labels("page", page=1, pages=2)`."""

    def __init__(self, locale: str) -> None:
        self.table = _TABLES.get(language(locale), _EN)

    def __call__(self, key: str, **values: object) -> str:
        text = self.table[key]
        return text.format(**values) if values else text
