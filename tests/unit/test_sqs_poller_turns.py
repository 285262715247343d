"""SqsPoller.poll_once (infra/invoicing_infra/local/sqs_poller.py): on a backlog one turn of the invocation lane
runs up to MaximumConcurrency batches of at most BatchSize, and stops early when the queue is empty."""

from __future__ import annotations

import threading
from typing import Any

from invoicing_infra.local.fair_lock import FairRLock
from invoicing_infra.local.sqs_poller import DEFAULT_CONCURRENCY, Activity, SqsPoller
from invoicing_infra.template import SqsSubscription


class FakeSqs:
    def __init__(self, count: int):
        self.waiting = [f"m{i}" for i in range(count)]
        self.deleted: list[str] = []

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int, **kwargs: Any) -> dict[str, Any]:
        taken, self.waiting = self.waiting[:MaxNumberOfMessages], self.waiting[MaxNumberOfMessages:]
        return {"Messages": [{"MessageId": m, "ReceiptHandle": m, "Body": "{}", "MD5OfBody": ""} for m in taken]}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.deleted += [entry["ReceiptHandle"] for entry in Entries]
        return {}


def poller(sqs: FakeSqs, lane: FairRLock, batches: list[list[str]], concurrency: int | None) -> SqsPoller:
    def invoke(function_id: str, event: dict[str, Any]) -> None:
        assert lane._owner == threading.get_ident(), "a batch ran outside the poller's turn"
        batches.append([record["messageId"] for record in event["Records"]])

    subscription = SqsSubscription("Worker", "Jobs", "JobsQueue", batch_size=5, maximum_concurrency=concurrency)
    return SqsPoller(subscription, "url", "arn:aws:sqs:eu-central-1:1:jobs", "eu-central-1", sqs, invoke, Activity(),
                     threading.Event(), lane=lane)


def test_a_backlog_gets_maximum_concurrency_batches_in_one_turn_of_the_lane():
    sqs, lane, batches = FakeSqs(23), FairRLock(), []

    assert poller(sqs, lane, batches, concurrency=3).poll_once() == 3

    assert batches == [[f"m{i}" for i in range(start, start + 5)] for start in (0, 5, 10)]
    assert sqs.deleted == [f"m{i}" for i in range(15)]
    assert len(sqs.waiting) == 8
    assert lane._owner is None  # the turn is over


def test_a_turn_ends_when_the_queue_is_empty_and_without_maximum_concurrency_takes_lambdas_first_five():
    sqs, batches = FakeSqs(7), []
    assert poller(sqs, FairRLock(), batches, concurrency=None).poll_once() == 2
    assert batches == [["m0", "m1", "m2", "m3", "m4"], ["m5", "m6"]]

    sqs, batches = FakeSqs(100), []
    assert poller(sqs, FairRLock(), batches, concurrency=None).poll_once() == DEFAULT_CONCURRENCY == 5


def test_an_empty_queue_invokes_nothing():
    batches: list[list[str]] = []
    assert poller(FakeSqs(0), FairRLock(), batches, concurrency=2).poll_once() == 0
    assert batches == []
