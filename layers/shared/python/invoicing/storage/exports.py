"""Export jobs and the invoice reads that exports make.

Keys: job `ORG#<org>#EXPORT` / `<job id>` (status `waiting` -> `running` -> `done` | `failed`, percentage,
the file's key, size, name and type, `created`); the file is `exports/<org>/<job id>/<file name>` in the
files bucket. Invoices of a date range: the `ByEventDate` index (one event) or `ByOrgDate` (the
organizer), `DateAsc BETWEEN "<from>" AND "<to>#~"`, page by page: never a scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from invoicing.storage import dynamo
from invoicing.storage.expressions import Update
from invoicing.storage.keys import export_job_key, invoice_pk, invoice_scope

if TYPE_CHECKING:
    from invoicing.storage.invoices import StoredInvoice

OPEN_START, OPEN_END = "0000-00-00", "9999-99-99"


def put_job(organizer: str, job: dict[str, Any]) -> None:
    dynamo.put({**export_job_key(organizer, job["id"]), **job}, condition="attribute_not_exists(PK)")


def get_job(organizer: str, job_id: str) -> dict[str, Any] | None:
    return dynamo.get_item(export_job_key(organizer, job_id))


def update_job(organizer: str, job_id: str, fields: dict[str, Any]) -> None:
    dynamo.apply(export_job_key(organizer, job_id), Update().set_all(fields))


def invoices_between(organizer: str, event: str | None, date_from: str | None, date_to: str | None) -> Iterator[StoredInvoice]:
    """Invoices by date (then issue order) of one event or of the organizer, `date_from`..`date_to` inclusive."""
    from invoicing.storage.invoices import from_item  # the export function's; the API's cold start skips it

    if event is None:
        index, partition, value = "ByOrgDate", "PK", invoice_pk(organizer)
    else:
        index, partition, value = "ByEventDate", "EventScope", invoice_scope(organizer, event)
    kwargs: dict[str, Any] = {
        "IndexName": index, "KeyConditionExpression": "#p = :p AND DateAsc BETWEEN :from AND :to",
        "ExpressionAttributeNames": {"#p": partition},
        "ExpressionAttributeValues": {":p": value, ":from": date_from or OPEN_START, ":to": (date_to or OPEN_END) + "#~"}}
    while True:
        response = dynamo.query(**kwargs)
        for item in response["Items"]:
            yield from_item(item)
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
