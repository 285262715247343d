"""Transmission against moto: address rules, transmit/retransmit, the attempt state machine, email_pdf
through SES, automatic sending on issue and the sweep."""

from __future__ import annotations

import email
import json
import os
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from invoicing import clock
from invoicing.errors import NotFound, PermissionDenied, ValidationFailed
from invoicing.invoices import rendering
from invoicing.invoices.read import Visibility
from invoicing.orders import service
from invoicing.orders.models import OrderPatch
from invoicing.pagination import PageRequest
from invoicing.storage import invoices as invoice_store
from invoicing.storage import transmissions as tx_store
from invoicing.transmission import attempts, history, sweep, worker
from invoicing.transmission.providers import Receipt, Rejected, Unavailable
from invoicing.transmission.providers.email_pdf import EmailPdf
from invoicing.transmission.providers.peppol import Peppol
from tests.support import builders
from tests.support.aws import sent_emails

ALL = Visibility(events=None)
REQUIRED = ["This field is required for the selected type of invoice transmission."]
MOMENT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
PEPPOL_ADDRESS = {"is_business": True, "company": "Acme NV", "street": "Rue 1", "zipcode": "1000", "city": "Brussels",
                  "country": "BE", "vat_id": "BE0123456749", "transmission_type": "peppol",
                  "transmission_info": {"transmission_peppol_participant_id": "0208:0123456749"}}


class FakeProvider:
    """Records what it is asked to send; `errors` are raised one per call, then it succeeds."""

    name = "fake"
    supports_testmode = False

    def __init__(self, *errors: Exception):
        self.errors = list(errors)
        self.sent: list[str] = []

    def send(self, invoice, settings, attempt) -> Receipt:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(invoice.number)
        return Receipt("r1")


@pytest.fixture
def shop(aws):
    clock.set_clock(lambda: MOMENT)
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    return org


def _jobs(variable: str) -> list[dict]:
    sqs = boto3.client("sqs")
    found = []
    while messages := sqs.receive_message(QueueUrl=os.environ[variable], MaxNumberOfMessages=10,
                                          VisibilityTimeout=0).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=os.environ[variable], ReceiptHandle=message["ReceiptHandle"])
    return found


def _status(org: str, number: str) -> dict:
    doc = invoice_store.get(org, number).doc
    return {key: doc[key] for key in ("transmission_status", "transmission_provider", "transmission_date")}


def _queued_attempt(org: str, number: str) -> worker.AttemptJob:
    attempts.transmit(org, number, ALL)
    [job] = _jobs("EMAIL_QUEUE_URL")
    return worker.AttemptJob.model_validate(job)


# --- Address rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "errors"), [
    ({**PEPPOL_ADDRESS, "is_business": False},
     {"transmission_type": ["This transmission type is only available for business customers."]}),
    ({**PEPPOL_ADDRESS, "street": "", "transmission_info": {}},
     {"street": REQUIRED,
      "transmission_info": {"transmission_peppol_participant_id": REQUIRED}}),
    ({**PEPPOL_ADDRESS, "transmission_info": {"transmission_peppol_participant_id": "0208"}},
     {"transmission_info": {"transmission_peppol_participant_id": [
         "Use the form <scheme>:<id>, for example 0088:4035811991021."]}}),
    ({"country": "DE", "transmission_type": "it_sdi",
      "transmission_info": {"transmission_it_sdi_codice_fiscale": "RSSMRA80A01H501U"}},
     {"transmission_type": ["This transmission type is only available for addresses in Italy."]}),
    ({"is_business": True, "country": "IT", "zipcode": "00184", "vat_id": "", "transmission_type": "it_sdi",
      "transmission_info": {}},
     {"vat_id": REQUIRED,
      "transmission_info": {"transmission_it_sdi_pec": REQUIRED,
                            "transmission_it_sdi_recipient_code": REQUIRED}}),
    ({"is_business": False, "transmission_type": "email", "transmission_info": {"transmission_email_address": "a@b.example"}},
     {"transmission_info": {"transmission_email_address": ["Only business customers may name a separate address."]}}),
])
def test_an_address_its_transmission_type_cannot_serve_is_refused_with_field_errors(shop, address, errors):
    with pytest.raises(ValidationFailed) as refused:
        builders.order(shop, invoice_address=address)

    assert refused.value.errors == {"invoice_address": errors}
    assert invoice_store.read_counter(shop).seq == 0  # nothing was issued


SDI_BUSINESS = {"is_business": True, "company": "Rossi S.r.l.", "street": "Via Roma 1", "zipcode": "00184",
                "city": "Roma", "country": "IT", "vat_id": "IT12345670017", "transmission_type": "it_sdi",
                "transmission_info": {"transmission_it_sdi_pec": "rossi@pec.example.it",
                                      "transmission_it_sdi_recipient_code": "ABC1234"}}
WRONG_DIGIT = "(wrong length, format or check digit)."


@pytest.mark.parametrize(("address", "errors"), [
    # The example: a Belgian enterprise number with a wrong check digit (mod 97).
    ({**PEPPOL_ADDRESS, "transmission_info": {"transmission_peppol_participant_id": "0208:0987654321"}},
     {"transmission_info": {"transmission_peppol_participant_id": [
         "Scheme 0208 needs a Belgian enterprise number (10 digits); 0987654321 is not one " + WRONG_DIGIT]}}),
    ({**PEPPOL_ADDRESS, "transmission_info": {"transmission_peppol_participant_id": "0088:4035811991022"}},
     {"transmission_info": {"transmission_peppol_participant_id": [
         "Scheme 0088 needs a GLN (13 digits); 4035811991022 is not one " + WRONG_DIGIT]}}),
    ({**PEPPOL_ADDRESS, "vat_id": "BE0123456748"},
     {"vat_id": ["This VAT ID is not valid for its country " + WRONG_DIGIT]}),
    ({**PEPPOL_ADDRESS, "vat_id": "0123456749"},
     {"vat_id": ["An EU VAT ID starts with its country code, for example BE0123456749."]}),
    ({**SDI_BUSINESS, "zipcode": "184"}, {"zipcode": ["An Italian postal code (CAP) has exactly 5 digits."]}),
    ({**SDI_BUSINESS, "vat_id": "IT12345678903"},
     {"vat_id": ["Enter a valid partita IVA: 11 digits (optionally after IT) with a correct check digit."]}),
    ({**SDI_BUSINESS, "is_business": False, "vat_id": "",
      "transmission_info": {"transmission_it_sdi_codice_fiscale": "RSSMRA80A01H501X"}},
     {"transmission_info": {"transmission_it_sdi_codice_fiscale": [
         "Enter a valid codice fiscale: 16 characters with a correct check character, or a company's 11 digits."]}}),
])
def test_identifiers_a_channel_needs_are_checked_with_check_digits(shop, address, errors):
    with pytest.raises(ValidationFailed) as refused:
        builders.order(shop, invoice_address=address)
    assert refused.value.errors == {"invoice_address": errors}


def test_an_email_invoice_accepts_identifiers_as_pretix_does(shop):
    # Only the chosen channel's needs are checked: a VAT ID with a wrong check digit is pretix's business here.
    address = {"is_business": True, "company": "Acme", "country": "DE", "vat_id": "DE123456789", "zipcode": "1"}
    assert builders.order(shop, invoice_address=address)["code"]


def test_valid_sdi_and_peppol_addresses_are_accepted(shop):
    assert builders.order(shop, invoice_address=SDI_BUSINESS)["code"]
    assert builders.order(shop, invoice_address={**SDI_BUSINESS, "is_business": False, "vat_id": "", "transmission_info": {
        "transmission_it_sdi_codice_fiscale": "RSSMRA80A01H501U"}})["code"]
    assert builders.order(shop, invoice_address=PEPPOL_ADDRESS)["code"]


# --- Transmit / retransmit and the attempt ------------------------------------------------------------


def test_transmit_queues_one_attempt_that_completes_and_a_redelivery_does_nothing(shop):
    number = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, number)
    provider = FakeProvider()

    assert worker.run(job, provider, delivery=1) == worker.Outcome.COMPLETED
    assert worker.run(job, provider, delivery=2) == worker.Outcome.NOT_DUE

    assert provider.sent == [number]
    assert _status(shop, number) == {"transmission_status": "completed", "transmission_provider": "fake",
                                     "transmission_date": "2026-11-21T09:00:00Z"}
    with pytest.raises(PermissionDenied, match=r"The invoice is not in pending state\."):
        attempts.transmit(shop, number, ALL)


def test_of_two_queued_attempts_only_the_last_one_may_run(shop):
    number = builders.order(shop)["invoices"][0]
    attempts.transmit(shop, number, ALL)
    attempts.transmit(shop, number, ALL)
    first, second = (worker.AttemptJob.model_validate(job) for job in _jobs("EMAIL_QUEUE_URL"))
    provider = FakeProvider()

    assert worker.run(first, provider, 1) == worker.Outcome.NOT_DUE
    assert worker.run(second, provider, 1) == worker.Outcome.COMPLETED
    assert provider.sent == [number]


def test_a_rejection_fails_at_once_with_the_reason_and_retransmit_brings_it_back(shop):
    number = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, number)

    assert worker.run(job, FakeProvider(Rejected("400 unknown participant")), 1) == worker.Outcome.FAILED
    assert invoice_store.get(shop, number).item["tx_reason"] == "400 unknown participant"
    assert _status(shop, number)["transmission_status"] == "failed"

    attempts.retransmit(shop, number, ALL)
    assert _status(shop, number)["transmission_status"] == "pending"
    [retry] = _jobs("EMAIL_QUEUE_URL")
    assert worker.run(worker.AttemptJob.model_validate(retry), FakeProvider(), 1) == worker.Outcome.COMPLETED


def test_a_temporary_failure_keeps_the_attempt_inflight_then_fails_after_the_last_try(shop):
    number = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, number)
    provider = FakeProvider(*[Unavailable("503")] * worker.MAX_TRIES)

    for delivery in range(1, worker.MAX_TRIES):
        with pytest.raises(Unavailable, match=r"^503$"):
            worker.run(job, provider, delivery)
        assert _status(shop, number)["transmission_status"] == "inflight"
        with pytest.raises(attempts.InProgress, match=r"^The requested action is already in progress\.$"):
            attempts.retransmit(shop, number, ALL)

    assert worker.run(job, provider, worker.MAX_TRIES) == worker.Outcome.FAILED
    assert "gave up after 5 tries: 503" in invoice_store.get(shop, number).item["tx_reason"]


def test_an_unexpected_exception_fails_the_attempt_with_its_reason_instead_of_going_round_again(shop):
    number = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, number)

    outcome = worker.run(job, FakeProvider(ValueError("Header values may not contain linefeed")), 1)

    assert outcome == worker.Outcome.FAILED
    assert invoice_store.get(shop, number).item["tx_reason"] == \
        "unexpected error: ValueError: Header values may not contain linefeed"
    assert _status(shop, number)["transmission_status"] == "failed"


def test_an_aws_error_while_sending_counts_as_a_temporary_failure(shop):
    from botocore.exceptions import ClientError

    number = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, number)
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "GetObject")

    with pytest.raises(Unavailable, match="aws: ClientError"):
        worker.run(job, FakeProvider(throttled), 1)
    assert _status(shop, number)["transmission_status"] == "inflight"
    assert worker.run(job, FakeProvider(throttled), worker.MAX_TRIES) == worker.Outcome.FAILED


def test_the_provider_function_consumes_a_message_it_cannot_read(shop):
    from invoicing_infra.local.handlers import load_handler
    from invoicing_infra.local.lambda_context import LambdaContext
    from invoicing_infra.local.sqs_poller import lambda_record
    from invoicing_infra.template import Template
    from tests.conftest import ROOT

    handler = load_handler(Template.load(ROOT / "template.yaml").functions()["TransmitPeppolFunction"],
                           namespace="transmit_peppol_test")
    records = [lambda_record({"MessageId": f"m{index}", "ReceiptHandle": f"r{index}", "Body": body, "MD5OfBody": "",
                              "Attributes": {"ApproximateReceiveCount": "1"}}, "arn:aws:sqs:eu-central-1:1:Q",
                             "eu-central-1")
               for index, body in enumerate(["not json", json.dumps({"organizer": shop}),
                                             json.dumps({"organizer": shop, "number": "X-1", "attempt": "a"})])]
    context = LambdaContext("TransmitPeppolFunction", 30, 256, "eu-central-1", "123456789012")

    assert handler({"Records": records}, context) == {"batchItemFailures": []}


def test_a_test_mode_order_is_not_sent_by_a_provider_without_test_mode(shop):
    number = builders.order(shop, testmode=True)["invoices"][0]
    provider = FakeProvider()

    assert worker.run(_queued_attempt(shop, number), provider, 1) == worker.Outcome.TESTMODE_IGNORED
    assert provider.sent == []
    assert _status(shop, number)["transmission_status"] == "testmode_ignored"


# --- The attempt state machine in storage ------------------------------------------------------------


def _inflight(org: str, number: str, attempt: str) -> str:
    """Queue and begin `attempt`; the TxSince stamp it began with."""
    assert tx_store.queue_attempt(org, number, attempt)
    item = tx_store.begin(org, number, attempt)
    assert item is not None and item["transmission_status"] == "inflight"
    return item["TxSince"]


def test_finish_refuses_an_attempt_that_is_not_the_one_inflight(shop):
    # Given attempt A presumed dead and released, and attempt B now inflight
    number = builders.order(shop)["invoices"][0]
    since_a = _inflight(shop, number, "attempt-a")
    clock.set_clock(lambda: MOMENT + timedelta(hours=2))
    assert tx_store.release_stuck(shop, number, since_a, "attempt-b", enforced=False)
    assert tx_store.begin(shop, number, "attempt-b") is not None
    # When A's worker comes back late and records its outcome
    assert tx_store.finish(shop, number, "attempt-a", "failed", "fake", "timeout") is False
    # Then nothing changed: B still owns the invoice, and only B can finish it
    item = invoice_store.get(shop, number).item
    assert (item["transmission_status"], item["tx_attempt"], "tx_reason" in item) == ("inflight", "attempt-b", False)
    assert tx_store.finish(shop, number, "attempt-b", "completed", "fake", None) is True
    assert _status(shop, number) == {"transmission_status": "completed", "transmission_provider": "fake",
                                     "transmission_date": "2026-11-21T11:00:00Z"}
    # and a finished invoice is finished for every attempt, its own included
    assert tx_store.finish(shop, number, "attempt-b", "failed", "fake", "again") is False
    assert _status(shop, number)["transmission_status"] == "completed"


def test_release_stuck_refuses_an_attempt_that_began_again_since_the_sweep_read_it(shop):
    # Given attempt A inflight since MOMENT, which a sweep reads as stuck
    number = builders.order(shop)["invoices"][0]
    since_a = _inflight(shop, number, "attempt-a")
    assert since_a == "2026-11-21T09:00:00Z"
    clock.set_clock(lambda: MOMENT + timedelta(hours=2))
    # When another sweep released it first and attempt B began (inflight again, since 11:00)
    assert tx_store.release_stuck(shop, number, since_a, "attempt-b", enforced=False)
    clock.set_clock(lambda: MOMENT + timedelta(hours=3))
    assert tx_store.begin(shop, number, "attempt-b")["TxSince"] == "2026-11-21T12:00:00Z"
    # Then the first sweep's release, still naming 09:00, does nothing
    assert tx_store.release_stuck(shop, number, since_a, "attempt-c", enforced=False) is False
    item = invoice_store.get(shop, number).item
    assert (item["transmission_status"], item["tx_attempt"], item["TxSince"]) == ("inflight", "attempt-b",
                                                                                  "2026-11-21T12:00:00Z")


def test_release_stuck_leaves_a_pending_or_finished_invoice_alone(shop):
    peppol = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]  # pending, enforced: TxSince set
    pending = invoice_store.get(shop, peppol).item
    assert (pending["transmission_status"], pending["TxDue"]) == ("pending", "pending")

    assert tx_store.release_stuck(shop, peppol, pending["TxSince"], "attempt-x", enforced=True) is False
    assert invoice_store.get(shop, peppol).item["tx_attempt"] == pending["tx_attempt"]


def test_a_released_attempt_is_pending_again_and_due_as_its_type_requires(shop):
    email_number = builders.order(shop)["invoices"][0]
    peppol_number = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    since_email = _inflight(shop, email_number, "a1")
    tx_store.queue_attempt(shop, peppol_number, "p1")
    since_peppol = tx_store.begin(shop, peppol_number, "p1")["TxSince"]
    clock.set_clock(lambda: MOMENT + timedelta(hours=2))

    assert tx_store.release_stuck(shop, email_number, since_email, "a2", enforced=False)
    assert tx_store.release_stuck(shop, peppol_number, since_peppol, "p2", enforced=True)

    email_item = invoice_store.get(shop, email_number).item
    peppol_item = invoice_store.get(shop, peppol_number).item
    # email: pending but never due by itself (pretix sends it only when asked)
    assert (email_item["transmission_status"], email_item["tx_attempt"]) == ("pending", "a2")
    assert "TxDue" not in email_item and "TxSince" not in email_item
    # peppol: pending and due since the release
    assert (peppol_item["transmission_status"], peppol_item["tx_attempt"]) == ("pending", "p2")
    assert (peppol_item["TxDue"], peppol_item["TxSince"]) == ("pending", "2026-11-21T11:00:00Z")
    assert [invoice.number for invoice in tx_store.due("pending", "2026-11-21T11:00:01Z")] == [peppol_number]
    assert tx_store.due("inflight", "2026-11-21T11:00:01Z") == []


def test_only_the_queued_attempt_of_a_pending_invoice_may_begin(shop):
    number = builders.order(shop)["invoices"][0]
    assert tx_store.begin(shop, number, "never-queued") is None
    assert tx_store.queue_attempt(shop, number, "a1")
    assert tx_store.begin(shop, number, "other") is None
    assert tx_store.begin(shop, number, "a1")["tx_attempt"] == "a1"
    assert tx_store.begin(shop, number, "a1") is None  # inflight already: a redelivery does not begin again
    assert tx_store.queue_attempt(shop, number, "a2") is False  # not pending
    assert tx_store.reset_to_pending(shop, number, "a3", enforced=False) is False  # inflight: retransmit refused
    item = invoice_store.get(shop, number).item
    assert (item["transmission_status"], item["tx_attempt"]) == ("inflight", "a1")


def test_a_failure_records_its_reason_and_a_later_success_clears_it(shop):
    number = builders.order(shop)["invoices"][0]
    _inflight(shop, number, "a1")
    assert tx_store.finish(shop, number, "a1", "failed", "fake", "x" * 600)
    item = invoice_store.get(shop, number).item
    assert (item["transmission_status"], item["tx_reason"]) == ("failed", "x" * 500)
    assert "TxDue" not in item and "TxSince" not in item

    clock.set_clock(lambda: MOMENT + timedelta(minutes=1))
    assert tx_store.reset_to_pending(shop, number, "a2", enforced=False)
    assert _status(shop, number) == {"transmission_status": "pending", "transmission_provider": "fake",
                                     "transmission_date": "2026-11-21T09:01:00Z"}
    assert tx_store.begin(shop, number, "a2") is not None
    assert tx_store.finish(shop, number, "a2", "completed", "fake", None)
    item = invoice_store.get(shop, number).item
    assert (item["transmission_status"], "tx_reason" in item, "TxDue" in item) == ("completed", False, False)


def test_retransmit_of_an_enforced_type_makes_the_invoice_due_again_from_now(shop):
    number = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    attempt = invoice_store.get(shop, number).item["tx_attempt"]
    assert tx_store.begin(shop, number, attempt) is not None
    assert tx_store.finish(shop, number, attempt, "failed", "peppol", "rejected")
    clock.set_clock(lambda: MOMENT + timedelta(hours=1))

    assert tx_store.reset_to_pending(shop, number, "p2", enforced=True)

    item = invoice_store.get(shop, number).item
    assert (item["transmission_status"], item["tx_attempt"]) == ("pending", "p2")
    assert (item["TxDue"], item["TxSince"], item["transmission_date"]) == ("pending", "2026-11-21T10:00:00Z",
                                                                          "2026-11-21T10:00:00Z")
    assert [invoice.number for invoice in tx_store.due("pending", "2026-11-21T10:00:01Z")] == [number]


def test_due_lists_the_oldest_first_and_at_most_one_hundred_by_default(shop):
    # Items shaped as the sweep's index holds them, written directly: 101 invoices inflight since 09:00:00..09:01:40
    for index in range(101):
        since = (MOMENT + timedelta(seconds=index)).strftime("%Y-%m-%dT%H:%M:%SZ")
        invoice_store.dynamo.put({"PK": f"ORG#{shop}#INV", "SK": f"X-{index:03d}", "organizer": shop, "seq": index,
                                  "doc": json.dumps({"number": f"X-{index:03d}"}), "TxDue": "inflight", "TxSince": since})

    everything = tx_store.due("inflight", "2026-11-21T10:00:00Z")
    assert [invoice.number for invoice in everything] == [f"X-{index:03d}" for index in range(100)]
    assert [invoice.number for invoice in tx_store.due("inflight", "2026-11-21T09:00:02Z", limit=5)] == ["X-000", "X-001"]
    assert tx_store.due("pending", "2026-11-21T10:00:00Z") == []
# --- The attempt log: why a transmission failed ----------------------------------------------------


def _attempts(org: str, number: str, visibility=ALL) -> list[dict]:
    return history.list_attempts(org, number, visibility, PageRequest(page=1)).results


def test_every_attempt_is_listed_newest_first_with_its_reason_in_words(shop):
    # Given an invoice whose first attempt the access point refused, and a retransmit that went through
    number = builders.order(shop)["invoices"][0]
    clock.set_clock(lambda: MOMENT + timedelta(minutes=1))
    worker.run(_queued_attempt(shop, number), FakeProvider(Rejected(
        "the access point refused the document: [PEPPOL-COMMON-R043] wrong check digit (HTTP 422)")), 1)
    clock.set_clock(lambda: MOMENT + timedelta(minutes=2))
    attempts.retransmit(shop, number, ALL)
    [retry] = _jobs("EMAIL_QUEUE_URL")
    worker.run(worker.AttemptJob.model_validate(retry), FakeProvider(), 1)

    # Then both attempts are listed, the newest first
    assert _attempts(shop, number) == [
        {"provider": "fake", "status": "completed", "started": "2026-11-21T09:02:00Z",
         "finished": "2026-11-21T09:02:00Z", "tries": 1, "reason": None},
        {"provider": "fake", "status": "failed", "started": "2026-11-21T09:01:00Z", "finished": "2026-11-21T09:01:00Z",
         "tries": 1, "reason": "the access point refused the document: [PEPPOL-COMMON-R043] wrong check digit (HTTP 422)"},
    ]


def test_temporary_failures_are_noted_on_the_attempt_and_counted(shop):
    number = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, number)
    provider = FakeProvider(Unavailable("the access point could not be reached (TimeoutError)"))

    with pytest.raises(Unavailable, match="could not be reached"):
        worker.run(job, provider, 1)
    [attempt] = _attempts(shop, number)
    assert (attempt["status"], attempt["tries"], attempt["finished"]) == ("inflight", 1, None)
    assert attempt["reason"] == "try 1 of 5 failed, will retry: the access point could not be reached (TimeoutError)"

    worker.run(job, provider, 2)
    [attempt] = _attempts(shop, number)
    assert (attempt["status"], attempt["tries"], attempt["reason"]) == ("completed", 2, None)


def test_missing_seller_data_is_named_by_setting_key_never_by_value(shop):
    # Given a Peppol invoice of a seller without its Peppol ID and IBAN-free settings
    number = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    [job] = _jobs("PEPPOL_QUEUE_URL")

    assert worker.run(worker.AttemptJob.model_validate(job), Peppol(), 1) == worker.Outcome.FAILED
    [attempt] = _attempts(shop, number)
    assert attempt["reason"] == "seller data missing: invoice_seller_peppol_id, invoice_from_name, invoice_from_country, " \
                                "invoice_from_vat_id"
    assert "Acme NV" not in attempt["reason"]


def test_attempts_of_an_invoice_the_token_cannot_see_are_404(shop):
    number = builders.order(shop)["invoices"][0]
    with pytest.raises(NotFound, match=r"^No Invoice matches the given query\.$"):
        _attempts(shop, number, Visibility(events=frozenset({"other"})))


# --- email_pdf through SES ----------------------------------------------------------------------------


def test_email_pdf_sends_the_stored_pdf_through_ses(shop):
    number = builders.order(shop, email="buyer@example.org")["invoices"][0]
    rendering.render(rendering.RenderJob(organizer=shop, number=number, content_version=1))
    stored = invoice_store.get(shop, number).file
    pdf = boto3.client("s3").get_object(Bucket=os.environ["FILES_BUCKET"], Key=stored.key)["Body"].read()

    assert worker.run(_queued_attempt(shop, number), EmailPdf(), 1) == worker.Outcome.COMPLETED

    [sent] = sent_emails()
    message = email.message_from_string(sent.raw_data)
    assert message["To"] == "buyer@example.org"
    assert message["Subject"] == f"Invoice {number}"
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == f"Invoice_{number}.pdf"
    assert attachment.get_payload(decode=True) == pdf
    assert _status(shop, number)["transmission_provider"] == "email_pdf"


def test_email_pdf_waits_for_the_pdf_and_asks_for_it(shop):
    number = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, number)
    _jobs("RENDER_QUEUE_URL")
    clock.set_clock(lambda: MOMENT + timedelta(minutes=5))  # the render requested at issue counts as lost

    with pytest.raises(Unavailable, match="not rendered yet"):
        worker.run(job, EmailPdf(), 1)

    assert [job["number"] for job in _jobs("RENDER_QUEUE_URL")] == [number]
    assert sent_emails() == []


# --- Automatic sending and the sweep ------------------------------------------------------------------


def test_invoices_of_enforced_types_are_sent_when_issued_email_ones_only_when_asked(shop):
    peppol = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    builders.order(shop)  # email type, invoice_email_attachment off
    assert [job["number"] for job in _jobs("PEPPOL_QUEUE_URL")] == [peppol]
    assert _jobs("EMAIL_QUEUE_URL") == []

    from invoicing import events
    events.patch_organizer_settings(shop, {"invoice_email_attachment": True})
    mailed = builders.order(shop)["invoices"][0]
    assert [job["number"] for job in _jobs("EMAIL_QUEUE_URL")] == [mailed]


def test_the_sweep_revives_stuck_attempts_and_sends_enforced_invoices_still_pending(shop):
    stuck = builders.order(shop)["invoices"][0]
    job = _queued_attempt(shop, stuck)
    with pytest.raises(Unavailable, match=r"^timeout$"):
        worker.run(job, FakeProvider(Unavailable("timeout")), 1)
    waiting = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    _jobs("PEPPOL_QUEUE_URL")  # the attempt queued at issue was lost

    clock.set_clock(lambda: MOMENT + timedelta(minutes=10))
    assert sweep.sweep(stuck_after=timedelta(minutes=60)) == sweep.SweepResult(revived=0, sent=0)

    clock.set_clock(lambda: MOMENT + timedelta(minutes=61))
    assert sweep.sweep(stuck_after=timedelta(minutes=60)) == sweep.SweepResult(revived=1, sent=1)
    assert _status(shop, stuck)["transmission_status"] == "pending"
    [revived] = _jobs("EMAIL_QUEUE_URL")
    assert worker.run(worker.AttemptJob.model_validate(revived), FakeProvider(), 1) == worker.Outcome.COMPLETED
    assert [job["number"] for job in _jobs("PEPPOL_QUEUE_URL")] == [waiting]


def test_one_invoice_the_sweep_cannot_handle_does_not_stop_it_for_the_others(shop, monkeypatch):
    first = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    second = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    _jobs("PEPPOL_QUEUE_URL")  # both attempts queued at issue were lost
    real_start = attempts.start

    def start(organizer, number, kind):
        if number == first:
            raise ValueError("broken item")
        return real_start(organizer, number, kind)

    monkeypatch.setattr(attempts, "start", start)
    clock.set_clock(lambda: MOMENT + timedelta(minutes=16))

    assert sweep.sweep(stuck_after=timedelta(minutes=60)) == sweep.SweepResult(revived=0, sent=1)
    assert [job["number"] for job in _jobs("PEPPOL_QUEUE_URL")] == [second]


def test_a_reverse_charge_peppol_order_needs_the_buyer_vat_id_at_entry(shop):
    # BR-AE-02: without it the access point would refuse the document later; refused where the data enters
    with pytest.raises(ValidationFailed) as refused:
        builders.order(shop, invoice_address={**PEPPOL_ADDRESS, "vat_id": ""},
                       positions=[{"description": "Workshop", "price": "100.00", "tax_rate": "0.00", "tax_code": "AE"}])
    assert refused.value.errors == {"invoice_address": {"vat_id": [
        "Reverse charge and intra-community lines need the customer's VAT ID on a Peppol invoice."]}}

    order = builders.order(shop, invoice_address={**PEPPOL_ADDRESS, "vat_id": "", "transmission_type": "email",
                                                  "transmission_info": {}},
                           positions=[{"description": "Workshop", "price": "100.00", "tax_rate": "0.00", "tax_code": "AE"}])
    with pytest.raises(ValidationFailed, match="VAT ID on a Peppol invoice"):
        service.patch_order(shop, "sampleconf", order["code"],
                            OrderPatch.model_validate({"invoice_address": {**PEPPOL_ADDRESS, "vat_id": ""}}),
                            {"invoice_address"})


# --- Queueing attempts ----------------------------------------------------------------------------------


def test_retransmit_makes_an_invoice_of_an_enforced_type_due_again_and_an_email_one_not(shop):
    peppol_number = builders.order(shop, invoice_address=PEPPOL_ADDRESS)["invoices"][0]
    email_number = builders.order(shop)["invoices"][0]
    clock.set_clock(lambda: MOMENT + timedelta(hours=1))

    attempts.retransmit(shop, peppol_number, ALL)
    attempts.retransmit(shop, email_number, ALL)

    # peppol is sent by the sweep if its attempt is lost; email only when asked (pretix)
    assert [invoice.number for invoice in tx_store.due("pending", "2026-11-21T10:00:01Z")] == [peppol_number]
    assert "TxDue" not in invoice_store.get(shop, email_number).item


def test_an_attempt_its_queue_refuses_is_logged_with_its_type_and_count_and_not_raised(shop, monkeypatch, caplog):
    def refuse(url, jobs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "SendMessageBatch")

    monkeypatch.setattr(attempts.queues, "send", refuse)

    attempts.enqueue("peppol", [attempts.job(shop, "X-1", "a1"), attempts.job(shop, "X-2", "a2")])

    [record] = [record for record in caplog.records if record.getMessage() == "transmission attempts not queued"]
    assert (record.levelname, record.type, record.count) == ("ERROR", "peppol", 2)


def test_an_attempt_of_a_type_without_a_queue_is_not_sent_but_logged(shop, monkeypatch, caplog):
    sent = []
    monkeypatch.setattr(attempts.queues, "send", lambda url, jobs: sent.append(jobs) or [])

    attempts.enqueue("fax", [attempts.job(shop, "X-1", "a1")])

    assert sent == []
    [record] = [record for record in caplog.records if record.getMessage() == "transmission attempts not queued"]
    assert (record.levelname, record.type, record.count) == ("WARNING", "fax", 1)


def test_an_attempt_is_started_only_for_a_pending_invoice(shop):
    number = builders.order(shop)["invoices"][0]
    _inflight(shop, number, "a1")  # another call's attempt got there first

    assert attempts.start(shop, number, "email") is False
    assert _jobs("EMAIL_QUEUE_URL") == []
    assert invoice_store.get(shop, number).item["tx_attempt"] == "a1"
