"""Delivers SQS messages to the subscribed functions as Lambda's event source mapping does, one thread per mapping."""

from __future__ import annotations

import base64
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..template import SqsSubscription

logger = logging.getLogger("local_stack.sqs_poller")  # not __name__: see stack.LOGGER_NAME

Invoke = Callable[[str, dict[str, Any]], Any]
_MAX_RECEIVE = 10  # SQS ReceiveMessage limit
DEFAULT_CONCURRENCY = 5  # Lambda's first concurrent batches on an SQS backlog (without MaximumConcurrency)
_COUNT_ATTRIBUTES = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


class Activity:
    """Which pollers are inside a batch, and a generation bumped at every batch start and end (for drain)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._generation = 0

    @contextlib.contextmanager
    def batch(self, name: str) -> Iterator[None]:
        with self._lock:
            self._running[name] = self._running.get(name, 0) + 1
            self._generation += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[name] -= 1
                self._generation += 1

    def snapshot(self) -> tuple[int, list[str]]:
        with self._lock:
            return self._generation, [name for name, count in self._running.items() if count]


def lambda_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS message as Lambda passes it in event["Records"]."""
    attributes = {}
    for name, attribute in (message.get("MessageAttributes") or {}).items():
        record_attribute: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": attribute["DataType"],
        }
        if "StringValue" in attribute:
            record_attribute["stringValue"] = attribute["StringValue"]
        if "BinaryValue" in attribute:
            record_attribute["binaryValue"] = base64.b64encode(attribute["BinaryValue"]).decode("ascii")
        attributes[name] = record_attribute
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def failed_message_ids(result: Any, message_ids: Sequence[str]) -> set[str]:
    """The messages to keep after a successful invocation with ReportBatchItemFailures.

    As Lambda does, a response naming a message that is not in the batch (or none at all) fails the whole batch.
    """
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return set()
    items = failures if isinstance(failures, list) else [failures]
    identifiers = [item.get("itemIdentifier") if isinstance(item, dict) else None for item in items]
    if any(identifier not in message_ids for identifier in identifiers):
        logger.warning("invalid batchItemFailures %r: the whole batch is retried", failures)
        return set(message_ids)
    return set(identifiers)


class SqsPoller(threading.Thread):
    def __init__(
        self,
        subscription: SqsSubscription,
        queue_url: str,
        queue_arn: str,
        region: str,
        sqs: Any,
        invoke: Invoke,
        activity: Activity,
        stopping: threading.Event,
        lane: contextlib.AbstractContextManager[Any] | None = None,
    ):
        super().__init__(name=f"sqs-{subscription.function_id}-{subscription.event_name}", daemon=True)
        self.subscription = subscription
        self.queue_url = queue_url
        self._queue_arn = queue_arn
        self._region = region
        self._sqs = sqs
        self._invoke = invoke
        self._activity = activity
        self._stopping = stopping
        self._enabled = threading.Event()
        self._enabled.set()
        self._turn = threading.Lock()  # held while receiving and processing
        # The invocation lane (handlers.FunctionRunner.lane): held across the batches of one turn.
        self._lane = lane if lane is not None else contextlib.nullcontext()
        self.batches_per_turn = subscription.maximum_concurrency or DEFAULT_CONCURRENCY

    def disable(self) -> None:
        """As disabling the event source mapping: returns once no receive or batch is under way any more."""
        self._enabled.clear()
        with self._turn:
            pass

    def enable(self) -> None:
        self._enabled.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            if not self._enabled.wait(0.1):
                continue
            try:
                self.poll_once()
            except Exception:
                if self._stopping.is_set():
                    return
                logger.exception("%s: receiving from %s failed", self.name, self.queue_url)
                self._stopping.wait(1)

    def poll_once(self) -> int:
        """One turn: a long-polled batch, then, while the queue has more, further batches up to the function's
        MaximumConcurrency, as Lambda runs that many at once on a backlog (here one after the other, in one turn of
        the invocation lane, so a function whose queue fills faster than one batch per turn keeps up). Returns
        the batches invoked."""
        batches = 0
        with self._turn:
            if not self._enabled.is_set():
                return 0
            messages = self._receive()
            if not messages:
                return 0
            with self._activity.batch(self.name), self._lane:
                while True:
                    self._process(messages)
                    batches += 1
                    if batches >= self.batches_per_turn or self._stopping.is_set() or not self._enabled.is_set():
                        return batches
                    messages = self._receive(wait_seconds=0)
                    if not messages:
                        return batches

    def _receive(self, wait_seconds: int = 1) -> list[dict[str, Any]]:
        """Up to BatchSize messages: more receives while the batching window is open and messages keep coming."""
        batch_size = self.subscription.batch_size
        deadline = time.monotonic() + self.subscription.maximum_batching_window
        messages: list[dict[str, Any]] = []
        while len(messages) < batch_size and not self._stopping.is_set():
            received = self._sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(_MAX_RECEIVE, batch_size - len(messages)),
                WaitTimeSeconds=0 if messages else wait_seconds,
                MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
            messages.extend(received)
            if not received or time.monotonic() >= deadline:
                break
        return messages

    def _process(self, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [lambda_record(message, self._queue_arn, self._region) for message in messages]}
        message_ids = [message["MessageId"] for message in messages]
        try:
            result = self._invoke(self.subscription.function_id, event)
        except Exception:
            # Nothing is deleted: the messages come back after the visibility timeout, and go to the
            # dead-letter queue after maxReceiveCount receives.
            logger.exception(
                "%s failed on %d message(s) from %s", self.subscription.function_id, len(messages), self.queue_url
            )
            return
        failed = failed_message_ids(result, message_ids) if self.subscription.report_batch_item_failures else set()
        done = [message for message in messages if message["MessageId"] not in failed]
        for start in range(0, len(done), _MAX_RECEIVE):
            chunk = done[start : start + _MAX_RECEIVE]
            response = self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
            for failure in response.get("Failed", []):
                logger.warning("%s: deleting a message failed: %s", self.name, failure)


def queue_message_count(sqs: Any, queue_url: str) -> int:
    """Messages waiting, in flight or delayed."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=_COUNT_ATTRIBUTES)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in _COUNT_ATTRIBUTES)


def drain(pollers: Sequence[SqsPoller], sqs: Any, activity: Activity, timeout: float) -> None:
    """Waits until every polled queue is empty and no batch is being processed."""
    deadline = time.monotonic() + timeout
    queue_urls = sorted({poller.queue_url for poller in pollers})
    while True:
        generation, running = activity.snapshot()
        counts = {url: queue_message_count(sqs, url) for url in queue_urls}
        # A handler may enqueue a message just before finishing its batch; an unchanged generation
        # proves no batch started or ended while the queues were being counted.
        if not running and not any(counts.values()) and activity.snapshot() == (generation, []):
            return
        if time.monotonic() >= deadline:
            pending = {url.rsplit("/", 1)[-1]: count for url, count in counts.items() if count}
            raise TimeoutError(
                f"SQS not drained after {timeout} s: messages {pending or 'none'}, batches running {running or 'none'}"
            )
        time.sleep(0.05)
