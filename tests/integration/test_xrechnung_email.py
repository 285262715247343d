"""A German public-sector buyer (Leitweg-ID as customer reference) with email transmission receives the
XRechnung 3.0 XML attached next to the PDF, validated against KoSIT's rules; missing seller data fails the
attempt with the settings named instead of sending a PDF the buyer cannot process."""

from __future__ import annotations

import email
import json
import os
from datetime import UTC, datetime

import boto3
import pytest

from invoicing import clock
from invoicing.invoices import rendering
from invoicing.invoices.read import Visibility
from invoicing.storage import invoices as invoice_store
from invoicing.transmission import attempts, documents, worker
from invoicing.transmission.providers.email_pdf import EmailPdf
from tests.support import builders, einvoice_validation, pdfa
from tests.support.aws import sent_emails

ALL = Visibility(events=None)
LEITWEG = "04011000-1234512345-06"
SELLER = {
    "invoice_address_from_name": "Big Events GmbH", "invoice_address_from": "Musterstraße 1",
    "invoice_address_from_zipcode": "10115", "invoice_address_from_city": "Berlin",
    "invoice_address_from_country": "DE", "invoice_address_from_vat_id": "DE123456789",
    "invoice_email_sender": "invoices@example.com", "invoice_seller_contact_name": "Anna Schmidt",
    "invoice_seller_contact_email": "billing@bigevents.example", "invoice_seller_contact_phone": "+49 30 123456",
    "invoice_seller_iban": "DE02120300000000202051",
}
PUBLIC_BUYER = {"is_business": True, "company": "Stadtverwaltung Musterstadt", "street": "Rathausplatz 1",
                "zipcode": "12345", "city": "Musterstadt", "country": "DE", "internal_reference": LEITWEG}


@pytest.fixture(scope="module")
def validator():
    einvoice_validation.warm_up_xrechnung()
    return einvoice_validation


def _sent_invoice(org: str, address: dict) -> tuple[str, worker.Outcome]:
    clock.set_clock(lambda: datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    number = builders.order(org, email="einkauf@musterstadt.example", invoice_address=address)["invoices"][0]
    rendering.render(rendering.RenderJob(organizer=org, number=number, content_version=1))
    attempts.transmit(org, number, ALL)
    sqs = boto3.client("sqs")
    [message] = sqs.receive_message(QueueUrl=os.environ["EMAIL_QUEUE_URL"]).get("Messages", [])
    return number, worker.run(worker.AttemptJob.model_validate(json.loads(message["Body"])), EmailPdf(), 1)


def test_the_xrechnung_is_attached_next_to_the_pdf(aws, validator):
    org = builders.organizer(invoice_generate="True", **SELLER)
    builders.event(org)
    number, outcome = _sent_invoice(org, PUBLIC_BUYER)

    assert outcome == worker.Outcome.COMPLETED
    [sent] = sent_emails()
    parts = {part.get_filename(): part for part in email.message_from_string(sent.raw_data).walk() if part.get_filename()}
    assert sorted(parts) == [f"Invoice_{number}.pdf", f"XRechnung_{number}.xml"]
    xml_part = parts[f"XRechnung_{number}.xml"]
    assert xml_part.get_content_type() == "application/xml"
    xml = xml_part.get_payload(decode=True)
    assert einvoice_validation.fatal(validator.validate_xrechnung(xml)) == []
    assert f"<cbc:BuyerReference>{LEITWEG}</cbc:BuyerReference>".encode() in xml
    assert documents.download_xml(org, number, ALL).read() == xml  # the XML form is what was sent


def test_an_ordinary_german_business_gets_the_pdf_alone(aws):
    org = builders.organizer(invoice_generate="True", **SELLER)
    builders.event(org)
    _, outcome = _sent_invoice(org, {**PUBLIC_BUYER, "internal_reference": "PO-4711"})

    assert outcome == worker.Outcome.COMPLETED
    [sent] = sent_emails()
    names = [part.get_filename() for part in email.message_from_string(sent.raw_data).walk() if part.get_filename()]
    assert len(names) == 1
    assert names[0].endswith(".pdf")


def test_missing_seller_contact_fails_with_the_settings_named(aws):
    org = builders.organizer(invoice_generate="True", **{**SELLER, "invoice_seller_contact_phone": ""})
    builders.event(org)
    number, outcome = _sent_invoice(org, PUBLIC_BUYER)

    assert outcome == worker.Outcome.FAILED
    assert sent_emails() == []
    assert invoice_store.get(org, number).item["tx_reason"] == "seller data missing: invoice_seller_contact_phone"


def test_with_factur_x_the_pdf_is_hybrid_and_the_xml_form_stays_its_cii(aws, validator):
    org = builders.organizer(invoice_generate="True", invoice_pdf_einvoice="factur-x", **SELLER)
    builders.event(org)
    number, outcome = _sent_invoice(org, PUBLIC_BUYER)

    assert outcome == worker.Outcome.COMPLETED
    [sent] = sent_emails()
    parts = {part.get_filename(): part.get_payload(decode=True)
             for part in email.message_from_string(sent.raw_data).walk() if part.get_filename()}
    cii = pdfa.embedded_xml(parts[f"Invoice_{number}.pdf"])
    assert b"CrossIndustryInvoice" in cii
    assert einvoice_validation.fatal(validator.validate_xrechnung(parts[f"XRechnung_{number}.xml"])) == []
    assert documents.download_xml(org, number, ALL).read() == cii
