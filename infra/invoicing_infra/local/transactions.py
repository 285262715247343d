"""TransactWriteItems over moto in O(items of the transaction), with DynamoDB's idempotency tokens.

moto deep-copies every table a transaction names before applying it, to roll back on failure: O(table size)
per write, O(N²) for N invoices. This patch keeps moto's own loop (conditions, CancellationReasons in item
order, validation) and changes two things only:

- Before the transaction, the current version of each item it names is copied (an undo record); moto's table
  backup becomes the table itself, and a failed transaction puts the recorded items back instead. Tables
  with a stream keep moto's whole-table backup, which also rolls back the stream records.
- `ClientRequestToken`: a repeat of a successful transaction within 10 minutes succeeds without writing; the
  same token with other parameters is IdempotentParameterMismatchException. Failed calls record no token.

Callers serialize DynamoDB requests (moto is not thread-safe); see serialized_moto.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
import types
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb import models
from moto.dynamodb.exceptions import DynamodbException
from moto.dynamodb.responses import DynamoHandler

TOKEN_WINDOW_SECONDS = 600.0  # DynamoDB keeps a client request token for 10 minutes


class IdempotentParameterMismatchException(DynamodbException):
    error_type = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"

    def __init__(self) -> None:
        super().__init__(self.error_type, message="The request uses the same client token as a previous, "
                                                  "but non-identical request.")


def _deepcopy_all_but_tables(value: Any, memo: Any = None) -> Any:
    """moto's backup of a table becomes the table itself (its rollback then assigns the table to itself)."""
    if isinstance(value, models.Table) and value.stream_shard is None:
        return value
    return copy.deepcopy(value, memo)


def _item_key(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any] | None:
    if op_type == "Put":
        attrs = op.get("Item") or {}
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return {name: attrs[name] for name in names if name in attrs}
    return op.get("Key")


def _undo_record(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash key, range key, copy of the item or None) for each item the transaction names."""
    record = []
    for entry in transact_items:
        for op_type, op in entry.items():
            table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            key = _item_key(table, op_type, op) if table is not None else None
            if not key:
                continue
            try:
                hash_value, range_value = backend.get_keys_value(table, key)
                current = table.get_item(hash_value, range_value)
            except Exception:  # noqa: S112 - moto reports the invalid key itself, before writing it
                continue
            record.append((table, hash_value, range_value, copy.deepcopy(current)))
    return record


def _undo(record: list[tuple[Any, Any, Any, Any]]) -> None:
    for table, hash_value, range_value, item in reversed(record):  # reversed: a key named twice ends as it began
        if table.has_range_key:
            if item is None:
                table.items[hash_value].pop(range_value, None)
            else:
                table.items[hash_value][range_value] = item
        elif item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item


def _fingerprint(body: dict[str, Any]) -> str:
    request = {name: value for name, value in body.items() if name != "ClientRequestToken"}
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def install() -> None:
    """Patches moto once per process."""
    if getattr(models.DynamoDBBackend.transact_write_items, "_undo_record", False):
        return
    moto_transact = models.DynamoDBBackend.transact_write_items
    moto_handler = DynamoHandler.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        record = _undo_record(self, transact_items)
        models.copy = types.SimpleNamespace(deepcopy=_deepcopy_all_but_tables)
        try:
            moto_transact(self, transact_items)
        except BaseException:
            _undo(record)
            raise
        finally:
            models.copy = copy

    def handle_transact_write_items(self: Any) -> Any:
        token = self.body.get("ClientRequestToken")
        if not token:
            return moto_handler(self)
        tokens: dict[str, tuple[str, float]] = self.dynamodb_backend.__dict__.setdefault("_client_request_tokens", {})
        now = time.monotonic()
        for expired in [name for name, (_, at) in tokens.items() if now - at > TOKEN_WINDOW_SECONDS]:
            del tokens[expired]
        fingerprint = _fingerprint(self.body)
        if token in tokens:
            if tokens[token][0] != fingerprint:
                raise IdempotentParameterMismatchException()
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = moto_handler(self)
        tokens[token] = (fingerprint, now)
        return result

    transact_write_items._undo_record = True  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items
    DynamoHandler.transact_write_items = handle_transact_write_items

