"""`invoice_pdf_einvoice` against moto: the render job stores Factur-X PDFs (invoices and cancellations), keeps
their CII for `Accept: application/xml`, and leaves events without the setting as they were."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import boto3
import pytest
from facturx import get_facturx_xml_from_pdf

from invoicing import clock, events
from invoicing.errors import NotAcceptable, NotReady
from invoicing.invoices import changes, files, rendering
from invoicing.invoices.read import Visibility
from invoicing.storage import invoices as store
from invoicing.transmission import documents
from tests.support import builders, einvoice_validation, pdfa

ALL = Visibility(events=None)
SELLER = {
    "invoice_address_from_name": "Big Events GmbH", "invoice_address_from": "Musterstraße 1",
    "invoice_address_from_zipcode": "10115", "invoice_address_from_city": "Berlin",
    "invoice_address_from_country": "DE", "invoice_address_from_vat_id": "DE123456789",
    "invoice_seller_contact_email": "billing@bigevents.example", "invoice_seller_iban": "DE02120300000000202051",
}


@pytest.fixture(scope="module")
def validator():
    einvoice_validation.warm_up_cii()
    return einvoice_validation


def _setup(**settings):
    clock.set_clock(lambda: datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    org = builders.organizer(invoice_generate="True", **SELLER, **settings)
    builders.event(org, date_from="2026-12-01T10:00:00Z")
    builders.order(org, invoice_address={"is_business": True, "company": "Umbrella Consulting", "street": "Gartenweg 92",
                                         "zipcode": "04109", "city": "Leipzig", "country": "DE", "vat_id": "DE671965507"})
    return org


def _drain_renders():
    sqs = boto3.client("sqs")
    while messages := sqs.receive_message(QueueUrl=os.environ["RENDER_QUEUE_URL"], MaxNumberOfMessages=10,
                                          VisibilityTimeout=0).get("Messages", []):
        for message in messages:
            rendering.render(rendering.RenderJob.model_validate(json.loads(message["Body"])))
            sqs.delete_message(QueueUrl=os.environ["RENDER_QUEUE_URL"], ReceiptHandle=message["ReceiptHandle"])


def test_factur_x_invoices_and_cancellations_carry_their_cii(aws, validator):
    org = _setup(invoice_pdf_einvoice="factur-x")
    _drain_renders()
    changes.reissue(org, "SAMPLECONF-00001", ALL)  # a cancellation (00002) and a new invoice (00003)
    _drain_renders()

    for number, type_code in (("SAMPLECONF-00001", b"380"), ("SAMPLECONF-00002", b"381"), ("SAMPLECONF-00003", b"380")):
        pdf = files.download(org, number, ALL).read()
        assert pdfa.problems(pdf) == [], number
        filename, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
        assert filename == "factur-x.xml"
        assert f"<ram:TypeCode>{type_code.decode()}</ram:TypeCode>".encode() in xml
        assert einvoice_validation.fatal(validator.validate_cii(xml)) == [], number
        download = documents.download_xml(org, number, ALL)  # the same bytes for Accept: application/xml
        assert (download.read(), download.filename) == (xml, f"{number}.xml")
    assert b"<ram:IssuerAssignedID>SAMPLECONF-00001</ram:IssuerAssignedID>" in documents.download_xml(
        org, "SAMPLECONF-00002", ALL).read()


def test_without_the_setting_the_pdf_is_plain_and_the_xml_form_406(aws):
    org = _setup()
    _drain_renders()
    pdf = files.download(org, "SAMPLECONF-00001", ALL).read()
    assert "XMP metadata" in pdfa.problems(pdf)
    with pytest.raises(NotAcceptable, match=r"^Could not satisfy the request Accept header\.$"):
        documents.download_xml(org, "SAMPLECONF-00001", ALL)


def test_the_xml_form_before_the_render_is_not_ready_and_asks_for_it(aws):
    org = _setup(invoice_pdf_einvoice="factur-x")
    invoice = store.get(org, "SAMPLECONF-00001")
    store.record_render_error(org, invoice.number, invoice.content_version, "Lost")  # the first job was lost
    with pytest.raises(NotReady, match=r"^The requested resource is not ready, please retry later\.$"):
        documents.download_xml(org, "SAMPLECONF-00001", ALL)
    _drain_renders()
    assert documents.download_xml(org, "SAMPLECONF-00001", ALL).read().startswith(b"<?xml")


def test_a_plain_pdf_rendered_before_the_setting_stays_406(aws):
    org = _setup()
    _drain_renders()
    events.patch_organizer_settings(org, {"invoice_pdf_einvoice": "factur-x"})
    # the PDF it has is plain; a regenerate would make it hybrid
    with pytest.raises(NotAcceptable, match=r"^Could not satisfy the request Accept header\.$"):
        documents.download_xml(org, "SAMPLECONF-00001", ALL)


def test_a_late_xml_for_older_content_does_not_replace_the_newer_one(aws):
    org = _setup(invoice_pdf_einvoice="factur-x", invoice_regenerate_allowed="True")
    old = store.get(org, "SAMPLECONF-00001")
    changes.regenerate(org, "SAMPLECONF-00001", ALL)
    _drain_renders()  # version 2 rendered, its CII recorded
    newer = documents.download_xml(org, "SAMPLECONF-00001", ALL).read()

    documents.store_xml(old, b"<late/>", "late.xml")  # a render of version 1 that was overtaken

    assert documents.download_xml(org, "SAMPLECONF-00001", ALL).read() == newer


def test_an_invoice_without_invoice_address_stays_a_plain_pdf(aws, caplog):
    """No buyer name or country: no valid EN 16931 invoice can be made, so no invalid one is embedded."""
    clock.set_clock(lambda: datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    org = builders.organizer(invoice_generate="True", invoice_pdf_einvoice="factur-x", **SELLER)
    builders.event(org)
    builders.order(org)
    _drain_renders()

    pdf = files.download(org, "SAMPLECONF-00001", ALL).read()
    assert "XMP metadata" in pdfa.problems(pdf)
    with pytest.raises(NotAcceptable, match=r"^Could not satisfy the request Accept header\.$"):
        documents.download_xml(org, "SAMPLECONF-00001", ALL)
    assert "factur-x left out of invoice PDF, missing: invoice_to_company, invoice_to_country" in caplog.text
