"""E-invoice XML formats built from an invoice snapshot (pure domain code, standard library XML only).

* `amounts`: pretix's gross-based lines as EN 16931 net lines, VAT categories, breakdown and totals.
* `seller`: the seller's data (invoice snapshot plus settings) and what a transmission still lacks.
* `ubl`: Peppol BIS Billing 3.0 UBL 2.1 Invoice / CreditNote.
* `fatturapa`: FatturaPA FPR12 (FPA12 for public administration) for Italy's SdI, with its file name.
"""

from invoicing.einvoice.amounts import Amounts, Line, TaxCategory, TaxGroup, UnsupportedCurrency, categorize, compute
from invoicing.einvoice.fatturapa import FatturaFile, build_fatturapa, fattura_filename
from invoicing.einvoice.seller import SETTING_KEYS, Seller, missing_for_peppol, missing_for_sdi, split_participant
from invoicing.einvoice.ubl import DOCUMENT_TYPE_IDS, build_ubl

__all__ = [
    "DOCUMENT_TYPE_IDS",
    "SETTING_KEYS",
    "Amounts",
    "FatturaFile",
    "Line",
    "Seller",
    "TaxCategory",
    "TaxGroup",
    "UnsupportedCurrency",
    "build_fatturapa",
    "build_ubl",
    "categorize",
    "compute",
    "fattura_filename",
    "missing_for_peppol",
    "missing_for_sdi",
    "split_participant",
]
