"""Absolute URLs as the client addressed the API, and pretix's list envelope: `count`, and `next`/`previous`
(plus our opaque cursor)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from invoicing.pagination import Page


def _origin(event: Any) -> str:
    """scheme://host as the client addressed the API (behind API Gateway: the forwarded protocol)."""
    headers = event.headers or {}
    host = headers.get("Host") or headers.get("host") or event.request_context.domain_name or "localhost"
    proto = headers.get("X-Forwarded-Proto") or headers.get("x-forwarded-proto") or "https"
    return f"{proto}://{host}"


def _client_path(event: Any) -> str:
    """The path the client asked for: with the stage prefix under execute-api (`/Prod/api/v1/...`)."""
    return event.request_context.path or event.path


def _base_url(event: Any) -> str:
    return _origin(event) + _client_path(event)


def _url(base: str, params: dict[str, list[str]], **changes: Any) -> str:
    merged = {key: list(values) for key, values in params.items() if key not in ("page", "cursor")}
    for key, value in changes.items():
        if value is not None:
            merged[key] = [str(value)]
    pairs = [(key, value) for key in sorted(merged) for value in merged[key]]
    return base + ("?" + urlencode(pairs) if pairs else "")


def envelope(router: BaseRouter, page: Page) -> dict[str, Any]:
    event = router.current_event
    params = event.multi_value_query_string_parameters or {}
    base = _base_url(event)
    next_url = _url(base, params, page=page.number + 1, cursor=page.next_cursor) if page.has_next else None
    previous_url = None
    if page.has_previous:
        previous_url = _url(base, params, page=page.number - 1 if page.number > 2 else None)
    return {"count": page.count, "next": next_url, "previous": previous_url, "results": page.results}


def query_params(router: BaseRouter) -> dict[str, list[str]]:
    return dict(router.current_event.multi_value_query_string_parameters or {})


def query_value(router: BaseRouter, name: str) -> str | None:
    """The last value of a query parameter, as Django's QueryDict.get does."""
    values = query_params(router).get(name)
    return values[-1] if values else None


def request_url(router: BaseRouter) -> str:
    """The absolute URL of the current request, without its query (for URLs derived from it)."""
    return _base_url(router.current_event)


def api_root(router: BaseRouter) -> str:
    """The absolute URL of the API root as the client addressed it (with the stage under execute-api)."""
    event = router.current_event
    client_path = _client_path(event)
    stage_prefix = client_path[: len(client_path) - len(event.path)] if client_path.endswith(event.path) else ""
    return _origin(event) + stage_prefix
