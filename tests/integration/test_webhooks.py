"""Webhook notifications against moto: written in the transaction of the change they announce (and not
when it fails), fanned out once per webhook, swept when the queue send was missed, delivered with backoff,
410 disabling the webhook, and given up after 3 days."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from invoicing import clock, config
from invoicing.errors import ValidationFailed
from invoicing.invoices import changes
from invoicing.invoices.read import Visibility
from invoicing.orders import service as orders
from invoicing.pagination import page_request
from invoicing.storage import dynamo
from invoicing.storage import webhooks as store
from invoicing.transmission import attempts, worker
from invoicing.transmission.providers import Receipt, Rejected
from invoicing.webhooks import delivery, notifications, service, targets
from tests.conftest import ROOT
from tests.support import builders

MOMENT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
ALL = Visibility(events=None)


@pytest.fixture
def shop(aws):
    clock.set_clock(lambda: MOMENT)
    org = builders.organizer(invoice_generate="True", invoice_regenerate_allowed=True)
    builders.event(org)
    return org


def outbox(org: str) -> list[dict]:
    response = dynamo.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"ORG#{org}#WHOUT"})
    return response["Items"]


def queued() -> list[dict]:
    sqs = boto3.client("sqs")
    found = []
    while messages := sqs.receive_message(QueueUrl=os.environ["WEBHOOK_QUEUE_URL"], MaxNumberOfMessages=10,
                                          VisibilityTimeout=0).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=os.environ["WEBHOOK_QUEUE_URL"], ReceiptHandle=message["ReceiptHandle"])
    return found


def webhook(org: str, action_types: list[str], **fields) -> dict:
    return service.create_webhook(org, service.WebhookWrite.model_validate(
        {"target_url": "https://hooks.example.com/in", "all_events": True, "action_types": action_types, **fields}))


def test_an_order_and_its_invoice_are_announced_in_the_issuing_transaction_and_queued(shop):
    order = builders.order(shop)

    items = outbox(shop)
    assert sorted((item["action"], item.get("invoice")) for item in items) == [
        ("pretix.event.order.invoice.generated", order["invoices"][0]), ("pretix.event.order.placed", None)]
    assert {item["TxDue"] for item in items} == {"webhook"}
    assert {(item["organizer"], item["event"], item["code"]) for item in items} == {(shop, "sampleconf", order["code"])}
    assert sorted(job["notification_id"] for job in queued()) == sorted(item["notification_id"] for item in items)


def test_a_change_that_does_not_commit_announces_nothing(shop):
    builders.order(shop, code="ABCDE")
    before = len(outbox(shop))

    with pytest.raises(ValidationFailed, match="already in use"):
        builders.order(shop, code="ABCDE")

    assert len(outbox(shop)) == before == 2


def test_reissue_regenerate_pay_and_cancel_use_pretixs_action_names(shop):
    builders.organizer("other", invoice_generate="paid")
    builders.event("other")
    unpaid = builders.order("other", status="n")
    number = builders.order(shop)["invoices"][0]
    queued()

    orders.mark_paid("other", "sampleconf", unpaid["code"])
    changes.regenerate(shop, number, ALL)
    new_numbers = changes.reissue(shop, number, ALL)

    assert sorted(item["action"] for item in outbox("other")) == [
        "pretix.event.order.invoice.generated", "pretix.event.order.paid", "pretix.event.order.placed"]
    actions = sorted((item["action"], item.get("invoice")) for item in outbox(shop)
                     if item["action"] != "pretix.event.order.placed")
    assert actions == sorted([("pretix.event.order.invoice.generated", number),
                              ("pretix.event.order.invoice.regenerated", number),
                              ("pretix.event.order.invoice.generated", new_numbers[0]),
                              ("pretix.event.order.invoice.reissued", new_numbers[1])])


def test_fan_out_records_one_delivery_per_matching_webhook_once(shop):
    invoices_hook = webhook(shop, ["pretix.event.order.invoice.*"])
    webhook(shop, ["pretix.event.order.paid"])  # not subscribed to what follows
    webhook(shop, ["pretix.event.order.invoice.*"], all_events=False, limit_events=[])  # no event of its own
    builders.order(shop)
    generated = next(item for item in outbox(shop) if item["action"].endswith("generated"))
    queued()

    assert delivery.fan_out(shop, generated["notification_id"]) == 1
    assert delivery.fan_out(shop, generated["notification_id"]) == 0  # redelivered: the outbox item is gone

    jobs = queued()
    assert jobs == [{"kind": "delivery", "organizer": shop, "webhook": invoices_hook["id"],
                     "notification_id": generated["notification_id"]}]
    log = service.list_deliveries(shop, invoices_hook["id"], page_request(None, None))
    assert (log.count, [entry["state"] for entry in log.results]) == (1, ["pending"])


def test_without_an_enabled_webhook_the_fan_out_removes_the_outbox_item_unread(shop, monkeypatch):
    webhook(shop, ["pretix.event.order.placed"], enabled=False)
    builders.order(shop)
    notification_ids = [item["notification_id"] for item in outbox(shop)]
    queued()

    def unread(*args):
        raise AssertionError("the outbox item was read")

    monkeypatch.setattr(store, "get_outbox", unread)
    assert [delivery.fan_out(shop, notification_id) for notification_id in notification_ids] == [0, 0]
    assert outbox(shop) == []
    assert queued() == []


def test_the_webhook_function_reads_an_organizers_webhooks_once_per_batch(shop, monkeypatch):
    from invoicing_infra.local.handlers import load_handler
    from invoicing_infra.local.lambda_context import LambdaContext
    from invoicing_infra.template import Template

    webhook(shop, ["pretix.event.order.placed"])
    builders.order(shop)
    builders.order(shop)
    records = outbox(shop)  # per order: placed and the invoice's generated
    queued()
    function = Template.load(ROOT / "template.yaml").functions()["WebhookDeliveryFunction"]
    handler = load_handler(function)
    context = LambdaContext("WebhookDeliveryFunction", 60, 256, "eu-central-1", "123456789012")
    reads = []
    list_webhooks = store.list_webhooks
    monkeypatch.setattr(store, "list_webhooks", lambda organizer: reads.append(organizer) or list_webhooks(organizer))

    def batch():
        return {"Records": [{"messageId": f"m{i}", "receiptHandle": f"r{i}", "eventSource": "aws:sqs",
                             "body": json.dumps(notifications.fanout_job(record)), "attributes": {},
                             "messageAttributes": {}, "md5OfBody": "", "eventSourceARN": "arn:aws:sqs:q",
                             "awsRegion": "eu-central-1"} for i, record in enumerate(records)]}

    assert handler(batch(), context) == {"batchItemFailures": []}
    assert reads == [shop]
    placed = sorted(record["notification_id"] for record in records if record["action"].endswith("placed"))
    assert sorted(job["notification_id"] for job in queued()) == placed  # one delivery per order placed
    assert outbox(shop) == []

    handler(batch(), context)  # the next invocation reads them again (a webhook may have changed meanwhile)
    assert reads == [shop, shop]


def test_the_sweep_queues_notifications_whose_send_was_missed(shop, monkeypatch):
    url = os.environ.pop("WEBHOOK_QUEUE_URL")
    config.reset()
    builders.order(shop)  # committed, but nothing could be queued
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", url)
    config.reset()
    assert queued() == []

    assert notifications.sweep() == 0  # younger than a minute: the direct send may still come
    clock.set_clock(lambda: MOMENT + timedelta(minutes=2))
    assert notifications.sweep() == 2

    assert sorted(job["notification_id"] for job in queued()) == sorted(item["notification_id"] for item in outbox(shop))


def _pending_delivery(shop: str, monkeypatch, statuses: list[int]) -> tuple[dict, str]:
    hook = webhook(shop, ["pretix.event.order.placed"])
    builders.order(shop)
    placed = next(item for item in outbox(shop) if item["action"] == "pretix.event.order.placed")
    delivery.fan_out(shop, placed["notification_id"])
    calls = []

    def post(url, body, headers, timeout):
        calls.append((url, json.loads(body), timeout))
        return statuses.pop(0)

    monkeypatch.setattr(targets, "post", post)
    return hook, placed["notification_id"], calls


def test_a_failed_try_is_retried_after_the_backoff_then_delivered(shop, monkeypatch):
    hook, notification_id, calls = _pending_delivery(shop, monkeypatch, [500, 200])

    with pytest.raises(delivery.Retry) as retry:
        delivery.deliver(shop, hook["id"], notification_id)
    assert retry.value.seconds == 30
    assert delivery.deliver(shop, hook["id"], notification_id) == delivery.Outcome.DELIVERED
    assert delivery.deliver(shop, hook["id"], notification_id) == delivery.Outcome.SKIPPED  # a twin message

    assert len(calls) == 2 and calls[0][2] == 10
    assert calls[0][1]["notification_id"] == notification_id == calls[1][1]["notification_id"]
    record = store.get_delivery(shop, hook["id"], notification_id)
    assert (record["state"], record["attempts"], record["last_status_code"]) == ("delivered", 2, 200)


def test_410_disables_the_webhook(shop, monkeypatch):
    hook, notification_id, _ = _pending_delivery(shop, monkeypatch, [410])

    assert delivery.deliver(shop, hook["id"], notification_id) == delivery.Outcome.DISABLED

    assert service.get_webhook(shop, hook["id"])["enabled"] is False


def test_retries_stop_after_3_days(shop, monkeypatch):
    hook, notification_id, _ = _pending_delivery(shop, monkeypatch, [503] * 3)
    with pytest.raises(delivery.Retry) as first:
        delivery.deliver(shop, hook["id"], notification_id)
    assert (first.value.seconds, first.value.reason) == (30, "HTTP 503")

    clock.set_clock(lambda: MOMENT + timedelta(days=3) - timedelta(seconds=61))
    with pytest.raises(delivery.Retry) as second:
        delivery.deliver(shop, hook["id"], notification_id)
    assert (second.value.seconds, second.value.reason) == (60, "HTTP 503")  # twice the base after the second try
    clock.set_clock(lambda: MOMENT + timedelta(days=3) - timedelta(seconds=1))
    assert delivery.deliver(shop, hook["id"], notification_id) == delivery.Outcome.GAVE_UP

    record = store.get_delivery(shop, hook["id"], notification_id)
    assert (record["state"], record["attempts"], record["next_try"]) == ("failed", 3, None)


class _Provider:
    name = "fake"
    supports_testmode = False

    def __init__(self, error: Exception | None = None):
        self.error = error

    def send(self, invoice, settings, attempt) -> Receipt:
        if self.error:
            raise self.error
        return Receipt("r1")


@pytest.mark.parametrize(("provider", "action"), [
    (_Provider(), "pretix.event.order.invoice.sent"),
    (_Provider(Rejected("no such participant")), "pretix.event.order.invoice.sending_failed"),
])
def test_a_transmission_outcome_is_announced_with_it(shop, provider, action):
    number = builders.order(shop)["invoices"][0]
    attempts.transmit(shop, number, ALL)
    job = next(job for job in _email_jobs() if job["number"] == number)

    worker.run(worker.AttemptJob.model_validate(job), provider, delivery=1)
    worker.run(worker.AttemptJob.model_validate(job), provider, delivery=2)  # a twin delivery announces nothing

    assert [(item["action"], item["invoice"]) for item in outbox(shop) if "sen" in item["action"]] == [(action, number)]


def _email_jobs() -> list[dict]:
    sqs = boto3.client("sqs")
    found = []
    while messages := sqs.receive_message(QueueUrl=os.environ["EMAIL_QUEUE_URL"], MaxNumberOfMessages=10,
                                          VisibilityTimeout=0).get("Messages", []):
        found += [json.loads(message["Body"]) for message in messages]
        for message in messages:
            sqs.delete_message(QueueUrl=os.environ["EMAIL_QUEUE_URL"], ReceiptHandle=message["ReceiptHandle"])
    return found
