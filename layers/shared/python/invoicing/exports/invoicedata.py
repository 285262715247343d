"""`invoicedata`: one row per invoice (cancellations included) with sender, recipient, amounts per tax rate
and in total, currency and transmission, as CSV (one net/tax/gross column triple per rate that occurs) or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from invoicing.money import format_amount
from invoicing.storage.invoices import StoredInvoice

DOCUMENT_FIELDS = (
    "number", "date", "order", "event", "is_cancellation", "refers",
    "invoice_from_name", "invoice_from", "invoice_from_zipcode", "invoice_from_city", "invoice_from_country",
    "invoice_from_vat_id", "invoice_from_tax_id",
    "invoice_to_company", "invoice_to_name", "invoice_to_street", "invoice_to_zipcode", "invoice_to_city",
    "invoice_to_country", "invoice_to_vat_id",
)
TAIL_FIELDS = ("net_total", "tax_total", "gross_total", "currency", "transmission_type", "transmission_status")


def row(invoice: StoredInvoice) -> dict[str, Any]:
    """The invoice's fields and its amounts: `taxes` per rate (in the order rates first appear), and totals."""
    doc = invoice.doc
    currency = invoice.internal.get("currency", "EUR")
    by_rate: dict[str, list[Decimal]] = {}
    for line in doc["lines"]:
        gross, tax = Decimal(line["gross_value"]), Decimal(line["tax_value"])
        sums = by_rate.setdefault(line["tax_rate"], [Decimal(0), Decimal(0)])
        sums[0] += gross
        sums[1] += tax
    taxes = [{"rate": rate, "net": format_amount(gross - tax, currency), "tax": format_amount(tax, currency),
              "gross": format_amount(gross, currency)} for rate, (gross, tax) in by_rate.items()]
    gross_total = sum((gross for gross, _ in by_rate.values()), Decimal(0))
    tax_total = sum((tax for _, tax in by_rate.values()), Decimal(0))
    return {**{name: doc.get(name) for name in DOCUMENT_FIELDS}, "taxes": taxes,
            "net_total": format_amount(gross_total - tax_total, currency), "tax_total": format_amount(tax_total, currency),
            "gross_total": format_amount(gross_total, currency), "currency": currency,
            "transmission_type": doc.get("transmission_type"), "transmission_status": doc.get("transmission_status")}


def write_json(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    out.write('{"invoices":[')
    for index, item in enumerate(rows):
        out.write(("," if index else "") + json.dumps(item, separators=(",", ":"), ensure_ascii=False))
    out.write("]}")


def write_csv(rows: list[dict[str, Any]], out: IO[str]) -> None:
    rates = sorted({tax["rate"] for item in rows for tax in item["taxes"]}, key=Decimal)
    rate_columns = [f"{part}_{rate}" for rate in rates for part in ("net", "tax", "gross")]
    writer = csv.writer(out)
    writer.writerow([*DOCUMENT_FIELDS, *rate_columns, *TAIL_FIELDS])
    for item in rows:
        amounts = {f"{part}_{tax['rate']}": tax[part] for tax in item["taxes"] for part in ("net", "tax", "gross")}
        writer.writerow([_cell(item[name]) for name in DOCUMENT_FIELDS] + [amounts.get(column, "") for column in rate_columns]
                        + [_cell(item[name]) for name in TAIL_FIELDS])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
