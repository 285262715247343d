"""Transmission over HTTP on the local stack: every type ends `completed` with its provider (SES, the fake
Peppol access point, the fake SdI intermediary), a failing channel ends `failed` and `retransmit` recovers,
fifty concurrent `transmit` calls deliver once, and the XML form is downloadable."""

from __future__ import annotations

import email
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import Organizer
from tests.support.einvoice_validation import fatal, validate_fatturapa, validate_ubl

pytestmark = pytest.mark.e2e

SELLER = {
    "invoice_address_from_name": "Big Events GmbH", "invoice_address_from": "Musterstraße 1",
    "invoice_address_from_zipcode": "10115", "invoice_address_from_city": "Berlin",
    "invoice_address_from_country": "DE", "invoice_address_from_vat_id": "DE123456788",
    "invoice_email_sender": "invoices@example.com", "invoice_seller_contact_name": "Anna Schmidt",
    "invoice_seller_contact_email": "billing@bigevents.example", "invoice_seller_iban": "DE02120300000000202051",
    "invoice_seller_peppol_id": "9930:DE123456788", "invoice_sdi_transmitter_id": "01234567890",
}
PEPPOL = {"is_business": True, "company": "Acme NV", "name": "Jan Peeters", "street": "Rue de la Loi 1",
          "zipcode": "1000", "city": "Brussels", "country": "BE", "vat_id": "BE0123456749",
          "transmission_type": "peppol", "transmission_info": {"transmission_peppol_participant_id": "0208:0123456749"}}
SDI = {"is_business": True, "company": "Rossi S.r.l.", "name": "Mario Rossi", "street": "Via Roma 1", "zipcode": "00184",
       "city": "Roma", "country": "IT", "vat_id": "IT12345670017", "transmission_type": "it_sdi",
       "transmission_info": {"transmission_it_sdi_pec": "rossi@pec.example.it",
                             "transmission_it_sdi_recipient_code": "ABC1234"}}


@pytest.fixture
def shop(new_organizer) -> Organizer:
    organizer = new_organizer("tx", invoice_generate="True", **SELLER)
    organizer.event("conf")
    return organizer


def status(shop: Organizer, number: str) -> tuple[str, str | None]:
    invoice = shop.invoice(number, "conf")
    return invoice["transmission_status"], invoice["transmission_provider"]


def mails_to(address: str) -> list[email.message.Message]:
    from tests.support.aws import sent_emails

    messages = [email.message_from_string(sent.raw_data) for sent in sent_emails()]
    return [message for message in messages if message["To"] == address]


def test_an_email_invoice_is_sent_with_its_pdf_on_transmit(stack, shop):
    number = shop.order("conf", email="buyer@tx.example")["invoices"][0]
    assert status(shop, number) == ("pending", None)  # email-type invoices wait to be asked

    assert shop.api.post(shop.invoices_url("conf", number, "transmit"), shop.token).status == 204
    stack.drain()

    assert status(shop, number) == ("completed", "email_pdf")
    [message] = mails_to("buyer@tx.example")
    [attachment] = [part for part in message.walk() if part.get_filename()]
    pdf = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token).raw
    assert attachment.get_payload(decode=True) == pdf
    assert shop.api.post(shop.invoices_url("conf", number, "transmit"), shop.token).body == {
        "detail": "The invoice is not in pending state."}


def test_a_peppol_invoice_is_sent_through_the_access_point_when_issued(stack, shop):
    number = shop.order("conf", invoice_address=PEPPOL)["invoices"][0]
    stack.drain()

    assert status(shop, number) == ("completed", "peppol")
    delivered = [d for d in stack.peppol_access_point.deliveries() if d.headers.get("X-Peppol-Receiver") == "0208:0123456749"]
    assert len(delivered) == 1
    xml = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token, headers={"Accept": "application/xml"})
    assert (xml.status, xml.header("Content-Type")) == (200, "application/xml")
    assert xml.raw == delivered[0].body
    assert b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" in xml.raw
    assert fatal(validate_ubl(xml.raw)) == []  # UBL 2.1 XSD, CEN and PEPPOL EN 16931 schematron


def test_an_sdi_invoice_is_handed_to_the_intermediary_as_a_fatturapa_file(stack, shop):
    number = shop.order("conf", invoice_address=SDI)["invoices"][0]
    stack.drain()

    assert status(shop, number) == ("completed", "it_sdi")
    [delivered] = [d for d in stack.sdi_intermediary.deliveries() if b"ABC1234" in d.body]
    assert delivered.headers["X-Filename"].startswith("IT01234567890_")
    assert b"FPR12" in delivered.body
    assert fatal(validate_fatturapa(delivered.body)) == []  # FatturaPA XSD v1.2.3


def test_a_rejecting_channel_fails_the_invoice_and_retransmit_completes_it(stack, shop):
    stack.peppol_access_point.fail_with(400)
    try:
        number = shop.order("conf", invoice_address=PEPPOL)["invoices"][0]
        stack.drain()
        assert status(shop, number) == ("failed", "peppol")
    finally:
        stack.peppol_access_point.fail_with(None)
    # Why it failed, in words, at event and organizer level; the invoice resource keeps pretix's fields
    for event in ("conf", None):
        reply = shop.api.get(shop.invoices_url(event, number, "transmissions"), shop.token)
        assert reply.status == 200, reply
        assert (reply.body["count"], reply.body["next"], reply.body["previous"]) == (1, None, None)
        [attempt] = reply.body["results"]
        assert (attempt["provider"], attempt["status"]) == ("peppol", "failed")
        assert attempt["reason"].startswith("the access point refused the document: ")
        assert attempt["reason"].endswith("(HTTP 400)")
    assert not {"reason", "tx_reason", "transmissions"} & set(shop.invoice(number, "conf"))

    assert shop.api.post(shop.invoices_url(None, number, "retransmit"), shop.token).status == 204
    stack.drain()

    assert status(shop, number) == ("completed", "peppol")
    listed = shop.api.get(shop.invoices_url("conf", number, "transmissions", query="page_size=1"), shop.token).body
    assert listed["count"] == 2 and listed["results"][0]["status"] == "completed" and listed["next"]
    assert shop.api.get(listed["next"], shop.token).body["results"][0]["status"] == "failed"


def test_transmission_attempts_need_can_view_orders(stack, shop):
    number = shop.order("conf")["invoices"][0]
    without = shop.token_with(["can_change_event_settings"])

    reply = shop.api.get(shop.invoices_url("conf", number, "transmissions"), without)
    assert reply.status == 403, reply
    assert shop.api.get(shop.invoices_url("conf", "NOPE-1", "transmissions"), shop.token).status == 404
    empty = shop.api.get(shop.invoices_url(None, number, "transmissions"), shop.token)
    assert (empty.status, empty.body["count"], empty.body["results"]) == (200, 0, [])


def test_fifty_concurrent_transmit_calls_deliver_once(stack, shop):
    number = shop.order("conf", email="once@tx.example")["invoices"][0]
    url = shop.invoices_url("conf", number, "transmit")

    with stack.paused("TransmitEmailFunction"), ThreadPoolExecutor(max_workers=25) as pool:
        replies = list(pool.map(lambda _: shop.api.post(url, shop.token), range(50)))
    stack.drain()

    assert {reply.status for reply in replies} == {204}
    assert len(mails_to("once@tx.example")) == 1
    assert status(shop, number) == ("completed", "email_pdf")


def test_retransmit_while_the_channel_is_down_and_the_attempt_inflight_is_409(stack, shop):
    stack.peppol_access_point.fail_with(503)
    try:
        number = shop.order("conf", invoice_address=PEPPOL)["invoices"][0]
        deadline = time.monotonic() + 10
        while status(shop, number)[0] != "inflight" and time.monotonic() < deadline:
            time.sleep(0.1)

        reply = shop.api.post(shop.invoices_url("conf", number, "retransmit"), shop.token)

        assert (reply.status, reply.body) == (409, {"detail": "The requested action is already in progress."})
    finally:
        stack.peppol_access_point.fail_with(None)
        # The attempt waits out its backoff in the queue; drop it so that other tests' drain() need not wait.
        stack.client("sqs").purge_queue(QueueUrl=stack.queue_url("PeppolQueue"))


def test_the_xml_form_of_an_email_invoice_is_406(shop):
    number = shop.order("conf")["invoices"][0]

    reply = shop.api.get(shop.invoices_url("conf", number, "download"), shop.token, headers={"Accept": "application/xml"})

    assert (reply.status, reply.body) == (406, {"detail": "Could not satisfy the request Accept header."})


def test_a_cancellation_of_a_peppol_invoice_goes_out_as_a_valid_credit_note(stack, shop):
    number = shop.order("conf", invoice_address=PEPPOL)["invoices"][0]
    stack.drain()

    assert shop.api.post(shop.invoices_url("conf", number, "reissue"), shop.token).status == 204
    stack.drain()

    [cancellation] = [n for n in shop.invoice_numbers("conf") if shop.invoice(n, "conf")["refers"] == number]
    assert status(shop, cancellation) == ("completed", "peppol")
    xml = shop.api.get(shop.invoices_url("conf", cancellation, "download"), shop.token,
                       headers={"Accept": "application/xml"}).raw
    assert b"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in xml
    assert number.encode() in xml  # the BillingReference to the original
    assert fatal(validate_ubl(xml)) == []
