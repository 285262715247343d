"""Billing invoices for organizer tokens: pretix Hosted's `billing_invoices` and the Hostway-style account API."""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from invoicing import config
from invoicing.billing import hostway, read
from invoicing.billing.models import PretixBillingInvoice, PretixBillingPage, Shapes
from invoicing.errors import NotAcceptable
from invoicing.pagination import page_request
from invoicing.storage.files import Download
from invoicing_http import cors
from invoicing_http import openapi as doc
from invoicing_http import openapi_accounts as accounts_doc
from invoicing_http.downloads import file_response
from invoicing_http.errors import json_response
from invoicing_http.links import api_root, envelope, query_value
from invoicing_http.negotiation import choose
from invoicing_http.openapi_accounts import OFFERED, PDF
from invoicing_http.resolver import configure, make_handler

config.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "RENDER_QUEUE_URL", "FILES_BUCKET", "CURSOR_SECRET_ARN")

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

PRETIX = "/api/v1/organizers/<organizer>/billing_invoices"
Slug = Annotated[str, Path(max_length=50)]
Number = Annotated[str, Path(max_length=200)]


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

ACCOUNT_INVOICE = accounts_doc.invoice_responses()


@app.get("/accounts/<accountId>/invoices/<invoiceId>", summary="Retrieve an account invoice",
         tags=["Account invoices"], operation_id="get_account_invoice", security=doc.SECURITY,
         responses=ACCOUNT_INVOICE)
@app.get("/accounts/<accountId>/invoces/<invoiceId>", summary="Retrieve an account invoice (documented spelling)",
         tags=["Account invoices"], operation_id="get_account_invoice_documented_spelling", security=doc.SECURITY,
         responses=ACCOUNT_INVOICE)
def get_account_invoice(accountId: Slug, invoiceId: Number, accept: doc.AccountAccept = None,
                        if_none_match: doc.IfNoneMatch = None):
    organizer = hostway.account_organizer(app.context["principal"], accountId)
    wanted = choose(app.current_event.headers.get("Accept"), OFFERED)
    if wanted is None:
        raise NotAcceptable(offered=OFFERED)
    if wanted == PDF:
        return _pdf(read.download(organizer, invoiceId), {"Vary": "Accept"})
    return json_response(200, hostway.invoice(organizer, invoiceId, api_root(app)), {"Vary": "Accept"})


@app.get("/accounts/<accountId>/invoices", summary="List an account's invoices", tags=["Account invoices"],
         operation_id="list_account_invoices", security=doc.SECURITY, responses=accounts_doc.list_responses())
def list_account_invoices(accountId: Slug, page: doc.HostwayPage = None, pageSize: doc.HostwayPageSize = None):
    organizer = hostway.account_organizer(app.context["principal"], accountId)
    listed = hostway.list_invoices(organizer, api_root(app), query_value(app, "page"), query_value(app, "pageSize"))
    if isinstance(listed, hostway.SeeOther):
        return Response(status_code=303, body="", headers={"Location": listed.location})
    return json_response(200, listed)


def _policy(resource: str, method: str) -> str | None:
    """pretix's routes need the permission up front (403); the account routes check it after the account
    (a foreign account is 404 whatever the token may do)."""
    return "can_view_billing" if "{organizer}" in resource else None


lambda_handler = make_handler(app, _policy)
