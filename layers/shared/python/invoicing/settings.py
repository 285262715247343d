"""Invoice settings: the keys pretix knows (plus a few of ours), their defaults, validation and inheritance.

Organizer values apply to all its events; an event value overrides the organizer's; `null` removes a value
so the inherited one applies again.
"""

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from invoicing import countries, i18n, identifiers
from invoicing.errors import ValidationFailed
from invoicing.field_errors import field_errors
from invoicing.textfields import EMAIL, STORED, check_text, is_stored

# Invoice numbers are path segments of the API (`.../invoices/<number>/download/`): a prefix holds only what a URL
# path segment keeps as it is, and strftime placeholders whose output does too.
_PREFIX = re.compile(r"(?:[A-Za-z0-9_.\-]|%[Yymdj])*")
PREFIX_MESSAGE = "Please only use the characters A-Z, a-z, 0-9, -_. and the placeholders %Y, %y, %m, %d, %j in this field."
PREFIX_DOTS_MESSAGE = "Two dots in a row (..) are not allowed in this field."
# pretix's i18n texts; 2000 characters a language keep an invoice's copy within orders/limits.SETTINGS_HEADROOM.
I18nText = i18n.text_type(2000)


class InvoiceSettings(BaseModel):
    """Effective settings with their defaults; `model_dump(mode="json")` is the API's representation."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    # Limits (issue 10): what an invoice copies of the settings stays within orders/limits.SETTINGS_HEADROOM.
    invoice_address_from_name: str = Field("", max_length=255)
    invoice_address_from: str = Field("", max_length=1000)
    invoice_address_from_zipcode: str = Field("", max_length=30)
    invoice_address_from_city: str = Field("", max_length=255)
    invoice_address_from_state: str = Field("", max_length=255)
    invoice_address_from_country: str = ""
    invoice_address_from_tax_id: str = Field("", max_length=255)
    invoice_address_from_vat_id: str = Field("", max_length=255)
    # pretix's i18n strings: a string, or {"en": "...", "de": "..."}; returned as stored.
    invoice_introductory_text: I18nText = ""
    invoice_additional_text: I18nText = ""
    invoice_footer_text: I18nText = ""
    invoice_numbers_prefix: str = Field("", max_length=155)
    invoice_numbers_prefix_cancellations: str = Field("", max_length=155)
    invoice_numbers_counter_length: int = Field(5, ge=1, le=12)
    invoice_numbers_consecutive: bool = True
    invoice_generate: Literal["False", "admin", "True", "paid"] = "False"
    invoice_language: str = Field("__user__", max_length=20)
    invoice_include_free: bool = True
    invoice_regenerate_allowed: bool = False
    invoice_attendee_name: bool = True
    invoice_event_location: bool = False
    # Ours: a fixed second currency to show totals in, with the rate the organizer publishes.
    invoice_foreign_currency_display: str = Field("", max_length=3)
    invoice_foreign_currency_rate: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=4)
    invoice_foreign_currency_rate_date: date | None = None
    # Ours: what e-invoice formats and the email channel need and pretix keeps elsewhere.
    invoice_email_attachment: bool = False  # also transmit email-type invoices automatically when issued
    invoice_email_sender: str = Field("", max_length=254)
    invoice_seller_contact_name: str = Field("", max_length=200)
    invoice_seller_contact_email: str = Field("", max_length=254)
    invoice_seller_contact_phone: str = Field("", max_length=50)
    invoice_seller_iban: str = Field("", max_length=34)
    invoice_seller_bic: str = Field("", max_length=11)
    invoice_seller_peppol_id: str = Field("", max_length=100)
    invoice_seller_codice_fiscale: str = Field("", max_length=16)
    invoice_sdi_transmitter_id: str = Field("", max_length=28)
    # Ours: "factur-x" makes every invoice PDF a Factur-X / ZUGFeRD hybrid (PDF/A-3b with the EN 16931 CII inside).
    invoice_pdf_einvoice: Literal["none", "factur-x"] = "none"

    @field_validator("invoice_address_from", "invoice_introductory_text", "invoice_additional_text",
                     "invoice_footer_text")
    @classmethod
    def _multi_line(cls, value: Any, info: ValidationInfo) -> Any:
        return check_text(value, multiline=True, info=info)

    @field_validator("invoice_address_from_name", "invoice_address_from_zipcode", "invoice_address_from_city",
                     "invoice_address_from_state", "invoice_address_from_tax_id", "invoice_address_from_vat_id",
                     "invoice_language", "invoice_seller_contact_name", "invoice_seller_contact_phone",
                     "invoice_seller_bic", "invoice_seller_codice_fiscale", "invoice_sdi_transmitter_id")
    @classmethod
    def _one_line(cls, value: Any, info: ValidationInfo) -> Any:
        return check_text(value, info=info)

    @field_validator("invoice_numbers_prefix", "invoice_numbers_prefix_cancellations")
    @classmethod
    def _prefix_characters(cls, value: str, info: ValidationInfo) -> str:
        if is_stored(info):
            return value
        if not _PREFIX.fullmatch(value):
            raise ValueError(PREFIX_MESSAGE)
        if ".." in value:
            raise ValueError(PREFIX_DOTS_MESSAGE)
        return value

    @field_validator("invoice_address_from_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return countries.choice(value)

    @field_validator("invoice_foreign_currency_display")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("Use an ISO 4217 currency code such as PLN.")
        return value

    @field_validator("invoice_seller_peppol_id")
    @classmethod
    def _participant(cls, value: str) -> str:
        return _checked(value.strip(), identifiers.participant_error)

    @field_validator("invoice_email_sender", "invoice_seller_contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not EMAIL.fullmatch(value):
            raise ValueError("Enter a valid email address.")
        return value

    @field_validator("invoice_seller_iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return _checked(value.replace(" ", "").upper(), identifiers.iban_error)

    @field_validator("invoice_seller_bic")
    @classmethod
    def _bic(cls, value: str) -> str:
        return _checked(value.replace(" ", "").upper(), identifiers.bic_error)

    @field_validator("invoice_seller_codice_fiscale")
    @classmethod
    def _codice_fiscale(cls, value: str) -> str:
        return _checked(value.strip().upper(), identifiers.codice_fiscale_error)

    @field_validator("invoice_generate", mode="before")
    @classmethod
    def _generate(cls, value: Any) -> Any:
        return {True: "True", False: "False"}.get(value, value) if isinstance(value, bool) else value


KEYS = tuple(InvoiceSettings.model_fields)


def _checked(value: str, error_of: Callable[[str], str | None]) -> str:
    """Empty stays empty (unset); anything else must pass its identifier check."""
    error = error_of(value) if value else None
    if error:
        raise ValueError(error)
    return value


def validate_patch(changes: Any) -> dict[str, Any]:
    """Check a PATCH body; returns the known keys, values in their stored (JSON) form, None meaning unset."""
    if not isinstance(changes, dict):
        kind = type(changes).__name__
        raise ValidationFailed({"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]})
    known = {key: value for key, value in changes.items() if key in InvoiceSettings.model_fields}
    to_check = {key: value for key, value in known.items() if value is not None}
    try:
        checked = InvoiceSettings.model_validate(to_check).model_dump(mode="json", include=set(to_check))
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors())) from exc
    return {key: checked.get(key) for key in known}


def effective(organizer_settings: dict[str, Any], event_settings: dict[str, Any] | None = None) -> InvoiceSettings:
    return InvoiceSettings.model_validate({**organizer_settings, **(event_settings or {})}, context=STORED)
