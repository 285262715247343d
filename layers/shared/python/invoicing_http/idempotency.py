"""`X-Idempotency-Key` with pretix's semantics, on Powertools' idempotency utility.

A POST/PATCH/PUT/DELETE carrying the header runs once per (key, credentials) for 24 hours; a repeat
gets the stored response replayed, whatever its path or body, errors included, except 409, 429, 500
and 503, which are not stored so a retry runs anew. A repeat while the first is running gets 409.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from invoicing.config import storage_config
from invoicing_http.guard import SAFE_METHODS, header

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

# Powertools' idempotency utility is imported on the first request that carries a key: GETs never need it,
# and a cold start should not pay for it.

NOT_STORED = frozenset({409, 429, 500, 503})
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class _NotStored(Exception):
    def __init__(self, response: dict[str, Any]):
        super().__init__("response not stored")
        self.response = response


def idempotency_scope(event: Mapping[str, Any]) -> dict[str, str] | None:
    if (event.get("httpMethod") or "GET").upper() in SAFE_METHODS:
        return None
    key = header(event.get("headers"), "X-Idempotency-Key")
    if not key:
        return None
    credentials = hashlib.sha256((header(event.get("headers"), "Authorization") or "").encode()).hexdigest()
    return {"key": key, "credentials": credentials}


@cache
def _config() -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="[key, credentials]", expires_after_seconds=24 * 3600)


@cache
def _runner(handler: Handler) -> Callable[..., dict[str, Any]]:
    """The handler wrapped once per function, after the environment is known (the table is lazy)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    table = storage_config().idempotency_table_name or "IdempotencyTable"
    persistence = DynamoDBPersistenceLayer(table_name=table)

    @idempotent_function(data_keyword_argument="scope", persistence_store=persistence, config=_config())
    def run(scope: dict[str, str], event: dict[str, Any], context: Any) -> dict[str, Any]:
        response = handler(event, context)
        if response.get("statusCode") in NOT_STORED:
            raise _NotStored(response)
        return response

    return run


def once(handler: Handler, event: dict[str, Any], context: Any,
         concurrent: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    scope = idempotency_scope(event)
    if scope is None:
        return handler(event, context)
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        _config().register_lambda_context(context)
    try:
        return _runner(handler)(scope=scope, event=event, context=context)
    except _NotStored as carried:
        return carried.response
    except IdempotencyAlreadyInProgressError:
        return concurrent()
