"""Schemathesis hooks for tests/e2e/test_openapi_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

Generated X-Idempotency-Key values repeat across operations ("", "0", ...), and the API replays the
first answer for a key whatever the request (pretix's semantics), so each call gets a key of its own:
the fuzz run checks operations, not replays (tests/e2e/test_auth_contract.py and others pin those).
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = kwargs.get("headers") or {}
    for name in list(headers):
        if name.lower() == "x-idempotency-key":
            headers[name] = uuid.uuid4().hex


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same at generation time, so the cases Schemathesis derives (and replays) carry their own keys too."""
    if headers:
        for name in list(headers):
            if name.lower() == "x-idempotency-key":
                headers[name] = uuid.uuid4().hex
    return headers
