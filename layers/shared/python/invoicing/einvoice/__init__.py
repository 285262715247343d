"""E-invoice XML formats built from an invoice snapshot (pure domain code, standard library XML only).

* `amounts`: pretix's gross-based lines as EN 16931 net lines, VAT categories, breakdown and totals.
* `seller`: the seller's data (invoice snapshot plus settings) and what a transmission still lacks.
* `ubl`: Peppol BIS Billing 3.0 UBL 2.1 Invoice / CreditNote (or their XRechnung 3.0 form).
* `cii`: EN 16931 in UN/CEFACT CII, the XML of Factur-X / ZUGFeRD hybrid PDFs.
* `xrechnung`: who gets XRechnung, Leitweg-IDs; `endpoints`: electronic addresses and buyer reference.
* `fatturapa`: FatturaPA FPR12 (FPA12 for public administration) for Italy's SdI, with its file name.
"""

from invoicing.einvoice.amounts import Amounts, Line, TaxCategory, TaxGroup, UnsupportedCurrency, categorize, compute
from invoicing.einvoice.cii import build_cii
from invoicing.einvoice.fatturapa import FatturaFile, build_fatturapa, fattura_filename
from invoicing.einvoice.seller import (
    SETTING_KEYS,
    Seller,
    missing_for_en16931,
    missing_for_peppol,
    missing_for_sdi,
    missing_for_xrechnung,
    split_participant,
)
from invoicing.einvoice.ubl import DOCUMENT_TYPE_IDS, XRECHNUNG_DOCUMENT_TYPE_IDS, build_ubl
from invoicing.einvoice.xrechnung import public_buyer_leitweg, wants_xrechnung

__all__ = [
    "DOCUMENT_TYPE_IDS",
    "SETTING_KEYS",
    "XRECHNUNG_DOCUMENT_TYPE_IDS",
    "Amounts",
    "FatturaFile",
    "Line",
    "Seller",
    "TaxCategory",
    "TaxGroup",
    "UnsupportedCurrency",
    "build_cii",
    "build_fatturapa",
    "build_ubl",
    "categorize",
    "compute",
    "fattura_filename",
    "missing_for_en16931",
    "missing_for_peppol",
    "missing_for_sdi",
    "missing_for_xrechnung",
    "public_buyer_leitweg",
    "split_participant",
    "wants_xrechnung",
]
