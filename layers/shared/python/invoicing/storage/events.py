"""Events and their per-event invoice statistics.

Keys: event `ORG#<org>`/`EVENT#<slug>` (with its `settings` map); statistics `ORG#<org>`/`EVENTSTATS#<slug>`
(invoice and order counts kept by the writes that change them, so list counts never read the invoices).
"""

from __future__ import annotations

from typing import Any

from invoicing.errors import AlreadyExists, NotFound
from invoicing.storage import dynamo
from invoicing.storage.keys import EVENT_PREFIX, event_key, event_of_stats, event_stats_key, org_pk, organizer_key
from invoicing.storage.organizers import query_all, update_settings_map

stats_key = event_stats_key  # the name orders and bench/ use


def get_event(organizer: str, slug: str) -> dict[str, Any] | None:
    return dynamo.get_item(event_key(organizer, slug))


def create_event(organizer: str, event: dict[str, Any]) -> dict[str, Any]:
    item = {**event_key(organizer, event["slug"]), "organizer": organizer, "settings": {}, **event}
    try:
        dynamo.transact([
            {"ConditionCheck": {"Key": organizer_key(organizer),
                                "ConditionExpression": "attribute_exists(PK)"}},
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
        ])
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            raise NotFound(f"Organizer {organizer} does not exist.") from exc
        if exc.reasons[1:2] == ["ConditionalCheckFailed"]:
            raise AlreadyExists("This slug has already been used for a different event.") from exc
        raise
    return item


def list_events(organizer: str) -> list[dict[str, Any]]:
    return query_all(org_pk(organizer), EVENT_PREFIX)


def update_event_settings(organizer: str, slug: str, changes: dict[str, Any]) -> dict[str, Any]:
    return update_settings_map(event_key(organizer, slug), changes)


def get_stats(organizer: str, events: list[str]) -> dict[str, dict[str, Any]]:
    if len(events) == 1:  # an event's list page: GetItem costs botocore less than a BatchGetItem of one key
        item = dynamo.get_item(event_stats_key(organizer, events[0]))
        return {events[0]: item} if item else {}
    items = dynamo.batch_get([tuple(event_stats_key(organizer, event).values()) for event in events])
    return {event_of_stats(item["SK"]): item for item in items}


_seen: set[tuple[str, str]] = set()


def exists(organizer: str, slug: str) -> bool:
    """Whether the event exists; events are never deleted, so a warm function reads each one only once."""
    if (organizer, slug) in _seen:
        return True
    if get_event(organizer, slug) is None:
        return False
    if len(_seen) > 10_000:
        _seen.clear()
    _seen.add((organizer, slug))
    return True


def forget() -> None:
    """Forget the events seen (tests and the CLI switch between stacks in one process)."""
    _seen.clear()
