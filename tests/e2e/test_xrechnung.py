"""XRechnung over HTTP on the local stack: a German public buyer reached through Peppol gets the XRechnung 3.0
CIUS with its Leitweg-ID as BuyerReference, valid against KoSIT's rules, and the XML download serves it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Organizer
from tests.support.einvoice_validation import fatal, validate_xrechnung

pytestmark = pytest.mark.e2e

LEITWEG = "04011000-1234512345-06"
SELLER = {
    "invoice_address_from_name": "Big Events GmbH", "invoice_address_from": "Musterstraße 1",
    "invoice_address_from_zipcode": "10115", "invoice_address_from_city": "Berlin",
    "invoice_address_from_country": "DE", "invoice_address_from_vat_id": "DE123456788",
    "invoice_seller_contact_name": "Anna Schmidt", "invoice_seller_contact_email": "billing@bigevents.example",
    "invoice_seller_contact_phone": "+49 30 123456", "invoice_seller_iban": "DE02120300000000202051",
    "invoice_seller_peppol_id": "9930:DE123456788",
}
PUBLIC_BUYER = {"is_business": True, "company": "Stadtverwaltung Musterstadt", "street": "Rathausplatz 1",
                "zipcode": "12345", "city": "Musterstadt", "country": "DE", "internal_reference": LEITWEG,
                "transmission_type": "peppol", "transmission_info": {"transmission_peppol_participant_id": f"0204:{LEITWEG}"}}


@pytest.fixture
def shop(new_organizer) -> Organizer:
    organizer = new_organizer("xr", invoice_generate="True", **SELLER)
    organizer.event("conf")
    return organizer


def test_a_german_public_buyer_on_peppol_receives_an_xrechnung(stack, shop):
    number = shop.order("conf", invoice_address=PUBLIC_BUYER)["invoices"][0]
    stack.drain()

    assert shop.invoice(number, "conf")["transmission_status"] == "completed"
    [delivered] = [d for d in stack.peppol_access_point.deliveries() if d.headers.get("X-Peppol-Receiver") == f"0204:{LEITWEG}"]
    assert b"<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0" in delivered.body
    assert f"<cbc:BuyerReference>{LEITWEG}</cbc:BuyerReference>".encode() in delivered.body
    assert fatal(validate_xrechnung(delivered.body)) == []
    assert delivered.headers.get("X-Peppol-Document-Type") == (
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice"
        "##urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0::2.1")
    xml = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token, headers={"Accept": "application/xml"})
    assert (xml.status, xml.raw) == (200, delivered.body)
