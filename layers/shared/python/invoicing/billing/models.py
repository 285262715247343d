"""Billing invoices: the operator's input, the computed lines, and the three public shapes
(pretix Hosted's `billing_invoices`, the Hostway-style account invoice, the operator's full view)."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from invoicing.errors import ValidationFailed
from invoicing.money import decimals_of, format_amount, format_rate, parse_decimal, places, quantize
from invoicing.textfields import MultiLine, OneLine

STATUSES = ("open", "paid", "void")
REVIEW_STATES = ("in_review", "released")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def _decimal(value: object) -> Decimal:
    return parse_decimal(value)


Amount = Annotated[Decimal, BeforeValidator(_decimal)]


class _Model(BaseModel):
    # Validators are built on first use, not in the cold start of a function whose request never needs them.
    model_config = ConfigDict(defer_build=True)


class LineInput(_Model):
    """One line as the operator writes it: net amount and tax rate; tax and gross are computed."""

    model_config = ConfigDict(extra="forbid")

    description: OneLine = Field(min_length=1, max_length=500)
    net: Amount
    tax_rate: Amount = Decimal("0")

    @field_validator("tax_rate")
    @classmethod
    def _rate(cls, rate: Decimal) -> Decimal:
        if rate < 0 or rate > 100:
            raise ValueError("Ensure this value is between 0 and 100.")
        if decimals_of(rate) > 2:
            raise ValueError("Ensure that there are no more than 2 decimal places.")
        return rate


class BillingCreate(_Model):
    """What the operator gives to create a billing invoice (API body and CLI alike)."""

    model_config = ConfigDict(extra="forbid")

    organizer: str = Field(min_length=1, max_length=50)
    currency: str
    lines: list[LineInput] = Field(min_length=1, max_length=200)
    date_issued: date | None = None  # default: today (UTC)
    description: MultiLine = Field(default="", max_length=1000)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not CURRENCY.match(value):
            raise ValueError("Use a three-letter ISO 4217 code such as EUR.")
        return value

    def computed_lines(self) -> list[dict[str, str]]:
        """Lines with tax = net x rate / 100 and gross = net + tax, half-up to the currency's places."""
        result = []
        for index, line in enumerate(self.lines):
            if decimals_of(line.net) > places(self.currency):
                message = f"Ensure that there are no more than {places(self.currency)} decimal places."
                raise ValidationFailed({"lines": [*({} for _ in range(index)), {"net": [message]}]})
            net = quantize(line.net, self.currency)
            tax = quantize(net * line.tax_rate / Decimal(100), self.currency)
            result.append({"description": line.description, "net": format_amount(net, self.currency),
                           "tax_rate": format_rate(line.tax_rate), "tax": format_amount(tax, self.currency),
                           "gross": format_amount(net + tax, self.currency)})
        return result


class PaymentInput(_Model):
    """A payment the operator records (API body and CLI alike)."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount = Field(description="The amount paid (> 0, at most the amount due, in the currency's decimal "
                                       "places)", examples=["10.00"])


# --- Public shapes -----------------------------------------------------------------------------


class PretixBillingInvoice(_Model):
    """pretix Hosted's resource: exactly these two fields."""

    invoice_number: str
    date_issued: date


class PretixBillingPage(_Model):
    count: int
    next: str | None
    previous: str | None
    results: list[PretixBillingInvoice]


class HostwayLink(_Model):
    href: str
    rel: str


class HostwayInvoice(_Model):
    """The Hostway account invoice, field names and order as documented."""

    status: str
    currency: str
    amount: str
    amountDue: str
    description: str
    links: list[HostwayLink]
    date: str
    statusName: str
    invoiceNumber: str


class HostwayInvoiceList(_Model):
    invoices: list[HostwayInvoice]
    total: int
    page: int
    pageSize: int
    links: list[HostwayLink]


class BillingLine(_Model):
    description: str
    net: str
    tax_rate: str
    tax: str
    gross: str


class Payment(_Model):
    amount: str
    recorded_at: str


class OperatorBillingInvoice(_Model):
    """Everything the operator sees of a billing invoice."""

    invoice_number: str
    organizer: str
    date_issued: date
    currency: str
    description: str
    lines: list[BillingLine]
    amount: str
    amount_due: str
    status: str
    review_state: str
    billing_email: str | None
    released_at: str | None
    emailed_at: str | None
    pdf_ready: bool
    payments: list[Payment]


STATUS_NAMES = {"open": "Invoice Open", "paid": "Invoice Paid", "void": "Invoice Void"}


def four_places(amount: Decimal) -> str:
    """Hostway writes amounts with four decimals whatever the currency (`"1113.7500"`)."""
    return f"{amount.quantize(Decimal('0.0001')):.4f}"


@dataclass(frozen=True)
class Shapes:
    """Turns a stored billing invoice into each public shape."""

    @staticmethod
    def pretix(invoice: Any) -> dict[str, Any]:
        return {"invoice_number": invoice.number, "date_issued": invoice.date_issued}

    @staticmethod
    def hostway(invoice: Any, self_url: str) -> dict[str, Any]:
        return {
            "status": f"invoice_{invoice.status}",
            "currency": invoice.currency,
            "amount": four_places(invoice.amount),
            "amountDue": four_places(invoice.amount_due),
            "description": f"Invoice #{invoice.number}",
            "links": [{"href": self_url, "rel": "self"}],
            "date": invoice.date_issued,
            "statusName": STATUS_NAMES[invoice.status],
            "invoiceNumber": invoice.number,
        }

    @staticmethod
    def operator(invoice: Any) -> dict[str, Any]:
        currency = invoice.currency
        return {
            "invoice_number": invoice.number,
            "organizer": invoice.organizer,
            "date_issued": invoice.date_issued,
            "currency": currency,
            "description": invoice.description,
            "lines": invoice.lines,
            "amount": format_amount(invoice.amount, currency),
            "amount_due": format_amount(invoice.amount_due, currency),
            "status": invoice.status,
            "review_state": invoice.review_state,
            "billing_email": invoice.billing_email,
            "released_at": invoice.item.get("released_at"),
            "emailed_at": invoice.emailed_at,
            "pdf_ready": invoice.file is not None,
            "payments": invoice.payments,
        }
