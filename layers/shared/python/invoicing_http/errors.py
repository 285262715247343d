"""The one mapping from domain exceptions to HTTP answers, with pretix's status codes and bodies."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError

from invoicing.errors import (
    AlreadyExists,
    BadRequest,
    Conflict,
    Locked,
    NotAcceptable,
    NotAuthenticated,
    NotFound,
    NotReady,
    PermissionDenied,
    ValidationFailed,
)
from invoicing.field_errors import field_errors

logger = Logger(child=True)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=json.dumps(body, separators=(",", ":")), headers=headers or {})


def detail(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"detail": message}, headers)


def register(app: APIGatewayRestResolver) -> None:
    """Install the handlers on a resolver; every API function calls this once."""

    @app.exception_handler(NotAuthenticated)
    def _unauthenticated(exc: NotAuthenticated) -> Response:
        return detail(401, exc.detail, {"WWW-Authenticate": "Token"})

    @app.exception_handler(PermissionDenied)
    def _forbidden(exc: PermissionDenied) -> Response:
        return detail(403, exc.detail)

    @app.exception_handler(NotFound)
    def _not_found(exc: NotFound) -> Response:
        return detail(404, exc.detail)

    @app.exception_handler(ValidationFailed)
    def _invalid(exc: ValidationFailed) -> Response:
        return json_response(400, exc.errors)

    @app.exception_handler(BadRequest)
    def _bad_request(exc: BadRequest) -> Response:
        return detail(400, exc.detail)

    @app.exception_handler(AlreadyExists)
    def _exists(exc: AlreadyExists) -> Response:
        return detail(400, exc.detail)

    @app.exception_handler(NotAcceptable)
    def _not_acceptable(exc: NotAcceptable) -> Response:
        if exc.offered:
            return json_response(406, {"detail": exc.detail, "offered": list(exc.offered)}, {"Vary": "Accept"})
        return detail(406, exc.detail)

    @app.exception_handler(NotReady)
    def _not_ready(exc: NotReady) -> Response:
        return detail(409, exc.detail, {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(Locked)
    def _locked(exc: Locked) -> Response:
        return detail(423, exc.detail, {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(Conflict)
    def _busy(exc: Conflict) -> Response:
        return detail(409, exc.detail, {"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    def _request_invalid(exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return detail(400, "JSON parse error - Expecting value")
        body = field_errors(list(errors))
        if list(body) == ["non_field_errors"] and all(e.get("type") == "missing" for e in errors):
            return detail(400, "No data provided")
        return json_response(400, body)

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(exc: RequestUnsupportedContentType) -> Response:
        kind = app.current_event.headers.get("Content-Type") or app.current_event.headers.get("content-type") or ""
        return detail(415, f'Unsupported media type "{kind}" in request.')

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return detail(500, "Internal server error.")
