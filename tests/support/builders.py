"""Test data built through the domain's own entry points, as a user of the API would create it."""

from __future__ import annotations

from typing import Any

from invoicing import access, events
from invoicing.events import EventCreate
from invoicing.orders import service
from invoicing.orders.models import OrderCreate
from invoicing.storage import organizers


def organizer(slug: str = "bigevents", **settings: Any) -> str:
    organizers.create_organizer(slug, slug.title())
    if settings:
        events.patch_organizer_settings(slug, settings)
    return slug


def event(org: str, slug: str = "sampleconf", **fields: Any) -> str:
    data = {"slug": slug, "name": "Sample Conference", "currency": "EUR", "date_from": "2017-12-27T10:00:00Z",
            "timezone": "Europe/Berlin", **fields}
    events.create_event(org, EventCreate.model_validate(data))
    return slug


def token(org: str, permissions: list[str] | None = None, events_: list[str] | None = None) -> str:
    secret, _ = access.create_token(org, "test", permissions if permissions is not None else list(access.PERMISSIONS),
                                    events_)
    return secret


def order(org: str, event_slug: str = "sampleconf", **fields: Any) -> dict[str, Any]:
    data = {"email": "dummy@dummy.test", "locale": "en",
            "positions": [{"description": "Budget Ticket", "price": "23.00", "tax_rate": "19.00"}], **fields}
    return service.create_order(org, event_slug, OrderCreate.model_validate(data))
