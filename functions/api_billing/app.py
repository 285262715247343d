"""Billing invoices for organizer tokens: pretix Hosted's `billing_invoices` and the Hostway-style account API."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from invoicing import config
from invoicing.billing import read
from invoicing.billing.models import PretixBillingInvoice, PretixBillingPage, Shapes
from invoicing.errors import ValidationFailed
from invoicing.invoices.files import Download
from invoicing.pagination import PageRequest, page_request
from invoicing_http import cors
from invoicing_http import openapi as doc
from invoicing_http.downloads import file_response
from invoicing_http.errors import json_response
from invoicing_http.links import envelope, query_value
from invoicing_http.negotiation import choose
from invoicing_http.resolver import configure, make_handler

config.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "RENDER_QUEUE_URL", "FILES_BUCKET", "CURSOR_SECRET_ARN")

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

PRETIX = "/api/v1/organizers/<organizer>/billing_invoices"
Slug = Annotated[str, Path(max_length=50)]
Number = Annotated[str, Path(max_length=200)]
JSON, PDF = "application/json", "application/pdf"
OFFERED = (JSON, PDF)
HOSTWAY_FULL_LIST = 100  # Hostway: a list without page/pageSize is returned whole up to this size, else 303
HOSTWAY_MAX_PAGE_SIZE = 400


def _pdf(download: Download, extra_headers: dict[str, str] | None = None):
    return file_response(app.current_event.headers, download, PDF, extra_headers)


# --- pretix Hosted ---------------------------------------------------------------------------------

@app.get(PRETIX, summary="List the platform's invoices to this organizer", tags=["Billing invoices"],
         operation_id="list_billing_invoices", security=doc.SECURITY,
         responses=doc.responses(doc.ok("A page of billing invoices", PretixBillingPage, doc.examples()["billing_page"])))
def list_billing_invoices(organizer: Slug, page: doc.Page = None, page_size: doc.PageSize = None,
                          cursor: doc.Cursor = None, ordering: doc.BillingOrdering = None) -> PretixBillingPage:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"), query_value(app, "cursor"))
    page_ = read.list_page(organizer, request, read.parse_ordering(query_value(app, "ordering")))
    page_.results = [Shapes.pretix(invoice) for invoice in page_.results]
    return envelope(app, page_)


@app.get(PRETIX + "/<number>", summary="Fetch one billing invoice", tags=["Billing invoices"],
         operation_id="get_billing_invoice", security=doc.SECURITY,
         responses=doc.responses(doc.ok("The billing invoice", PretixBillingInvoice, doc.examples()["billing_invoice"])))
def get_billing_invoice(organizer: Slug, number: Number) -> PretixBillingInvoice:
    return Shapes.pretix(read.get(organizer, number))


PDF_OK = {200: {"description": "The PDF", "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
                "headers": {"ETag": {"schema": {"type": "string"}}}},
          304: {"description": "Not modified (If-None-Match names the current ETag)", "content": {}}}


@app.get(PRETIX + "/<number>/download", summary="Download a billing invoice PDF", tags=["Billing invoices"],
         operation_id="download_billing_invoice", security=doc.SECURITY, responses=doc.responses(PDF_OK, 423))
def download_billing_invoice(organizer: Slug, number: Number, if_none_match: doc.IfNoneMatch = None):
    return _pdf(read.download(organizer, number))


# --- Hostway-style account API ---------------------------------------------------------------------

def _api_root() -> str:
    """The absolute URL of the API root as the client addressed it (with the stage under execute-api)."""
    event = app.current_event
    headers = event.headers or {}
    host = headers.get("Host") or headers.get("host") or event.request_context.domain_name or "localhost"
    proto = headers.get("X-Forwarded-Proto") or headers.get("x-forwarded-proto") or "https"
    client_path = event.request_context.path or event.path
    stage_prefix = client_path[: len(client_path) - len(event.path)] if client_path.endswith(event.path) else ""
    return f"{proto}://{host}{stage_prefix}"


def _invoices_url(account: str) -> str:
    return f"{_api_root()}/accounts/{quote(account, safe='')}/invoices"


def _account_invoice(account_id: str, invoice_id: str):
    organizer = read.account_organizer(app.context["principal"], account_id)
    wanted = choose(app.current_event.headers.get("Accept"), OFFERED)
    if wanted is None:
        return json_response(406, {"detail": "Could not satisfy the request Accept header.",
                                   "offered": list(OFFERED)}, {"Vary": "Accept"})
    if wanted == PDF:
        return _pdf(read.download(organizer, invoice_id), {"Vary": "Accept"})
    invoice = read.get(organizer, invoice_id)
    self_url = f"{_invoices_url(organizer)}/{quote(invoice.number, safe='')}/"
    return json_response(200, Shapes.hostway(invoice, self_url), {"Vary": "Accept"})


ACCOUNT_RESPONSES = doc.responses(
    {200: {"description": "The invoice as JSON (Accept: application/json or none) or its PDF (Accept: application/pdf)",
           "content": {JSON: {"schema": {"type": "object", "additionalProperties": True},
                              "example": doc.examples()["account_invoice"]},
                       PDF: {"schema": {"type": "string", "format": "binary"}}}},
     304: {"description": "PDF not modified (If-None-Match names the current ETag)", "content": {}}},
    423)
ACCOUNT_RESPONSES[406] = {"description": "Neither JSON nor PDF is acceptable: the offered types are listed",
                          "content": {JSON: {"schema": {"type": "object", "required": ["detail", "offered"], "properties": {
                              "detail": {"type": "string"}, "offered": {"type": "array", "items": {"type": "string"}}}},
                              "example": {"detail": "Could not satisfy the request Accept header.",
                                          "offered": list(OFFERED)}}}}


@app.get("/accounts/<accountId>/invoices/<invoiceId>", summary="Retrieve an account invoice",
         tags=["Account invoices"], operation_id="get_account_invoice", security=doc.SECURITY,
         responses=ACCOUNT_RESPONSES)
def get_account_invoice(accountId: Slug, invoiceId: Number, accept: doc.AccountAccept = None,
                        if_none_match: doc.IfNoneMatch = None):
    return _account_invoice(accountId, invoiceId)


@app.get("/accounts/<accountId>/invoces/<invoiceId>", summary="Retrieve an account invoice (documented spelling)",
         tags=["Account invoices"], operation_id="get_account_invoice_documented_spelling", security=doc.SECURITY,
         responses=ACCOUNT_RESPONSES)
def get_account_invoice_alias(accountId: Slug, invoiceId: Number, accept: doc.AccountAccept = None,
                              if_none_match: doc.IfNoneMatch = None):
    return _account_invoice(accountId, invoiceId)


def _hostway_page_parameters() -> tuple[int, int] | None:
    """(page, pageSize), or None for the whole list; ValidationFailed for values that are not positive integers."""
    page, size = query_value(app, "page"), query_value(app, "pageSize")
    if page is None and size is None:
        return None
    try:
        number, page_size = int(page or 1), int(size or HOSTWAY_FULL_LIST)
    except ValueError as exc:
        raise ValidationFailed({"page": ["page and pageSize must be positive integers."]}) from exc
    if number < 1 or page_size < 1:
        raise ValidationFailed({"page": ["page and pageSize must be positive integers."]})
    return number, page_size


def _see_other(url: str) -> Response:
    return Response(status_code=303, body="", headers={"Location": url})


@app.get("/accounts/<accountId>/invoices", summary="List an account's invoices", tags=["Account invoices"],
         operation_id="list_account_invoices", security=doc.SECURITY, responses=doc.responses(
             {200: {"description": "`list` and `links` (self, previous, first, next, last)",
                    "content": {JSON: {"schema": {"type": "object", "required": ["list", "links"], "properties": {
                        "list": {"type": "array", "items": {"type": "object"}},
                        "links": {"type": "array", "items": {"type": "object", "properties": {
                            "href": {"type": "string"}, "rel": {"type": "string"}}}}}}}}},
              303: {"description": "Too many for one answer: the Location names the page to ask for", "content": {},
                    "headers": {"Location": {"schema": {"type": "string"}}}}}))
def list_account_invoices(accountId: Slug, page: doc.HostwayPage = None, pageSize: doc.HostwayPageSize = None):
    organizer = read.account_organizer(app.context["principal"], accountId)
    base = _invoices_url(organizer)

    def url(page: int, size: int) -> str:
        return f"{base}?{urlencode({'page': page, 'pageSize': size})}"

    paging = _hostway_page_parameters()
    if paging is None:
        first = read.list_page(organizer, PageRequest(page=1, page_size=HOSTWAY_FULL_LIST))
        if first.has_next:
            return _see_other(url(1, HOSTWAY_FULL_LIST))
        return json_response(200, {"list": [_item(invoice) for invoice in first.results],
                                   "links": [{"href": base, "rel": "self"}]})
    number, size = paging
    if size > HOSTWAY_MAX_PAGE_SIZE:
        return _see_other(url(number, HOSTWAY_MAX_PAGE_SIZE))
    page = read.list_page(organizer, PageRequest(page=number, page_size=size))
    last = max(1, -(-page.count // size))
    links = [{"href": url(number, size), "rel": "self"}]
    if number > 1:
        links += [{"href": url(number - 1, size), "rel": "previous"}, {"href": url(1, size), "rel": "first"}]
    if number < last:
        links += [{"href": url(number + 1, size), "rel": "next"}, {"href": url(last, size), "rel": "last"}]
    return json_response(200, {"list": [_item(invoice) for invoice in page.results], "links": links})


def _item(invoice: Any) -> dict[str, Any]:
    """A list entry: the invoice without its links, as documented."""
    shape = Shapes.hostway(invoice, "")
    shape.pop("links")
    return shape


def _policy(resource: str, method: str) -> str | None:
    """pretix's routes need the permission up front (403); the account routes check it after the account
    (a foreign account is 404 whatever the token may do)."""
    return "can_view_billing" if "{organizer}" in resource else None


lambda_handler = make_handler(app, _policy)
