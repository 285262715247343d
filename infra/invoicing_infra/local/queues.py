"""Patch over moto's SQS: queue attributes that do not count the queue's messages unless asked for.

moto's `Queue.attributes` builds every attribute, the three `ApproximateNumberOfMessages*` counts included,
and each count walks every message in the queue (reading the clock twice per message). moto reads
`queue.attributes` for one unrelated value on every SendMessage (`ContentBasedDeduplication`), and on every
ReceiveMessage once per message received (`MessageRetentionPeriod`, via `get_queue_attributes`, which builds it
up to three times). With a backlog of n render jobs a send was O(n) and a receive O(n) per message received.

Here `Queue.attributes` is a read-only mapping with the same keys in the same order and the same values; the
counts are computed when read. GetQueueAttributes with the count names answers exactly as before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import moto.sqs.models as sqs_models
from moto.core import utils as moto_utils
from moto.core.utils import camelcase_to_underscores, unix_time
from moto.sqs.models import Queue, SQSBackend

_COUNTS = frozenset({
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
})


class QueueAttributes(Mapping[str, Any]):
    """What moto's Queue.attributes returns, with the message counts read from the queue only on access."""

    def __init__(self, queue: Queue):
        self._queue = queue
        self._values: dict[str, Any] = {}
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        for name in names:
            if name not in _COUNTS:
                self._values[name] = getattr(queue, camelcase_to_underscores(name))
        if queue.policy:
            self._values["Policy"] = queue.policy
        if queue.redrive_policy:
            self._values["RedrivePolicy"] = json.dumps(queue.redrive_policy)
        for key, value in self._values.items():
            if isinstance(value, bool):
                self._values[key] = str(value).lower()
        self._names = [name for name in names if name in _COUNTS or name in self._values]

    def __getitem__(self, name: str) -> Any:
        if name in _COUNTS and name in self._names:
            return getattr(self._queue, camelcase_to_underscores(name))
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values or (name in _COUNTS and name in self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
    """moto's check, reading the one attribute it needs instead of building them all (three times)."""
    retention_period = self.get_queue(queue_name).message_retention_period
    return retention_period + message.sent_timestamp / 1000 > unix_time()


def _unix_time_millis(dt: Any = None) -> float:
    """moto's unix_time_millis without building two datetimes per call when asked for now (it is read twice
    per message in the queue on every receive)."""
    return time.time() * 1000.0 if dt is None else moto_utils.unix_time_millis(dt)


def install() -> None:
    sqs_models.unix_time_millis = _unix_time_millis  # type: ignore[assignment]
    Queue.attributes = property(QueueAttributes)  # type: ignore[assignment,method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = _is_message_valid_based_on_retention_period  # type: ignore[method-assign]
