"""Jobs for the asynchronous functions, sent to their SQS queues."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_BATCH = 10  # SendMessageBatch limit


@cache
def client():
    return boto3.client("sqs", config=Config(retries={"mode": "standard", "max_attempts": 5}))


def reset() -> None:
    client.cache_clear()


def send(queue_url: str, jobs: Iterable[dict[str, Any]]) -> list[str]:
    """Send each job as a JSON message; returns the ids of the jobs SQS did not take (an empty list is success)."""
    jobs = list(jobs)
    failed: list[str] = []
    for start in range(0, len(jobs), _BATCH):
        entries = [{"Id": str(index), "MessageBody": json.dumps(job, separators=(",", ":"))}
                   for index, job in enumerate(jobs[start:start + _BATCH], start=start)]
        response = client().send_message_batch(QueueUrl=queue_url, Entries=entries)
        failed.extend(entry["Id"] for entry in response.get("Failed", []))
    return failed


def delay(queue_url: str, receipt_handle: str, seconds: int) -> None:
    """Push a received message's next delivery `seconds` out (its retry backoff)."""
    client().change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds)
