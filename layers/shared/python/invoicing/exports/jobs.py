"""Export jobs: start (validate, record, queue), run (in the export function) and download.

A download is 409 `{"status": "waiting"|"running", "percentage": n}` while the job runs, 410 `{"status":
"failed", "message": ...}` when it failed, 404 once it expired (24 hours) or never existed, else the file:
inline up to 4 MiB (base64 makes that 5.6 MB, under Lambda's 6 MB response limit), above that a 303 to a
presigned S3 URL valid for 5 minutes, so the client's Authorization header never goes to S3.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from invoicing.access import Principal
from invoicing.clock import isoformat_z, now
from invoicing.config import export_queue_url, files_bucket
from invoicing.errors import NotFound, PermissionDenied
from invoicing.exports import catalog
from invoicing.storage import exports as store
from invoicing.storage import files, queues
from invoicing.storage.events import list_events

EXPIRES = timedelta(hours=24)
INLINE_LIMIT = 4 * 1024 * 1024
PRESIGNED_SECONDS = 300
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "zip": "application/zip"}


def start(principal: Principal, event: str | None, identifier: str, body: Any) -> tuple[str, str]:
    """Validate and queue a job; its (job id, file id) for the download URL."""
    found = catalog.exporter(identifier)
    organizer = principal.organizer
    known = {item["slug"] for item in list_events(organizer)} if event is None else set()
    params = catalog.validate(found, body, event is None, known)
    if event is None and not principal.all_events:
        if params["events"] and not set(params["events"]) <= principal.limit_events:
            raise PermissionDenied()
        params["events"] = params["events"] or sorted(principal.limit_events)
    job = {"id": secrets.token_hex(16), "file_id": secrets.token_hex(16), "identifier": identifier, "event": event,
           "params": params, "status": "waiting", "percentage": None, "created": isoformat_z(now())}
    store.put_job(organizer, job)
    queues.send(export_queue_url(), [{"organizer": organizer, "job": job["id"]}])
    return job["id"], job["file_id"]


@dataclass
class Ready:
    filename: str
    content_type: str
    body: bytes | None = None  # inline
    url: str | None = None  # presigned


@dataclass
class Pending:
    status: str
    percentage: int | None


@dataclass
class Failed:
    message: str


def download(organizer: str, event: str | None, identifier: str, job_id: str, file_id: str) -> Ready | Pending | Failed:
    job = store.get_job(organizer, job_id)
    if job is None or job.get("file_id") != file_id or job["identifier"] != identifier or job.get("event") != event:
        raise NotFound("Not found.")
    if now() > datetime.fromisoformat(job["created"].replace("Z", "+00:00")) + EXPIRES:
        raise NotFound("Not found.")
    if job["status"] in ("waiting", "running"):
        percentage = job.get("percentage")
        return Pending(job["status"], None if percentage is None else int(percentage))
    if job["status"] == "failed":
        return Failed(job.get("message") or "Export failed.")
    if int(job["file_size"]) <= INLINE_LIMIT:
        return Ready(job["filename"], job["content_type"], body=files.read(job["file_key"]))
    url = files.client().generate_presigned_url("get_object", ExpiresIn=PRESIGNED_SECONDS, Params={
        "Bucket": files_bucket(), "Key": job["file_key"],
        "ResponseContentDisposition": f'attachment; filename="{job["filename"]}"'})
    return Ready(job["filename"], job["content_type"], url=url)


def run(organizer: str, job_id: str) -> str:
    """Produce the file of a job (the export function); a job that ran already is left alone."""
    job = store.get_job(organizer, job_id)
    if job is None or job["status"] in ("done", "failed"):
        return "skipped"
    store.update_job(organizer, job_id, {"status": "running", "percentage": 0})
    try:
        key, size, filename = _produce(organizer, job)
    except Exception as exc:
        store.update_job(organizer, job_id, {"status": "failed", "message": f"Export failed: {type(exc).__name__}"})
        return "failed"
    fmt = job["params"]["_format"]
    store.update_job(organizer, job_id, {"status": "done", "percentage": 100, "file_key": key, "file_size": size,
                                         "filename": filename, "content_type": CONTENT_TYPES[fmt]})
    return "done"


def _invoices(organizer: str, job: dict[str, Any]) -> list:
    params = job["params"]
    scopes = [job["event"]] if job["event"] else (params.get("events") or [None])
    found = []
    for scope in scopes:
        found += list(store.invoices_between(organizer, scope, params["date_from"], params["date_to"]))
    return found


def _produce(organizer: str, job: dict[str, Any]) -> tuple[str, int, str]:
    # The writers (and the invoice store behind them) run in the export function only: the API's cold start skips them.
    from invoicing.exports import archive, invoicedata

    fmt = job["params"]["_format"]
    invoices = _invoices(organizer, job)
    filename = f"{organizer}_{job['event'] or 'all'}_{job['identifier']}.{fmt}"
    key = f"exports/{organizer}/{job['id']}/{filename}"
    progress = _progress(organizer, job["id"], len(invoices))
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, filename)
        if fmt == "zip":
            archive.write_zip(invoices, path, len(invoices), progress)
        else:
            rows = [invoicedata.row(invoice) for invoice in invoices]
            progress(len(invoices) // 2)
            with open(path, "w", encoding="utf-8", newline="") as out:
                (invoicedata.write_csv if fmt == "csv" else invoicedata.write_json)(rows, out)
        size = os.path.getsize(path)
        files.client().upload_file(path, files_bucket(), key, ExtraArgs={"ContentType": CONTENT_TYPES[fmt]})
    return key, size, filename


def _progress(organizer: str, job_id: str, total: int):
    last = {"value": -1}

    def report(done: int) -> None:
        value = min(99, done * 100 // total) if total else 99
        if value >= last["value"] + 5:
            last["value"] = value
            store.update_job(organizer, job_id, {"percentage": value})

    return report

