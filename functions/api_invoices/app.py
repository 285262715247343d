"""pretix's invoice API: list, detail and PDF download at event and organizer level, regenerate and reissue."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from invoicing.access import Principal
from invoicing.invoices import changes, files, read
from invoicing.invoices.models import InvoiceDocument, InvoicePage
from invoicing.pagination import page_request
from invoicing.transmission import attempts, documents, history
from invoicing_http import cors, guard
from invoicing_http.downloads import file_response, wants_xml
from invoicing_http.links import envelope, query_params, query_value
from invoicing_http.resolver import configure, make_handler

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

EVENT = "/api/v1/organizers/<organizer>/events/<event>/invoices"
ORGANIZER = "/api/v1/organizers/<organizer>/invoices"
Slug = Annotated[str, Path(max_length=50)]
Number = Annotated[str, Path(max_length=200)]


def _visibility(event: str | None, write: bool = False) -> read.Visibility:
    caller: Principal = app.context["principal"]
    return read.Visibility.for_principal(caller, "can_change_orders" if write else "can_view_orders", event)


def _list(event: str | None) -> dict:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"), query_value(app, "cursor"))
    page = read.list_invoices(app.context["principal"].organizer, read.InvoiceFilters.from_query(query_params(app)),
                              read.parse_ordering(query_value(app, "ordering")), request, _visibility(event))
    return envelope(app, page)


@app.get(EVENT, summary="List the invoices of an event", tags=["Invoices"])
def list_event_invoices(organizer: Slug, event: Slug) -> InvoicePage:
    return _list(event)


@app.get(ORGANIZER, summary="List the invoices of all events the token can see", tags=["Invoices"])
def list_organizer_invoices(organizer: Slug) -> InvoicePage:
    return _list(None)


@app.get(EVENT + "/<number>", summary="Fetch one invoice", tags=["Invoices"])
def get_event_invoice(organizer: Slug, event: Slug, number: Number) -> InvoiceDocument:
    return read.get_invoice(organizer, number, _visibility(event)).doc


@app.get(ORGANIZER + "/<number>", summary="Fetch one invoice (organizer level)", tags=["Invoices"])
def get_organizer_invoice(organizer: Slug, number: Number) -> InvoiceDocument:
    return read.get_invoice(organizer, number, _visibility(None)).doc


def _download(organizer: str, number: str, event: str | None) -> Response:
    """The PDF, or with `Accept: application/xml` the e-invoice XML (Peppol UBL, FatturaPA); 304 when the
    client holds these bytes already (the ETag is their SHA-256).

    No return annotation: Powertools would validate the bytes body against it. The bytes reach every
    client intact because the API's BinaryMediaTypes is `*/*` (template.yaml says why).
    """
    if wants_xml(app.current_event.headers.get("Accept")):
        document, media_type = documents.download_xml(organizer, number, _visibility(event)), "application/xml"
    else:
        document, media_type = files.download(organizer, number, _visibility(event)), "application/pdf"
    return file_response(app.current_event.headers, document, media_type, {"Vary": "Accept"})


DOWNLOAD_RESPONSES = {200: {"description": "The PDF (or the XML form)",
                            "content": {"application/pdf": {}, "application/xml": {}}},
                      304: {"description": "Not modified (If-None-Match)"},
                      406: {"description": "XML asked for an invoice without an XML form (email)"},
                      409: {"description": "Not rendered yet: retry after Retry-After seconds"}}


@app.get(EVENT + "/<number>/download", summary="Download the invoice PDF", tags=["Invoices"],
         responses=DOWNLOAD_RESPONSES)
def download_event_invoice(organizer: Slug, event: Slug, number: Number):
    return _download(organizer, number, event)


@app.get(ORGANIZER + "/<number>/download", summary="Download the invoice PDF (organizer level)", tags=["Invoices"],
         responses=DOWNLOAD_RESPONSES)
def download_organizer_invoice(organizer: Slug, number: Number):
    return _download(organizer, number, None)


def _no_content() -> Response:
    return Response(status_code=204, body="")


@app.post(EVENT + "/<number>/reissue", summary="Cancel the invoice and issue a new one", tags=["Invoices"],
          responses={204: {"description": "Reissued"}, 400: {"description": "Already canceled"}})
def reissue_event_invoice(organizer: Slug, event: Slug, number: Number):
    changes.reissue(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/reissue", summary="Cancel and reissue (organizer level)", tags=["Invoices"],
          responses={204: {"description": "Reissued"}, 400: {"description": "Already canceled"}})
def reissue_organizer_invoice(organizer: Slug, number: Number):
    changes.reissue(organizer, number, _visibility(None, write=True))
    return _no_content()


@app.post(EVENT + "/<number>/regenerate", summary="Rebuild the invoice from current order data", tags=["Invoices"],
          responses={204: {"description": "Regenerated"}, 400: {"description": "Already canceled"},
                     403: {"description": "May not be regenerated"}})
def regenerate_event_invoice(organizer: Slug, event: Slug, number: Number):
    changes.regenerate(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/regenerate", summary="Rebuild in place (organizer level)", tags=["Invoices"],
          responses={204: {"description": "Regenerated"}, 400: {"description": "Already canceled"},
                     403: {"description": "May not be regenerated"}})
def regenerate_organizer_invoice(organizer: Slug, number: Number):
    changes.regenerate(organizer, number, _visibility(None, write=True))
    return _no_content()


@app.post(EVENT + "/<number>/transmit", summary="Send a pending invoice to its recipient", tags=["Invoices"],
          responses={204: {"description": "Attempt queued"}, 403: {"description": "Not pending"}})
def transmit_event_invoice(organizer: Slug, event: Slug, number: Number):
    attempts.transmit(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/transmit", summary="Send a pending invoice (organizer level)", tags=["Invoices"],
          responses={204: {"description": "Attempt queued"}, 403: {"description": "Not pending"}})
def transmit_organizer_invoice(organizer: Slug, number: Number):
    attempts.transmit(organizer, number, _visibility(None, write=True))
    return _no_content()


@app.post(EVENT + "/<number>/retransmit", summary="Send the invoice again, whatever happened before", tags=["Invoices"],
          responses={204: {"description": "Attempt queued"}, 409: {"description": "In transmission"}})
def retransmit_event_invoice(organizer: Slug, event: Slug, number: Number):
    attempts.retransmit(organizer, number, _visibility(event, write=True))
    return _no_content()


@app.post(ORGANIZER + "/<number>/retransmit", summary="Send again (organizer level)", tags=["Invoices"],
          responses={204: {"description": "Attempt queued"}, 409: {"description": "In transmission"}})
def retransmit_organizer_invoice(organizer: Slug, number: Number):
    attempts.retransmit(organizer, number, _visibility(None, write=True))
    return _no_content()


def _attempts(organizer: str, number: str, event: str | None) -> dict:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"))
    return envelope(app, history.list_attempts(organizer, number, _visibility(event), request))


@app.get(EVENT + "/<number>/transmissions", summary="List the transmission attempts of an invoice, with reasons",
         tags=["Invoices"])
def list_event_invoice_transmissions(organizer: Slug, event: Slug, number: Number) -> history.TransmissionPage:
    return _attempts(organizer, number, event)


@app.get(ORGANIZER + "/<number>/transmissions", summary="List transmission attempts (organizer level)",
         tags=["Invoices"])
def list_organizer_invoice_transmissions(organizer: Slug, number: Number) -> history.TransmissionPage:
    return _attempts(organizer, number, None)


def _policy(resource: str, method: str) -> str | None:
    """Event-level routes need the orders permission up front; organizer-level ones filter by event instead."""
    return guard.orders_policy(resource, method) if "{event}" in resource else None


lambda_handler = make_handler(app, _policy)
