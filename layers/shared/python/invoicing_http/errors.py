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

logger = Logger(child=True)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=json.dumps(body, separators=(",", ":")), headers=headers or {})


def detail(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"detail": message}, headers)


def field_errors(errors: list[dict[str, Any]]) -> Any:
    """pydantic's error list as Django REST framework's nested body: `{"field": ["message"]}`, with
    list items as lists of per-item objects (`{"positions": [{}, {"price": ["..."]}]}`)."""
    result: dict[str, Any] = {}
    for error in errors:
        location = [part for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        # pydantic names union branches and wrappers in the location; keep only real fields and indices.
        location = [part for part in location if isinstance(part, int) or not _is_type_tag(str(part))]
        message = _message(error)
        if not location:
            result.setdefault("non_field_errors", []).append(message)
            continue
        _insert(result, location, message)
    return result


def _is_type_tag(part: str) -> bool:
    return part in {"str", "int", "float", "bool", "dict", "list", "none", "decimal", "constrained-str"} or \
        part.startswith(("function-", "dict[", "list[", "json-or-python", "lax-or-strict", "tagged-union"))


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "This field is required."
    if kind in ("string_type",):
        return "Not a valid string."
    if kind in ("bool_type", "bool_parsing"):
        return "Must be a valid boolean."
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "A valid integer is required."
    if kind == "literal_error":
        return f'"{error.get("input")}" is not a valid choice.'
    if kind == "list_type":
        return f'Expected a list of items but got type "{type(error.get("input")).__name__}".'
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"Invalid data. Expected a dictionary, but got {type(error.get('input')).__name__}."
    if kind == "too_short" and isinstance(error.get("input"), list):
        return "This list may not be empty."
    # The limits of issue 10 in Django REST framework's words.
    context = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"Ensure this field has no more than {context.get('max_length')} characters."
    if kind == "too_long":
        return f"Ensure this field has no more than {context.get('max_length')} elements."
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "This field may not be blank."
    return str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")


def _insert(tree: dict[str, Any], location: list[Any], message: str) -> None:
    node: Any = tree
    for index, part in enumerate(location):
        last = index == len(location) - 1
        following = location[index + 1] if not last else None
        if isinstance(node, list):
            while len(node) <= part:
                node.append({})
            if last:
                node[part] = [message]
                return
            if not isinstance(node[part], dict):
                node[part] = {}
            node = node[part]
            continue
        key = str(part)
        if last:
            existing = node.get(key)
            if isinstance(existing, list) and all(isinstance(m, str) for m in existing):
                existing.append(message)
            else:
                node[key] = [message]
            return
        container = [] if isinstance(following, int) else {}
        if not isinstance(node.get(key), type(container)):
            node[key] = container
        node = node[key]


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
