"""The transmission status of invoices: every change is a conditional write on the invoice item.

Attributes beside `transmission_status` / `_provider` / `_date`: `tx_attempt` (the one queued attempt
allowed to run), `tx_reason` (why the last attempt failed), and the sparse index keys `TxDue` /
`TxSince` that the sweep queries (index `ByTransmissionDue`): `inflight` since the attempt began, or
`pending` since the invoice became pending, for types that enforce transmission. Finished invoices
carry neither key, so the index holds only work that may be due.
"""

from __future__ import annotations

from typing import Any

from invoicing.clock import isoformat_z, now
from invoicing.storage import dynamo
from invoicing.storage.invoices import StoredInvoice, from_item, invoice_pk

DUE_INDEX = "ByTransmissionDue"


def _update(organizer: str, number: str, expression: str, condition: str, values: dict[str, Any]) -> dict[str, Any] | None:
    return dynamo.update_if(invoice_pk(organizer), number, expression, condition, values)


def _pending_due(enforced: bool, stamp: str) -> tuple[str, dict[str, Any]]:
    if enforced:
        return "TxDue = :pending, TxSince = :stamp", {":pending": "pending", ":stamp": stamp}
    return "", {}


def queue_attempt(organizer: str, number: str, attempt: str) -> bool:
    """Name the attempt that may run next, if the invoice is pending (pretix's `transmit`)."""
    return _update(organizer, number, "SET tx_attempt = :a", "transmission_status = :pending",
                   {":a": attempt, ":pending": "pending"}) is not None


def reset_to_pending(organizer: str, number: str, attempt: str, enforced: bool) -> bool:
    """Back to pending with a new attempt (pretix's `retransmit`), from anything but inflight."""
    stamp = isoformat_z(now())
    due, values = _pending_due(enforced, stamp)
    expression = "SET transmission_status = :pending, transmission_date = :stamp, tx_attempt = :a"
    expression += (", " + due) if due else " REMOVE TxDue, TxSince"
    return _update(organizer, number, expression, "attribute_exists(PK) AND transmission_status <> :inflight",
                   {":pending": "pending", ":stamp": stamp, ":a": attempt, ":inflight": "inflight", **values}) is not None


def begin(organizer: str, number: str, attempt: str) -> dict[str, Any] | None:
    """pending -> inflight for the named attempt; the item, or None if this attempt may not run."""
    stamp = isoformat_z(now())
    return _update(organizer, number,
                   "SET transmission_status = :inflight, transmission_date = :stamp, TxDue = :inflight, TxSince = :stamp",
                   "transmission_status = :pending AND tx_attempt = :a",
                   {":inflight": "inflight", ":pending": "pending", ":stamp": stamp, ":a": attempt})


def finish(organizer: str, number: str, attempt: str, status: str, provider: str | None, reason: str | None,
           outbox: list[dict[str, Any]] | None = None) -> bool:
    """inflight -> completed / failed / testmode_ignored, only by the attempt that began it; `outbox` holds
    webhook notifications written with the outcome (in one transaction, so only the winning attempt announces)."""
    expression = "SET transmission_status = :status, transmission_provider = :provider, transmission_date = :stamp"
    expression += ", tx_reason = :reason REMOVE TxDue, TxSince" if reason else " REMOVE tx_reason, TxDue, TxSince"
    values = {":status": status, ":provider": provider, ":stamp": isoformat_z(now()), ":a": attempt,
              ":inflight": "inflight"}
    if reason:
        values[":reason"] = reason[:500]
    condition = "transmission_status = :inflight AND tx_attempt = :a"
    if not outbox:
        return _update(organizer, number, expression, condition, values) is not None
    try:
        dynamo.transact([{"Update": {"Key": {"PK": invoice_pk(organizer), "SK": number}, "UpdateExpression": expression,
                                     "ConditionExpression": condition, "ExpressionAttributeValues": values}},
                         *outbox])
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            return False
        raise
    return True


def release_stuck(organizer: str, number: str, since: str, attempt: str, enforced: bool) -> bool:
    """An attempt inflight since `since` is presumed dead: back to pending under a new attempt."""
    stamp = isoformat_z(now())
    due, values = _pending_due(enforced, stamp)
    expression = "SET transmission_status = :pending, tx_attempt = :a"
    expression += (", " + due) if due else " REMOVE TxDue, TxSince"
    return _update(organizer, number, expression, "transmission_status = :inflight AND TxSince = :since",
                   {":pending": "pending", ":a": attempt, ":inflight": "inflight", ":since": since, **values}) is not None


def due(kind: str, before: str, limit: int = 100) -> list[StoredInvoice]:
    """Invoices `inflight` or `pending` (enforced types) since before `before`, oldest first."""
    response = dynamo.query(IndexName=DUE_INDEX, KeyConditionExpression="TxDue = :kind AND TxSince < :before",
                            ExpressionAttributeValues={":kind": kind, ":before": before}, Limit=limit)
    return [from_item(item) for item in response["Items"]]


# --- The attempt log: one item per attempt, read by `GET .../invoices/{number}/transmissions/` ----------
# `ORG#<org>#TXLOG#<number>` / `<attempt>`: provider, status, started, finished, reason. Its own partition per
# invoice, so listing an invoice's attempts is one Query of a handful of items.


def log_pk(organizer: str, number: str) -> str:
    return f"ORG#{organizer}#TXLOG#{number}"


def log_begin(organizer: str, number: str, attempt: str, provider: str) -> None:
    """The attempt began (or began again after a temporary failure: the first start is kept)."""
    dynamo.update(log_pk(organizer, number), attempt,
                  UpdateExpression="SET provider = :provider, #status = :inflight, started = if_not_exists(started, :now),"
                                   " tries = if_not_exists(tries, :zero) + :one",
                  ExpressionAttributeNames={"#status": "status"},
                  ExpressionAttributeValues={":provider": provider, ":inflight": "inflight", ":now": isoformat_z(now()),
                                             ":zero": 0, ":one": 1})


def log_note(organizer: str, number: str, attempt: str, reason: str) -> None:
    """A temporary failure: the attempt stays inflight and will be tried again."""
    dynamo.update(log_pk(organizer, number), attempt, UpdateExpression="SET reason = :reason",
                  ExpressionAttributeValues={":reason": reason[:500]})


def log_finish(organizer: str, number: str, attempt: str, status: str, reason: str | None) -> None:
    expression = "SET #status = :status, finished = :now" + (", reason = :reason" if reason else " REMOVE reason")
    values = {":status": status, ":now": isoformat_z(now())}
    if reason:
        values[":reason"] = reason[:500]
    dynamo.update(log_pk(organizer, number), attempt, UpdateExpression=expression,
                  ExpressionAttributeNames={"#status": "status"}, ExpressionAttributeValues=values)


def log_attempts(organizer: str, number: str) -> list[dict[str, Any]]:
    """Every attempt of an invoice (a handful: one per transmit or retransmit), in no particular order."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": "PK = :pk",
                              "ExpressionAttributeValues": {":pk": log_pk(organizer, number)}}
    while True:
        response = dynamo.query(**kwargs)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
