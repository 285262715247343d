"""What an invoice PDF says, decided without drawing: merged rows, totals, tax summary, texts, all formatted.

The rules follow pretix's invoice renderers (reference §8): identical consecutive lines become one row with
a quantity, the tax columns appear only when some line carries tax, the tax summary omits rate-0 rows
without amount, and a foreign-currency block converts the summary at the stored rate.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from invoicing import countries
from invoicing.einvoice.notes import legal_notes
from invoicing.money import quantize
from invoicing.pdf.format import Formatter
from invoicing.pdf.labels import Labels
from invoicing.pdf.text import lines, paragraphs


@dataclass(frozen=True)
class Row:
    description: str  # first line, normal size
    details: tuple[str, ...]  # further lines (attendee, answers, period, single price) in small print
    quantity: str
    rate: str
    net: str
    gross: str


@dataclass(frozen=True)
class TaxRow:
    rate: str
    net: str
    gross: str
    tax: str


@dataclass(frozen=True)
class MetaField:
    label: str
    value: str
    note: str = ""
    bold: bool = False


@dataclass
class InvoiceContent:
    title: str
    heading: str
    test_mode: str
    event: list[str]
    sender_line: str
    sender: list[str]
    recipient: list[str]
    meta: list[list[MetaField]]  # columns, each a stack of fields
    intro: list[str]
    has_taxes: bool
    headers: tuple[str, ...]
    rows: list[Row]
    total_label: str
    total_net: str
    total_gross: str
    stamp: str
    after_total: list[str]  # invoice period, payment text, additional text (blank string = spacing)
    taxes_heading: str
    tax_headers: tuple[str, str, str, str]
    tax_rows: list[TaxRow]
    foreign_text: str
    foreign_rows: list[TaxRow]
    footer: list[str]
    page_label: str  # with {page} and {pages}
    labels: Labels = field(repr=False, default=None)  # type: ignore[assignment]


@dataclass
class _Group:
    key: tuple[Any, ...]
    count: int
    gross: Decimal
    tax: Decimal


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _line_key(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line.get("description") or "", _money(line.get("tax_rate")), line.get("tax_name") or "",
            _money(line.get("gross_value")), _money(line.get("tax_value")),
            line.get("period_start"), line.get("period_end"))


def _period(fmt: Formatter, labels: Labels, start: str | None, end: str | None) -> str:
    first, last = fmt.event_date(start), fmt.event_date(end)
    if first is None:
        return ""
    if last is None or last == first:
        return fmt.date(first)
    return labels("period", start=fmt.date(first), end=fmt.date(last))


def _sender(doc: dict[str, Any], internal: dict[str, Any], fmt: Formatter, labels: Labels) -> tuple[str, list[str]]:
    address = [line for line in lines(doc.get("invoice_from")) if line]
    city = " ".join(part for part in (doc.get("invoice_from_zipcode"), doc.get("invoice_from_city"),
                                      internal.get("invoice_from_state")) if part)
    country = countries.country_name(doc.get("invoice_from_country"), fmt.locale)
    postal = [part for part in (doc.get("invoice_from_name"), *address, city, country) if part]
    block = list(postal)
    if doc.get("invoice_from_vat_id"):
        block.append(labels("vat_id", id=doc["invoice_from_vat_id"]))
    if doc.get("invoice_from_tax_id"):
        block.append(labels("tax_id", id=doc["invoice_from_tax_id"]))
    return " · ".join(postal), block


def _recipient(doc: dict[str, Any], fmt: Formatter) -> list[str]:
    structured = any(doc.get(key) for key in ("invoice_to_company", "invoice_to_name", "invoice_to_street",
                                               "invoice_to_city"))
    if not structured:
        return [line for line in lines(doc.get("invoice_to")) if line and not line.startswith("VAT-ID:")]
    city = " ".join(part for part in (doc.get("invoice_to_zipcode"), doc.get("invoice_to_city"),
                                      doc.get("invoice_to_state")) if part)
    found = [doc.get("invoice_to_company"), doc.get("invoice_to_name"), *lines(doc.get("invoice_to_street")), city,
             countries.country_name(doc.get("invoice_to_country"), fmt.locale)]
    return [line.strip() for line in found if line and line.strip()]


def _event(internal: dict[str, Any], fmt: Formatter, labels: Labels) -> list[str]:
    found = [internal["event_name"]] if internal.get("event_name") else []
    start, end = fmt.event_date(internal.get("event_date_from")), fmt.event_date(internal.get("event_date_to"))
    if start:
        found.append(fmt.date(start, "long"))
        if end and end != start:
            found.append(labels("until", date=fmt.date(end, "long")))
    return found


def _meta(doc: dict[str, Any], internal: dict[str, Any], fmt: Formatter, labels: Labels) -> list[list[MetaField]]:
    order = MetaField(labels("order_code"), f"{doc.get('event', '')}-{doc.get('order', '')}".upper().strip("-"),
                      labels("quote"), bold=True)
    if doc.get("is_cancellation"):
        return [[order],
                [MetaField(labels("cancellation_number"), doc.get("number", "")),
                 MetaField(labels("original_invoice"), doc.get("refers") or "")],
                [MetaField(labels("cancellation_date"), fmt.date(doc.get("date"))),
                 MetaField(labels("original_invoice_date"), fmt.date(internal.get("refers_date")))]]
    # Billing invoices (the platform's to organizers) have no order: the column stays, empty.
    return [[order] if order.value else [], [MetaField(labels("invoice_number"), doc.get("number", ""))],
            [MetaField(labels("invoice_date"), fmt.date(doc.get("date")))]]


def _intro(doc: dict[str, Any], internal: dict[str, Any], fmt: Formatter, labels: Labels) -> list[str]:
    found: list[str] = []
    if doc.get("internal_reference"):
        found.append(labels("customer_reference", reference=doc["internal_reference"]))
    if doc.get("invoice_to_vat_id"):
        found.append(labels("customer_vat_id", id=doc["invoice_to_vat_id"]))
    if doc.get("invoice_to_beneficiary"):
        found += [labels("beneficiary"), *paragraphs(doc["invoice_to_beneficiary"])]
    if doc.get("is_cancellation"):  # not the canceled invoice's introduction: say what this document does
        introduction = [labels("cancellation_intro", number=doc.get("refers") or "",
                               date=fmt.date(internal.get("refers_date")))]
    else:
        introduction = paragraphs(doc.get("introductory_text"))
    if found and introduction:
        found.append("")
    return found + introduction


def build(doc: dict[str, Any], internal: dict[str, Any], fmt: Formatter) -> InvoiceContent:
    labels = Labels(doc.get("locale") or "en")
    currency = fmt.currency
    source = doc.get("lines") or []
    # pretix shows the tax columns when any line carries tax or is reverse charge (its 0 % then reads as such).
    has_taxes = any(_money(line.get("tax_value")) or (line.get("tax_code") or "").upper().startswith("AE")
                    for line in source)
    periods = {(line.get("period_start"), line.get("period_end")) for line in source}
    show_row_period = len(periods) > 1

    groups = [_Group(key, len(members), _money(members[0].get("gross_value")), _money(members[0].get("tax_value")))
              for key, members in ((key, list(members)) for key, members in itertools.groupby(source, key=_line_key))]
    rows: list[Row] = []
    total_gross = total_tax = Decimal(0)
    tax_groups: dict[tuple[Decimal, str], list[Decimal]] = {}
    for group in groups:
        description, rate, tax_name, gross, tax, period_start, period_end = group.key
        net = gross - tax
        first, *details = lines(description) or [""]
        details = [line for line in details if line]
        if show_row_period and (period := _period(fmt, labels, period_start, period_end)):
            details.append(period)
        if group.count > 1:
            details.append(labels("single_price_taxed", net=fmt.money(net), gross=fmt.money(gross)) if has_taxes
                           else labels("single_price", price=fmt.money(gross)))
        count = Decimal(group.count)
        rows.append(Row(first, tuple(details), str(group.count), fmt.rate(rate), fmt.money(net * count),
                        fmt.money(gross * count)))
        total_gross += gross * count
        total_tax += tax * count
        sums = tax_groups.setdefault((rate, tax_name), [Decimal(0), Decimal(0), Decimal(0)])
        sums[0] += net * count
        sums[1] += gross * count
        sums[2] += tax * count

    summary = [(rate, name, *sums) for (rate, name), sums in tax_groups.items() if rate or sums[1]]
    show_taxes = has_taxes and any(rate and gross for rate, _, _, gross, _ in summary)
    tax_rows: list[TaxRow] = []
    if show_taxes:
        tax_rows = [TaxRow(f"{fmt.rate(rate)} {name}".strip(), fmt.money(net), fmt.money(gross), fmt.money(tax))
                    for rate, name, net, gross, tax in summary]
        if len(summary) > 1:
            tax_rows.append(TaxRow(labels("total"), fmt.money(total_gross - total_tax), fmt.money(total_gross),
                                   fmt.money(total_tax)))

    foreign_text, foreign_rows = _foreign(doc, fmt, labels, summary if show_taxes else [], total_gross, total_tax)

    after_total: list[str] = []
    if len(periods) == 1 and source and (period := _period(fmt, labels, *next(iter(periods)))):
        event_period = _period(fmt, labels, internal.get("event_date_from"), internal.get("event_date_to"))
        if period != event_period:
            after_total.append(labels("invoice_period", period=period))
    for block in (paragraphs(doc.get("payment_provider_text")), paragraphs(doc.get("additional_text")),
                  legal_notes(doc, fmt.locale)):
        if block:
            after_total += [""] * bool(after_total) + block

    stamp = "" if doc.get("is_cancellation") else (doc.get("payment_provider_stamp") or "")
    return InvoiceContent(
        title=f"Invoice {doc.get('number', '')}".strip(),
        heading=labels("cancellation" if doc.get("is_cancellation") else "invoice"),
        test_mode=labels("test_mode") if internal.get("testmode") else "",
        event=_event(internal, fmt, labels),
        sender_line=_sender(doc, internal, fmt, labels)[0],
        sender=_sender(doc, internal, fmt, labels)[1],
        recipient=_recipient(doc, fmt),
        meta=_meta(doc, internal, fmt, labels),
        intro=_intro(doc, internal, fmt, labels),
        has_taxes=has_taxes,
        headers=((labels("description"), labels("qty"), labels("tax_rate"), labels("net"), labels("gross")) if has_taxes
                 else (labels("description"), labels("qty"), labels("amount"))),
        rows=rows,
        total_label=labels("cancellation_total" if doc.get("is_cancellation") else "invoice_total"),
        total_net=fmt.money(total_gross - total_tax) if has_taxes else "",
        total_gross=fmt.money(quantize(total_gross, currency)),
        stamp=stamp,
        after_total=after_total,
        taxes_heading=labels("included_taxes"),
        tax_headers=(labels("tax_rate"), labels("net_value"), labels("gross_value"), labels("tax")),
        tax_rows=tax_rows,
        foreign_text=foreign_text,
        foreign_rows=foreign_rows,
        footer=[line for line in lines(doc.get("footer_text"))],
        page_label=labels.table["page"],
        labels=labels,
    )


def _foreign(doc: dict[str, Any], fmt: Formatter, labels: Labels, summary: list[tuple[Any, ...]],
             total_gross: Decimal, total_tax: Decimal) -> tuple[str, list[TaxRow]]:
    currency, rate_text = doc.get("foreign_currency_display"), doc.get("foreign_currency_rate")
    if not currency or not rate_text:
        return "", []
    rate = Decimal(str(rate_text))
    rate_date = fmt.date(doc.get("foreign_currency_rate_date"))

    def convert(amount: Decimal) -> str:
        return fmt.money(quantize(amount * rate, currency), currency)

    if not summary:
        return labels("conversion_total", rate=fmt.decimal(rate), date=rate_date, amount=convert(total_gross)), []
    rows = [TaxRow(f"{fmt.rate(tax_rate)} {name}".strip(), convert(net), convert(gross), convert(tax))
            for tax_rate, name, net, gross, tax in summary]
    if len(summary) > 1:
        rows.append(TaxRow(labels("total"), convert(total_gross - total_tax), convert(total_gross), convert(total_tax)))
    return labels("conversion", rate=fmt.decimal(rate), date=rate_date), rows


def texts(view: InvoiceContent) -> list[str]:
    """Every string the PDF will draw (to check that the fonts can draw them before anything is laid out)."""
    found = [view.heading, view.test_mode, view.sender_line, view.total_label, view.total_net, view.total_gross,
             view.stamp, view.taxes_heading, view.foreign_text, view.page_label, *view.event, *view.sender,
             *view.recipient, *view.intro, *view.headers, *view.after_total, *view.tax_headers, *view.footer]
    for column in view.meta:
        found += [text for field in column for text in (field.label, field.value, field.note)]
    for row in view.rows:
        found += [row.description, *row.details, row.quantity, row.rate, row.net, row.gross]
    for row in (*view.tax_rows, *view.foreign_rows):
        found += [row.rate, row.net, row.gross, row.tax]
    return found
