"""pretix's invoice API: list, detail and PDF download at event and organizer level, regenerate and reissue."""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from invoicing import config
from invoicing.access import Principal
from invoicing.invoices import read
from invoicing.invoices.models import InvoiceDocument, InvoicePage
from invoicing.pagination import page_request
from invoicing.transmission import history
from invoicing_http import cors, guard
from invoicing_http import openapi as doc
from invoicing_http.downloads import file_response, wants_xml
from invoicing_http.json_pages import json_page
from invoicing_http.links import envelope, query_params, query_value
from invoicing_http.resolver import configure, make_handler

# Issuing (changes), rendering requests (files), XML and transmission (documents, attempts) are imported by the
# routes that use them: a cold start serving a list or a detail does not load the invoice builder, babel or stdnum.

config.require(
    "TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "RENDER_QUEUE_URL", "FILES_BUCKET", "CURSOR_SECRET_ARN",
    "EMAIL_QUEUE_URL", "PEPPOL_QUEUE_URL", "SDI_QUEUE_URL",
)

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

EVENT = "/api/v1/organizers/<organizer>/events/<event>/invoices"
ORGANIZER = "/api/v1/organizers/<organizer>/invoices"
Slug = Annotated[str, Path(max_length=50)]
Number = Annotated[str, Path(max_length=200)]


def _visibility(event: str | None, write: bool = False) -> read.Visibility:
    caller: Principal = app.context["principal"]
    return read.Visibility.for_principal(caller, "can_change_orders" if write else "can_view_orders", event)


def _list(event: str | None) -> Response:
    """The page is validated against InvoicePage as the routes' return annotation would, from the stored JSON
        (json_pages.py); the routes have no return annotation so that Powertools does not validate it a second time
    (their documented response is LIST's)."""
    request = page_request(query_value(app, "page"), query_value(app, "page_size"), query_value(app, "cursor"))
    page = read.list_invoices(app.context["principal"].organizer, read.InvoiceFilters.from_query(query_params(app)),
                              read.parse_ordering(query_value(app, "ordering")), request, _visibility(event),
                              as_json=True)
    return json_page(app, page, InvoicePage)


LIST = doc.responses(doc.ok("A page of invoices", InvoicePage, doc.examples()["invoice_page"]))
DETAIL = doc.responses(doc.ok("The invoice", InvoiceDocument, doc.examples()["invoice"]))


@app.get(EVENT, summary="List the invoices of an event", tags=["Invoices"], operation_id="list_event_invoices",
         security=doc.SECURITY, responses=LIST)
def list_event_invoices(organizer: Slug, event: Slug, page: doc.Page = None, page_size: doc.PageSize = None,
                        cursor: doc.Cursor = None, ordering: doc.InvoiceOrdering = None, order: doc.OrderFilter = None,
                        number: doc.NumberFilter = None, is_cancellation: doc.IsCancellation = None,
                        refers: doc.Refers = None, locale: doc.Locale = None):
    return _list(event)


@app.get(ORGANIZER, summary="List the invoices of all events the token can see", tags=["Invoices"],
         operation_id="list_organizer_invoices", security=doc.SECURITY, responses=LIST)
def list_organizer_invoices(organizer: Slug, page: doc.Page = None, page_size: doc.PageSize = None,
                            cursor: doc.Cursor = None, ordering: doc.InvoiceOrdering = None,
                            order: doc.OrderFilter = None, number: doc.NumberFilter = None,
                            is_cancellation: doc.IsCancellation = None, refers: doc.Refers = None,
                            locale: doc.Locale = None):
    return _list(None)


@app.get(EVENT + "/<number>", summary="Fetch one invoice", tags=["Invoices"], operation_id="get_event_invoice",
         security=doc.SECURITY, responses=DETAIL)
def get_event_invoice(organizer: Slug, event: Slug, number: Number) -> InvoiceDocument:
    return read.get_document(organizer, number, _visibility(event))


@app.get(ORGANIZER + "/<number>", summary="Fetch one invoice (organizer level)", tags=["Invoices"],
         operation_id="get_organizer_invoice", security=doc.SECURITY, responses=DETAIL)
def get_organizer_invoice(organizer: Slug, number: Number) -> InvoiceDocument:
    return read.get_document(organizer, number, _visibility(None))


def _download(organizer: str, number: str, event: str | None) -> Response:
    """The PDF, or with `Accept: application/xml` the e-invoice XML (Peppol UBL, FatturaPA); 304 when the
    client holds these bytes already (the ETag is their SHA-256).

    No return annotation: Powertools would validate the bytes body against it. The bytes reach every
    client intact because the API's BinaryMediaTypes is `*/*` (template.yaml says why).
    """
    if wants_xml(app.current_event.headers.get("Accept")):
        from invoicing.transmission import documents

        document, media_type = documents.download_xml(organizer, number, _visibility(event)), "application/xml"
    else:
        from invoicing.invoices import files

        document, media_type = files.download(organizer, number, _visibility(event)), "application/pdf"
    return file_response(app.current_event.headers, document, media_type, {"Vary": "Accept"})


DOWNLOAD_RESPONSES = doc.responses(
    {200: {"description": "The PDF (or, with Accept: application/xml, the transmitted XML)",
           "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                       "application/xml": {"schema": {"type": "string"}}},
           "headers": {"ETag": {"schema": {"type": "string"}}, "Content-Disposition": {"schema": {"type": "string"}}}},
     304: {"description": "Not modified (If-None-Match names the current ETag)", "content": {}}},
    406, 409)


@app.get(EVENT + "/<number>/download", summary="Download the invoice PDF", tags=["Invoices"],
         operation_id="download_event_invoice", security=doc.SECURITY, responses=DOWNLOAD_RESPONSES)
def download_event_invoice(organizer: Slug, event: Slug, number: Number, accept: doc.DownloadAccept = None,
                           if_none_match: doc.IfNoneMatch = None):
    return _download(organizer, number, event)


@app.get(ORGANIZER + "/<number>/download", summary="Download the invoice PDF (organizer level)", tags=["Invoices"],
         operation_id="download_organizer_invoice", security=doc.SECURITY, responses=DOWNLOAD_RESPONSES)
def download_organizer_invoice(organizer: Slug, number: Number, accept: doc.DownloadAccept = None,
                               if_none_match: doc.IfNoneMatch = None):
    return _download(organizer, number, None)


def _no_content() -> Response:
    return Response(status_code=204, body="")


ACTION = doc.responses(doc.NO_CONTENT, write=True)


@app.post(EVENT + "/<number>/reissue", summary="Cancel the invoice and issue a new one", tags=["Invoices"],
          operation_id="reissue_event_invoice", security=doc.SECURITY, responses=ACTION)
def reissue_event_invoice(organizer: Slug, event: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.invoices import changes

    changes.reissue(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/reissue", summary="Cancel and reissue (organizer level)", tags=["Invoices"],
          operation_id="reissue_organizer_invoice", security=doc.SECURITY, responses=ACTION)
def reissue_organizer_invoice(organizer: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.invoices import changes

    changes.reissue(organizer, number, _visibility(None, write=True))
    return _no_content()


@app.post(EVENT + "/<number>/regenerate", summary="Rebuild the invoice from current order data", tags=["Invoices"],
          operation_id="regenerate_event_invoice", security=doc.SECURITY, responses=ACTION)
def regenerate_event_invoice(organizer: Slug, event: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.invoices import changes

    changes.regenerate(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/regenerate", summary="Rebuild in place (organizer level)", tags=["Invoices"],
          operation_id="regenerate_organizer_invoice", security=doc.SECURITY, responses=ACTION)
def regenerate_organizer_invoice(organizer: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.invoices import changes

    changes.regenerate(organizer, number, _visibility(None, write=True))
    return _no_content()


@app.post(EVENT + "/<number>/transmit", summary="Send a pending invoice to its recipient", tags=["Invoices"],
          operation_id="transmit_event_invoice", security=doc.SECURITY, responses=ACTION)
def transmit_event_invoice(organizer: Slug, event: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.transmission import attempts

    attempts.transmit(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/transmit", summary="Send a pending invoice (organizer level)", tags=["Invoices"],
          operation_id="transmit_organizer_invoice", security=doc.SECURITY, responses=ACTION)
def transmit_organizer_invoice(organizer: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.transmission import attempts

    attempts.transmit(organizer, number, _visibility(None, write=True))
    return _no_content()


@app.post(EVENT + "/<number>/retransmit", summary="Send the invoice again, whatever happened before", tags=["Invoices"],
          operation_id="retransmit_event_invoice", security=doc.SECURITY, responses=ACTION)
def retransmit_event_invoice(organizer: Slug, event: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.transmission import attempts

    attempts.retransmit(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/retransmit", summary="Send again (organizer level)", tags=["Invoices"],
          operation_id="retransmit_organizer_invoice", security=doc.SECURITY, responses=ACTION)
def retransmit_organizer_invoice(organizer: Slug, number: Number, key: doc.IdempotencyKey = None):
    from invoicing.transmission import attempts

    attempts.retransmit(organizer, number, _visibility(None, write=True))
    return _no_content()


def _attempts(organizer: str, number: str, event: str | None) -> dict:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"))
    return envelope(app, history.list_attempts(organizer, number, _visibility(event), request))


TRANSMISSIONS = doc.responses(doc.ok("A page of transmission attempts, newest first"))


@app.get(EVENT + "/<number>/transmissions", summary="List the transmission attempts of an invoice, with reasons",
         tags=["Invoices"], operation_id="list_event_invoice_transmissions", security=doc.SECURITY,
         responses=TRANSMISSIONS)
def list_event_invoice_transmissions(organizer: Slug, event: Slug, number: Number, page: doc.Page = None,
                                     page_size: doc.PageSize = None) -> history.TransmissionPage:
    return _attempts(organizer, number, event)


@app.get(ORGANIZER + "/<number>/transmissions", summary="List transmission attempts (organizer level)",
         tags=["Invoices"], operation_id="list_organizer_invoice_transmissions", security=doc.SECURITY,
         responses=TRANSMISSIONS)
def list_organizer_invoice_transmissions(organizer: Slug, number: Number, page: doc.Page = None,
                                         page_size: doc.PageSize = None) -> history.TransmissionPage:
    return _attempts(organizer, number, None)


def _policy(resource: str, method: str) -> str | None:
    """Event-level routes need the orders permission up front; organizer-level ones filter by event instead."""
    return guard.orders_policy(resource, method) if "{event}" in resource else None


lambda_handler = make_handler(app, _policy)
