"""A meter on the shared DynamoDB client: calls by operation, time inside the calls, and inside moto alone."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.api.environment import clock


class CallMeter:
    """Wraps the DynamoDB clients of storage.dynamo: counts calls by operation and times them, in total (boto3 + moto)
    and inside moto alone (from botocore's `before-send`, which moto answers, to `before-parse`)."""

    def __init__(self) -> None:
        from invoicing.storage import dynamo

        self.reset()
        self._sent_at = 0.0
        clients = dynamo.clients() if hasattr(dynamo, "clients") else (dynamo.client(),)  # older checkouts: one
        for client in clients:
            self._meter(client)

    def _meter(self, client: Any) -> None:
        original = client._make_api_call

        def metered(operation: str, params: dict[str, Any]) -> Any:
            started = clock()
            try:
                response = original(operation, params)
            finally:
                self.seconds += clock() - started
                self.calls[operation] += 1
            if operation == "Query":
                self.scanned.append(int(response.get("ScannedCount", 0)))
            return response

        def sending(**_: Any) -> None:
            self._sent_at = clock()

        def received(**_: Any) -> None:
            self.moto += clock() - self._sent_at

        client._make_api_call = metered
        client.meta.events.register_first("before-send.dynamodb", sending)
        client.meta.events.register_first("before-parse.dynamodb", received)

    def reset(self) -> None:
        self.calls: Counter = Counter()
        self.seconds = 0.0  # inside client calls: boto3 + moto
        self.moto = 0.0  # inside moto's emulation only
        self.scanned: list[int] = []  # ScannedCount of each Query

    def summary(self, per: int = 1) -> str:
        parts = []
        for operation, count in sorted(self.calls.items()):
            amount = count / per
            parts.append(f"{operation}x{amount:.0f}" if amount == int(amount) else f"{operation}x{amount:.2f}")
        return " ".join(parts) or "-"
