"""The periodic sweep (a scheduled function): revive dead attempts and send what enforced types owe.

- An attempt `inflight` for longer than `stuck_after` is presumed dead (its worker timed out before it
  could record an outcome): the invoice goes back to pending under a new attempt, which is queued.
- Invoices of types that enforce transmission still `pending` `enforced_after` after they became
  pending (15 minutes, as pretix) are sent. Email-type invoices are not (pretix neither).
Both read the sparse `ByTransmissionDue` index, never the invoices at large.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from invoicing.clock import isoformat_z, now
from invoicing.storage import transmissions as store
from invoicing.transmission import attempts
from invoicing.transmission.types import ENFORCED

ENFORCED_AFTER = timedelta(minutes=15)


@dataclass
class SweepResult:
    revived: int = 0
    sent: int = 0


def sweep(stuck_after: timedelta, batch: int = 100) -> SweepResult:
    result = SweepResult()
    moment = now()
    for invoice in store.due("inflight", isoformat_z(moment - stuck_after), batch):
        kind = invoice.doc["transmission_type"]
        attempt = attempts.new_attempt()
        if store.release_stuck(invoice.organizer, invoice.number, invoice.item["TxSince"], attempt, kind in ENFORCED):
            if invoice.item.get("tx_attempt"):
                store.log_finish(invoice.organizer, invoice.number, invoice.item["tx_attempt"], "failed",
                                 "the attempt stopped without an outcome (its worker timed out); sent again")
            attempts.enqueue(kind, [attempts.job(invoice.organizer, invoice.number, attempt)])
            result.revived += 1
    for invoice in store.due("pending", isoformat_z(moment - ENFORCED_AFTER), batch):
        if invoice.doc["transmission_type"] in ENFORCED and attempts.start(invoice.organizer, invoice.number,
                                                                           invoice.doc["transmission_type"]):
            result.sent += 1
    return result
