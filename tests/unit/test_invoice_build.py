"""The invoice snapshot built from an order: fee line descriptions and multilingual texts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.events import Event
from invoicing.invoices.build import build_lines
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
