"""`it_sdi`: a FatturaPA file through the Italian Sistema di Interscambio, for addresses in Italy.

A business customer names its PEC address and recipient code and has a partita IVA; a private one its
codice fiscale.
"""

from __future__ import annotations

import re

from invoicing import identifiers
from invoicing.textfields import EMAIL
from invoicing.transmission.types.base import ITALY_ONLY, Problems, TransmissionType, check_info, register

FISCAL_CODE, PEC, RECIPIENT_CODE = ("transmission_it_sdi_codice_fiscale", "transmission_it_sdi_pec",
                                    "transmission_it_sdi_recipient_code")


@register
class ItSdi(TransmissionType):
    identifier = "it_sdi"
    info_fields = (FISCAL_CODE, PEC, RECIPIENT_CODE)
    priority = 40
    enforce_transmission = True
    queue_variable = "SDI_QUEUE_URL"
    provider = "invoicing.transmission.providers.it_sdi:ItSdi"
    variables = ("SDI_CHANNEL_SECRET",)

    def check(self, problems: Problems) -> None:
        address = problems.address
        italian = (address.country or "").upper() == "IT"
        if not italian:
            problems.fields["transmission_type"] = [ITALY_ONLY]
        if italian and (error := identifiers.cap_error(address.zipcode)):
            problems.fields["zipcode"] = [error]
        if address.is_business:
            problems.require_info(PEC)
            problems.require_info(RECIPIENT_CODE)
            problems.require("vat_id")
            if address.vat_id and (error := identifiers.partita_iva_error(address.vat_id)):
                problems.fields["vat_id"] = [error]
            code = problems.value(RECIPIENT_CODE)
            if code and not re.fullmatch(r"[A-Za-z0-9]{7}", code):
                problems.info[RECIPIENT_CODE] = ["The recipient code has 7 letters or digits."]
            pec = problems.value(PEC)
            if pec and not EMAIL.fullmatch(pec):
                problems.info[PEC] = ["Enter a valid email address."]
        else:
            problems.require_info(FISCAL_CODE)
        check_info(problems, FISCAL_CODE, identifiers.codice_fiscale_error)
