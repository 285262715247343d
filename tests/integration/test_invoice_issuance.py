"""Issuing, numbering, cancelling, reissuing and regenerating invoices against moto."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from invoicing import clock, config, countries, events, retry
from invoicing.errors import BadRequest, Conflict, PermissionDenied, ValidationFailed
from invoicing.invoices import changes, issue, read
from invoicing.invoices.read import InvoiceFilters, Visibility
from invoicing.orders import service
from invoicing.pagination import PageRequest
from invoicing.storage import dynamo
from invoicing.storage import invoices as invoice_store
from tests.support import builders

# The example response of "Fetching individual invoices" in pretix's invoice API documentation (the API contract,
# seed 002), copied field for field and in its order.
SEED_EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "contract" / "invoice_example.json"
ALL = Visibility(events=None)


def _pin_clock(moment: datetime) -> None:
    clock.set_clock(lambda: moment)


def _numbers(org: str, event: str | None = None, **filters) -> list[str]:
    visibility = Visibility(events=frozenset({event}), fixed_event=event) if event else ALL
    page = read.list_invoices(org, InvoiceFilters(**filters), "nr", PageRequest(page=1, page_size=50), visibility)
    return [doc["number"] for doc in page.results]


THREADS = 8
ORDERS_PER_THREAD = 3


def test_invoice_numbers_are_gap_free_under_concurrent_issuing(aws_server, monkeypatch):
    # Given an event that invoices on order creation
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    # and threads whose first attempts all read the counter before any of them writes, so all but one of
    # those attempts must lose the counter's condition and be retried by the code (the test never retries)
    together = threading.Barrier(THREADS, timeout=60)
    arrived = threading.local()
    read_counter, write_issue = invoice_store.read_counter, invoice_store.write_issue
    conflicts: list[str] = []

    def read_together(organizer):
        counter = read_counter(organizer)
        if not getattr(arrived, "done", False):
            arrived.done = True
            together.wait()  # BrokenBarrierError names the hang: the threads never read the counter together
        return counter

    def counting_write(issue):
        try:
            write_issue(issue)
        except Conflict:
            conflicts.append(issue.order_code)
            raise

    monkeypatch.setattr(invoice_store, "read_counter", read_together)
    monkeypatch.setattr(invoice_store, "write_issue", counting_write)
    # The code gives up after its budget (8 s, inside the API's timeout) with pretix's "too busy" 409; on a
    # loaded machine eight serialized writers can take longer than that, and giving up is not what is tested.
    monkeypatch.setattr(retry, "RETRY_SECONDS", 120.0)

    # When each thread creates its orders, all at once
    def create_orders(_):
        return [builders.order(org) for _ in range(ORDERS_PER_THREAD)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(create_orders, index) for index in range(THREADS)]
        orders = [order for future in futures for order in future.result()]

    # Then the first round did collide, every order still got exactly one invoice, and the numbers are 1..N
    total = THREADS * ORDERS_PER_THREAD
    assert len(conflicts) >= THREADS - 1
    assert sorted(number for o in orders for number in o["invoices"]) == [f"SAMPLECONF-{n:05d}" for n in range(1, total + 1)]
    assert all(len(o["invoices"]) == 1 for o in orders)
    assert read_counter(org).seq == total
    assert _numbers(org) == [f"SAMPLECONF-{n:05d}" for n in range(1, total + 1)]


def test_a_number_another_prefix_already_produced_is_skipped(aws):
    # Given A-01, issued under the prefix "A-" with two digits
    org = builders.organizer(invoice_generate="True", invoice_numbers_prefix="A-", invoice_numbers_counter_length=2)
    builders.event(org)
    first = builders.order(org)
    assert first["invoices"] == ["A-01"]
    # When the prefix becomes "A-0" with one digit, whose first number would be A-01 again
    events.patch_organizer_settings(org, {"invoice_numbers_prefix": "A-0", "invoice_numbers_counter_length": 1})
    second = builders.order(org)
    # Then that number is skipped rather than issued twice or refused
    assert second["invoices"] == ["A-02"]
    assert _numbers(org) == ["A-01", "A-02"]
    assert read.get_invoice(org, "A-01", ALL).doc["order"] == first["code"]
    assert read.get_invoice(org, "A-02", ALL).doc["order"] == second["code"]


def test_a_number_that_differs_only_in_case_counts_as_taken(aws):
    # Given inv-01 (the number filter of the API matches numbers case-insensitively, so must uniqueness)
    org = builders.organizer(invoice_generate="True", invoice_numbers_prefix="inv-", invoice_numbers_counter_length=2)
    builders.event(org)
    builders.order(org)
    # When the prefix becomes INV-, whose first number INV-01 only its case-insensitive guard refuses
    events.patch_organizer_settings(org, {"invoice_numbers_prefix": "INV-"})
    second = builders.order(org)
    # Then that number is skipped too
    assert second["invoices"] == ["INV-02"]
    assert set(_numbers(org)) == {"inv-01", "INV-02"}


def _prefix_restarted(orders: int, **settings) -> str:
    """An organizer with `orders` invoices A-01, A-02, … (prefix "A-", two digits), then the prefix "A-0" with one
    digit, whose counter starts again at 1 and so draws A-01, A-02, … again (plus `settings`)."""
    org = builders.organizer(invoice_generate="True", invoice_numbers_prefix="A-", invoice_numbers_counter_length=2)
    builders.event(org)
    for _ in range(orders):
        builders.order(org)
    events.patch_organizer_settings(org, {"invoice_numbers_prefix": "A-0", "invoice_numbers_counter_length": 1,
                                          **settings})
    return org


def _record_writes(monkeypatch) -> list[list[str]]:
    """From now on, the numbers of every issuing transaction attempted, in order."""
    attempts: list[list[str]] = []
    write_issue = invoice_store.write_issue
    monkeypatch.setattr(invoice_store, "write_issue",
                        lambda issue: attempts.append([doc["number"] for doc, _ in issue.documents]) or write_issue(issue))
    return attempts


def test_every_number_found_taken_is_skipped_in_the_next_attempt(aws, monkeypatch):
    # Given and A-03 (three orders), then a prefix that draws them again
    org = _prefix_restarted(3)
    write_attempts = _record_writes(monkeypatch)
    # When A-02 is reissued: its cancellation and new invoice draw A-01 and A-03 (A-02 is the order's own number,
    # skipped without asking: the cancellation and the update of A-02 cannot be one item of the transaction)
    changes.reissue(org, "A-02", ALL)
    # Then the one refused attempt marks both numbers, and the second attempt skips both
    assert write_attempts == [["A-01", "A-03"], ["A-04", "A-05"]]
    assert _numbers(org) == ["A-01", "A-02", "A-03", "A-04", "A-05"]
    assert read.get_invoice(org, "A-04", ALL).doc["refers"] == "A-02"


def test_a_cancellation_never_draws_the_number_it_cancels(aws):
    # Given A-01, then a prefix whose first number is A-01 again
    org = _prefix_restarted(1)
    # When A-01 is reissued (drawing A-01 for its cancellation once made DynamoDB refuse the whole transaction:
    # the cancellation's Put and the update of A-01 would be one item)
    new = changes.reissue(org, "A-01", ALL)
    # Then the order's own number is skipped: A-02 cancels is the new invoice
    assert new == ["A-02", "A-03"]
    assert read.get_invoice(org, "A-02", ALL).doc["refers"] == "A-01"
    assert invoice_store.get(org, "A-01").canceled_by == "A-02"


def test_only_the_numbers_found_taken_are_skipped(aws, monkeypatch):
    # Given, then a prefix that draws them again for invoices, and "S-" for cancellations
    org = _prefix_restarted(2, invoice_numbers_prefix_cancellations="S-")
    write_attempts = _record_writes(monkeypatch)
    # When A-01 is reissued: the cancellation draws S-1 (free), the new invoice A-02 (A-01 is the order's own)
    changes.reissue(org, "A-01", ALL)
    # Then only A-02 is skipped: S-1 keeps its number, so the S- sequence has no gap
    assert write_attempts == [["S-1", "A-02"], ["S-1", "A-03"]]
    assert set(_numbers(org)) == {"A-01", "A-02", "S-1", "A-03"}


def test_each_new_invoice_is_queued_for_its_first_render(aws):
    # Given an organizer that invoices on order creation
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    order = builders.order(org)
    # When that invoice is reissued (a cancellation and a new invoice in one transaction)
    changes.reissue(org, order["invoices"][0], ALL)
    # Then every document went to the render queue as its content version 1 (the render request the issuing
    # transaction recorded), under its organizer
    sqs = boto3.client("sqs")
    bodies = []
    while messages := sqs.receive_message(QueueUrl=config.render_queue_url(), MaxNumberOfMessages=10,
                                          VisibilityTimeout=60).get("Messages", []):
        bodies += [json.loads(message["Body"]) for message in messages]
    assert sorted((job["organizer"], job["number"], job["content_version"]) for job in bodies) == [
        (org, "SAMPLECONF-00001", 1), (org, "SAMPLECONF-00002", 1), (org, "SAMPLECONF-00003", 1)]


def test_an_order_code_in_use_is_refused_and_nothing_is_numbered(aws):
    # Given an order ABCDE with its invoice
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    builders.order(org, code="ABCDE")
    # When a second order asks for the same code (its invoice would be numbered in the same transaction)
    with pytest.raises(ValidationFailed) as refused:
        builders.order(org, code="ABCDE")
    # Then pretix's field error (OrderCreateSerializer), and neither a number nor an invoice was used up
    assert refused.value.errors == {"code": ["This order code is already in use."]}
    assert invoice_store.read_counter(org).seq == 1
    assert _numbers(org) == ["SAMPLECONF-00001"]


def test_one_attempt_outside_retrying_issues_too(aws):
    # issue_documents is one attempt; called without `retrying` (no remembered numbers) it still issues
    org = builders.organizer(invoice_generate="False")
    builders.event(org)
    code = builders.order(org)["code"]
    context = service.load(org, "sampleconf", code)
    draft = issue.new_invoice_draft(context.order, context.event, context.settings)

    docs = issue.issue_documents(context.order, context.event, context.settings, [draft])

    assert [doc["number"] for doc in docs] == ["SAMPLECONF-00001"]
    assert read.get_invoice(org, "SAMPLECONF-00001", ALL).doc["order"] == code


def test_the_size_checked_before_issuing_bounds_the_item_written(aws, monkeypatch):
    # The check that turns an oversized invoice into a 400 must measure the item as written: this organizer's
    # keys (a long slug) and the internal attributes (event name, e-mail) included.
    org = builders.organizer("a-rather-long-organizer-slug", invoice_generate="True")
    builders.event(org, name="An event whose name is stored with the invoice for its PDF " * 3)
    checked: list[int] = []
    measure = invoice_store.item_size
    monkeypatch.setattr(invoice_store, "item_size", lambda *args: checked.append(measure(*args)) or checked[-1])

    builders.order(org, email="someone.with.a.long.address@example.com")

    written = dynamo.item_size(invoice_store.get(org, "SAMPLECONF-00001").item)
    # At most the digits of the placeholder seq (10**12 against 1) over: 1 + (13 + 1) // 2 = 8 against 1 byte
    # (the last measure is the issuing check's; the entry check of orders/limits.py measures a worst case first)
    assert written <= checked[-1] <= written + 7


@pytest.fixture
def testikistan(monkeypatch):
    """The documentation example's fictional country "TE", known to the country list for this test only."""
    territories = countries._territories
    monkeypatch.setattr(countries, "_territories", lambda locale: {**territories(locale), "TE": "Testikistan"})


def test_rebuilds_the_seed_documentation_example(aws, testikistan):
    # Given the data behind the example response of seed 002 (its fictional country "TE" included)
    _pin_clock(datetime(2017, 12, 1, 9, 0, tzinfo=UTC))
    org = builders.organizer(
        invoice_address_from_name="Big Events LLC", invoice_address_from="Demo street 12",
        invoice_address_from_city="Demo town", invoice_address_from_country="US",
        invoice_introductory_text="thank you for your purchase of the following items:",
        invoice_additional_text="We are looking forward to see you on our conference!",
        invoice_footer_text="Big Events LLC - Registration No. 123456 - VAT ID: EU0987654321",
        invoice_generate="True", invoice_foreign_currency_display="PLN",
        invoice_foreign_currency_rate="4.2408", invoice_foreign_currency_rate_date="2017-07-24")
    builders.event(org, location="Heidelberg")
    builders.order(org, code="ABC12", payment_provider_text="Please transfer the money to our account ABC…",
                   invoice_address={"is_business": True, "company": "Sample company", "name": "John Doe",
                                    "street": "Test street 12", "zipcode": "12345", "city": "Testington",
                                    "state": None, "country": "TE", "vat_id": "EU123456789", "beneficiary": ""},
                   positions=[{"item": 1234, "variation": 245, "description": "Budget Ticket", "price": "23.00",
                               "tax_rate": "0.00", "tax_name": "VAT", "tax_code": "S/standard",
                               "event_location": "Heidelberg"}])
    # and its transmission completed as in the example
    invoice_store.dynamo.update(invoice_store.invoice_pk(org), "SAMPLECONF-00001",
                                UpdateExpression="SET transmission_status = :s, transmission_provider = :p, "
                                                 "transmission_date = :d",
                                ExpressionAttributeValues={":s": "completed", ":p": "email_pdf",
                                                           ":d": "2017-07-24T10:00:00Z"})
    # When the invoice is read
    doc = read.get_invoice(org, "SAMPLECONF-00001", ALL).doc
    # Then it is the documented object, field for field, in the documented order
    expected = json.loads(SEED_EXAMPLE.read_text(encoding="utf-8"))
    assert doc == expected
    assert list(doc) == list(expected)


def test_the_fictional_country_is_unknown_outside_its_fixture(aws):
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    with pytest.raises(ValueError, match=r'"TE" is not a valid choice\.'):
        builders.order(org, invoice_address={"company": "Sample company", "country": "TE"})


def test_cancellation_refers_to_original_and_negates_lines(aws):
    org = builders.organizer(invoice_generate="True", invoice_numbers_prefix_cancellations="STORNO-")
    builders.event(org)
    order = builders.order(org)
    service.mark_canceled(org, "sampleconf", order["code"])
    cancellation = read.get_invoice(org, "STORNO-00001", ALL).doc
    assert cancellation["is_cancellation"] is True
    assert cancellation["refers"] == "SAMPLECONF-00001"
    assert cancellation["lines"][0]["gross_value"] == "-23.00"
    assert cancellation["lines"][0]["tax_value"] == "-3.67"
    assert cancellation["payment_provider_stamp"] == ""
    assert _numbers(org, refers="samplecONF-00001") == ["STORNO-00001"]


def test_reissue_creates_cancellation_and_new_invoice(aws):
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    order = builders.order(org, invoice_address={"company": "Old name", "country": "DE"})
    service.patch_order(org, "sampleconf", order["code"],
                        service.OrderPatch.model_validate({"invoice_address": {"company": "New name", "country": "DE"}}),
                        {"invoice_address"})
    changes.reissue(org, "SAMPLECONF-00001", ALL)
    assert _numbers(org) == ["SAMPLECONF-00001", "SAMPLECONF-00002", "SAMPLECONF-00003"]
    new = read.get_invoice(org, "SAMPLECONF-00003", ALL).doc
    assert new["invoice_to_company"] == "New name" and new["refers"] is None
    with pytest.raises(ValidationFailed) as raised:
        changes.reissue(org, "SAMPLECONF-00001", ALL)
    assert raised.value.errors == ["The invoice has already been canceled."]


def test_concurrent_reissues_cancel_an_invoice_only_once(aws_server):
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    builders.order(org)

    def attempt(_):
        try:
            return changes.reissue(org, "SAMPLECONF-00001", ALL)
        except ValidationFailed:
            return None

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [r for r in pool.map(attempt, range(6)) if r]
    assert len(results) == 1
    assert _numbers(org, is_cancellation=True) == ["SAMPLECONF-00002"]


def test_regenerate_follows_pretix_rules(aws):
    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    order = builders.order(org, email="before@example.com")
    with pytest.raises(PermissionDenied, match=r"Invoice may not be regenerated\."):
        changes.regenerate(org, "SAMPLECONF-00001", ALL)
    events.patch_organizer_settings(org, {"invoice_regenerate_allowed": True, "invoice_footer_text": "New footer"})
    regenerated = changes.regenerate(org, "SAMPLECONF-00001", ALL)
    assert regenerated.doc["footer_text"] == "New footer"
    assert regenerated.doc["number"] == "SAMPLECONF-00001"
    assert regenerated.content_version == 2
    _pin_clock(datetime.now(UTC) + timedelta(days=3))
    with pytest.raises(PermissionDenied, match="too old"):
        changes.regenerate(org, "SAMPLECONF-00001", ALL)
    clock.set_clock(None)
    service.mark_canceled(org, "sampleconf", order["code"])
    with pytest.raises(ValidationFailed) as refused:
        changes.regenerate(org, "SAMPLECONF-00001", ALL)
    assert refused.value.errors == ["The invoice has already been canceled."]


@pytest.mark.parametrize("state", ["free", "canceled"])
def test_no_invoice_for_an_order_that_does_not_qualify(aws, state):
    # pretix's invoice_qualified: a live order with a non-zero total
    org = builders.organizer(invoice_generate="admin")
    builders.event(org)
    order = builders.order(org, positions=[{"description": "Free Ticket", "price": "0.00"}]) if state == "free" \
        else builders.order(org)
    if state == "canceled":
        service.mark_canceled(org, "sampleconf", order["code"])

    with pytest.raises(BadRequest, match=r"^You cannot generate an invoice for this order\.$"):
        service.create_invoice(org, "sampleconf", order["code"])
    assert invoice_store.read_counter(org).counters == {}


def test_create_invoice_messages(aws):
    org = builders.organizer(invoice_generate="False")
    builders.event(org)
    order = builders.order(org)
    with pytest.raises(BadRequest, match=r"You cannot generate an invoice for this order\."):
        service.create_invoice(org, "sampleconf", order["code"])
    events.patch_organizer_settings(org, {"invoice_generate": "admin"})
    doc = service.create_invoice(org, "sampleconf", order["code"])
    assert doc["number"] == "SAMPLECONF-00001"
    with pytest.raises(BadRequest, match=r"An invoice for this order already exists\."):
        service.create_invoice(org, "sampleconf", order["code"])


def test_paid_mode_issues_on_payment_and_test_mode_has_own_sequence(aws):
    org = builders.organizer(invoice_generate="paid", invoice_numbers_prefix="INV-%Y-")
    builders.event(org)
    _pin_clock(datetime(2025, 3, 4, 12, tzinfo=UTC))
    pending = builders.order(org)
    assert pending["invoices"] == []
    paid = service.mark_paid(org, "sampleconf", pending["code"])
    assert paid["invoices"] == ["INV-2025-00001"]
    # the payment is written in the issuing transaction, not only answered
    stored = service.get_order(org, "sampleconf", pending["code"])
    assert (stored["status"], stored["payment_date"], stored["invoices"]) == ("p", "2025-03-04T12:00:00Z", ["INV-2025-00001"])
    test_order = builders.order(org, testmode=True, status="p")
    assert test_order["invoices"] == ["INV-2025-TEST-00001"]


def test_non_consecutive_numbers_use_the_order_code(aws):
    org = builders.organizer(invoice_generate="True", invoice_numbers_consecutive=False)
    builders.event(org)
    order = builders.order(org, code="FOO")
    assert order["invoices"] == ["SAMPLECONF-FOO-1"]
    changes.reissue(org, "SAMPLECONF-FOO-1", ALL)
    # <prefix><ORDERCODE>-<n>, n counting this order's documents: the cancellation, then the new invoice
    assert _numbers(org, orders=("foo",)) == ["SAMPLECONF-FOO-1", "SAMPLECONF-FOO-2", "SAMPLECONF-FOO-3"]
    assert read.get_invoice(org, "SAMPLECONF-FOO-2", ALL).doc["refers"] == "SAMPLECONF-FOO-1"
    assert read.get_invoice(org, "SAMPLECONF-FOO-3", ALL).doc["is_cancellation"] is False
    assert invoice_store.read_counter(org).counters == {}  # nothing consecutive was counted


def test_i18n_invoice_texts_are_stored_as_given_and_printed_in_the_invoice_language(aws):
    # Given organizer texts in English and German (pretix's i18n form)
    texts = {"invoice_introductory_text": {"en": "We invoice:", "de": "Wir berechnen:"},
             "invoice_footer_text": {"en": "Thanks", "de": "Danke"}}
    org = builders.organizer(invoice_generate="True")
    builders.event(org)

    stored = events.patch_organizer_settings(org, texts)
    # Then the settings API returns what was stored
    assert stored["invoice_introductory_text"] == texts["invoice_introductory_text"]
    assert events.organizer_settings(org)["invoice_footer_text"] == {"en": "Thanks", "de": "Danke"}
    # and a German order's invoice carries the German texts
    [number] = builders.order(org, locale="de")["invoices"]
    doc = invoice_store.get(org, number).doc
    assert (doc["introductory_text"], doc["footer_text"]) == ("Wir berechnen:", "Danke")


def test_i18n_invoice_text_with_a_bad_language_key_is_a_field_error(aws):
    org = builders.organizer()
    with pytest.raises(ValidationFailed) as raised:
        events.patch_organizer_settings(org, {"invoice_footer_text": {"en": "ok", "not a locale": "x"}})
    assert raised.value.errors == {"invoice_footer_text": [
        '"not a locale" is not a language code such as "en" or "de-formal".']}


def test_creating_an_order_with_its_invoice_reads_the_organizer_once(aws, monkeypatch):
    from invoicing.storage import organizers as organizer_store

    org = builders.organizer(invoice_generate="True")
    builders.event(org)
    reads = []
    get_organizer = organizer_store.get_organizer
    monkeypatch.setattr(organizer_store, "get_organizer", lambda slug: reads.append(slug) or get_organizer(slug))

    created = builders.order(org)

    assert len(created["invoices"]) == 1
    assert reads == [org]
