"""Events, and invoice settings at organizer and event level."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from invoicing import events
from invoicing.errors import AlreadyExists, ValidationFailed
from invoicing.pagination import page_request
from invoicing_http import cors
from invoicing_http.guard import SAFE_METHODS
from invoicing_http.links import envelope, query_value
from invoicing_http.resolver import configure, make_handler

app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors.config())
configure(app)

ORGANIZER = "/api/v1/organizers/<organizer>"
Slug = Annotated[str, Path(max_length=50)]


@app.get(ORGANIZER + "/events", summary="List events", tags=["Events"])
def list_events(organizer: Slug) -> dict[str, Any]:
    request = page_request(query_value(app, "page"), query_value(app, "page_size"))
    return envelope(app, events.list_events(app.context["principal"], request))


@app.post(ORGANIZER + "/events", summary="Create an event", tags=["Events"])
def create_event(organizer: Slug, body: Annotated[events.EventCreate, Body()]) -> tuple[dict[str, Any], int]:
    try:
        return events.create_event(organizer, body).public(), 201
    except AlreadyExists as exc:
        raise ValidationFailed({"slug": [exc.detail]}) from exc


@app.get(ORGANIZER + "/events/<event>", summary="Fetch an event", tags=["Events"])
def get_event(organizer: Slug, event: Slug) -> dict[str, Any]:
    return events.get_event(organizer, event).public()


@app.get(ORGANIZER + "/settings", summary="Organizer invoice settings", tags=["Settings"])
def get_organizer_settings(organizer: Slug) -> dict[str, Any]:
    return events.organizer_settings(organizer)


@app.patch(ORGANIZER + "/settings", summary="Change organizer invoice settings (null resets)", tags=["Settings"])
def patch_organizer_settings(organizer: Slug, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return events.patch_organizer_settings(organizer, body)


@app.get(ORGANIZER + "/events/<event>/settings", summary="Event invoice settings (inherited values included)",
         tags=["Settings"])
def get_event_settings(organizer: Slug, event: Slug) -> dict[str, Any]:
    return events.event_settings(organizer, event)


@app.patch(ORGANIZER + "/events/<event>/settings", summary="Change event invoice settings (null inherits)",
           tags=["Settings"])
def patch_event_settings(organizer: Slug, event: Slug, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return events.patch_event_settings(organizer, event, body)


def _policy(resource: str, method: str) -> str | None:
    """Reading events needs no permission; settings and creating events need `can_change_event_settings`."""
    if resource.endswith("/settings") or method not in SAFE_METHODS:
        return "can_change_event_settings"
    return None


lambda_handler = make_handler(app, _policy)
