"""Billing invoices in moto: platform-wide gap-free numbering, the money, the operator's rules, the
render-and-email job (once per invoice, however often it is delivered), platform tokens and visibility."""

from __future__ import annotations

import email
import io
import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import boto3
import pytest
from pypdf import PdfReader

from invoicing import access, platform
from invoicing.billing import hostway, issue, parties, read, rendering, workflow
from invoicing.billing.models import BillingCreate, Shapes
from invoicing.errors import BadRequest, Locked, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from invoicing.storage import billing as store
from invoicing.storage import dynamo, files, mail, organizers
from tests.support import builders
from tests.support.aws import sent_emails

LINES = [{"description": "Ticketing fees May 2019", "net": "100.00", "tax_rate": "19.00"}]


PLATFORM_ADDRESS = {"name": "Invoicing Platform", "address": "Hauptstr. 1", "zipcode": "10115", "city": "Berlin",
                    "country": "DE"}
ACME_BILLING = {"billing_email": "billing@acme.example", "billing_company": "Acme Events GmbH",
                "billing_street": "Marktplatz 3", "billing_zipcode": "69117", "billing_city": "Heidelberg",
                "billing_country": "DE"}


@pytest.fixture
def acme(aws) -> str:
    # Given both parties' addresses, which a release needs
    platform.update_settings(PLATFORM_ADDRESS)
    slug = builders.organizer("acme")
    parties.update_organizer(slug, ACME_BILLING)
    return slug


def create(organizer: str = "acme", lines=None, currency: str = "EUR", date: str = "2019-06-03", **fields):
    return issue.create(BillingCreate.model_validate({"organizer": organizer, "currency": currency, "date_issued": date,
                                                      "lines": lines or LINES, **fields}))


def queued_jobs() -> list[dict]:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=os.environ["RENDER_QUEUE_URL"], MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def run_job(number: str, organizer: str = "acme") -> rendering.Outcome:
    return rendering.run(rendering.BillingJob(organizer=organizer, number=number, content_version=1))


def stored_pdf(organizer: str, number: str) -> bytes:
    invoice = store.get(organizer, number)
    assert invoice is not None and invoice.file is not None
    return files.read(invoice.file.key, invoice.file.s3_version)


# --- Numbering -------------------------------------------------------------------------------------

def test_numbers_are_one_platform_wide_sequence_per_year_prefix(acme):
    builders.organizer("other")

    numbers = [create().number, create("other").number, create(date="2019-12-31").number,
               create(date="2020-01-01").number, create("other", date="2019-07-01").number]

    assert numbers == ["R2019001", "R2019002", "R2019003", "R2020001", "R2019004"]


def test_the_prefix_and_counter_length_come_from_the_platform_settings(acme):
    platform.update_settings({"billing_number_prefix": "PLAT-{year}-", "billing_number_counter_length": 5})

    assert create(date="2021-02-03").number == "PLAT-2021-00001"


def test_concurrent_creation_issues_every_number_once_without_gaps(aws_server):
    builders.organizer("acme")

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda _: create().number, range(16)))

    assert sorted(numbers) == [f"R2019{n:03d}" for n in range(1, 17)]
    assert store.count("acme") == 16


def test_an_unknown_organizer_gets_no_number(acme):
    with pytest.raises(NotFound, match=r"^Organizer nobody does not exist\.$"):
        create("nobody")

    assert create().number == "R2019001"


# --- Money -----------------------------------------------------------------------------------------

def test_lines_get_tax_and_gross_rounded_half_up_to_the_currency(acme):
    invoice = create(lines=[{"description": "Fees", "net": "100.00", "tax_rate": "19.00"},
                            {"description": "Small", "net": "0.05", "tax_rate": "19"},
                            {"description": "Exempt", "net": "10", "tax_rate": "0"}])

    assert invoice.lines[1] == {"description": "Small", "net": "0.05", "tax_rate": "19.00", "tax": "0.01", "gross": "0.06"}
    assert invoice.amount == invoice.amount_due == Decimal("129.06")
    assert Shapes.operator(invoice)["amount"] == "129.06"


def test_currencies_without_minor_units_round_to_whole_amounts(acme):
    invoice = create(currency="JPY", lines=[{"description": "Fees", "net": "1000", "tax_rate": "10.5"}])

    assert invoice.lines[0]["tax"] == "105" and invoice.amount == Decimal("1105")
    with pytest.raises(ValidationFailed) as excinfo:
        create(currency="JPY", lines=[{"description": "Fees", "net": "1000.5", "tax_rate": "10"}])
    assert excinfo.value.errors == {"lines": [{"net": ["Ensure that there are no more than 0 decimal places."]}]}


@pytest.mark.parametrize("lines", [[{"description": "Credit", "net": "-5.00"}], [{"description": "Nothing", "net": "0"}]])
def test_a_billing_invoice_must_ask_for_money(acme, lines):
    with pytest.raises(BadRequest, match=r"^The total of a billing invoice must be positive\.$"):
        create(lines=lines)


@pytest.mark.parametrize(("bad", "field", "message"), [
    ({"currency": "euro"}, ("currency",), "Use a three-letter ISO 4217 code such as EUR."),
    ({"lines": []}, ("lines",), "at least 1 item"),
    ({"lines": [{"description": "x", "net": "abc"}]}, ("lines", 0, "net"), "A valid number is required."),
    ({"lines": [{"description": "x", "net": "1", "tax_rate": "120"}]}, ("lines", 0, "tax_rate"),
     "Ensure this value is between 0 and 100."),
])
def test_the_input_is_checked(bad, field, message):
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        BillingCreate.model_validate({"organizer": "acme", "currency": "EUR", "lines": LINES, **bad})
    assert [error["loc"] for error in raised.value.errors()] == [field]


# --- Release, pay, void ----------------------------------------------------------------------------

def test_release_needs_a_billing_contact(aws):
    builders.organizer("nocontact")
    number = create("nocontact").number

    with pytest.raises(BadRequest, match="--billing-email"):
        workflow.release(number)
    assert store.get("nocontact", number).review_state == "in_review"


def test_release_queues_one_billing_job_and_takes_the_current_contact(acme):
    number = create().number
    organizers.update_organizer("acme", {"billing_email": "accounts@acme.example"})

    released = workflow.release(number)

    assert (released.review_state, released.billing_email) == ("released", "accounts@acme.example")
    assert queued_jobs() == [{"kind": "billing", "organizer": "acme", "number": number, "content_version": 1}]


def test_payments_lower_the_amount_due_until_paid(acme):
    number = create().number  # 119.00
    with pytest.raises(BadRequest, match="in review"):
        workflow.pay(number, "10.00")
    workflow.release(number)

    partly = workflow.pay(number, "19.00")
    assert (partly.status, partly.amount_due) == ("open", Decimal("100.00"))
    with pytest.raises(BadRequest, match="exceeds the amount due"):
        workflow.pay(number, "100.01")
    paid = workflow.pay(number, "100")

    assert (paid.status, paid.amount_due) == ("paid", Decimal("0"))
    assert [p["amount"] for p in paid.payments] == ["19.00", "100.00"]
    with pytest.raises(BadRequest, match="paid already"):
        workflow.pay(number, "1.00")


@pytest.mark.parametrize(("amount", "message"), [
    ("0", "Ensure this value is greater than 0."),
    ("-1.00", "Ensure this value is greater than 0."),
    ("1.001", "Ensure that there are no more than 2 decimal places."),  # EUR has two minor digits
    ("ten", "A valid number is required."),
    (None, "A valid number is required."),
    (True, "A valid number is required."),
])
def test_invalid_payment_amounts_are_refused(acme, amount, message):
    number = create().number
    workflow.release(number)

    with pytest.raises(ValidationFailed) as refused:
        workflow.pay(number, amount)
    assert refused.value.errors == {"amount": [message]}
    assert store.get("acme", number).amount_due == Decimal("119.00")


def test_void_only_without_payments_and_never_when_paid(acme):
    paid_number, partly_number, open_number = create().number, create().number, create().number
    for number in (paid_number, partly_number):
        workflow.release(number)
    workflow.pay(paid_number, "119.00")
    workflow.pay(partly_number, "1.00")

    with pytest.raises(BadRequest, match=r"^A paid invoice cannot be voided\.$"):
        workflow.void(paid_number)
    with pytest.raises(BadRequest, match=r"^Payments have been recorded on this invoice: it cannot be voided\.$"):
        workflow.void(partly_number)
    voided = workflow.void(open_number)

    assert (voided.status, voided.amount_due) == ("void", Decimal("0"))
    assert workflow.void(open_number).status == "void"  # again: nothing changes
    with pytest.raises(BadRequest, match=r"^A void invoice cannot be released\.$"):
        workflow.release(open_number)
    with pytest.raises(BadRequest, match=r"^This invoice is void\.$"):
        workflow.pay(open_number, "1.00")


# --- Render and email ------------------------------------------------------------------------------

def test_the_job_renders_and_emails_the_pdf_once_however_often_it_runs(acme):
    number = create().number
    workflow.release(number)

    outcomes = [run_job(number) for _ in range(3)]

    assert outcomes == [rendering.Outcome.SENT, rendering.Outcome.ALREADY_SENT, rendering.Outcome.ALREADY_SENT]
    (sent,) = sent_emails()
    message = email.message_from_bytes(sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data)
    assert message["To"] == "billing@acme.example"
    assert message["Subject"] == f"Invoice {number} from Invoicing Platform"
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == f"{number}.pdf"
    assert attachment.get_payload(decode=True) == stored_pdf("acme", number)
    assert stored_pdf("acme", number).startswith(b"%PDF-")
    assert store.get("acme", number).file.key == f"billing/acme/{number}/v1.pdf"


def test_a_failed_send_gives_the_claim_back_and_the_redelivery_sends_once(acme, monkeypatch):
    number = create().number
    workflow.release(number)
    real_send = mail.send

    def throttled(message):
        raise RuntimeError("Throttling")

    monkeypatch.setattr(mail, "send", throttled)
    with pytest.raises(RuntimeError, match=r"^Throttling$"):
        run_job(number)
    assert store.get("acme", number).file is not None  # rendered; only the email failed
    monkeypatch.setattr(mail, "send", real_send)

    assert run_job(number) == rendering.Outcome.SENT
    assert run_job(number) == rendering.Outcome.ALREADY_SENT
    assert len(sent_emails()) == 1


def test_a_job_waits_while_another_worker_holds_the_email_claim(acme):
    number = create().number
    workflow.release(number)
    assert store.claim_email("acme", number, "other-worker", int(time.time()), 120)

    with pytest.raises(rendering.EmailInFlight, match="too busy"):
        run_job(number)
    assert sent_emails() == []


def test_nothing_is_rendered_or_sent_in_review_or_for_a_void_invoice(acme):
    in_review = create().number
    voided = create().number
    workflow.release(voided)
    workflow.void(voided)

    assert run_job(in_review) == rendering.Outcome.NOT_RELEASED
    assert run_job(voided) == rendering.Outcome.VOID
    assert sent_emails() == []


def test_the_pdf_shows_the_platform_as_sender_and_the_lines(acme):
    platform.update_settings({"name": "Ticketshop Platform GmbH", "address": "Hauptstr. 1", "zipcode": "10115",
                              "city": "Berlin", "country": "DE", "vat_id": "DE136695976"})
    number = create(description="Fees for May 2019").number
    workflow.release(number)
    run_job(number)

    text = PdfReader(io.BytesIO(stored_pdf("acme", number))).pages[0].extract_text()
    for expected in ("Ticketshop Platform GmbH", "DE136695976", "Acme", number, "Fees for May 2019",
                     "Ticketing fees May 2019", "€119.00", "€19.00"):
        assert expected in text
    assert "Order code" not in text


# --- Reads, downloads, tokens ----------------------------------------------------------------------

def test_downloads_are_locked_in_review_then_while_rendering(acme):
    number = create().number
    with pytest.raises(Locked) as in_review:
        read.download("acme", number)
    assert in_review.value.retry_after == 300
    workflow.release(number)
    queued_jobs()  # the job of the release is taken (and lost)

    with pytest.raises(Locked) as rendering_:
        read.download("acme", number)
    assert rendering_.value.retry_after == 2
    run_job(number)
    assert read.download("acme", number).read() == stored_pdf("acme", number)


def test_a_download_after_a_lost_job_asks_for_one_render(acme):
    number = create().number
    workflow.release(number)
    queued_jobs()  # the job of the release is lost...
    dynamo.update(store.billing_pk("acme"), number, UpdateExpression="SET render_requested_at = :old",
                  ExpressionAttributeValues={":old": 0})  # ...long ago

    for _ in range(2):
        with pytest.raises(Locked, match=r"^The file is not yet ready and will now be prepared\."):
            read.download("acme", number)

    assert queued_jobs() == [workflow.render_job(store.get("acme", number))]


def test_an_account_is_its_own_organizer_only(acme):
    builders.organizer("other")
    own = access.authenticate(f"Token {builders.token('acme', ['can_view_billing'])}")
    without = access.authenticate(f"Token {builders.token('acme', ['can_view_orders'])}")

    assert read.account_organizer(own, "acme") == "acme"
    with pytest.raises(NotFound, match=r"^Not found\.$"):
        read.account_organizer(own, "other")
    with pytest.raises(NotFound, match=r"^Not found\.$"):
        read.account_organizer(without, "other")  # 404 first: a foreign account is never confirmed
    with pytest.raises(PermissionDenied, match=r"^You do not have permission to perform this action\.$"):
        read.account_organizer(without, "acme")


def test_platform_tokens_are_their_own_kind(acme):
    secret, record = platform.create_token("ops")
    organizer_secret = builders.token("acme")

    assert platform.authenticate(f"Token {secret}").token_id == record["id"]
    with pytest.raises(PermissionDenied, match=r"^This is an organizer's API token: this route needs a platform token\.$"):
        platform.authenticate(f"Token {organizer_secret}")
    with pytest.raises(NotAuthenticated, match=r"^Invalid token\.$"):
        platform.authenticate("Token " + "x" * 64)
    with pytest.raises(NotAuthenticated, match=r"^This is a platform token: this route needs an organizer's API token\.$"):
        access.authenticate(f"Token {secret}")  # and a platform token is no organizer token
    assert organizers.get_token(access.hash_secret(secret)) is None
    platform.revoke_token(record["id"])
    with pytest.raises(NotAuthenticated, match="inactive"):
        platform.authenticate(f"Token {secret}")


def test_the_demo_has_one_released_and_one_billing_invoice_in_review(aws):
    from invoicing.pagination import PageRequest
    from invoicing_infra import demo

    demo.seed()

    page = read.list_page(demo.ORGANIZER, PageRequest(page=1))
    assert [(invoice.review_state, invoice.billing_email) for invoice in page.results] == [
        ("released", demo.BILLING_EMAIL), ("in_review", demo.BILLING_EMAIL)]
    assert any(job.get("kind") == "billing" for job in queued_jobs())


# --- Both parties in full ---------------------------------------------------------------------------

def test_release_is_refused_while_an_address_is_missing_and_says_how_to_set_it(aws):
    # Given an organizer with a billing contact but no address, and a platform without one
    slug = builders.organizer("bare")
    parties.update_organizer(slug, {"billing_email": "billing@bare.example"})
    number = create("bare").number

    with pytest.raises(BadRequest) as refused:
        workflow.release(number)
    assert refused.value.detail == (
        "This invoice cannot be released: the platform's address is incomplete (address, zipcode, city, country): "
        "set it with `invoicing platform settings --address ... --zipcode ... --city ... --country ...`; organizer "
        "bare has no complete billing address (billing_company, billing_street, billing_zipcode, billing_city, "
        "billing_country): set it with `invoicing organizer update bare --billing-company ... --billing-street ... "
        "--billing-zipcode ... --billing-city ... --billing-country ...` or PATCH /api/v1/platform/organizers/bare/.")
    assert store.get("bare", number).review_state == "in_review"
    assert queued_jobs() == []

    # When both are set, the release goes through
    platform.update_settings(PLATFORM_ADDRESS)
    parties.update_organizer(slug, {**ACME_BILLING, "billing_email": "billing@bare.example"})
    assert workflow.release(number).review_state == "released"


def test_a_cross_border_business_invoice_shows_both_parties_in_full_with_the_reverse_charge_note(aws):
    # Given an Austrian platform billing a German business at 0 %
    platform.update_settings({"name": "Ticketplattform GmbH", "address": "Ringstraße 1", "zipcode": "1010",
                              "city": "Wien", "country": "AT", "vat_id": "ATU13585627", "tax_id": "FN 123456a",
                              "iban": "AT61 1904 3002 3457 3201"})
    slug = builders.organizer("acme")
    parties.update_organizer(slug, {**ACME_BILLING, "billing_vat_id": "DE136695976"})
    number = create(lines=[{"description": "Ticketing fees May 2019", "net": "100.00", "tax_rate": "0.00"}]).number

    workflow.release(number)
    run_job(number)

    text = " ".join(PdfReader(io.BytesIO(stored_pdf("acme", number))).pages[0].extract_text().split())
    for expected in ("Ticketplattform GmbH", "Ringstraße 1", "1010 Wien", "Austria", "VAT-ID: ATU13585627",
                     "Tax ID: FN 123456a", "Acme Events GmbH", "Marktplatz 3", "69117 Heidelberg", "Germany",
                     "Customer VAT ID: DE136695976", "IBAN AT61 1904 3002 3457 3201",
                     "Reverse Charge: According to Article 194, 196 of Council Directive 2006/112/EEC, VAT liability "
                     "rests with the service recipient."):
        assert expected in text, expected


def test_a_domestic_billing_invoice_has_no_reverse_charge_note(acme):
    number = create().number
    workflow.release(number)
    run_job(number)
    assert "Reverse Charge" not in PdfReader(io.BytesIO(stored_pdf("acme", number))).pages[0].extract_text()


def test_organizer_billing_data_is_checked_where_it_enters(aws):
    slug = builders.organizer("checked")
    with pytest.raises(ValidationFailed) as wrong_vat:
        parties.update_organizer(slug, {"billing_country": "DE", "billing_vat_id": "DE136695977"})
    assert wrong_vat.value.errors == {"billing_vat_id": [
        "This VAT ID is not valid for its country (wrong length, format or check digit)."]}
    with pytest.raises(ValidationFailed) as unknown:
        parties.update_organizer(slug, {"billing_country": "XX", "billing_colour": "red"})
    assert unknown.value.errors == {"billing_country": ['"XX" is not a valid choice.'], "billing_colour": ["Unknown field."]}
    with pytest.raises(ValidationFailed) as bad_iban:
        platform.update_settings({"iban": "DE02 1203 0000 0000 2020 52"})
    assert list(bad_iban.value.errors) == ["iban"]
    assert organizers.get_organizer(slug).get("billing_vat_id") is None  # nothing half-written


def test_a_cross_border_business_invoice_with_vat_is_not_released(aws):
    platform.update_settings({**PLATFORM_ADDRESS, "country": "AT", "city": "Wien", "zipcode": "1010"})
    slug = builders.organizer("acme")
    parties.update_organizer(slug, {**ACME_BILLING, "billing_vat_id": "DE136695976"})
    number = create().number  # 19 %

    with pytest.raises(BadRequest, match=r"reverse charge, Art\. 196 .* every line must be at 0 %"):
        workflow.release(number)
    assert store.get("acme", number).review_state == "in_review"


# --- The Hostway-style account API (billing/hostway.py) ------------------------------------------------------

ROOT_URL = "https://api.example/Prod"


def test_a_short_account_list_comes_whole_with_a_self_link_and_no_item_links(acme):
    create()
    create(date="2019-06-04")

    listed = hostway.list_invoices("acme", ROOT_URL, None, None)

    assert listed["links"] == [{"href": f"{ROOT_URL}/accounts/acme/invoices", "rel": "self"}]
    assert [entry["invoiceNumber"] for entry in listed["list"]] == ["R2019001", "R2019002"]
    assert all("links" not in entry for entry in listed["list"])


def test_an_account_page_links_to_its_neighbours_and_ends(acme, monkeypatch):
    for day in range(1, 6):
        create(date=f"2019-06-0{day}")

    middle = hostway.list_invoices("acme", ROOT_URL, "2", "2")

    url = f"{ROOT_URL}/accounts/acme/invoices?page={{}}&pageSize=2"
    assert middle["links"] == [{"href": url.format(2), "rel": "self"}, {"href": url.format(1), "rel": "previous"},
                               {"href": url.format(1), "rel": "first"}, {"href": url.format(3), "rel": "next"},
                               {"href": url.format(3), "rel": "last"}]
    assert [entry["invoiceNumber"] for entry in middle["list"]] == ["R2019003", "R2019004"]
    # Too large a page, or too many for one answer: ask for another URL (303)
    assert hostway.list_invoices("acme", ROOT_URL, "1", "401") == hostway.SeeOther(
        f"{ROOT_URL}/accounts/acme/invoices?page=1&pageSize=400")
    monkeypatch.setattr(hostway, "FULL_LIST", 4)
    assert hostway.list_invoices("acme", ROOT_URL, None, None) == hostway.SeeOther(
        f"{ROOT_URL}/accounts/acme/invoices?page=1&pageSize=4")


@pytest.mark.parametrize(("page", "size"), [("0", "2"), ("1", "-3"), ("x", None), (None, "1.5")])
def test_account_paging_takes_positive_integers_only(page, size):
    with pytest.raises(ValidationFailed, match="page and pageSize must be positive integers"):
        hostway.page_parameters(page, size)


def test_an_account_invoice_links_to_itself(acme):
    number = create().number

    shape = hostway.invoice("acme", number, ROOT_URL)

    assert shape["links"] == [{"href": f"{ROOT_URL}/accounts/acme/invoices/{number}/", "rel": "self"}]
    assert (shape["invoiceNumber"], shape["status"]) == (number, "invoice_open")
