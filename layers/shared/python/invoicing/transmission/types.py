"""The transmission types pretix defines, and what an invoice address must hold for each.

`email` is the default; `peppol` and `it_sdi` enforce transmission (their invoices are sent without
being asked, see `ENFORCED`). The rules are checked when an order is created or its address patched,
so an invoice is never issued to an address its channel cannot serve.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from invoicing import identifiers
from invoicing.errors import ValidationFailed
from invoicing.invoices.models import ENFORCED_TRANSMISSION
from invoicing.orders.models import EMAIL, InvoiceAddress

TYPES = ("email", "peppol", "it_sdi")
ENFORCED = ENFORCED_TRANSMISSION
INFO_FIELDS = {
    "email": ("transmission_email_address",),
    "peppol": ("transmission_peppol_participant_id",),
    "it_sdi": ("transmission_it_sdi_codice_fiscale", "transmission_it_sdi_pec", "transmission_it_sdi_recipient_code"),
}
REQUIRED = "This field is required for the selected type of invoice transmission."
BUSINESS_ONLY = "This transmission type is only available for business customers."
ITALY_ONLY = "This transmission type is only available for addresses in Italy."


def address_errors(address: InvoiceAddress) -> dict[str, Any]:
    """DRF-style field errors of the address for its transmission type; empty when it is fine."""
    kind = address.transmission_type
    info = address.transmission_info
    errors: dict[str, list[str]] = {}
    info_errors: dict[str, list[str]] = {}
    for key in info:
        if key not in INFO_FIELDS[kind]:
            info_errors[key] = [f'Not used by the transmission type "{kind}".']

    def require(field: str) -> None:
        if not (getattr(address, field) or "").strip():
            errors[field] = [REQUIRED]

    def require_info(key: str) -> None:
        if not (info.get(key) or "").strip():
            info_errors[key] = [REQUIRED]

    if kind == "email":
        email = info.get("transmission_email_address")
        if email and not address.is_business:
            info_errors["transmission_email_address"] = ["Only business customers may name a separate address."]
        elif email and not EMAIL.fullmatch(email):
            info_errors["transmission_email_address"] = ["Enter a valid email address."]
    elif kind == "peppol":
        if not address.is_business:
            errors["transmission_type"] = [BUSINESS_ONLY]
        for field in ("company", "street", "zipcode", "city", "country"):
            require(field)
        participant = info.get("transmission_peppol_participant_id") or ""
        if not participant.strip():
            require_info("transmission_peppol_participant_id")
        elif error := identifiers.participant_error(participant):
            info_errors["transmission_peppol_participant_id"] = [error]
        if address.vat_id and (error := identifiers.vat_id_error(address.vat_id, address.country)):
            errors["vat_id"] = [error]
    elif kind == "it_sdi":
        if (address.country or "").upper() != "IT":
            errors["transmission_type"] = [ITALY_ONLY]
        if (address.country or "").upper() == "IT" and (error := identifiers.cap_error(address.zipcode)):
            errors["zipcode"] = [error]
        if address.is_business:
            require_info("transmission_it_sdi_pec")
            require_info("transmission_it_sdi_recipient_code")
            require("vat_id")
            if address.vat_id and (error := identifiers.partita_iva_error(address.vat_id)):
                errors["vat_id"] = [error]
            code = info.get("transmission_it_sdi_recipient_code") or ""
            if code and not re.fullmatch(r"[A-Za-z0-9]{7}", code):
                info_errors["transmission_it_sdi_recipient_code"] = ["The recipient code has 7 letters or digits."]
            pec = info.get("transmission_it_sdi_pec") or ""
            if pec and not EMAIL.fullmatch(pec):
                info_errors["transmission_it_sdi_pec"] = ["Enter a valid email address."]
        else:
            require_info("transmission_it_sdi_codice_fiscale")
        fiscal = info.get("transmission_it_sdi_codice_fiscale") or ""
        if fiscal.strip() and (error := identifiers.codice_fiscale_error(fiscal)):
            info_errors["transmission_it_sdi_codice_fiscale"] = [error]
    if info_errors:
        errors["transmission_info"] = info_errors  # type: ignore[assignment]
    return errors


def check_address(address: InvoiceAddress | None, tax_codes: Iterable[str | None] = ()) -> None:
    """400 unless the address can be served by its channel; `tax_codes` of the order's lines, for the buyer VAT ID
    that reverse charge and intra-community supplies need in a Peppol document (EN 16931 BR-AE-02, BR-IC-02)."""
    if address is None:
        return
    errors = address_errors(address)
    categories = {(code or "").partition("/")[0].strip().upper() for code in tax_codes}
    if address.transmission_type == "peppol" and categories & {"AE", "K"} and not (address.vat_id or "").strip():
        errors.setdefault("vat_id", []).append(
            "Reverse charge and intra-community lines need the customer's VAT ID on a Peppol invoice.")
    if errors:
        raise ValidationFailed({"invoice_address": errors})
