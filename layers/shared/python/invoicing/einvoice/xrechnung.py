"""XRechnung 3.0, Germany's CIUS of EN 16931: who gets it, and its identifiers.

A German buyer reached through Peppol gets the XRechnung flavour of Peppol BIS UBL (only the CustomizationID
differs, plus the national BR-DE rules). German public-sector buyers identify themselves by a Leitweg-ID,
which goes into BuyerReference (BT-10); one who receives invoices by email gets the XRechnung XML attached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
LEITWEG_SCHEME = "0204"  # ICD of the Leitweg-ID, as electronic address of a German public buyer
# Coarse address (2-12 digits), optional fine address (up to 30 letters/digits), two check digits.
_LEITWEG = re.compile(r"^[0-9]{2,12}(-[0-9A-Z]{1,30})?-[0-9]{2}$")


def leitweg_id(value: str | None) -> str | None:
    """The Leitweg-ID in `value` (upper-cased), or None unless it has the form and its ISO 7064 check digits."""
    text = (value or "").strip().upper()
    if not _LEITWEG.match(text):
        return None
    digits = "".join(str(int(char, 36)) for char in text.replace("-", ""))
    return text if int(digits) % 97 == 1 else None


def is_german(doc: Mapping[str, Any]) -> bool:
    return (doc.get("invoice_to_country") or "").strip().upper() == "DE"


def wants_xrechnung(doc: Mapping[str, Any]) -> bool:
    """A German Peppol buyer: the UBL goes out with the XRechnung CustomizationID."""
    return is_german(doc) and doc.get("transmission_type") == "peppol"


def public_buyer_leitweg(doc: Mapping[str, Any]) -> str | None:
    """The Leitweg-ID of a German public-sector buyer, from the customer reference; None for anyone else."""
    return leitweg_id(doc.get("internal_reference")) if is_german(doc) else None
