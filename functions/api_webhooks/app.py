"""Webhooks of an organizer (pretix's API), their action types and their delivery log."""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from invoicing import config
from invoicing.pagination import page_request, paginate_list
from invoicing.webhooks import actions, service
from invoicing_http import cors
from invoicing_http import openapi as doc
from invoicing_http.links import envelope, query_value
from invoicing_http.resolver import configure, make_handler

config.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "CURSOR_SECRET_ARN")

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

WEBHOOKS = "/api/v1/organizers/<organizer>/webhooks"
Slug = Annotated[str, Path(max_length=50)]
WebhookId = Annotated[str, Path(max_length=20)]  # not a number: 404, as pretix


@app.get(WEBHOOKS, summary="List webhooks", tags=["Webhooks"],
    operation_id="list_webhooks", security=doc.SECURITY, responses=doc.responses(doc.ok("A page of webhooks")))
def list_webhooks(organizer: Slug) -> dict[str, Any]:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"))
    return envelope(app, paginate_list(service.list_webhooks(organizer), request))


@app.post(WEBHOOKS, summary="Create a webhook (the response shows its signing secret, once)", tags=["Webhooks"],
    operation_id="create_webhook", security=doc.SECURITY,
    responses=doc.responses(doc.ok("The webhook, with its signing secret (shown once)", status=201), write=True))
def create_webhook(organizer: Slug, body: Annotated[service.WebhookWrite, Body()]) -> tuple[dict[str, Any], int]:
    return service.create_webhook(organizer, body), 201


@app.get(WEBHOOKS + "/action_types", summary="The valid values of action_types", tags=["Webhooks"],
    operation_id="list_action_types", security=doc.SECURITY, responses=doc.responses(doc.ok("The action types")))
def list_action_types(organizer: Slug) -> dict[str, Any]:
    results = [{"action_type": name, "verbose_name": label} for name, label in actions.ACTION_TYPES.items()]
    return {"count": len(results), "next": None, "previous": None, "results": results}


@app.get(WEBHOOKS + "/<webhook>", summary="Fetch a webhook", tags=["Webhooks"],
    operation_id="get_webhook", security=doc.SECURITY, responses=doc.responses(doc.ok("The webhook")))
def get_webhook(organizer: Slug, webhook: WebhookId) -> dict[str, Any]:
    return service.get_webhook(organizer, service.parse_id(webhook))


@app.put(WEBHOOKS + "/<webhook>", summary="Replace a webhook", tags=["Webhooks"],
    operation_id="put_webhook", security=doc.SECURITY, responses=doc.responses(doc.ok("The webhook"), write=True))
def put_webhook(organizer: Slug, webhook: WebhookId, body: Annotated[service.WebhookWrite, Body()]) -> dict[str, Any]:
    return service.replace_webhook(organizer, service.parse_id(webhook), body)


@app.patch(WEBHOOKS + "/<webhook>", summary="Change a webhook; rotate_secret answers a new secret", tags=["Webhooks"],
    operation_id="patch_webhook", security=doc.SECURITY, responses=doc.responses(doc.ok("The webhook"), write=True))
def patch_webhook(organizer: Slug, webhook: WebhookId, body: Annotated[service.WebhookPatch, Body()]) -> dict[str, Any]:
    return service.patch_webhook(organizer, service.parse_id(webhook), body, body.model_fields_set)


@app.delete(WEBHOOKS + "/<webhook>", summary="Disable a webhook (pretix keeps it)", tags=["Webhooks"],
    operation_id="delete_webhook", security=doc.SECURITY, responses=doc.responses(doc.NO_CONTENT, write=True))
def delete_webhook(organizer: Slug, webhook: WebhookId):  # no annotation: Powertools would validate the Response
    service.disable_webhook(organizer, service.parse_id(webhook))
    return Response(status_code=204, body="")


@app.get(WEBHOOKS + "/<webhook>/deliveries", summary="The webhook's delivery log, newest first", tags=["Webhooks"],
    operation_id="list_deliveries", security=doc.SECURITY, responses=doc.responses(doc.ok("A page of deliveries, newest first")))
def list_deliveries(organizer: Slug, webhook: WebhookId) -> dict[str, Any]:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"), query_value(app, "cursor"))
    return envelope(app, service.list_deliveries(organizer, service.parse_id(webhook), request))


def _policy(resource: str, method: str) -> str | None:
    """Every webhook route needs `can_change_organizer_settings`, as in pretix."""
    return "can_change_organizer_settings"


lambda_handler = make_handler(app, _policy)
