"""The invoice snapshot built from an order: fee line descriptions and multilingual texts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from invoicing.events import Event
from invoicing.invoices.build import build_invoice, build_lines
from invoicing.orders.models import Fee, Order, Position
from invoicing.settings import InvoiceSettings


def event(locale: str = "en") -> Event:
    return Event(organizer="bigevents", slug="sampleconf", name={"en": "Sample Conference"}, currency="EUR",
                 date_from=datetime(2027, 6, 14, 8, tzinfo=UTC), locale=locale)


def order(locale: str = "de", fees: list[Fee] | None = None) -> Order:
    return Order(organizer="bigevents", event="sampleconf", code="ABC12", status="p", locale=locale,
                 datetime=datetime(2026, 11, 21, tzinfo=UTC),
                 positions=[Position(positionid=1, description="Ticket", price=Decimal("100.00"))], fees=fees or [])


@pytest.mark.parametrize(("fee", "expected"), [
    (Fee(fee_type="service", description="Servicegebühr", value=Decimal("2.50")), "Servicegebühr"),
    (Fee(fee_type="service", description="", value=Decimal("2.50")), "Servicegebühr"),
    (Fee(fee_type="payment", description="PayPal", value=Decimal("0.35")), "PayPal"),
    (Fee(fee_type="payment", value=Decimal("0.35")), "Zahlungsgebühr"),
])
def test_fee_line_is_its_description_and_the_type_label_only_without_one(fee: Fee, expected: str) -> None:
    lines = build_lines(order(fees=[fee]), event(), InvoiceSettings(), "de")
    assert lines[-1]["description"] == expected


TEXTS = {"invoice_introductory_text": {"en": "Thank you for your order.", "de": "Vielen Dank für Ihre Bestellung."},
         "invoice_additional_text": {"de": "Zahlbar sofort.", "fr": "Payable immédiatement."},
         "invoice_footer_text": "Big Events GmbH · Berlin"}


def test_invoice_texts_are_taken_in_the_invoice_locale() -> None:
    draft = build_invoice(order(locale="de"), event("en"), InvoiceSettings.model_validate(TEXTS), date(2026, 11, 21))

    assert draft.doc["locale"] == "de"
    assert draft.doc["introductory_text"] == "Vielen Dank für Ihre Bestellung."
    assert draft.doc["additional_text"] == "Zahlbar sofort."
    assert draft.doc["footer_text"] == "Big Events GmbH · Berlin"  # a plain string is the text in every language


def test_invoice_texts_fall_back_to_the_event_locale_then_to_the_first() -> None:
    # Given an order in Italian, for which no text exists, in an event whose language is German
    draft = build_invoice(order(locale="it"), event("de"), InvoiceSettings.model_validate(TEXTS), date(2026, 11, 21))

    assert draft.doc["introductory_text"] == "Vielen Dank für Ihre Bestellung."  # event locale
    assert draft.doc["additional_text"] == "Zahlbar sofort."  # event locale "de"

    draft = build_invoice(order(locale="it"), event("es"), InvoiceSettings.model_validate(TEXTS), date(2026, 11, 21))
    assert draft.doc["introductory_text"] == "Thank you for your order."  # the first given
    assert draft.doc["additional_text"] == "Zahlbar sofort."


def test_regional_locale_finds_its_language_text() -> None:
    draft = build_invoice(order(locale="de-AT"), event("en"), InvoiceSettings.model_validate(TEXTS), date(2026, 11, 21))
    assert draft.doc["introductory_text"] == "Vielen Dank für Ihre Bestellung."


def test_order_payment_text_accepts_the_i18n_form() -> None:
    paying = order(locale="de").model_copy(update={"payment_provider_text": {"en": "Please transfer.",
                                                                             "de": "Bitte überweisen."}})
    draft = build_invoice(paying, event(), InvoiceSettings(), date(2026, 11, 21))
    assert draft.doc["payment_provider_text"] == "Bitte überweisen."
