"""The resolver every API function builds on, and the Lambda entry point around it.

The entry point does, in order: pretix's 301 for a GET without its trailing slash, the body-size
limit, the idempotency key (which replays whole responses, errors included), authentication and
permissions (before routing and before body validation, so 401/403 come first), then routing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from invoicing import metrics
from invoicing.errors import DomainError
from invoicing_http import coldstart, cors, errors, guard, idempotency, openapi

MAX_BODY_BYTES = 1024 * 1024
# On every response (they hold personal data): no MIME sniffing, no caching, no Referer to links followed from
# it. A response that sets its own Cache-Control keeps it (downloads: `private, no-cache` with their ETag).
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
logger = Logger(service="invoicing")


def configure(app: APIGatewayRestResolver) -> APIGatewayRestResolver:
    """Install pretix's error bodies and its 405/404 on a function's resolver.

    Each function writes `app = APIGatewayRestResolver(...)` itself: Powertools' OpenAPI merge (the
    docs function) finds resolvers by reading that assignment in the source.
    """
    errors.register(app)
    app.configure_openapi(security_schemes=openapi.SECURITY_SCHEMES)  # routes name the Token scheme

    @app.not_found
    def _unrouted(_: NotFoundError) -> Response:
        """A path the function serves, with a method it does not: 405 with `Allow` as pretix, else 404."""
        method = app.current_event.http_method.upper()
        allowed = allowed_methods(app, app.current_event.path)
        if allowed:
            return errors.detail(405, f'Method "{method}" not allowed.', {"Allow": ", ".join(allowed)})
        return errors.detail(404, "Not found.")

    return app


def allowed_methods(app: APIGatewayRestResolver, path: str) -> list[str]:
    """The methods the function's routes serve on this path (none: the function does not know the path)."""
    path = path.rstrip("/") or "/"
    methods = {route.method.upper() for route in app._static_routes + app._dynamic_routes if route.rule.match(path)}
    return sorted(methods)


def _unsupported_media_type(event: dict[str, Any]) -> str | None:
    """The Content-Type of a request body that is not JSON, as Django REST framework names it in its 415.

    Every API body is JSON; a form (`curl -d` without -H) would otherwise be read as missing fields.
    A body without Content-Type is read as JSON.
    """
    if not event.get("body") or (event.get("httpMethod") or "").upper() not in BODY_METHODS:
        return None
    content_type = (guard.header(event.get("headers"), "Content-Type") or "").strip()
    media_type = content_type.split(";", 1)[0].strip().lower()
    return content_type if media_type and media_type != "application/json" else None


def principal(app: APIGatewayRestResolver):
    return app.context["principal"]


def _redirect_to_slash(event: dict[str, Any]) -> dict[str, Any] | None:
    path = event.get("path") or "/"
    if (event.get("httpMethod") or "").upper() != "GET" or path.endswith("/") or not path.startswith("/api/v1/"):
        return None
    if path.endswith(".json") or path.endswith("/docs"):
        return None
    params = event.get("multiValueQueryStringParameters") or {}
    query = urlencode([(key, value) for key, values in params.items() for value in values])
    # The path as the client sent it: with the stage under the execute-api URL, without under a custom domain.
    client_path = (event.get("requestContext") or {}).get("path") or path
    location = client_path + "/" + ("?" + query if query else "")
    return {"statusCode": 301, "headers": {"Location": location, "Content-Type": "application/json"},
            "body": "", "isBase64Encoded": False}


def _body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    return len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body)


def _unparsable_body(event: dict[str, Any]) -> str | None:
    """Why a JSON body cannot be read, if it cannot: the resolver would raise more than JSONDecodeError
    (RecursionError on deep nesting, ValueError on huge integers, UnicodeDecodeError on bytes that are
    not UTF-8), which must be a 400, never a 500.

    With BinaryMediaTypes `*/*` API Gateway hands every body over base64-encoded; Powertools decodes it.
    """
    body = event.get("body")
    if not body:
        return None
    try:
        text = base64.b64decode(body, validate=True).decode("utf-8") if event.get("isBase64Encoded") else body
    except (binascii.Error, UnicodeDecodeError):
        return "the body is not UTF-8 text"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.msg
    except (ValueError, RecursionError):
        return "the document is too deeply nested or holds a number too large"
    return None


def secured(response: dict[str, Any]) -> dict[str, Any]:
    """The response with the security headers it does not set itself (in whichever header map it uses)."""
    single, multi = response.get("headers") or {}, response.get("multiValueHeaders") or {}
    present = {name.lower() for name in (*single, *multi)}
    missing = {name: value for name, value in SECURITY_HEADERS.items() if name.lower() not in present}
    if "multiValueHeaders" in response:
        response["multiValueHeaders"] = {**multi, **{name: [value] for name, value in missing.items()}}
    else:
        response["headers"] = {**single, **missing}
    return response


def make_handler(app: APIGatewayRestResolver, policy: guard.Policy | None,
                 check: Callable[[dict[str, Any], guard.Policy], Any] = guard.check) -> Callable[[dict[str, Any], Any], dict]:
    """The Lambda handler of an API function; `policy` None means the routes need no authentication.

    `check` authenticates and authorizes (organizer tokens by default; the platform API passes its own).
    Called last in every app.py: the function's import is done, the garbage collector resumes (coldstart.py).
    """
    coldstart.finished()

    def respond(response: Response) -> dict[str, Any]:
        return {"statusCode": response.status_code, "headers": dict(response.headers),
                "body": response.body, "isBase64Encoded": False}

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if policy is not None:
            try:
                app.append_context(principal=check(event, policy))
            except DomainError as exc:
                handler = app.exception_handler_manager.lookup_exception_handler(type(exc))
                return respond(handler(exc))
        method = (event.get("httpMethod") or "GET").upper()
        if method not in allowed_methods(app, event.get("path") or "/"):  # 404/405 before the body's problems
            return app.resolve(event, context)
        media_type = _unsupported_media_type(event)
        if media_type is not None:
            return respond(errors.detail(415, f'Unsupported media type "{media_type}" in request.'))
        problem = _unparsable_body(event)
        if problem:
            return respond(errors.detail(400, f"JSON parse error - {problem}"))
        return app.resolve(event, context)

    def answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        redirect = _redirect_to_slash(event)
        if redirect:
            return redirect
        if _body_size(event) > MAX_BODY_BYTES:
            return respond(errors.detail(413, "Request body too large."))
        if (event.get("httpMethod") or "GET").upper() not in allowed_methods(app, event.get("path") or "/"):
            return handle(event, context)  # a 404/405 runs nothing: no key is spent on it, none replayed to it
        return idempotency.once(handle, event, context, lambda: respond(errors.detail(
            409, "Concurrent request with idempotency key.", {"Retry-After": "5"})),
            lambda: respond(errors.detail(400, idempotency.OTHER_REQUEST)))

    cors_config = cors.config()

    @metrics.flushed
    @logger.inject_lambda_context(clear_state=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if cors.is_preflight(cors_config, event):  # a browser's preflight carries no token: answer it first
            return secured(app.resolve(event, context))
        return secured(cors.added(cors_config, event, answer(event, context)))

    return lambda_handler
