"""Billing invoices (the platform's invoices to organizers) in DynamoDB.

Keys (docs/data-model.md has the full list):
- billing invoice  `ORG#<org>#BILL` / `<number>`; `DateAsc` = `<date issued>#<seq, 12 digits>` puts it in
                   the `ByOrgDate` index (hash `PK`), which serves both orderings (forward and backward)
- number guard     `BILLNO#<number>` / `BILLNO`: uniqueness, and the organizer of a number (the operator
                   addresses invoices by number alone)
- counter          `PLATFORM` / `BILLCOUNTER`: `seq` (billing invoices issued), `ctr:<prefix>` (last counter
                   per effective prefix) — one platform-wide sequence
- statistics       `ORG#<org>` / `BILLSTATS`: `n`, the organizer's count (list `count` without reading them)
Amounts are DynamoDB numbers (exact decimals); lines are stored as JSON with decimal strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from invoicing.errors import Conflict
from invoicing.storage import dynamo, rendered_files
from invoicing.storage.expressions import Update
from invoicing.storage.keys import (
    BILLING_COUNTER_KEY,
    billing_date_key,
    billing_key,
    billing_number_key,
    billing_pk,
    billing_stats_key,
    organizer_key,
)
from invoicing.storage.types import CounterState, InvoiceFile, counter_attribute

BY_DATE_INDEX = "ByOrgDate"


@dataclass
class StoredBillingInvoice:
    item: dict[str, Any] = field(repr=False)

    @property
    def organizer(self) -> str:
        return self.item["organizer"]

    @property
    def number(self) -> str:
        return self.item["SK"]

    @property
    def date_issued(self) -> str:
        return self.item["date_issued"]

    @property
    def currency(self) -> str:
        return self.item["currency"]

    @property
    def description(self) -> str:
        return self.item.get("description") or ""

    @property
    def lines(self) -> list[dict[str, str]]:
        return json.loads(self.item["lines"])

    @property
    def amount(self) -> Decimal:
        return Decimal(self.item["amount"])

    @property
    def amount_due(self) -> Decimal:
        return Decimal(self.item["amount_due"])

    @property
    def status(self) -> str:
        return self.item["status"]

    @property
    def review_state(self) -> str:
        return self.item["review_state"]

    @property
    def version(self) -> int:
        return int(self.item.get("version", 1))

    @property
    def content_version(self) -> int:
        return int(self.item.get("content_version", 1))

    @property
    def recipient(self) -> dict[str, Any]:
        return dict(self.item.get("recipient") or {})

    @property
    def sender(self) -> dict[str, Any]:
        return dict(self.item.get("sender") or {})

    @property
    def billing_email(self) -> str | None:
        return self.item.get("billing_email")

    @property
    def payments(self) -> list[dict[str, Any]]:
        return list(self.item.get("payments") or [])

    @property
    def emailed_at(self) -> str | None:
        return self.item.get("emailed_at")

    @property
    def file(self) -> InvoiceFile | None:
        """The PDF of the current content, if one has been rendered."""
        return rendered_files.current_file(self.item, self.content_version)


# --- Issuing -----------------------------------------------------------------------------------


def read_counter() -> CounterState:
    return CounterState.from_item(dynamo.get_item(BILLING_COUNTER_KEY) or {})


def write_new(counter: CounterState, prefix: str, prefix_counter: int, item: dict[str, Any]) -> None:
    """The counter, the invoice, its number guard and the organizer's count in one transaction.

    The counter update is conditioned on the `seq` read: if another writer moved it, nothing is written
    (TransactionConflict) and the caller re-reads and retries, so numbers are issued in sequence, once,
    without gaps. The organizer must exist (ConditionCheck, the last item).
    """
    seq = counter.seq + 1
    organizer = item["organizer"]
    update = Update().set("seq", seq).set(counter_attribute(prefix), prefix_counter)
    if counter.seq:
        update.when_equal("seq", counter.seq)
    else:
        update.when_missing("seq")
    stored = {**billing_key(organizer, item["number"]), "DateAsc": billing_date_key(item["date_issued"], seq),
              "seq": seq, **item}
    dynamo.transact([
        update.transact_item(BILLING_COUNTER_KEY),
        {"Put": {"Item": stored, "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"Item": {**billing_number_key(item["number"]), "organizer": organizer, "number": item["number"]},
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        Update().add("n", 1).transact_item(billing_stats_key(organizer)),
        {"ConditionCheck": {"Key": organizer_key(organizer), "ConditionExpression": "attribute_exists(PK)"}},
    ])


# --- Reads -------------------------------------------------------------------------------------


def get(organizer: str, number: str) -> StoredBillingInvoice | None:
    item = dynamo.get_item(billing_key(organizer, number))
    return StoredBillingInvoice(item) if item else None


def find(number: str) -> StoredBillingInvoice | None:
    """A billing invoice by number alone (the operator's view): the guard names its organizer."""
    guard = dynamo.get_item(billing_number_key(number))
    return get(guard["organizer"], number) if guard else None


def count(organizer: str) -> int:
    return int((dynamo.get_item(billing_stats_key(organizer)) or {}).get("n", 0))


def from_item(item: dict[str, Any]) -> StoredBillingInvoice:
    return StoredBillingInvoice(item)


# --- Changes -----------------------------------------------------------------------------------


def update(invoice: StoredBillingInvoice, changes: dict[str, Any], condition: str = "", values: dict[str, Any] | None = None,
           names: dict[str, str] | None = None, remove: tuple[str, ...] = ()) -> bool:
    """Apply `changes` if the invoice is still at the version read (plus `condition`, written out with its own
    placeholders in `names` and `values`); False if not."""
    built = Update().set_all(changes).set("version", invoice.version + 1).remove(*remove)
    built.when_equal("version", invoice.version)
    if condition:
        built.when(condition, names, **{placeholder.removeprefix(":"): value for placeholder, value in (values or {}).items()})
    try:
        dynamo.apply(billing_key(invoice.organizer, invoice.number), built)
    except Conflict:
        return False
    return True


def _conditional(organizer: str, number: str, update: Update) -> bool:
    return dynamo.apply_if(billing_key(organizer, number), update) is not None


# --- The PDF file and its email ----------------------------------------------------------------


def claim_render(organizer: str, number: str, content_version: int) -> bool:
    """A render request (see rendered_files.claim_render), only for a released invoice."""
    return rendered_files.claim_render(billing_pk(organizer), number, content_version, {"review_state": "released"})


def record_file(organizer: str, number: str, file: InvoiceFile) -> bool:
    return rendered_files.record_file(billing_pk(organizer), number, file)


def record_render_error(organizer: str, number: str, content_version: int, reason: str) -> None:
    rendered_files.record_render_error(billing_pk(organizer), number, content_version, reason)


def claim_email(organizer: str, number: str, claim: str, now: int, lease_seconds: int) -> bool:
    """Take the right to send the invoice's email: not sent yet, and nobody else sending (or their lease ran out)."""
    return _conditional(organizer, number, Update().set("email_claim", claim).set("email_claimed_at", now).when(
        "attribute_not_exists(emailed_at) AND (attribute_not_exists(email_claim) OR email_claimed_at < :stale)",
        stale=now - lease_seconds))


def mark_emailed(organizer: str, number: str, claim: str, at: str, message_id: str, recipient: str) -> bool:
    return _conditional(organizer, number, Update().set_all({"emailed_at": at, "email_message_id": message_id,
                                                             "emailed_to": recipient})
                        .remove("email_claim", "email_claimed_at").when_equal("email_claim", claim))


def release_email_claim(organizer: str, number: str, claim: str) -> None:
    _conditional(organizer, number, Update().remove("email_claim", "email_claimed_at").when_equal("email_claim", claim))
