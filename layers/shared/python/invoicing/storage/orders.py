"""Orders.

Keys: order `ORG#<org>#ORDER` / `<CODE>` (codes are unique per organizer, as in pretix), with
`EventScope` = `EVT#<org>#<event>#ORDER` so the GSI `ByEventNumber` lists an event's orders by code.
The order count per event lives in the event's statistics item, written with the order.
"""

from __future__ import annotations

from typing import Any

from invoicing.errors import AlreadyExists, Conflict
from invoicing.storage import dynamo
from invoicing.storage.events import stats_key


def order_key(organizer: str, code: str) -> dict[str, str]:
    return {"PK": f"ORG#{organizer}#ORDER", "SK": code}


def order_scope(organizer: str, event: str) -> str:
    return f"EVT#{organizer}#{event}#ORDER"


def get_order(organizer: str, code: str) -> dict[str, Any] | None:
    return dynamo.get_item(order_key(organizer, code))


def create_order(organizer: str, order: dict[str, Any], extra: list[dict[str, Any]] | None = None) -> None:
    """`extra`: more transaction items written with the order (webhook notifications)."""
    item = {**order_key(organizer, order["code"]), "EventScope": order_scope(organizer, order["event"]),
            "invoice_numbers": [], **order, "version": 1}
    try:
        dynamo.transact([
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Update": {"Key": stats_key(organizer, order["event"]), "UpdateExpression": "ADD orders :one",
                        "ExpressionAttributeValues": {":one": 1}}},
            *(extra or []),
        ])
    except Conflict as exc:
        raise AlreadyExists("This order code is already in use.") from exc


def update_order(organizer: str, code: str, version: int, changes: dict[str, Any],
                 extra: list[dict[str, Any]] | None = None) -> None:
    """Set fields of an order if nobody changed it since it was read (optimistic lock on `version`);
    `extra` transaction items (webhook notifications) are written with the change or not at all."""
    names = {"#version": "version"}
    values: dict[str, Any] = {":v": version, ":v1": version + 1}
    sets = ["#version = :v1"]
    for i, (name, value) in enumerate(changes.items()):
        names[f"#f{i}"] = name
        values[f":f{i}"] = value
        sets.append(f"#f{i} = :f{i}")
    update = {"Key": order_key(organizer, code), "UpdateExpression": "SET " + ", ".join(sets),
              "ConditionExpression": "#version = :v", "ExpressionAttributeNames": names,
              "ExpressionAttributeValues": values}
    if extra:
        dynamo.transact([{"Update": update}, *extra])
        return
    dynamo.update(order_key(organizer, code)["PK"], code, UpdateExpression=update["UpdateExpression"],
                  ConditionExpression="#version = :v", ExpressionAttributeNames=names,
                  ExpressionAttributeValues=values)
