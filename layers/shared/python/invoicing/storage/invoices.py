"""Invoices in DynamoDB: the issuing transaction, lookups, in-place regeneration and list queries.

Keys (docs/data-model.md has the full list):
- invoice        `ORG#<org>#INV` / `<number>`; GSI keys `EventScope` = `EVT#<org>#<event>#INV`,
                 `DateAsc` = `<date>#<inverted seq>`, `DateDesc` = `<inverted date>#<inverted seq>`
- number lookup  `ORG#<org>#INVNO` / `<NUMBER UPPER-CASED>`: uniqueness guard, case-insensitive lookup
- counter        `ORG#<org>` / `COUNTER`: `seq` (invoices issued by the organizer), `ctr:<prefix>` (last
                 consecutive counter per prefix), statistics `n`, `c`, `l:<locale>`, `lc:<locale>`
- event stats    `ORG#<org>` / `EVENTSTATS#<event>`: the same statistics per event
The public document is stored as JSON (its field order is the contract); the transmission fields live
beside it as attributes, because transmission changes them with conditional writes. So do the PDF's:
`file_*` describe the stored file and the content version it shows, `render_requested`/`_at` the last
render request, `render_error` why the last render failed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from invoicing.clock import isoformat_z, now
from invoicing.invoices import models as invoice_models
from invoicing.invoices.models import TRANSMISSION_FIELDS
from invoicing.storage import dynamo, rendered_files
from invoicing.storage.expressions import Update
from invoicing.storage.keys import (
    counter_key,
    event_stats_key,
    invoice_date_keys,
    invoice_key,
    invoice_number_key,
    invoice_pk,
    invoice_scope,
    order_key,
)
from invoicing.storage.rendered_files import InvoiceFile, recorded_file
from invoicing.storage.types import CounterState, counter_attribute

event_scope = invoice_scope  # the name read.py and exports.py use

@dataclass
class StoredInvoice:
    organizer: str
    doc: dict[str, Any]
    internal: dict[str, Any]
    seq: int
    version: int
    content_version: int
    canceled_by: str | None = None
    item: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def number(self) -> str:
        return self.doc["number"]

    @property
    def event(self) -> str:
        return self.doc["event"]

    @property
    def last_file(self) -> InvoiceFile | None:
        """The last file recorded, whatever content it shows."""
        return recorded_file(self.item)

    @property
    def file(self) -> InvoiceFile | None:
        """The PDF of the current content, if one has been rendered."""
        return rendered_files.current_file(self.item, self.content_version)


LISTED_ATTRIBUTES = ("doc", *TRANSMISSION_FIELDS)  # all a list page shows of an invoice


def stored_document(value: str | dict[str, Any]) -> dict[str, Any]:
    """A stored document: compact JSON (one string to parse), or a map as items written in that form hold it."""
    return dict(value) if isinstance(value, dict) else json.loads(value)


def listed_doc(item: dict[str, Any]) -> dict[str, Any]:
    """The public document of an item read with LISTED_ATTRIBUTES (a list page: no internal data parsed)."""
    doc = stored_document(item["doc"])
    for name in TRANSMISSION_FIELDS:
        doc[name] = item.get(name)
    return doc


def listed_json(item: dict[str, Any]) -> str:
    """`listed_doc` as compact JSON without parsing the stored document: its string with the transmission
    attributes added at its end, where listed_doc puts them (a map-form document is serialised)."""
    doc = item["doc"]
    if not isinstance(doc, str):
        return stored_json(listed_doc(item))
    tail = ",".join(f'"{name}":{_json_value(item.get(name))}' for name in TRANSMISSION_FIELDS)
    return f"{doc[:-1]},{tail}}}" if doc != "{}" else f"{{{tail}}}"


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring(value)  # json.dumps(value, ensure_ascii=False) without its per-call set-up
    return json.dumps(value, ensure_ascii=False)


def from_item(item: dict[str, Any]) -> StoredInvoice:
    doc = listed_doc(item)
    return StoredInvoice(organizer=item["organizer"], doc=doc, internal=stored_document(item.get("internal", "{}")),
                         seq=int(item["seq"]), version=int(item.get("version", 0)),
                         content_version=int(item.get("content_version", 1)), canceled_by=item.get("canceled_by"),
                         item=item)


def stored_json(value: dict[str, Any]) -> str:
    """A document as stored: compact UTF-8 JSON (4 bytes for any character, where \\u escapes would take 12)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def item_size(organizer: str, doc: dict[str, Any], internal: dict[str, Any]) -> int:
    """The bytes the invoice item would take in DynamoDB (the limit checks of orders/limits.py)."""
    return dynamo.item_size(invoice_item(organizer, doc, internal, 10**12))


def wire_size(item: dict[str, Any]) -> int:
    """An upper bound of the bytes the stored invoice takes in a Lambda response: the body re-escapes non-ASCII
    (\\u, up to 12 bytes a character) and the runtime escapes the body once more (quotes, backslashes)."""
    doc = item.get("doc", "")
    if isinstance(doc, str) and doc.isascii():  # what json.dumps would add: quotes, and a backslash before " and \
        return (len(doc) + 2 + doc.count('"') + doc.count("\\")) * 6 // 5
    return len(json.dumps(doc, default=str)) * 6 // 5


def invoice_item(organizer: str, doc: dict[str, Any], internal: dict[str, Any], seq: int) -> dict[str, Any]:
    """The item an invoice is first written as: `doc` (with its number) and `internal` as issued, `seq` its
    organizer-wide issue order (the issuing transaction's Put; bench/ seeds tables with it)."""
    public = {key: value for key, value in doc.items() if key not in TRANSMISSION_FIELDS}
    item = {
        **invoice_key(organizer, doc["number"]), "EventScope": invoice_scope(organizer, doc["event"]),
        **invoice_date_keys(doc["date"], seq),
        "organizer": organizer, "event": doc["event"], "order": doc["order"], "number": doc["number"],
        "is_cancellation": doc["is_cancellation"], "refers": doc["refers"], "locale": doc["locale"],
        "seq": seq, "version": 1, "content_version": 1, "created": isoformat_z(now()),
        "render_requested": 1, "render_requested_at": _timestamp(),
        "doc": stored_json(public), "internal": stored_json(internal),
    }
    item.update({name: doc.get(name) for name in TRANSMISSION_FIELDS})
    if doc.get("transmission_type") in invoice_models.ENFORCED_TRANSMISSION:  # due for the sweep until transmitted
        item.update(TxDue="pending", TxSince=item["created"])
    return item


def _timestamp() -> int:
    return int(now().timestamp())


# --- Counter -----------------------------------------------------------------------------------

def read_counter(organizer: str) -> CounterState:
    return CounterState.from_item(dynamo.get_item(counter_key(organizer)) or {})


def _stats_delta(docs: list[dict[str, Any]], sign: int = 1) -> Counter:
    delta: Counter = Counter()
    for doc in docs:
        delta["n"] += sign
        delta[f"l:{doc['locale']}"] += sign
        if doc["is_cancellation"]:
            delta["c"] += sign
            delta[f"lc:{doc['locale']}"] += sign
    return delta


@dataclass
class Issue:
    """Everything one issuing transaction writes."""

    organizer: str
    counter: CounterState
    new_counters: dict[str, int]
    documents: list[tuple[dict[str, Any], dict[str, Any]]]  # (doc with number, internal)
    order_code: str
    order_version: int
    order_changes: dict[str, Any] = field(default_factory=dict)
    new_order: dict[str, Any] | None = None  # the order is created in the same transaction
    outbox: list[dict[str, Any]] = field(default_factory=list)  # webhook notifications (Put items), last


def write_issue(issue: Issue) -> None:
    """The counter, the invoices, their number guards, the order and the statistics in one transaction.

    If any condition fails nothing is written and the counter does not move: that is why numbers have
    no gaps. The caller re-reads and retries (invoices.issue.retrying).
    """
    org = issue.organizer
    docs = [doc for doc, _ in issue.documents]
    seq = issue.counter.seq
    counter = Update().set("seq", seq + len(docs))
    for prefix, value in issue.new_counters.items():
        counter.set(counter_attribute(prefix), value)
    counter.add_all(_stats_delta(docs))
    if seq:
        counter.when_equal("seq", seq)
    else:
        counter.when_missing("seq")
    items: list[dict[str, Any]] = [counter.transact_item(counter_key(org))]
    for offset, (doc, internal) in enumerate(issue.documents, start=1):
        items.append({"Put": {"Item": invoice_item(org, doc, internal, seq + offset),
                              "ConditionExpression": "attribute_not_exists(PK)"}})
        items.append({"Put": {"Item": {**invoice_number_key(org, doc["number"]), "number": doc["number"],
                                       "event": doc["event"]},
                              "ConditionExpression": "attribute_not_exists(PK)"}})
    if issue.new_order is not None:
        order_item = {**order_key(org, issue.order_code), **issue.new_order,
                      "invoice_numbers": [doc["number"] for doc in docs], "version": 1}
        items.append({"Put": {"Item": order_item, "ConditionExpression": "attribute_not_exists(PK)"}})
    else:
        items.append(_order_update(issue, docs))
    by_event: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_event.setdefault(doc["event"], []).append(doc)
    for event, event_docs in by_event.items():
        event_delta = _stats_delta(event_docs)
        if issue.new_order is not None:
            event_delta["orders"] += 1
        items.append(Update().add_all(event_delta).transact_item(event_stats_key(org, event)))
    for doc in docs:
        if doc["is_cancellation"]:
            items.append(Update().set("canceled_by", doc["number"]).when_exists("PK").when_missing("canceled_by")
                         .transact_item(invoice_key(org, doc["refers"])))
    items.extend(issue.outbox)
    dynamo.transact(items)


def _order_update(issue: Issue, docs: list[dict[str, Any]]) -> dict[str, Any]:
    update = (Update().append("invoice_numbers", [doc["number"] for doc in docs])
              .set("version", issue.order_version + 1).set_all(issue.order_changes)
              .when_equal("version", issue.order_version))
    return update.transact_item(order_key(issue.organizer, issue.order_code))


# --- Reads -------------------------------------------------------------------------------------

def get(organizer: str, number: str) -> StoredInvoice | None:
    item = dynamo.get_item(invoice_key(organizer, number))
    return from_item(item) if item else None


def get_document(organizer: str, number: str) -> tuple[str, dict[str, Any]] | None:
    """The event and public document of an invoice (a detail page: nothing else read or parsed)."""
    item = dynamo.get_attributes(invoice_key(organizer, number), ("event", *LISTED_ATTRIBUTES))
    return (item["event"], listed_doc(item)) if item else None


def find_numbers(organizer: str, numbers: list[str]) -> list[str]:
    """Exact stored numbers for case-insensitive inputs (the `number` and `refers` filters)."""
    items = dynamo.batch_get([tuple(invoice_number_key(organizer, number).values()) for number in numbers])
    return [item["number"] for item in items]


def get_many(organizer: str, numbers: list[str]) -> list[StoredInvoice]:
    return [from_item(item) for item in dynamo.batch_get([(invoice_pk(organizer), n) for n in numbers])]


def organizer_stats(organizer: str) -> dict[str, Any]:
    return dynamo.get_item(counter_key(organizer)) or {}


# --- Regeneration ------------------------------------------------------------------------------

def write_regenerated(current: StoredInvoice, doc: dict[str, Any], internal: dict[str, Any],
                      outbox: list[dict[str, Any]] | None = None) -> None:
    """Replace the content of an invoice in place (same number, same date), back to `pending`;
    `outbox` holds webhook notifications written in the same transaction."""
    org = current.organizer
    public = {key: value for key, value in doc.items() if key not in TRANSMISSION_FIELDS}
    content_version = current.content_version + 1
    update = Update().set_all({
        "doc": stored_json(public), "internal": stored_json(internal), "locale": doc["locale"],
        "transmission_status": "pending", "version": current.version + 1, "content_version": content_version,
        "render_requested": content_version, "render_requested_at": _timestamp(),
    })
    if doc.get("transmission_type") in invoice_models.ENFORCED_TRANSMISSION:  # due for the sweep until transmitted
        update.set("TxDue", "pending").set("TxSince", isoformat_z(now()))
    else:
        update.remove("TxDue", "TxSince")
    update.remove("render_error", *rendered_files.FILE_ATTRIBUTES).when_equal("version", current.version)
    items: list[dict[str, Any]] = [update.transact_item(invoice_key(org, current.number))]
    if doc["locale"] != current.doc["locale"]:
        delta = _stats_delta([doc])
        delta.update(_stats_delta([current.doc], -1))
        delta = Counter({key: value for key, value in delta.items() if key not in ("n", "c")})
        if any(delta.values()):
            for key in (counter_key(org), event_stats_key(org, current.event)):
                items.append(Update().add_all(delta).transact_item(key))
    items.extend(outbox or [])
    dynamo.transact(items)


# --- The PDF file ------------------------------------------------------------------------------

def claim_render(organizer: str, number: str, content_version: int) -> bool:
    return rendered_files.claim_render(invoice_pk(organizer), number, content_version)


def record_file(organizer: str, number: str, file: InvoiceFile) -> bool:
    return rendered_files.record_file(invoice_pk(organizer), number, file)


def record_render_error(organizer: str, number: str, content_version: int, reason: str) -> None:
    rendered_files.record_render_error(invoice_pk(organizer), number, content_version, reason)
