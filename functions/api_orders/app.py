"""Orders: the data invoices are made from, and the order actions that issue invoices."""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from invoicing import config
from invoicing.invoices.models import InvoiceDocument
from invoicing.orders import service
from invoicing.orders.models import OrderCreate, OrderPatch
from invoicing.pagination import page_request
from invoicing_http import cors, guard
from invoicing_http import openapi as doc
from invoicing_http.links import envelope, query_value
from invoicing_http.resolver import configure, make_handler

config.require(
    "TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "RENDER_QUEUE_URL", "CURSOR_SECRET_ARN",
    "EMAIL_QUEUE_URL", "PEPPOL_QUEUE_URL", "SDI_QUEUE_URL",
)

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

ORDERS = "/api/v1/organizers/<organizer>/events/<event>/orders"
Slug = Annotated[str, Path(max_length=50)]
Code = Annotated[str, Path(max_length=16)]


ORDER_EXAMPLE = {"email": "dummy@dummy.test", "locale": "en",
                 "positions": [{"description": "Budget Ticket", "price": "23.00", "tax_rate": "19.00"}],
                 "invoice_address": {"company": "Sample company", "name": "John Doe", "street": "Test street 12",
                                     "zipcode": "12345", "city": "Testington", "country": "DE", "is_business": True}}
ORDER = doc.responses(doc.ok("The order"))
ORDER_CHANGED = doc.responses(doc.ok("The order after the change"), write=True)


@app.get(ORDERS, summary="List the orders of an event", tags=["Orders"], operation_id="list_orders",
         security=doc.SECURITY, responses=doc.responses(doc.ok("A page of orders")))
def list_orders(organizer: Slug, event: Slug, page: doc.Page = None, page_size: doc.PageSize = None,
                cursor: doc.Cursor = None) -> dict[str, Any]:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"), query_value(app, "cursor"))
    return envelope(app, service.list_orders(organizer, event, request))


@app.post(ORDERS, summary="Create an order (and, per invoice_generate, its invoice)", tags=["Orders"],
          operation_id="create_order", security=doc.SECURITY,
          responses=doc.responses(doc.ok("The order", status=201), write=True))
def create_order(organizer: Slug, event: Slug,
                 body: Annotated[OrderCreate, Body(openapi_examples={"order": {"summary": "A business order",
                                                                               "value": ORDER_EXAMPLE}})],
                 key: doc.IdempotencyKey = None) -> tuple[dict[str, Any], int]:
    return service.create_order(organizer, event, body), 201


@app.get(ORDERS + "/<code>", summary="Fetch an order", tags=["Orders"], operation_id="get_order",
         security=doc.SECURITY, responses=ORDER)
def get_order(organizer: Slug, event: Slug, code: Code) -> dict[str, Any]:
    return service.get_order(organizer, event, code)


@app.patch(ORDERS + "/<code>", summary="Change email, locale or invoice address", tags=["Orders"],
           operation_id="patch_order", security=doc.SECURITY, responses=ORDER_CHANGED)
def patch_order(organizer: Slug, event: Slug, code: Code, body: Annotated[OrderPatch, Body()],
                key: doc.IdempotencyKey = None) -> dict[str, Any]:
    return service.patch_order(organizer, event, code, body, body.model_fields_set)


@app.post(ORDERS + "/<code>/mark_paid", summary="Mark a pending order as paid", tags=["Orders"],
          operation_id="mark_paid", security=doc.SECURITY, responses=ORDER_CHANGED)
def mark_paid(organizer: Slug, event: Slug, code: Code, key: doc.IdempotencyKey = None) -> dict[str, Any]:
    return service.mark_paid(organizer, event, code)


@app.post(ORDERS + "/<code>/mark_canceled", summary="Cancel the order and its invoice", tags=["Orders"],
          operation_id="mark_canceled", security=doc.SECURITY, responses=ORDER_CHANGED)
def mark_canceled(organizer: Slug, event: Slug, code: Code, key: doc.IdempotencyKey = None) -> dict[str, Any]:
    return service.mark_canceled(organizer, event, code)


@app.post(ORDERS + "/<code>/create_invoice", summary="Issue the order's invoice", tags=["Orders"],
          operation_id="create_invoice", security=doc.SECURITY,
          responses=doc.responses(doc.ok("The invoice", InvoiceDocument, doc.examples()["invoice"], status=201),
                                  write=True))
def create_invoice(organizer: Slug, event: Slug, code: Code, key: doc.IdempotencyKey = None) -> tuple[InvoiceDocument, int]:
    return service.create_invoice(organizer, event, code), 201


lambda_handler = make_handler(app, guard.orders_policy)
