"""Webhooks, their outbox and their delivery log.

Keys (docs/data-model.md):
- webhook        `ORG#<org>` / `WEBHOOK#<id, 10 digits>`; the id counter `ORG#<org>` / `WEBHOOKSEQ`
- outbox         `ORG#<org>#WHOUT` / `<notification id>`: a notification written in the same transaction as
                 the change it announces, with the sparse keys `TxDue` = `webhook`, `TxSince` (index
                 `ByTransmissionDue`), so the sweep finds the ones the fan-out has not taken yet
- delivery       `ORG#<org>#WHD#<webhook id>` / `<notification id>` (ids sort by time: newest first by
                 querying backwards); the webhook's `deliveries` attribute counts them for pagination
"""

from __future__ import annotations

from typing import Any

from invoicing.errors import Conflict, NotFound
from invoicing.pagination import Page, PageRequest
from invoicing.storage import dynamo
from invoicing.storage.expressions import Update
from invoicing.storage.keys import WEBHOOK_PREFIX, delivery_pk, org_pk, outbox_key, webhook_key, webhook_seq_key
from invoicing.storage.listing import ListQuery, fetch_page
from invoicing.storage.organizers import query_all

__all__ = ["DUE_INDEX", "OUTBOX_KIND", "create_delivery", "delete_outbox", "delivery_pk", "disable_if_enabled",
           "due_outbox", "get_delivery", "get_outbox", "get_webhook", "list_deliveries", "list_webhooks", "next_id",
           "outbox_key", "outbox_put", "put_webhook", "update_delivery", "update_webhook", "webhook_key"]

OUTBOX_KIND = "webhook"
DUE_INDEX = "ByTransmissionDue"


# --- Webhooks ----------------------------------------------------------------------------------

def next_id(organizer: str) -> int:
    response = dynamo.apply(webhook_seq_key(organizer), Update().add("seq", 1), returns="UPDATED_NEW")
    return int(response["Attributes"]["seq"])


def put_webhook(organizer: str, record: dict[str, Any]) -> None:
    dynamo.put({**webhook_key(organizer, record["id"]), **record}, condition="attribute_not_exists(PK)")


def get_webhook(organizer: str, webhook_id: int) -> dict[str, Any] | None:
    return dynamo.get_item(webhook_key(organizer, webhook_id))


def list_webhooks(organizer: str) -> list[dict[str, Any]]:
    """An organizer's webhooks by id (a handful: one query on the organizer's partition)."""
    return query_all(org_pk(organizer), WEBHOOK_PREFIX)


def update_webhook(organizer: str, webhook_id: int, fields: dict[str, Any], removes: tuple[str, ...] = ()) -> dict[str, Any]:
    update = Update().set_all(fields).remove(*removes).when_exists()
    try:
        return dynamo.apply(webhook_key(organizer, webhook_id), update, returns="ALL_NEW")["Attributes"]
    except Conflict as exc:
        raise NotFound("No WebHook matches the given query.") from exc


def disable_if_enabled(organizer: str, webhook_id: int) -> bool:
    return dynamo.apply_if(webhook_key(organizer, webhook_id),
                           Update().set("enabled", False).when_equal("enabled", True)) is not None


# --- Outbox ------------------------------------------------------------------------------------

def outbox_put(notification: dict[str, Any]) -> dict[str, Any]:
    """The TransactWriteItems entry that records a notification beside the change it announces."""
    item = {**outbox_key(notification["organizer"], notification["notification_id"]), **notification,
            "TxDue": OUTBOX_KIND, "TxSince": notification["created"]}
    return {"Put": {"Item": item}}


def get_outbox(organizer: str, notification_id: str) -> dict[str, Any] | None:
    return dynamo.get_item(outbox_key(organizer, notification_id))


def delete_outbox(organizer: str, notification_id: str) -> None:
    key = outbox_key(organizer, notification_id)
    dynamo.client().delete_item(TableName=dynamo.table_name(), Key=key)


def due_outbox(before: str, limit: int = 100) -> list[dict[str, Any]]:
    """Notifications written before `before` that no fan-out has taken yet, oldest first."""
    response = dynamo.query(IndexName=DUE_INDEX, KeyConditionExpression="TxDue = :kind AND TxSince < :before",
                            ExpressionAttributeValues={":kind": OUTBOX_KIND, ":before": before}, Limit=limit)
    return response["Items"]


# --- Deliveries --------------------------------------------------------------------------------

def create_delivery(organizer: str, webhook_id: int, record: dict[str, Any]) -> bool:
    """The delivery record and the webhook's count, once per (webhook, notification); False if it existed."""
    item = {"PK": delivery_pk(organizer, webhook_id), "SK": record["notification_id"], **record}
    try:
        dynamo.transact([
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            Update().add("deliveries", 1).transact_item(webhook_key(organizer, webhook_id)),
        ])
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            return False
        raise
    return True


def get_delivery(organizer: str, webhook_id: int, notification_id: str) -> dict[str, Any] | None:
    return dynamo.get(delivery_pk(organizer, webhook_id), notification_id)


def update_delivery(organizer: str, webhook_id: int, notification_id: str, fields: dict[str, Any]) -> None:
    dynamo.apply({"PK": delivery_pk(organizer, webhook_id), "SK": notification_id}, Update().set_all(fields))


def list_deliveries(organizer: str, webhook_id: int, count: int, request: PageRequest) -> Page:
    pk = delivery_pk(organizer, webhook_id)
    query = ListQuery(partition=("PK", pk), sort="SK", forward=False, scope=pk)
    return fetch_page(query, request, count)
