"""Factur-X over HTTP on the local stack: with `invoice_pdf_einvoice=factur-x` the downloaded PDF is a PDF/A-3b
whose embedded CII validates, `Accept: application/xml` gives that same CII, the email carries the hybrid PDF."""

from __future__ import annotations

import email

import pytest
from facturx import get_facturx_xml_from_pdf

from tests.e2e.conftest import Organizer
from tests.support import pdfa
from tests.support.einvoice_validation import fatal, validate_cii

pytestmark = pytest.mark.e2e

SELLER = {
    "invoice_address_from_name": "Big Events GmbH", "invoice_address_from": "Musterstraße 1",
    "invoice_address_from_zipcode": "10115", "invoice_address_from_city": "Berlin",
    "invoice_address_from_country": "DE", "invoice_address_from_vat_id": "DE123456789",
    "invoice_email_sender": "invoices@example.com", "invoice_seller_contact_email": "billing@bigevents.example",
    "invoice_seller_iban": "DE02120300000000202051", "invoice_seller_bic": "BYLADEM1001",
}
BUYER = {"is_business": True, "company": "Société Générale d'Événements", "name": "Zoë Dupont", "street": "1 rue de Rivoli",
         "zipcode": "75001", "city": "Paris", "country": "FR", "vat_id": "FR40303265045"}


@pytest.fixture
def shop(new_organizer) -> Organizer:
    organizer = new_organizer("fx", invoice_generate="True", **SELLER)
    organizer.event("conf", invoice_pdf_einvoice="factur-x")
    return organizer


def test_the_downloaded_pdf_carries_a_valid_cii_which_the_xml_download_serves(stack, shop):
    number = shop.order("conf", email="buyer@fx.example", invoice_address=BUYER)["invoices"][0]
    stack.drain()

    reply = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token,
                         headers={"Accept": "application/json, text/plain, */*"})
    assert (reply.status, reply.header("Content-Type")) == (200, "application/pdf")
    assert pdfa.problems(reply.raw) == []
    filename, xml = get_facturx_xml_from_pdf(reply.raw, check_xsd=True)
    assert filename == "factur-x.xml"
    assert fatal(validate_cii(xml)) == []
    assert "Société Générale d'Événements".encode() in xml

    as_xml = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token, headers={"Accept": "application/xml"})
    assert (as_xml.status, as_xml.header("Content-Type"), as_xml.raw) == (200, "application/xml", xml)
    assert as_xml.header("Content-Disposition") == f'attachment; filename="{number}.xml"'
    again = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token,
                         headers={"Accept": "application/xml", "If-None-Match": as_xml.header("ETag")})
    assert again.status == 304

    assert shop.api.post(shop.invoices_url("conf", number, "transmit"), shop.token).status == 204
    stack.drain()
    from tests.support.aws import sent_emails

    [message] = [m for m in map(email.message_from_string, (s.raw_data for s in sent_emails()))
                 if m["To"] == "buyer@fx.example"]
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_payload(decode=True) == reply.raw


def test_the_setting_takes_only_its_two_values(shop):
    reply = shop.api.patch(shop.url("events", "conf", "settings"), shop.token, body={"invoice_pdf_einvoice": "zugferd"})
    assert reply.status == 400
    assert list(reply.body) == ["invoice_pdf_einvoice"]
    assert shop.api.get(shop.url("events", "conf", "settings"), shop.token).body["invoice_pdf_einvoice"] == "factur-x"
    assert shop.api.get(shop.url("settings"), shop.token).body["invoice_pdf_einvoice"] == "none"  # the default
