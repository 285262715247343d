"""Electronic addresses (BT-34, BT-49) and the buyer reference (BT-10), the same in CII and UBL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from invoicing.einvoice.seller import Seller, split_participant
from invoicing.einvoice.xrechnung import LEITWEG_SCHEME, leitweg_id, public_buyer_leitweg

EMAIL_SCHEME = "EM"  # electronic address scheme for an e-mail address (EAS code list)


def seller_endpoint(seller: Seller) -> tuple[str, str] | None:
    """BT-34: the Peppol participant id, else the billing contact's e-mail address."""
    return split_participant(seller.peppol_id) or ((EMAIL_SCHEME, seller.contact_email) if seller.contact_email else None)


def buyer_endpoint(doc: Mapping[str, Any], internal: Mapping[str, Any]) -> tuple[str, str] | None:
    """BT-49: Peppol participant id, else a German public buyer's Leitweg-ID, else where the invoice is e-mailed."""
    info = doc.get("invoice_to_transmission_info") or {}
    participant = split_participant(info.get("transmission_peppol_participant_id"))
    if participant is not None:
        return participant
    leitweg = public_buyer_leitweg(doc)
    if leitweg:
        return LEITWEG_SCHEME, leitweg
    email = info.get("transmission_email_address") or internal.get("order_email")
    return (EMAIL_SCHEME, email) if email else None


def buyer_reference(doc: Mapping[str, Any]) -> str:
    """BT-10: the customer's reference (a Leitweg-ID in its canonical form), else the order code."""
    reference = (doc.get("internal_reference") or "").strip()
    return leitweg_id(reference) or reference or doc["order"]
