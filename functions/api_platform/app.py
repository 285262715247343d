"""The platform operator's billing API (platform tokens only): create, read, release, pay and void billing invoices."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from invoicing import platform
from invoicing.billing import issue, parties, workflow
from invoicing.billing.models import BillingCreate, OperatorBillingInvoice, Shapes
from invoicing.errors import NotFound
from invoicing.storage import organizers
from invoicing_http import cors, guard
from invoicing_http.errors import json_response
from invoicing_http.resolver import configure, make_handler

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

BASE = "/api/v1/platform/billing_invoices"
Number = Annotated[str, Path(max_length=200)]
Action = Annotated[str, Path(max_length=50)]
Slug = Annotated[str, Path(max_length=50)]


@app.post(BASE, summary="Create a billing invoice (starts in review)", tags=["Platform billing"],
          responses={201: {"description": "Created"}})
def create_billing_invoice(data: Annotated[BillingCreate, Body()]):
    invoice = issue.create(data)
    return json_response(201, OperatorBillingInvoice.model_validate(Shapes.operator(invoice)).model_dump(mode="json"))


@app.get(BASE + "/<number>", summary="Fetch a billing invoice, everything included", tags=["Platform billing"])
def get_billing_invoice(number: Number) -> OperatorBillingInvoice:
    return Shapes.operator(workflow.find(number))


@app.post(BASE + "/<number>/<action>", summary="release, pay ({\"amount\": \"10.00\"}) or void",
          tags=["Platform billing"], responses={200: {"description": "The invoice after the action"},
                                                400: {"description": "Not allowed in this state, or a bad amount"}})
def billing_action(number: Number, action: Action) -> OperatorBillingInvoice:
    if action == "release":
        return Shapes.operator(workflow.release(number))
    if action == "void":
        return Shapes.operator(workflow.void(number))
    if action == "pay":
        body: Any = app.current_event.json_body if app.current_event.body else None
        return Shapes.operator(workflow.pay(number, body.get("amount") if isinstance(body, dict) else None))
    raise NotFound()


@app.patch("/api/v1/platform/organizers/<organizer>", summary="Set an organizer's billing contact and address",
           tags=["Platform billing"], responses={200: {"description": "The organizer's billing data"},
                                                 400: {"description": "A field is invalid"}})
def update_organizer_billing(organizer: Slug):
    body: Any = app.current_event.json_body if app.current_event.body else {}
    return json_response(200, parties.update_organizer(organizer, body))


@app.get("/api/v1/platform/organizers/<organizer>", summary="An organizer's billing contact and address",
         tags=["Platform billing"])
def get_organizer_billing(organizer: Slug):
    item = organizers.get_organizer(organizer)
    if item is None:
        raise NotFound()
    return json_response(200, parties.organizer_billing(item))


def _check(event: dict[str, Any], _policy: guard.Policy) -> platform.PlatformPrincipal:
    return platform.authenticate(guard.header(event.get("headers"), "Authorization"))


lambda_handler = make_handler(app, lambda resource, method: None, check=_check)
