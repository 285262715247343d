"""Export jobs and the invoice reads that exports make.

Keys: job `ORG#<org>#EXPORT` / `<job id>` (status `waiting` -> `running` -> `done` | `failed`, percentage,
the file's key, size, name and type, `created`); the file is `exports/<org>/<job id>/<file name>` in the
files bucket. Invoices of a date range: the `ByEventDate` index (one event) or `ByOrgDate` (the
organizer), `DateAsc BETWEEN "<from>" AND "<to>#~"`, page by page: never a scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from invoicing.storage import dynamo
from invoicing.storage.invoices import StoredInvoice, event_scope, from_item, invoice_pk

OPEN_START, OPEN_END = "0000-00-00", "9999-99-99"


def job_key(organizer: str, job_id: str) -> dict[str, str]:
    return {"PK": f"ORG#{organizer}#EXPORT", "SK": job_id}


def put_job(organizer: str, job: dict[str, Any]) -> None:
    dynamo.put({**job_key(organizer, job["id"]), **job}, condition="attribute_not_exists(PK)")


def get_job(organizer: str, job_id: str) -> dict[str, Any] | None:
    return dynamo.get_item(job_key(organizer, job_id))


def update_job(organizer: str, job_id: str, fields: dict[str, Any]) -> None:
    names = {f"#f{i}": key for i, key in enumerate(fields)}
    values = {f":f{i}": value for i, value in enumerate(fields.values())}
    key = job_key(organizer, job_id)
    dynamo.update(key["PK"], key["SK"], ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                  UpdateExpression="SET " + ", ".join(f"{n} = {v}" for n, v in zip(names, values, strict=True)))


def invoices_between(organizer: str, event: str | None, date_from: str | None, date_to: str | None) -> Iterator[StoredInvoice]:
    """Invoices by date (then issue order) of one event or of the organizer, `date_from`..`date_to` inclusive."""
    if event is None:
        index, partition, value = "ByOrgDate", "PK", invoice_pk(organizer)
    else:
        index, partition, value = "ByEventDate", "EventScope", event_scope(organizer, event)
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
