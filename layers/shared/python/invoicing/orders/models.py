"""Order input and stored shape: pretix's order fields that invoices are made from."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from invoicing import countries, i18n
from invoicing.money import parse_decimal
from invoicing.textfields import EMAIL, check_multi_line, check_one_line, check_text
from invoicing.transmission import types as transmission_types

FeeType = Literal["payment", "shipping", "service", "cancellation", "insurance", "late", "other", "giftcard"]
TransmissionType = Literal[transmission_types.IDENTIFIERS]  # type: ignore[valid-type]


def _strict_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    return parse_decimal(value)


Money = Annotated[Decimal, BeforeValidator(_strict_decimal), Field(ge=Decimal("-1e11"), le=Decimal("1e11"))]
Rate = Annotated[Decimal, BeforeValidator(_strict_decimal), Field(ge=0, le=100, decimal_places=2)]


def Line(max_length: int) -> Any:
    """A one-line text field (names, address lines, descriptions): no control characters."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(check_one_line)]


def Lines(max_length: int) -> Any:
    """A multi-line text field (street, texts): line breaks and tabs, no other control characters."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(check_multi_line)]


Text = Line(255)  # pretix's length for names and address lines


def _multi_line_text(value: Any, info: ValidationInfo) -> Any:
    return check_text(value, multiline=True, info=info)


# pretix's i18n form: a string or {locale: text}; multi-line.
PaymentText = Annotated[i18n.text_type(2000), AfterValidator(_multi_line_text)]


class InvoiceAddress(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    is_business: bool = False
    company: Text | None = ""
    name: Text | None = ""
    street: Lines(1000) | None = ""
    zipcode: Line(30) | None = ""
    city: Text | None = ""
    state: Line(255) | None = ""
    country: Line(2) | None = ""
    vat_id: Line(255) | None = ""
    internal_reference: Lines(1000) | None = ""
    custom_field: Text | None = None
    beneficiary: Lines(1000) | None = ""
    transmission_type: TransmissionType = "email"
    # Keys are field names (`transmission_peppol_participant_id`, ...): never empty, which DynamoDB maps cannot hold.
    transmission_info: dict[Annotated[str, Field(min_length=1, max_length=100)], Line(255)] = Field(default_factory=dict)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return countries.choice(value)


class Position(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    positionid: int | None = Field(None, ge=1, le=10_000)
    item: int | None = None
    variation: int | None = None
    subevent: int | None = None
    description: Annotated[Line(255), Field(min_length=1)]
    price: Money
    tax_rate: Rate = Decimal("0")
    tax_name: Line(255) = ""
    tax_code: Line(100) | None = None
    attendee_name: Line(255) | None = None
    period_start: AwareDatetime | None = None
    period_end: AwareDatetime | None = None
    event_location: Lines(500) | None = None


class Fee(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    fee_type: FeeType
    internal_type: Line(255) | None = None
    description: Line(255) = ""
    value: Money
    tax_rate: Rate = Decimal("0")
    tax_name: Line(255) = ""
    tax_code: Line(100) | None = None


def _email(value: str) -> str:
    if not EMAIL.fullmatch(value):
        raise ValueError("Enter a valid email address.")
    return value


class OrderCreate(BaseModel):
    """Body of `POST .../orders/`.

    Besides the limits of each field, the whole order must stay processable: its invoice (with attendee names and
    the event location on every line) may take at most about 320 KB, the order itself 300 KB, in UTF-8 (400 with
    `non_field_errors` otherwise). 500 positions with 40-character descriptions, attendee names, locations and
    tax names come to 300 KB; 250 positions with 100-character ones to 230 KB.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)

    code: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9]+$")] | None = None
    status: Literal["n", "p"] = "n"
    email: Annotated[str, Field(max_length=254), BeforeValidator(lambda v: _email(v) if isinstance(v, str) else v)] | None = None
    locale: Annotated[str, Field(max_length=10, pattern=r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")] | None = None
    testmode: bool = False
    payment_provider: Line(255) = ""
    payment_provider_text: PaymentText = ""
    payment_provider_stamp: Line(100) | None = None
    invoice_address: InvoiceAddress | None = None
    positions: Annotated[list[Position], Field(min_length=1, max_length=500)]
    fees: Annotated[list[Fee], Field(max_length=100)] = Field(default_factory=list)


class OrderPatch(BaseModel):
    """Body of `PATCH .../orders/{code}/`: only these fields change."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    email: Annotated[str, Field(max_length=254), BeforeValidator(lambda v: _email(v) if isinstance(v, str) else v)] | None = None
    locale: Annotated[str, Field(max_length=10, pattern=r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")] | None = None
    invoice_address: InvoiceAddress | None = None


class Order(BaseModel):
    """An order as stored."""

    model_config = ConfigDict(defer_build=True)

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
