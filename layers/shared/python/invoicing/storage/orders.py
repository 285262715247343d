"""Orders.

Keys: order `ORG#<org>#ORDER` / `<CODE>` (codes are unique per organizer, as in pretix), with
`EventScope` = `EVT#<org>#<event>#ORDER` so the GSI `ByEventNumber` lists an event's orders by code.
The order count per event lives in the event's statistics item, written with the order.
"""

from __future__ import annotations

from typing import Any

from invoicing.errors import AlreadyExists, Conflict
from invoicing.storage import dynamo
from invoicing.storage.expressions import Update
from invoicing.storage.keys import event_stats_key, order_key, order_scope

CODE_IN_USE = "This order code is already in use."  # pretix's message; the API answers it for an explicit code

__all__ = ["CODE_IN_USE", "create_order", "get_order", "order_key", "order_scope", "update_order"]


def get_order(organizer: str, code: str) -> dict[str, Any] | None:
    return dynamo.get_item(order_key(organizer, code))


def create_order(organizer: str, order: dict[str, Any], extra: list[dict[str, Any]] | None = None) -> None:
    """`extra`: more transaction items written with the order (webhook notifications)."""
    item = {**order_key(organizer, order["code"]), "EventScope": order_scope(organizer, order["event"]),
            "invoice_numbers": [], **order, "version": 1}
    try:
        dynamo.transact([
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            Update().add("orders", 1).transact_item(event_stats_key(organizer, order["event"])),
            *(extra or []),
        ])
    except Conflict as exc:
        raise AlreadyExists(CODE_IN_USE) from exc


def update_order(organizer: str, code: str, version: int, changes: dict[str, Any],
                 extra: list[dict[str, Any]] | None = None) -> None:
    """Set fields of an order if nobody changed it since it was read (optimistic lock on `version`);
    `extra` transaction items (webhook notifications) are written with the change or not at all."""
    update = Update().set("version", version + 1).set_all(changes).when_equal("version", version)
    if extra:
        dynamo.transact([update.transact_item(order_key(organizer, code)), *extra])
        return
    dynamo.apply(order_key(organizer, code), update)
