"""Sender identities per organizer (issue 10): the settings API refuses senders the organizer does not own, and
the email function sends From the organizer's address only when SES has verified it for that organizer; else
From the platform's MailFrom on the organizer's behalf. Header values never carry control characters."""

from __future__ import annotations

import email
import json

import boto3
import pytest

from invoicing import clock, events
from invoicing.errors import AlreadyExists, ValidationFailed
from invoicing.invoices import rendering
from invoicing.invoices.read import Visibility
from invoicing.storage import dynamo, mail_identities
from invoicing.storage import invoices as invoice_store
from invoicing.transmission import attempts, worker
from invoicing.transmission.providers.email_pdf import EmailPdf
from tests.integration.test_transmission import MOMENT, _jobs
from tests.support import builders
from tests.support.aws import sent_emails

PLATFORM = "invoices@example.com"  # template.yaml: MailFrom's default, an SES identity of the stack


@pytest.fixture
def two_shops(aws):
    clock.set_clock(lambda: MOMENT)
    for slug in ("shop", "other"):
        builders.organizer(slug, invoice_generate="True", invoice_address_from_name=f"{slug.title()} Events",
                           invoice_seller_contact_email=f"accounts@{slug}.example")
        builders.event(slug)
    return "shop", "other"


def _verify_in_ses(identity: str) -> None:
    boto3.client("sesv2").create_email_identity(EmailIdentity=identity)


def _send_one(org: str) -> email.message.Message:
    number = builders.order(org, email="buyer@example.org")["invoices"][0]
    rendering.render(rendering.RenderJob(organizer=org, number=number, content_version=1))
    attempts.transmit(org, number, Visibility(events=None))
    [job] = _jobs("EMAIL_QUEUE_URL")
    assert worker.run(worker.AttemptJob.model_validate(job), EmailPdf(), 1) == worker.Outcome.COMPLETED
    return email.message_from_string(sent_emails()[-1].raw_data)


@pytest.mark.parametrize("sender", [
    "billing@invoicing.example",  # the platform's billing sender
    PLATFORM,                     # the platform's MailFrom
    "invoices@other.example",     # an address of the other organizer's verified domain
    "anything@shop.example",      # the organizer's own domain, not verified for it
])
def test_the_settings_api_refuses_senders_outside_the_organizers_identities(two_shops, sender):
    mail_identities.record("other", "other.example")

    for patch in (lambda: events.patch_organizer_settings("shop", {"invoice_email_sender": sender}),
                  lambda: events.patch_event_settings("shop", "sampleconf", {"invoice_email_sender": sender})):
        with pytest.raises(ValidationFailed) as refused:
            patch()
        [message] = refused.value.errors["invoice_email_sender"]
        assert message.startswith(f"{sender} is not a verified sender of this organizer.")
        assert "invoicing organizer update shop --mail-identity" in message

    assert events.organizer_settings("shop")["invoice_email_sender"] == ""


def test_an_identity_belongs_to_one_organizer(two_shops):
    mail_identities.record("other", "other.example")
    mail_identities.record("other", "other.example")  # again for the owner: no change

    with pytest.raises(AlreadyExists, match="already a sender identity of another organizer"):
        mail_identities.record("shop", "other.example")
    assert mail_identities.owner("other.example") == "other"
    assert mail_identities.of(dynamo.get("ORG#shop", "ORG")) == frozenset()


def test_a_verified_identity_of_the_organizer_sends_from_its_own_address(two_shops):
    mail_identities.record("shop", "shop.example")
    _verify_in_ses("shop.example")
    events.patch_organizer_settings("shop", {"invoice_email_sender": "invoices@shop.example"})

    message = _send_one("shop")

    assert message["From"] == "Shop Events <invoices@shop.example>"
    assert message["Reply-To"] is None


def test_without_a_verified_identity_the_platform_sends_on_the_organizers_behalf(two_shops):
    # Recorded for the organizer, but SES has not verified it (yet): never a failed transmission.
    mail_identities.record("shop", "invoices@shop.example")
    events.patch_organizer_settings("shop", {"invoice_email_sender": "invoices@shop.example"})

    message = _send_one("shop")

    assert message["From"] == f"Shop Events <{PLATFORM}>"
    assert message["Reply-To"] == "invoices@shop.example"


def test_without_any_sender_setting_replies_go_to_the_seller_contact(two_shops):
    message = _send_one("other")

    assert message["From"] == f"Other Events <{PLATFORM}>"
    assert message["Reply-To"] == "accounts@other.example"


def test_a_stored_sender_the_organizer_no_longer_owns_is_not_used(two_shops):
    # Data written before the rule (or an identity given to someone else since): the platform sends instead.
    dynamo.update("ORG#shop", "ORG", UpdateExpression="SET settings.invoice_email_sender = :s",
                  ExpressionAttributeValues={":s": "billing@invoicing.example"})

    message = _send_one("shop")

    assert message["From"] == f"Shop Events <{PLATFORM}>"
    assert message["Reply-To"] == "billing@invoicing.example"


def test_control_characters_in_stored_names_never_reach_a_header(two_shops):
    number = builders.order("shop", email="buyer@example.org")["invoices"][0]
    item = dynamo.get(invoice_store.invoice_pk("shop"), number)
    doc = {**json.loads(item["doc"]), "invoice_from_name": "Evil\r\nBcc: victim@example.net"}  # stored before the rule
    dynamo.put({**item, "doc": json.dumps(doc)})
    rendering.render(rendering.RenderJob(organizer="shop", number=number, content_version=1))
    attempts.transmit("shop", number, Visibility(events=None))
    [job] = _jobs("EMAIL_QUEUE_URL")

    assert worker.run(worker.AttemptJob.model_validate(job), EmailPdf(), 1) == worker.Outcome.COMPLETED

    [sent] = sent_emails()
    message = email.message_from_string(sent.raw_data)
    assert message["Bcc"] is None
    assert message["From"] == f'"Evil Bcc: victim@example.net" <{PLATFORM}>'
    assert set(sent.destinations) == {"buyer@example.org"}  # moto lists the To header and the envelope
