"""The platform operator's billing API (platform tokens only): create, read, release, pay and void billing invoices."""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from invoicing import config, platform
from invoicing.billing import issue, parties, workflow
from invoicing.billing.models import BillingCreate, OperatorBillingInvoice, PaymentInput, Shapes
from invoicing.errors import NotFound
from invoicing.storage import organizers
from invoicing_http import cors, guard
from invoicing_http import openapi as doc
from invoicing_http.errors import json_response
from invoicing_http.resolver import configure, make_handler

config.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "RENDER_QUEUE_URL")

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

BASE = "/api/v1/platform/billing_invoices"
Number = Annotated[str, Path(max_length=200)]
Slug = Annotated[str, Path(max_length=50)]


INVOICE = doc.ok("The billing invoice", OperatorBillingInvoice)
ACTION = doc.responses(doc.ok("The invoice after the action", OperatorBillingInvoice), write=True)
CREATE_EXAMPLE = {"organizer": "bigevents", "currency": "EUR", "date_issued": "2019-06-03",
                  "lines": [{"description": "Ticketing fees May 2019", "net": "8.40", "tax_rate": "19.00"}]}


@app.post(BASE, summary="Create a billing invoice (starts in review)", tags=["Platform billing"],
          operation_id="platform_create_billing_invoice", security=doc.SECURITY,
          responses=doc.responses(doc.ok("Created (in review)", OperatorBillingInvoice, status=201), write=True))
def create_billing_invoice(data: Annotated[BillingCreate, Body(openapi_examples={"invoice": {
                               "summary": "One line", "value": CREATE_EXAMPLE}})],
                           key: doc.IdempotencyKey = None):
    invoice = issue.create(data)
    return json_response(201, OperatorBillingInvoice.model_validate(Shapes.operator(invoice)).model_dump(mode="json"))


@app.get(BASE + "/<number>", summary="Fetch a billing invoice, everything included", tags=["Platform billing"],
         operation_id="platform_get_billing_invoice", security=doc.SECURITY, responses=doc.responses(INVOICE))
def get_billing_invoice(number: Number) -> OperatorBillingInvoice:
    return Shapes.operator(workflow.find(number))


@app.post(BASE + "/<number>/release", summary="Release from review: render the PDF and email it",
          tags=["Platform billing"], operation_id="platform_release_billing_invoice", security=doc.SECURITY,
          responses=ACTION)
def release_billing_invoice(number: Number, key: doc.IdempotencyKey = None) -> OperatorBillingInvoice:
    return Shapes.operator(workflow.release(number))


@app.post(BASE + "/<number>/pay", summary="Record a payment (paid when nothing is due)", tags=["Platform billing"],
          operation_id="platform_pay_billing_invoice", security=doc.SECURITY, responses=ACTION)
def pay_billing_invoice(number: Number, payment: Annotated[PaymentInput, Body(openapi_examples={"payment": {
                            "summary": "A payment of 10.00", "value": {"amount": "10.00"}}})],
                        key: doc.IdempotencyKey = None) -> OperatorBillingInvoice:
    return Shapes.operator(workflow.pay(number, payment.amount))


@app.post(BASE + "/<number>/void", summary="Void an open invoice without payments", tags=["Platform billing"],
          operation_id="platform_void_billing_invoice", security=doc.SECURITY, responses=ACTION)
def void_billing_invoice(number: Number, key: doc.IdempotencyKey = None) -> OperatorBillingInvoice:
    return Shapes.operator(workflow.void(number))


ORGANIZER_BILLING = doc.ok("The organizer's billing contact and address")


@app.patch("/api/v1/platform/organizers/<organizer>", summary="Set an organizer's billing contact and address",
           tags=["Platform billing"], operation_id="platform_update_organizer_billing", security=doc.SECURITY,
           responses=doc.responses(ORGANIZER_BILLING, write=True))
def update_organizer_billing(organizer: Slug, body: Annotated[dict[str, Any] | None, Body(
                                 description="The billing fields to change (see the organizer's billing data)")] = None,
                             key: doc.IdempotencyKey = None):
    return json_response(200, parties.update_organizer(organizer, body if body is not None else {}))


@app.get("/api/v1/platform/organizers/<organizer>", summary="An organizer's billing contact and address",
         tags=["Platform billing"], operation_id="platform_get_organizer_billing", security=doc.SECURITY,
         responses=doc.responses(ORGANIZER_BILLING))
def get_organizer_billing(organizer: Slug):
    item = organizers.get_organizer(organizer)
    if item is None:
        raise NotFound()
    return json_response(200, parties.organizer_billing(item))


def _check(event: dict[str, Any], _policy: guard.Policy) -> platform.PlatformPrincipal:
    return platform.authenticate(guard.header(event.get("headers"), "Authorization"))


lambda_handler = make_handler(app, lambda resource, method: None, check=_check)
