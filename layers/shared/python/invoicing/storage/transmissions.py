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
from invoicing.storage.expressions import Update
from invoicing.storage.invoices import StoredInvoice, from_item
from invoicing.storage.keys import invoice_key, transmission_log_pk

DUE_INDEX = "ByTransmissionDue"


def _update(organizer: str, number: str, update: Update) -> dict[str, Any] | None:
    return dynamo.apply_if(invoice_key(organizer, number), update)


def _pending_due(update: Update, enforced: bool, stamp: str) -> Update:
    """Pending again: due for the sweep (enforced types) from `stamp`, or off the sweep's index."""
    if enforced:
        return update.set("TxDue", "pending").set("TxSince", stamp)
    return update.remove("TxDue", "TxSince")


def queue_attempt(organizer: str, number: str, attempt: str) -> bool:
    """Name the attempt that may run next, if the invoice is pending (pretix's `transmit`)."""
    return _update(organizer, number, Update().set("tx_attempt", attempt)
                   .when_equal("transmission_status", "pending")) is not None


def reset_to_pending(organizer: str, number: str, attempt: str, enforced: bool) -> bool:
    """Back to pending with a new attempt (pretix's `retransmit`), from anything but inflight."""
    stamp = isoformat_z(now())
    update = Update().set_all({"transmission_status": "pending", "transmission_date": stamp, "tx_attempt": attempt})
    update = _pending_due(update, enforced, stamp).when_exists("PK")
    return _update(organizer, number, update.when("transmission_status <> :inflight", inflight="inflight")) is not None


def begin(organizer: str, number: str, attempt: str) -> dict[str, Any] | None:
    """pending -> inflight for the named attempt; the item, or None if this attempt may not run."""
    stamp = isoformat_z(now())
    update = Update().set_all({"transmission_status": "inflight", "transmission_date": stamp, "TxDue": "inflight",
                               "TxSince": stamp})
    return _update(organizer, number, update.when_equal("transmission_status", "pending").when_equal("tx_attempt", attempt))


def finish(organizer: str, number: str, attempt: str, status: str, provider: str | None, reason: str | None,
           outbox: list[dict[str, Any]] | None = None) -> bool:
    """inflight -> completed / failed / testmode_ignored, only by the attempt that began it; `outbox` holds
    webhook notifications written with the outcome (in one transaction, so only the winning attempt announces)."""
    update = Update().set_all({"transmission_status": status, "transmission_provider": provider,
                               "transmission_date": isoformat_z(now())})
    if reason:
        update.set("tx_reason", reason[:500])
    else:
        update.remove("tx_reason")
    update.remove("TxDue", "TxSince").when_equal("transmission_status", "inflight").when_equal("tx_attempt", attempt)
    if not outbox:
        return _update(organizer, number, update) is not None
    try:
        dynamo.transact([update.transact_item(invoice_key(organizer, number)), *outbox])
    except dynamo.TransactionConflict as exc:
        if exc.reasons[:1] == ["ConditionalCheckFailed"]:
            return False
        raise
    return True


def release_stuck(organizer: str, number: str, since: str, attempt: str, enforced: bool) -> bool:
    """An attempt inflight since `since` is presumed dead: back to pending under a new attempt."""
    update = _pending_due(Update().set("transmission_status", "pending").set("tx_attempt", attempt), enforced,
                          isoformat_z(now()))
    update.when_equal("transmission_status", "inflight").when_equal("TxSince", since)
    return _update(organizer, number, update) is not None


def due(kind: str, before: str, limit: int = 100) -> list[StoredInvoice]:
    """Invoices `inflight` or `pending` (enforced types) since before `before`, oldest first."""
    response = dynamo.query(IndexName=DUE_INDEX, KeyConditionExpression="TxDue = :kind AND TxSince < :before",
                            ExpressionAttributeValues={":kind": kind, ":before": before}, Limit=limit)
    return [from_item(item) for item in response["Items"]]


# --- The attempt log: one item per attempt, read by `GET .../invoices/{number}/transmissions/` ----------
# `ORG#<org>#TXLOG#<number>` / `<attempt>`: provider, status, started, finished, reason. Its own partition per
# invoice, so listing an invoice's attempts is one Query of a handful of items.


def _log_key(organizer: str, number: str, attempt: str) -> dict[str, str]:
    return {"PK": transmission_log_pk(organizer, number), "SK": attempt}


def log_begin(organizer: str, number: str, attempt: str, provider: str) -> None:
    """The attempt began (or began again after a temporary failure: the first start is kept)."""
    update = (Update().set("provider", provider).set("status", "inflight").set_if_missing("started", isoformat_z(now()))
              .increment("tries"))
    dynamo.apply(_log_key(organizer, number, attempt), update)


def log_note(organizer: str, number: str, attempt: str, reason: str) -> None:
    """A temporary failure: the attempt stays inflight and will be tried again."""
    dynamo.apply(_log_key(organizer, number, attempt), Update().set("reason", reason[:500]))


def log_finish(organizer: str, number: str, attempt: str, status: str, reason: str | None) -> None:
    update = Update().set("status", status).set("finished", isoformat_z(now()))
    if reason:
        update.set("reason", reason[:500])
    else:
        update.remove("reason")
    dynamo.apply(_log_key(organizer, number, attempt), update)


def log_attempts(organizer: str, number: str) -> list[dict[str, Any]]:
    """Every attempt of an invoice (a handful: one per transmit or retransmit), in no particular order."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": "PK = :pk",
                              "ExpressionAttributeValues": {":pk": transmission_log_pk(organizer, number)}}
    while True:
        response = dynamo.query(**kwargs)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
