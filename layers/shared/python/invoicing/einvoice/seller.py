"""The seller as the e-invoice formats need it, and what a Peppol or SdI transmission lacks to be sent.

The address and tax ids come from the invoice's own `invoice_from_*` snapshot (the invoice is a legal
document: later changes to the settings must not alter it). pretix invoices carry no contact person,
phone, bank account or electronic address, so those come from organizer/event settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from invoicing.einvoice.amounts import categorize

SETTING_KEYS = {
    "contact_name": "invoice_seller_contact_name",
    "contact_email": "invoice_seller_contact_email",
    "contact_phone": "invoice_seller_contact_phone",
    "iban": "invoice_seller_iban",
    "bic": "invoice_seller_bic",
    "peppol_id": "invoice_seller_peppol_id",
    "codice_fiscale": "invoice_seller_codice_fiscale",
    "sdi_transmitter_id": "invoice_sdi_transmitter_id",
}
_PARTICIPANT = re.compile(r"^[0-9A-Za-z]{2,4}:\S+$")
_CAP = re.compile(r"^[0-9]{5}$")


def _clean(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


@dataclass(frozen=True)
class Seller:
    name: str | None
    street: str | None
    zipcode: str | None
    city: str | None
    country: str | None
    state: str | None
    vat_id: str | None
    tax_id: str | None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    iban: str | None = None
    bic: str | None = None
    peppol_id: str | None = None  # "<scheme>:<id>", e.g. "9930:DE123456789"
    codice_fiscale: str | None = None
    sdi_transmitter_id: str | None = None

    @classmethod
    def from_invoice(cls, doc: Mapping[str, Any], internal: Mapping[str, Any], settings: Mapping[str, Any]) -> Seller:
        extra = {field: _clean(settings.get(key)) for field, key in SETTING_KEYS.items()}
        if extra["iban"]:
            extra["iban"] = extra["iban"].replace(" ", "").upper()
        if extra["bic"]:
            extra["bic"] = extra["bic"].replace(" ", "").upper()
        return cls(
            name=_clean(doc.get("invoice_from_name")),
            street=_clean(doc.get("invoice_from")),
            zipcode=_clean(doc.get("invoice_from_zipcode")),
            city=_clean(doc.get("invoice_from_city")),
            country=_clean(doc.get("invoice_from_country")),
            state=_clean(internal.get("invoice_from_state")),
            vat_id=_clean(doc.get("invoice_from_vat_id")),
            tax_id=_clean(doc.get("invoice_from_tax_id")),
            **extra,
        )


def split_participant(value: str | None) -> tuple[str, str] | None:
    """`"0208:0477472701"` → `("0208", "0477472701")`; None unless it has the `<scheme>:<id>` shape."""
    text = (value or "").strip()
    if not _PARTICIPANT.match(text):
        return None
    scheme, _, identifier = text.partition(":")
    return scheme, identifier


def _line_codes(doc: Mapping[str, Any]) -> set[str]:
    return {categorize(Decimal(line["tax_rate"]), line.get("tax_code")).code for line in doc.get("lines") or []}


def _buyer_name(doc: Mapping[str, Any]) -> str | None:
    return _clean(doc.get("invoice_to_company")) or _clean(doc.get("invoice_to_name"))


def _missing_seller(doc: Mapping[str, Any], seller: Seller) -> list[str]:
    """Name (BR-06), country (BR-09), and a VAT id (BR-S-02 etc.; a local tax id only where every line is exempt)."""
    missing = [field for field, value in (("invoice_from_name", seller.name), ("invoice_from_country", seller.country))
               if not value]
    codes = _line_codes(doc)
    if codes - {"O"} and not seller.vat_id and not (codes <= {"E"} and seller.tax_id):
        missing.append("invoice_from_vat_id")
    return missing


def _missing_buyer(doc: Mapping[str, Any]) -> list[str]:
    """Name (BR-07), country (BR-11), and a VAT id for reverse charge and intra-community lines (BR-AE-02, BR-IC-02)."""
    missing = [field for field, value in (("invoice_to_company", _buyer_name(doc)),
                                          ("invoice_to_country", _clean(doc.get("invoice_to_country")))) if not value]
    if _line_codes(doc) & {"AE", "K"} and not _clean(doc.get("invoice_to_vat_id")):
        missing.append("invoice_to_vat_id")
    return missing


def missing_for_en16931(doc: Mapping[str, Any], seller: Seller) -> list[str]:
    """Setting keys and invoice fields any EN 16931 invoice needs but lacks (empty list: ready); an invoice
    without an invoice address, for one, cannot be an EN 16931 invoice."""
    return _missing_seller(doc, seller) + _missing_buyer(doc)


def missing_for_peppol(doc: Mapping[str, Any], seller: Seller) -> list[str]:
    """Setting keys and invoice fields a Peppol BIS 3.0 invoice needs but lacks (empty list: ready).

    EN 16931's parties plus both electronic addresses: the seller's BT-34 (R020) and the buyer's participant
    id (R010). Between two German parties the national rules of BIS 3.0.19 apply too (the offline test XSLT
    predates them).
    """
    missing = [SETTING_KEYS["peppol_id"]] if split_participant(seller.peppol_id) is None else []
    missing += _missing_seller(doc, seller)
    info = doc.get("invoice_to_transmission_info") or {}
    if split_participant(info.get("transmission_peppol_participant_id")) is None:
        missing.append("transmission_peppol_participant_id")
    missing += _missing_buyer(doc)
    if seller.country == "DE" and _clean(doc.get("invoice_to_country")) == "DE":
        missing += _missing_german(doc, seller)
    return missing


def _missing_german(doc: Mapping[str, Any], seller: Seller) -> list[str]:
    """DE to DE, BIS 3.0.19 adds DE-R-*: seller contact name, phone and e-mail; post codes and cities."""
    missing = [SETTING_KEYS[field] for field in ("contact_name", "contact_phone", "contact_email") if not getattr(seller, field)]
    missing += [field for field, value in (("invoice_from_zipcode", seller.zipcode), ("invoice_from_city", seller.city))
                if not value]
    missing += [field for field in ("invoice_to_zipcode", "invoice_to_city") if not _clean(doc.get(field))]
    return missing


def missing_for_xrechnung(doc: Mapping[str, Any], seller: Seller) -> list[str]:
    """What an XRechnung 3.0 lacks: through Peppol all that Peppol needs, otherwise EN 16931's parties; then
    the national rules, whatever the seller's country: seller contact name, phone and e-mail (BR-DE-5/6/7,
    the e-mail is also the seller's electronic address off Peppol), seller and buyer post code and city
    (BR-DE-3/4/8/9), and a VAT id or tax number (BR-DE-16)."""
    missing = missing_for_peppol(doc, seller) if doc.get("transmission_type") == "peppol" else missing_for_en16931(doc, seller)
    if not seller.vat_id and not seller.tax_id:
        missing.append("invoice_from_vat_id")
    return list(dict.fromkeys(missing + _missing_german(doc, seller)))


def missing_for_sdi(doc: Mapping[str, Any], seller: Seller) -> list[str]:
    """Setting keys and invoice fields a FatturaPA file for SdI needs but lacks (empty list: ready).

    The XSD makes the seller's IdFiscaleIVA and full seat (street, 5-digit CAP, city, country) mandatory,
    and every file needs the transmitter's id for IdTrasmittente and the file name. SdI rejects a buyer
    with neither VAT id nor codice fiscale (00417); a business needs a recipient code or a PEC address.
    """
    missing = []
    if not seller.sdi_transmitter_id:
        missing.append(SETTING_KEYS["sdi_transmitter_id"])
    if not seller.vat_id:
        missing.append("invoice_from_vat_id")
    for field, value in (("invoice_from_name", seller.name), ("invoice_from", seller.street),
                         ("invoice_from_city", seller.city), ("invoice_from_country", seller.country)):
        if not value:
            missing.append(field)
    # The XSD's CAP is five digits; a seat abroad is written 00000 (fatturapa._sede), so only Italy needs a CAP.
    if seller.country == "IT" and not _CAP.match(seller.zipcode or ""):
        missing.append("invoice_from_zipcode")
    if not _buyer_name(doc):
        missing.append("invoice_to_company" if doc.get("invoice_to_is_business") else "invoice_to_name")
    for field in ("invoice_to_street", "invoice_to_city", "invoice_to_country"):
        if not _clean(doc.get(field)):
            missing.append(field)
    italian = _clean(doc.get("invoice_to_country")) == "IT"
    if italian and not _CAP.match(_clean(doc.get("invoice_to_zipcode")) or ""):
        missing.append("invoice_to_zipcode")
    info = doc.get("invoice_to_transmission_info") or {}
    if doc.get("invoice_to_is_business"):
        if not _clean(doc.get("invoice_to_vat_id")):
            missing.append("invoice_to_vat_id")
        reachable = _clean(info.get("transmission_it_sdi_recipient_code")) or _clean(info.get("transmission_it_sdi_pec"))
        if italian and not reachable:
            missing.append("transmission_it_sdi_recipient_code")
    elif italian and not _clean(info.get("transmission_it_sdi_codice_fiscale")):
        missing.append("transmission_it_sdi_codice_fiscale")
    return missing
