"""Authentication and permissions, checked once per request before routing, in pretix's order:
401 (who are you) -> 403 (organizer, event, permission) -> then the resolver's 405 / 404.

Unknown organizers and events are 403, not 404, as in pretix: a caller must not learn what exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from invoicing.access import Principal, authenticate
from invoicing.errors import PermissionDenied
from invoicing.storage import events as event_store

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# (template resource path, HTTP method) -> the permission the request needs, None for none.
Policy = Callable[[str, str], str | None]


def orders_policy(resource: str, method: str) -> str | None:
    """Orders and invoices: read needs `can_view_orders`, every other method `can_change_orders`."""
    return "can_view_orders" if method in SAFE_METHODS else "can_change_orders"


def header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def check(event: Mapping[str, Any], policy: Policy) -> Principal:
    principal = authenticate(header(event.get("headers"), "Authorization"))
    params = event.get("pathParameters") or {}
    organizer = params.get("organizer")
    if organizer is not None and organizer != principal.organizer:
        raise PermissionDenied()
    event_slug = params.get("event")
    if event_slug is not None and not (principal.sees_event(event_slug)
                                       and event_store.exists(principal.organizer, event_slug)):
        raise PermissionDenied()
    principal.require(policy(event.get("resource") or "", (event.get("httpMethod") or "GET").upper()))
    return principal
