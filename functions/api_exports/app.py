"""pretix's exporters API at event and organizer level: list, run (202 with the download URL), download."""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from invoicing import config
from invoicing.exports import catalog, jobs
from invoicing_http import cors, errors
from invoicing_http import openapi as doc
from invoicing_http.downloads import content_disposition
from invoicing_http.links import request_url
from invoicing_http.resolver import configure, make_handler

config.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "FILES_BUCKET", "EXPORT_QUEUE_URL")

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

ORGANIZER = "/api/v1/organizers/<organizer>"
EVENT = ORGANIZER + "/events/<event>"
Slug = Annotated[str, Path(max_length=50)]
Identifier = Annotated[str, Path(max_length=50)]
Id = Annotated[str, Path(max_length=64)]


EXPORT_STARTED = doc.responses(
    {202: {"description": "Started: poll the `download` URL", "content": {"application/json": {"schema": {
        "type": "object", "required": ["download"], "properties": {"download": {"type": "string"}}}}}}}, write=True)
EXPORT_DOWNLOAD = doc.responses(
    {200: {"description": "The exported file", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
     303: {"description": "The file, at a presigned URL", "content": {},
           "headers": {"Location": {"schema": {"type": "string"}}}},
     409: {"description": "Still running: retry after Retry-After seconds", "content": {"application/json": {"schema": {
         "type": "object", "properties": {"status": {"type": "string"}, "percentage": {}}}}}},
     410: {"description": "The export failed", "content": {"application/json": {"schema": {
         "type": "object", "properties": {"status": {"type": "string"}, "message": {"type": "string"}}}}}}})


def _listing(organizer_level: bool) -> dict[str, Any]:
    results = [exporter.public(organizer_level) for exporter in catalog.EXPORTERS.values()]
    return {"count": len(results), "next": None, "previous": None, "results": results}


def _run(event: str | None, identifier: str, body: Any):
    job_id, file_id = jobs.start(app.context["principal"], event, identifier, body)
    base = request_url(app).rstrip("/").removesuffix("/run")
    return errors.json_response(202, {"download": f"{base}/download/{job_id}/{file_id}/"})


def _download(event: str | None, identifier: str, job: str, file: str):
    result = jobs.download(app.context["principal"].organizer, event, identifier, job, file)
    if isinstance(result, jobs.Pending):
        return errors.json_response(409, {"status": result.status, "percentage": result.percentage}, {"Retry-After": "1"})
    if isinstance(result, jobs.Failed):
        return errors.json_response(410, {"status": "failed", "message": result.message})
    if result.url:
        return Response(status_code=303, body="", headers={"Location": result.url})
    return Response(status_code=200, content_type=result.content_type, body=result.body, headers={
        "Content-Disposition": content_disposition(result.filename), "Content-Length": str(len(result.body or b""))})


@app.get(EVENT + "/exporters", summary="Exporters of an event", tags=["Exporters"],
    operation_id="list_event_exporters", security=doc.SECURITY, responses=doc.responses(doc.ok("The exporters")))
def list_event_exporters(organizer: Slug, event: Slug) -> dict[str, Any]:
    return _listing(False)


@app.get(ORGANIZER + "/exporters", summary="Exporters across events", tags=["Exporters"],
    operation_id="list_organizer_exporters", security=doc.SECURITY, responses=doc.responses(doc.ok("The exporters")))
def list_organizer_exporters(organizer: Slug) -> dict[str, Any]:
    return _listing(True)


@app.post(EVENT + "/exporters/<identifier>/run", summary="Start an export", tags=["Exporters"],
    operation_id="run_event_export", security=doc.SECURITY, responses=EXPORT_STARTED)
def run_event_export(organizer: Slug, event: Slug, identifier: Identifier,
                     body: Annotated[Any, Body()] = None):  # no annotation: a Response
    return _run(event, identifier, body if body is not None else {})


@app.post(ORGANIZER + "/exporters/<identifier>/run", summary="Start an organizer-level export", tags=["Exporters"],
    operation_id="run_organizer_export", security=doc.SECURITY, responses=EXPORT_STARTED)
def run_organizer_export(organizer: Slug, identifier: Identifier, body: Annotated[Any, Body()] = None):
    return _run(None, identifier, body if body is not None else {})


@app.get(EVENT + "/exporters/<identifier>/download/<job>/<file>", summary="Download an export's result",
         tags=["Exporters"],
    operation_id="download_event_export", security=doc.SECURITY, responses=EXPORT_DOWNLOAD)
def download_event_export(organizer: Slug, event: Slug, identifier: Identifier, job: Id, file: Id):
    return _download(event, identifier, job, file)


@app.get(ORGANIZER + "/exporters/<identifier>/download/<job>/<file>", summary="Download an organizer-level export",
         tags=["Exporters"],
    operation_id="download_organizer_export", security=doc.SECURITY, responses=EXPORT_DOWNLOAD)
def download_organizer_export(organizer: Slug, identifier: Identifier, job: Id, file: Id):
    return _download(None, identifier, job, file)


def _policy(resource: str, method: str) -> str | None:
    """Exports read orders' invoices: `can_view_orders`, for running them too (as pretix)."""
    return "can_view_orders"


lambda_handler = make_handler(app, _policy)
