"""`X-Idempotency-Key` with pretix's semantics, on Powertools' idempotency utility.

A POST/PATCH/PUT/DELETE carrying the header runs once per (key, credentials) for 24 hours; a repeat of
the same request gets the stored response replayed, errors included, except 409, 429, 500 and 503,
which are not stored so a retry runs anew. A repeat while the first is running gets 409.

Stricter than pretix, as Stripe: the key is bound to its request (method, path and a hash of the canonical
body). The same key on a different request answers 400 instead of replaying an answer to something else
(a "cancel" that did nothing must not answer 201). The binding is stored with the response and compared on
replay, which does not depend on how the persistence layer reads the record back.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from invoicing import config
from invoicing_http.guard import SAFE_METHODS, header

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

# Powertools' idempotency utility is imported on the first request that carries a key: GETs never need it,
# and a cold start should not pay for it.

NOT_STORED = frozenset({409, 429, 500, 503})
OTHER_REQUEST = "This idempotency key was already used for a different request."
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


def fingerprint(event: Mapping[str, Any]) -> str:
    """SHA-256 of method, path and the canonical body (JSON re-serialised with sorted keys; else the raw bytes)."""
    body: bytes = (event.get("body") or "").encode()
    if event.get("isBase64Encoded"):
        with contextlib.suppress(ValueError):  # binascii.Error is one
            body = base64.b64decode(body, validate=True)
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, RecursionError):
        canonical = body
    request = json.dumps([(event.get("httpMethod") or "").upper(), event.get("path") or "",
                          hashlib.sha256(canonical).hexdigest()])
    return hashlib.sha256(request.encode()).hexdigest()


@cache
def _config() -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="[key, credentials]", expires_after_seconds=24 * 3600)


@cache
def _runner(handler: Handler) -> Callable[..., dict[str, Any]]:
    """The handler wrapped once per function, after the environment is known (the table is lazy)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    persistence = DynamoDBPersistenceLayer(table_name=config.idempotency_table_name())

    @idempotent_function(data_keyword_argument="scope", persistence_store=persistence, config=_config())
    def run(scope: dict[str, str], event: dict[str, Any], context: Any, request: str) -> dict[str, Any]:
        response = handler(event, context)
        if response.get("statusCode") in NOT_STORED:
            raise _NotStored(response)
        return {"request": request, "response": response}

    return run


def once(handler: Handler, event: dict[str, Any], context: Any, concurrent: Callable[[], dict[str, Any]],
         other_request: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    scope = idempotency_scope(event)
    if scope is None:
        return handler(event, context)
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        _config().register_lambda_context(context)
    request = fingerprint(event)
    try:
        stored = _runner(handler)(scope=scope, event=event, context=context, request=request)
    except _NotStored as carried:
        return carried.response
    except IdempotencyAlreadyInProgressError:
        return concurrent()
    if "response" not in stored:  # stored before keys were bound to their request (at most 24 hours old)
        return stored
    if stored.get("request") != request:
        return other_request()
    return stored["response"]
