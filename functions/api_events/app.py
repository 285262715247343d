"""Events, and invoice settings at organizer and event level."""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import Field

from invoicing import config, events
from invoicing.errors import AlreadyExists, ValidationFailed
from invoicing.pagination import page_request
from invoicing_http import cors, openapi_settings
from invoicing_http import openapi as doc
from invoicing_http.guard import SAFE_METHODS
from invoicing_http.links import envelope, query_value
from invoicing_http.resolver import configure, make_handler

config.require("TABLE_NAME", "IDEMPOTENCY_TABLE_NAME")

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

ORGANIZER = "/api/v1/organizers/<organizer>"
Slug = Annotated[str, Path(max_length=50)]


Settings = Annotated[dict[str, Any], Field(json_schema_extra=openapi_settings.settings_response)]
SettingsPatch = Annotated[dict[str, Any], Body(json_schema_extra=openapi_settings.patch_body)]
EVENT_EXAMPLE = {"name": {"en": "Sample Conference"}, "slug": "sampleconf", "currency": "EUR",
                 "date_from": "2017-12-27T10:00:00Z", "date_to": None, "location": None, "locale": "en",
                 "timezone": "Europe/Berlin"}


@app.get(ORGANIZER + "/events", summary="List events", tags=["Events"], operation_id="list_events",
         security=doc.SECURITY, responses=doc.responses(doc.ok("A page of events")))
def list_events(organizer: Slug, page: doc.Page = None, page_size: doc.PageSize = None) -> dict[str, Any]:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"))
    return envelope(app, events.list_events(app.context["principal"], request))


@app.post(ORGANIZER + "/events", summary="Create an event", tags=["Events"], operation_id="create_event",
          security=doc.SECURITY, responses=doc.responses(doc.ok("The event", status=201), write=True))
def create_event(organizer: Slug, body: Annotated[events.EventCreate, Body(openapi_examples={
                     "event": {"summary": "A conference", "value": {k: v for k, v in EVENT_EXAMPLE.items() if v}}})],
                 key: doc.IdempotencyKey = None) -> tuple[dict[str, Any], int]:
    try:
        return events.create_event(organizer, body).public(), 201
    except AlreadyExists as exc:
        raise ValidationFailed({"slug": [exc.detail]}) from exc


@app.get(ORGANIZER + "/events/<event>", summary="Fetch an event", tags=["Events"], operation_id="get_event",
         security=doc.SECURITY, responses=doc.responses(doc.ok("The event")))
def get_event(organizer: Slug, event: Slug) -> dict[str, Any]:
    return events.get_event(organizer, event).public()


SETTINGS = doc.responses(doc.ok("Every invoice setting with its effective value"))
SETTINGS_CHANGED = doc.responses(doc.ok("Every invoice setting with its effective value after the change"), write=True)


@app.get(ORGANIZER + "/settings", summary="Organizer invoice settings", tags=["Settings"],
         operation_id="get_organizer_settings", security=doc.SECURITY, responses=SETTINGS)
def get_organizer_settings(organizer: Slug) -> Settings:
    return events.organizer_settings(organizer)


@app.patch(ORGANIZER + "/settings", summary="Change organizer invoice settings (null resets)", tags=["Settings"],
           operation_id="patch_organizer_settings", security=doc.SECURITY, responses=SETTINGS_CHANGED)
def patch_organizer_settings(organizer: Slug, body: SettingsPatch, key: doc.IdempotencyKey = None) -> Settings:
    return events.patch_organizer_settings(organizer, body)


@app.get(ORGANIZER + "/events/<event>/settings", summary="Event invoice settings (inherited values included)",
         tags=["Settings"], operation_id="get_event_settings", security=doc.SECURITY, responses=SETTINGS)
def get_event_settings(organizer: Slug, event: Slug) -> Settings:
    return events.event_settings(organizer, event)


@app.patch(ORGANIZER + "/events/<event>/settings", summary="Change event invoice settings (null inherits)",
           tags=["Settings"], operation_id="patch_event_settings", security=doc.SECURITY, responses=SETTINGS_CHANGED)
def patch_event_settings(organizer: Slug, event: Slug, body: SettingsPatch, key: doc.IdempotencyKey = None) -> Settings:
    return events.patch_event_settings(organizer, event, body)


def _policy(resource: str, method: str) -> str | None:
    """Reading events needs no permission; settings and creating events need `can_change_event_settings`."""
    if resource.endswith("/settings") or method not in SAFE_METHODS:
        return "can_change_event_settings"
    return None


lambda_handler = make_handler(app, _policy)
