"""Build an invoice snapshot from an order, its event and the settings in force (pretix's build_invoice).

The result is the public document without its number; numbering happens when it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from invoicing import countries, i18n
from invoicing.clock import isoformat_z
from invoicing.events import Event
from invoicing.invoices.labels import label
from invoicing.money import format_amount, format_rate
from invoicing.orders.models import InvoiceAddress, Order
from invoicing.settings import InvoiceSettings
from invoicing.tax import included_tax


@dataclass
class Draft:
    """An invoice about to be issued: its public fields (number still empty) and what the PDF needs besides."""

    doc: dict[str, Any]
    internal: dict[str, Any] = field(default_factory=dict)

    @property
    def is_cancellation(self) -> bool:
        return self.doc["is_cancellation"]

    @property
    def date(self) -> date:
        return date.fromisoformat(self.doc["date"])


def invoice_locale(order: Order, event: Event, settings: InvoiceSettings) -> str:
    if settings.invoice_language and settings.invoice_language != "__user__":
        return settings.invoice_language
    return order.locale or event.locale


def _html_lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "<br />")


def compose_invoice_to(address: InvoiceAddress | None, locale: str) -> str:
    """pretix's recipient text: company, name, street, "zip city state", country; then `VAT-ID: ...`."""
    if address is None:
        return ""
    city_line = " ".join(part for part in (address.zipcode, address.city, address.state) if part).strip()
    lines = [address.company, address.name, address.street, city_line, countries.country_name(address.country, locale)]
    text = "\n".join(line.strip() for line in lines if line and line.strip())
    if address.vat_id:
        text += f"\nVAT-ID: {address.vat_id}"
    return text


def sender_fields(settings: InvoiceSettings) -> dict[str, Any]:
    return {
        "invoice_from_name": settings.invoice_address_from_name,
        "invoice_from": settings.invoice_address_from,
        "invoice_from_zipcode": settings.invoice_address_from_zipcode,
        "invoice_from_city": settings.invoice_address_from_city,
        "invoice_from_country": settings.invoice_address_from_country or None,
        "invoice_from_tax_id": settings.invoice_address_from_tax_id,
        "invoice_from_vat_id": settings.invoice_address_from_vat_id,
    }


def _recipient_fields(address: InvoiceAddress | None, locale: str) -> dict[str, Any]:
    present = address is not None
    return {
        "invoice_to": compose_invoice_to(address, locale),
        "invoice_to_company": address.company if present else None,
        "invoice_to_is_business": address.is_business if present else None,
        "invoice_to_name": address.name if present else None,
        "invoice_to_street": address.street if present else None,
        "invoice_to_zipcode": address.zipcode if present else None,
        "invoice_to_city": address.city if present else None,
        "invoice_to_state": address.state if present else None,
        "invoice_to_country": (address.country or None) if present else None,
        "invoice_to_vat_id": (address.vat_id or None) if present else None,
        "invoice_to_beneficiary": address.beneficiary if present else None,
        "invoice_to_transmission_info": dict(address.transmission_info) if present else None,
        "custom_field": address.custom_field if present else None,
    }


def _line(position: int, description: str, *, gross: Decimal, rate: Decimal, tax_name: str, tax_code: str | None,
          currency: str, start: datetime | None, end: datetime | None, **extra: Any) -> dict[str, Any]:
    return {
        "position": position,
        "description": description,
        "item": extra.get("item"),
        "variation": extra.get("variation"),
        "subevent": extra.get("subevent"),
        "fee_type": extra.get("fee_type"),
        "fee_internal_type": extra.get("fee_internal_type"),
        "event_date_from": isoformat_z(start),
        "event_date_to": isoformat_z(end),
        "period_start": isoformat_z(start),
        "period_end": isoformat_z(end or start),
        "event_location": extra.get("event_location"),
        "attendee_name": extra.get("attendee_name"),
        "gross_value": format_amount(gross, currency),
        "tax_value": format_amount(included_tax(gross, rate, currency), currency),
        "tax_name": tax_name,
        "tax_code": tax_code,
        "tax_rate": format_rate(rate),
    }


def build_lines(order: Order, event: Event, settings: InvoiceSettings, locale: str) -> list[dict[str, Any]]:
    """Positions first (by position id), then fees; free positions skipped unless included, numbering kept."""
    currency = event.currency
    location = i18n.localize(event.location, locale) or None if settings.invoice_event_location else None
    lines: list[dict[str, Any]] = []
    starts: list[datetime] = []
    ends: list[datetime] = []
    positions = sorted(order.positions, key=lambda p: p.positionid or 0)
    for index, pos in enumerate(positions, start=1):
        if not settings.invoice_include_free and pos.price == 0:
            continue
        description = pos.description
        attendee = pos.attendee_name if settings.invoice_attendee_name and pos.attendee_name else None
        if attendee:
            description += "<br />" + label("attendee", locale, name=attendee)
        if pos.period_start is not None:
            start, end = pos.period_start, pos.period_end
        else:
            start, end = event.date_from, event.date_to
        starts.append(start)
        if end is not None:
            ends.append(end)
        lines.append(_line(index, description, gross=pos.price, rate=pos.tax_rate, tax_name=pos.tax_name,
                           tax_code=pos.tax_code, currency=currency, start=start, end=end, item=pos.item,
                           variation=pos.variation, subevent=pos.subevent, attendee_name=attendee,
                           event_location=pos.event_location if pos.event_location is not None else location))
    fee_start = min(starts) if starts else event.date_from
    fee_end = min(ends) if ends else (None if starts else event.date_to)
    for index, fee in enumerate(order.fees, start=len(positions) + 1):
        # The organizer's own words when given ("Servicegebühr", not "Servicegebühr - Servicegebühr"), else the type.
        description = fee.description or label(fee.fee_type, locale)
        lines.append(_line(index, description, gross=fee.value, rate=fee.tax_rate, tax_name=fee.tax_name,
                           tax_code=fee.tax_code, currency=currency, start=fee_start, end=fee_end,
                           fee_type=fee.fee_type, fee_internal_type=fee.internal_type or None,
                           event_location=location))
    return lines


def build_invoice(order: Order, event: Event, settings: InvoiceSettings, invoice_date: date) -> Draft:
    locale = invoice_locale(order, event, settings)
    address = order.invoice_address
    def text(value: str | dict[str, str]) -> str:
        return i18n.pick(value, locale, event.locale)

    additional = _html_lines(text(settings.invoice_additional_text))
    notes = []
    if settings.invoice_event_location and event.location:
        notes.append(label("event_location", locale, location=i18n.localize(event.location, locale)))
    if notes:
        additional = (additional + "<br /><br />" if additional else "") + "<br />".join(notes)
    foreign = settings.invoice_foreign_currency_display and settings.invoice_foreign_currency_rate
    doc = {
        "number": "",
        "event": event.slug,
        "order": order.code,
        "is_cancellation": False,
        **sender_fields(settings),
        **_recipient_fields(address, locale),
        "date": invoice_date.isoformat(),
        "refers": None,
        "locale": locale,
        "introductory_text": _html_lines(text(settings.invoice_introductory_text)),
        "internal_reference": (address.internal_reference or "") if address else "",
        "additional_text": additional,
        "payment_provider_text": _html_lines(text(order.payment_provider_text)),
        "payment_provider_stamp": order.payment_provider_stamp,
        "footer_text": text(settings.invoice_footer_text),
        "lines": build_lines(order, event, settings, locale),
        "foreign_currency_display": settings.invoice_foreign_currency_display if foreign else None,
        "foreign_currency_rate": f"{settings.invoice_foreign_currency_rate:.4f}" if foreign else None,
        "foreign_currency_rate_date": (settings.invoice_foreign_currency_rate_date.isoformat()
                                       if foreign and settings.invoice_foreign_currency_rate_date else None),
        "transmission_type": address.transmission_type if address else "email",
        "transmission_provider": None,
        "transmission_status": "pending",
        "transmission_date": None,
    }
    return Draft(doc=doc, internal=_internal(order, event, settings, locale))


def _internal(order: Order, event: Event, settings: InvoiceSettings, locale: str) -> dict[str, Any]:
    """What a PDF needs that the public resource does not carry."""
    return {
        "currency": event.currency,
        "event_name": i18n.localize(event.name, locale),
        "event_date_from": isoformat_z(event.date_from),
        "event_date_to": isoformat_z(event.date_to),
        "event_timezone": event.timezone,
        "invoice_from_state": settings.invoice_address_from_state,
        "testmode": order.testmode,
        "order_email": order.email,
    }


def build_cancellation(original: dict[str, Any], original_internal: dict[str, Any], settings: InvoiceSettings,
                       invoice_date: date) -> Draft:
    """pretix's cancellation document: a copy with negated lines, fresh sender, no payment text, pending."""
    currency = original_internal.get("currency", "EUR")
    doc = {
        **original,
        **sender_fields(settings),
        "number": "",
        "is_cancellation": True,
        "refers": original["number"],
        "date": invoice_date.isoformat(),
        "payment_provider_text": "",
        "payment_provider_stamp": "",
        "lines": [{**line, "gross_value": format_amount(-Decimal(line["gross_value"]), currency),
                   "tax_value": format_amount(-Decimal(line["tax_value"]), currency)} for line in original["lines"]],
        "transmission_provider": None,
        "transmission_status": "pending",
        "transmission_date": None,
    }
    return Draft(doc=doc, internal={**original_internal, "invoice_from_state": settings.invoice_address_from_state,
                                    "refers_date": original["date"]})
