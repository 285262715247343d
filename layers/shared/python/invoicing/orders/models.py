"""Order input and stored shape: pretix's order fields that invoices are made from."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from invoicing import countries, i18n
from invoicing.money import parse_decimal

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # also for settings and transmission addresses
FeeType = Literal["payment", "shipping", "service", "cancellation", "insurance", "late", "other", "giftcard"]
TransmissionType = Literal["email", "peppol", "it_sdi"]


def _strict_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    return parse_decimal(value)


Money = Annotated[Decimal, BeforeValidator(_strict_decimal), Field(ge=Decimal("-1e11"), le=Decimal("1e11"))]
Rate = Annotated[Decimal, BeforeValidator(_strict_decimal), Field(ge=0, le=100, decimal_places=2)]
Text = Annotated[str, Field(max_length=2000)]
PaymentText = i18n.text_type(2000)  # pretix's i18n form: a string or {locale: text}


class InvoiceAddress(BaseModel):
    model_config = ConfigDict(extra="ignore")

    is_business: bool = False
    company: Text | None = ""
    name: Text | None = ""
    street: Text | None = ""
    zipcode: Annotated[str, Field(max_length=30)] | None = ""
    city: Text | None = ""
    state: Annotated[str, Field(max_length=255)] | None = ""
    country: Annotated[str, Field(max_length=2)] | None = ""
    vat_id: Annotated[str, Field(max_length=255)] | None = ""
    internal_reference: Text | None = ""
    custom_field: Text | None = None
    beneficiary: Text | None = ""
    transmission_type: TransmissionType = "email"
    # Keys are field names (`transmission_peppol_participant_id`, ...): never empty, which DynamoDB maps cannot hold.
    transmission_info: dict[Annotated[str, Field(min_length=1, max_length=100)], Annotated[str, Field(max_length=255)]] \
        = Field(default_factory=dict)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value and not countries.is_country(value):
            raise ValueError(f'"{value}" is not a valid choice.')
        return value


class Position(BaseModel):
    model_config = ConfigDict(extra="ignore")

    positionid: int | None = Field(None, ge=1, le=10_000)
    item: int | None = None
    variation: int | None = None
    subevent: int | None = None
    description: Annotated[str, Field(min_length=1, max_length=500)]
    price: Money
    tax_rate: Rate = Decimal("0")
    tax_name: Annotated[str, Field(max_length=255)] = ""
    tax_code: Annotated[str, Field(max_length=100)] | None = None
    attendee_name: Annotated[str, Field(max_length=255)] | None = None
    period_start: AwareDatetime | None = None
    period_end: AwareDatetime | None = None
    event_location: Text | None = None


class Fee(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fee_type: FeeType
    internal_type: Annotated[str, Field(max_length=255)] | None = None
    description: Annotated[str, Field(max_length=500)] = ""
    value: Money
    tax_rate: Rate = Decimal("0")
    tax_name: Annotated[str, Field(max_length=255)] = ""
    tax_code: Annotated[str, Field(max_length=100)] | None = None


def _email(value: str) -> str:
    if not EMAIL.fullmatch(value):
        raise ValueError("Enter a valid email address.")
    return value


class OrderCreate(BaseModel):
    """Body of `POST .../orders/`."""

    model_config = ConfigDict(extra="ignore")

    code: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9]+$")] | None = None
    status: Literal["n", "p"] = "n"
    email: Annotated[str, Field(max_length=254), BeforeValidator(lambda v: _email(v) if isinstance(v, str) else v)] | None = None
    locale: Annotated[str, Field(max_length=10, pattern=r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")] | None = None
    testmode: bool = False
    payment_provider: Annotated[str, Field(max_length=255)] = ""
    payment_provider_text: PaymentText = ""
    payment_provider_stamp: Annotated[str, Field(max_length=100)] | None = None
    invoice_address: InvoiceAddress | None = None
    positions: Annotated[list[Position], Field(min_length=1, max_length=500)]
    fees: Annotated[list[Fee], Field(max_length=100)] = Field(default_factory=list)


class OrderPatch(BaseModel):
    """Body of `PATCH .../orders/{code}/`: only these fields change."""

    model_config = ConfigDict(extra="ignore")

    email: Annotated[str, Field(max_length=254), BeforeValidator(lambda v: _email(v) if isinstance(v, str) else v)] | None = None
    locale: Annotated[str, Field(max_length=10, pattern=r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")] | None = None
    invoice_address: InvoiceAddress | None = None


class Order(BaseModel):
    """An order as stored."""

    organizer: str
    event: str
    code: str
    status: Literal["n", "p", "c"]
    email: str | None = None
    locale: str
    testmode: bool = False
    datetime: datetime
    payment_provider: str = ""
    payment_provider_text: str | dict[str, str] = ""
    payment_provider_stamp: str | None = None
    payment_date: datetime | None = None
    invoice_address: InvoiceAddress | None = None
    positions: list[Position]
    fees: list[Fee] = Field(default_factory=list)
    invoice_numbers: list[str] = Field(default_factory=list)
    version: int = 0

    @property
    def total(self) -> Decimal:
        return sum((p.price for p in self.positions), Decimal(0)) + sum((f.value for f in self.fees), Decimal(0))
