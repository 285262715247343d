"""`peppol`: a UBL document through a Peppol access point, to business customers with a participant ID."""

from __future__ import annotations

from invoicing import identifiers
from invoicing.transmission.types.base import BUSINESS_ONLY, Problems, TransmissionType, check_info, register

PARTICIPANT = "transmission_peppol_participant_id"
# Reverse charge (AE) and intra-community supplies (K) name the buyer's VAT ID (EN 16931 BR-AE-02, BR-IC-02).
NEED_BUYER_VAT_ID = {"AE", "K"}


@register
class Peppol(TransmissionType):
    identifier = "peppol"
    info_fields = (PARTICIPANT,)
    priority = 50
    enforce_transmission = True
    queue_variable = "PEPPOL_QUEUE_URL"
    provider = "invoicing.transmission.providers.peppol:Peppol"
    variables = ("PEPPOL_CHANNEL_SECRET",)

    def check(self, problems: Problems) -> None:
        address = problems.address
        if not address.is_business:
            problems.fields["transmission_type"] = [BUSINESS_ONLY]
        for name in ("company", "street", "zipcode", "city", "country"):
            problems.require(name)
        problems.require_info(PARTICIPANT)
        check_info(problems, PARTICIPANT, identifiers.participant_error)
        if address.vat_id and (error := identifiers.vat_id_error(address.vat_id, address.country)):
            problems.fields["vat_id"] = [error]

    def check_lines(self, problems: Problems, tax_categories: set[str]) -> None:
        if tax_categories & NEED_BUYER_VAT_ID and not (problems.address.vat_id or "").strip():
            problems.fields.setdefault("vat_id", []).append(
                "Reverse charge and intra-community lines need the customer's VAT ID on a Peppol invoice.")
