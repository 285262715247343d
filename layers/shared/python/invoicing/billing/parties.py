"""The two parties of a billing invoice: the platform (its settings) and the organizer (its billing address).

Both must be complete before an invoice is released (Art. 226 (5) of Directive 2006/112/EC: full names and
addresses of supplier and customer). Their snapshot is taken at release, when the document becomes final.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from invoicing import countries, identifiers, platform
from invoicing.errors import BadRequest, NotFound, ValidationFailed
from invoicing.field_errors import field_errors
from invoicing.storage import organizers
from invoicing.textfields import EMAIL, check_text

# What an address needs to be complete, per party.
PLATFORM_REQUIRED = ("name", "address", "zipcode", "city", "country")
ORGANIZER_REQUIRED = ("billing_company", "billing_street", "billing_zipcode", "billing_city", "billing_country")


class OrganizerBilling(BaseModel):
    """Body of the operator's `PATCH /api/v1/platform/organizers/{organizer}/` (and the CLI's options)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    billing_email: str | None = Field(None, max_length=254)
    billing_company: str | None = Field(None, max_length=255)
    billing_street: str | None = Field(None, max_length=500)
    billing_zipcode: str | None = Field(None, max_length=30)
    billing_city: str | None = Field(None, max_length=255)
    billing_country: str | None = Field(None, max_length=2)
    billing_vat_id: str | None = Field(None, max_length=255)

    @field_validator("name", "billing_company", "billing_zipcode", "billing_city", "billing_vat_id")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        return check_text(value)

    @field_validator("billing_street")
    @classmethod
    def _multi_line(cls, value: str | None) -> str | None:
        return check_text(value, multiline=True)

    @field_validator("billing_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL.fullmatch(value):
            raise ValueError("Enter a valid email address.")
        return value

    @field_validator("billing_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return countries.choice(value)


def update_organizer(slug: str, body: Any) -> dict[str, Any]:
    """Change an organizer's name, billing contact and billing address; returns them. A VAT ID is checked
    against the billing country (format and check digits): it decides reverse charge on the invoice."""
    if not isinstance(body, dict):
        raise ValidationFailed({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    try:
        data = OrganizerBilling.model_validate(body)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc.errors())) from exc
    changes = {key: value.strip() for key, value in data.model_dump(exclude_unset=True).items() if value is not None}
    current = organizers.get_organizer(slug)
    if current is None:
        raise NotFound(f"Organizer {slug} does not exist.")
    vat_id = changes.get("billing_vat_id", current.get("billing_vat_id"))
    country = changes.get("billing_country", current.get("billing_country"))
    if vat_id and (error := identifiers.vat_id_error(vat_id, country)):
        raise ValidationFailed({"billing_vat_id": [error]})
    if changes:
        organizers.update_organizer(slug, changes)
    return organizer_billing({**current, **changes})


def organizer_billing(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item.get(key) or "" for key in OrganizerBilling.model_fields} | {"organizer": item.get("slug", "")}


def sender(settings: platform.PlatformSettings) -> dict[str, str]:
    return {"name": settings.name, "address": settings.address, "zipcode": settings.zipcode, "city": settings.city,
            "country": settings.country, "vat_id": settings.vat_id, "tax_id": settings.tax_id, "iban": settings.iban,
            "footer_text": settings.footer_text}


def recipient(slug: str, item: dict[str, Any]) -> dict[str, str]:
    return {"name": item.get("billing_company") or item.get("name") or slug,
            "street": item.get("billing_street", ""), "zipcode": item.get("billing_zipcode", ""),
            "city": item.get("billing_city", ""), "country": item.get("billing_country", ""),
            "vat_id": item.get("billing_vat_id", "")}


def complete_parties(slug: str) -> tuple[dict[str, str], dict[str, str]]:
    """Sender and recipient for a release; 400 naming what is missing and the command that sets it."""
    settings = platform.settings()
    item = organizers.get_organizer(slug) or {}
    missing_platform = [key for key in PLATFORM_REQUIRED if not str(getattr(settings, key) or "").strip()]
    missing_organizer = [key for key in ORGANIZER_REQUIRED if not str(item.get(key) or "").strip()]
    problems = []
    if missing_platform:
        options = " ".join(f"--{key.replace('_', '-')} ..." for key in missing_platform)
        problems.append(f"the platform's address is incomplete ({', '.join(missing_platform)}): set it with "
                        f"`invoicing platform settings {options}`")
    if missing_organizer:
        options = " ".join(f"--{key.replace('_', '-')} ..." for key in missing_organizer)
        problems.append(f"organizer {slug} has no complete billing address ({', '.join(missing_organizer)}): set it "
                        f"with `invoicing organizer update {slug} {options}` or PATCH /api/v1/platform/organizers/{slug}/")
    if problems:
        raise BadRequest("This invoice cannot be released: " + "; ".join(problems) + ".")
    return sender(settings), recipient(slug, item)


def reverse_charge(sender_: dict[str, str], recipient_: dict[str, str]) -> bool:
    """B2B across an EU border: the organizer, with a VAT ID in another EU country, owes the VAT (Art. 196)."""
    ours, theirs = (sender_.get("country") or "").upper(), (recipient_.get("country") or "").upper()
    return bool(recipient_.get("vat_id")) and countries.is_eu(ours) and countries.is_eu(theirs) and ours != theirs
