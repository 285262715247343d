"""DynamoDB answers recorded under moto and replayed without it: the handler's time without DynamoDB's own.

Subtracting moto's time from a request run against moto (meter.py) leaves moto's side effects in the rest: its
emulation runs 20-45 ms of Python per request in the same thread (a list page's Query deep-copies and serialises
every item), which evicts the CPU caches our code then runs in, whereas DynamoDB's time on AWS is a network wait.
Replaying the recorded HTTP answers at botocore's `before-send` (where moto itself answers) times everything
else exactly: botocore building, signing and parsing the calls, our code and Powertools.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse

from bench.api.environment import clock

OPERATIONS = ("GetItem", "BatchGetItem", "Query")


class _Body:
    """The raw stream of a replayed answer (what botocore reads from an HTTP response)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any):
        yield self.data

    def read(self, *_: Any) -> bytes:
        return self.data


class Replay:
    """Records every DynamoDB answer by operation and request body while `recording`, then answers from the
    recording once `replaying` (a request it has not seen raises KeyError: the bench stops rather than guess)."""

    def __init__(self, clients: tuple[Any, ...]) -> None:
        self.clients = clients
        self.answers: dict[tuple[str, bytes], tuple[int, dict[str, str], bytes]] = {}
        self._pending: dict[str, bytes] = {}
        self.burst: Callable[[], None] | None = None  # the control: other work run inside each answered call
        self.burst_seconds = 0.0

    def _sent(self, request: Any, event_name: str, **_: Any) -> None:
        self._pending[event_name.rsplit(".", 1)[-1]] = request.body

    def _parsed(self, response_dict: dict[str, Any], event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        self.answers[(operation, self._pending.pop(operation))] = (
            response_dict["status_code"], dict(response_dict["headers"]), response_dict["body"])

    def _answer(self, request: Any, event_name: str, **_: Any) -> AWSResponse:
        if self.burst is not None:
            started = clock()
            self.burst()
            self.burst_seconds += clock() - started
        status, headers, body = self.answers[(event_name.rsplit(".", 1)[-1], request.body)]
        return AWSResponse(request.url, status, headers, _Body(body))

    def recording(self) -> None:
        for client in self.clients:
            for operation in OPERATIONS:  # first, before storage.dynamo's own hooks take the items out of the body
                client.meta.events.register_first(f"before-send.dynamodb.{operation}", self._sent)
                client.meta.events.register_first(f"before-parse.dynamodb.{operation}", self._parsed)

    def replaying(self) -> None:
        for client in self.clients:
            for operation in OPERATIONS:
                client.meta.events.unregister(f"before-send.dynamodb.{operation}", self._sent)
                client.meta.events.unregister(f"before-parse.dynamodb.{operation}", self._parsed)
                client.meta.events.register_first(f"before-send.dynamodb.{operation}", self._answer)


_OTHER_DATA = [{"id": n, "lines": [{"price": str(n * 1.5), "name": "Ticket", "tax": {"rate": "19.00"}}] * 20,
                "address": {"street": "x" * 40, "city": "Berlin"}} for n in range(10)]


def busy_work(seconds: float) -> Callable[[], None]:
    """Python work on other data (deep copies and JSON, as an emulator's) for about `seconds` of this thread's CPU."""

    def burst() -> None:
        until = clock() + seconds
        while clock() < until:
            json.dumps(copy.deepcopy(_OTHER_DATA))

    return burst
