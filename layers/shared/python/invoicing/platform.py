"""The platform operator: its settings (who issues billing invoices, how they are numbered) and its tokens.

Platform tokens guard the operator API (billing invoices for organizers). They are a kind of their own:
hashed like organizer tokens but stored under another key prefix, so an organizer token is never a
platform token, and the final comparison is constant-time all the same.
"""

import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from invoicing import access, countries, identifiers
from invoicing.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from invoicing.field_errors import message
from invoicing.storage import platform as store
from invoicing.textfields import MultiLine, OneLine


class PlatformSettings(BaseModel):
    """The sender printed on billing invoices and their numbering; every field has a usable default."""

    model_config = ConfigDict(defer_build=True)

    name: OneLine = "Invoicing Platform"
    address: MultiLine = ""
    zipcode: OneLine = ""
    city: OneLine = ""
    country: OneLine = ""
    vat_id: OneLine = ""
    tax_id: OneLine = ""
    iban: OneLine = ""
    footer_text: MultiLine = ""
    # `{year}` is replaced by the year of the invoice date; the counter runs per resulting prefix.
    billing_number_prefix: str = Field(default="R{year}", max_length=40)
    billing_number_counter_length: int = Field(default=3, ge=1, le=12)


    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return countries.choice(value)

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        value = value.replace(" ", "").upper()
        if value and (error := identifiers.iban_error(value)):
            raise ValueError(error)
        return value

    @model_validator(mode="after")
    def _vat_id(self) -> Self:
        if self.vat_id and (error := identifiers.vat_id_error(self.vat_id, self.country)):
            raise ValueError(f"vat_id: {error}")
        return self


SETTING_NAMES = tuple(PlatformSettings.model_fields)
_PREFIX = re.compile(r"^[A-Za-z0-9_\-.{}]*$")  # what a URL path segment keeps as it is (numbers are in URLs)


def settings() -> PlatformSettings:
    return PlatformSettings.model_validate(store.get_settings())


def update_settings(changes: dict[str, object]) -> PlatformSettings:
    unknown = sorted(set(changes) - set(SETTING_NAMES))
    if unknown:
        raise ValidationFailed({name: ["Unknown setting."] for name in unknown})
    prefix = changes.get("billing_number_prefix")
    if isinstance(prefix, str) and (not _PREFIX.match(prefix) or prefix.replace("{year}", "").count("{")
                                    or ".." in prefix):
        raise ValidationFailed({"billing_number_prefix": ["Use letters, digits, - _ . and the placeholder {year}."]})
    merged = {**store.get_settings(), **{k: v for k, v in changes.items() if v is not None}}
    try:
        checked = PlatformSettings.model_validate(merged)  # fails before anything is written
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            text = message(error)  # the model check words its message "<field>: <sentence>"
            field, _, text = text.partition(": ") if not error["loc"] else (str(error["loc"][0]), "", text)
            errors.setdefault(field, []).append(text)
        raise ValidationFailed(errors) from exc
    normalized = {key: getattr(checked, key) if value is not None else None for key, value in changes.items()}
    return PlatformSettings.model_validate(store.update_settings(normalized))


# --- Tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformPrincipal:
    """The platform operator, acting through one of its tokens."""

    token_id: str


def create_token(name: str) -> tuple[str, dict]:
    """A new platform token; returns the secret (shown once) and the stored record (without the secret)."""
    secret = access.new_secret()
    record = {"id": secrets.token_hex(6), "hash": access.hash_secret(secret), "name": name, "active": True,
              "kind": "platform"}
    store.put_token(record)
    return secret, record


def revoke_token(token_id: str) -> None:
    store.deactivate_token(token_id)


ORGANIZER_TOKEN_HERE = "This is an organizer's API token: this route needs a platform token."


def authenticate(authorization: str | None) -> PlatformPrincipal:
    """`Authorization: Token <secret>` of a platform token.

    A malformed header or unknown secret gets the organizer API's own 401 messages; a valid organizer
    token is 403: the caller is known, and may not do this.
    """
    parts = (authorization or "").split()
    if len(parts) == 2 and parts[0].lower() == "token" and parts[1].isascii():
        token_hash = access.hash_secret(parts[1])
        record = store.get_token(token_hash)
        if record is not None and hmac.compare_digest(record["hash"], token_hash):
            if not record.get("active", False):
                raise NotAuthenticated("Token inactive or deleted.")
            return PlatformPrincipal(token_id=record["id"])
    access.authenticate(authorization)  # raises the 401 the header deserves...
    raise PermissionDenied(ORGANIZER_TOKEN_HERE)  # ...or it is an organizer's token
