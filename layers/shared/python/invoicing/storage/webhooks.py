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
from invoicing.storage.listing import ListQuery, fetch_page
from invoicing.storage.organizers import org_pk, query_all

OUTBOX_KIND = "webhook"
DUE_INDEX = "ByTransmissionDue"


def webhook_key(organizer: str, webhook_id: int) -> dict[str, str]:
    return {"PK": org_pk(organizer), "SK": f"WEBHOOK#{webhook_id:010d}"}


def outbox_key(organizer: str, notification_id: str) -> dict[str, str]:
    return {"PK": f"ORG#{organizer}#WHOUT", "SK": notification_id}


def delivery_pk(organizer: str, webhook_id: int) -> str:
    return f"ORG#{organizer}#WHD#{webhook_id}"


# --- Webhooks ----------------------------------------------------------------------------------

def next_id(organizer: str) -> int:
    response = dynamo.update(org_pk(organizer), "WEBHOOKSEQ", UpdateExpression="ADD seq :one",
                             ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")
    return int(response["Attributes"]["seq"])


def put_webhook(organizer: str, record: dict[str, Any]) -> None:
    dynamo.put({**webhook_key(organizer, record["id"]), **record}, condition="attribute_not_exists(PK)")


def get_webhook(organizer: str, webhook_id: int) -> dict[str, Any] | None:
    return dynamo.get_item(webhook_key(organizer, webhook_id))


def list_webhooks(organizer: str) -> list[dict[str, Any]]:
    """An organizer's webhooks by id (a handful: one query on the organizer's partition)."""
    return query_all(org_pk(organizer), "WEBHOOK#")


def update_webhook(organizer: str, webhook_id: int, fields: dict[str, Any], removes: tuple[str, ...] = ()) -> dict[str, Any]:
    names = {f"#f{i}": key for i, key in enumerate(fields)}
    values = {f":f{i}": value for i, value in enumerate(fields.values())}
    clauses = []
    if fields:
        clauses.append("SET " + ", ".join(f"{name} = {value}" for name, value in zip(names, values, strict=True)))
    if removes:
        names.update({f"#r{i}": key for i, key in enumerate(removes)})
        clauses.append("REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes))))
    key = webhook_key(organizer, webhook_id)
    kwargs: dict[str, Any] = {"UpdateExpression": " ".join(clauses), "ConditionExpression": "attribute_exists(PK)",
                              "ExpressionAttributeNames": names, "ReturnValues": "ALL_NEW"}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    try:
        return dynamo.update(key["PK"], key["SK"], **kwargs)["Attributes"]
    except Conflict as exc:
        raise NotFound("No WebHook matches the given query.") from exc


def disable_if_enabled(organizer: str, webhook_id: int) -> bool:
    key = webhook_key(organizer, webhook_id)
    return dynamo.update_if(key["PK"], key["SK"], "SET enabled = :false", "enabled = :true",
                            {":false": False, ":true": True}) is not None


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
            {"Update": {"Key": webhook_key(organizer, webhook_id), "UpdateExpression": "ADD deliveries :one",
                        "ExpressionAttributeValues": {":one": 1}}},
        ])
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            return False
        raise
    return True


def get_delivery(organizer: str, webhook_id: int, notification_id: str) -> dict[str, Any] | None:
    return dynamo.get(delivery_pk(organizer, webhook_id), notification_id)


def update_delivery(organizer: str, webhook_id: int, notification_id: str, fields: dict[str, Any]) -> None:
    names = {f"#f{i}": key for i, key in enumerate(fields)}
    values = {f":f{i}": value for i, value in enumerate(fields.values())}
    dynamo.update(delivery_pk(organizer, webhook_id), notification_id,
                  UpdateExpression="SET " + ", ".join(f"{n} = {v}" for n, v in zip(names, values, strict=True)),
                  ExpressionAttributeNames=names, ExpressionAttributeValues=values)


def list_deliveries(organizer: str, webhook_id: int, count: int, request: PageRequest) -> Page:
    pk = delivery_pk(organizer, webhook_id)
    query = ListQuery(partition=("PK", pk), sort="SK", forward=False, scope=pk)
    return fetch_page(query, request, count)
