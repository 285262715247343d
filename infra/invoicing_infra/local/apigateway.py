"""API Gateway REST emulator: the template's routes, the Lambda proxy event v1, binary media types, API Gateway's errors."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Response

logger = logging.getLogger("local_stack.apigateway")  # not __name__: see stack.LOGGER_NAME

MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024  # REST API payload limit
MAX_LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024  # synchronous Lambda invocation payload limit
_RAW_HEADERS = "invoicing.raw_headers"
# Set by API Gateway itself, not taken from the function's response.
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection"}

Invoke = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or ANY
    path: str  # template path: /a/{b}/{proxy+}, no trailing slash
    function_id: str
    api_id: str  # the apiId the event carries
    stage: str
    binary_media_types: tuple[str, ...] = ()
    segments: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.path.strip("/").split("/")) if self.path.strip("/") else ())

    def match(self, segments: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
        """(rank, path parameters) if the path matches; a lower rank is more specific.

        API Gateway prefers, segment by segment, a literal over `{param}` over `{proxy+}`: comparing the
        tuples of segment kinds (0, 1, 2) lexicographically gives the same order.
        """
        rank: list[int] = []
        params: dict[str, str] = {}
        for index, template_segment in enumerate(self.segments):
            if template_segment.startswith("{") and template_segment.endswith("+}"):
                rest = segments[index:]
                if not rest or not any(rest):
                    return None
                params[template_segment[1:-2]] = unquote("/".join(rest))
                return (*rank, 2), params
            if index >= len(segments) or not segments[index]:
                return None
            if template_segment.startswith("{") and template_segment.endswith("}"):
                params[template_segment[1:-1]] = unquote(segments[index])
                rank.append(1)
            elif unquote(segments[index]) == template_segment:
                rank.append(0)
            else:
                return None
        if len(segments) != len(self.segments):
            return None
        return tuple(rank), params


def media_type_matches(media_type: str | None, binary_media_types: Iterable[str]) -> bool:
    """Whether a Content-Type or Accept entry is one of the Api's BinaryMediaTypes (`type/*` allowed).

    `*/*` makes everything binary, with or without the header: every response body the function
    base64-encodes is decoded, and every request body reaches the function base64-encoded.
    """
    patterns = [pattern.strip().lower() for pattern in binary_media_types]
    if "*/*" in patterns:
        return True
    if not media_type:
        return False
    media_type = media_type.split(";", 1)[0].strip().lower()
    main_type = media_type.split("/", 1)[0]
    return any(pattern == media_type or (pattern.endswith("/*") and pattern[:-2] == main_type) for pattern in patterns)


def first_accept_type(accept: str | None) -> str | None:
    """API Gateway looks only at the first media type of Accept to decide whether to send binary."""
    if not accept:
        return None
    return accept.split(",", 1)[0].split(";", 1)[0].strip() or None


class ApiGateway:
    """A WSGI application answering as API Gateway (REST, Lambda proxy integration) does for the given routes.

    Paths are served as they are under a custom domain (`/api/v1/...`) and also with the stage first, as
    under the execute-api URL (`/prod/api/v1/...`). Either way the event's `path` has no stage;
    `requestContext.path` is the path the client sent, as on AWS.
    """

    def __init__(self, routes: Iterable[Route], invoke: Invoke, account_id: str,
                 gateway_responses: Mapping[str, Mapping[str, Any]] | None = None):
        self.routes = list(routes)
        self._invoke = invoke
        self._account_id = account_id
        self._stages = {route.stage for route in self.routes}
        self._gateway_responses = dict(gateway_responses or {})

    def _gateway_error(self, response_type: str, status: int, message: str, error_type: str | None = None) -> Response:
        """API Gateway's own error, shaped by the Api's GatewayResponses when the template declares one for it
        (by type, else DEFAULT_4XX / DEFAULT_5XX): status, `application/json` template, headers."""
        default = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        spec = self._gateway_responses.get(response_type) or self._gateway_responses.get(default)
        if not spec:
            return _error(status, message, error_type)
        status = int(spec.get("StatusCode") or status)
        template = (spec.get("ResponseTemplates") or {}).get("application/json")
        body = json.dumps({"message": message}) if template is None else template.replace(
            "$context.error.messageString", json.dumps(message)).replace("$context.error.message", message)
        response = Response(body, status=status, content_type="application/json")
        for name, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items():
            response.headers[name] = str(value).strip("'")  # static values are quoted: "'*'"
        if error_type:
            response.headers["x-amzn-ErrorType"] = error_type
        return response

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        response, function_id = self._handle(environ, request_id)
        response.headers["x-amzn-RequestId"] = request_id
        logger.info(
            "%s %s -> %s%s (%.0f ms)",
            environ.get("REQUEST_METHOD"),
            environ.get("RAW_URI") or environ.get("PATH_INFO"),
            response.status_code,
            f" {function_id}" if function_id else "",
            (time.monotonic() - started) * 1000,
        )
        return response(environ, start_response)

    # --- Routing ---

    def _best_path(self, segments: list[str], stage: str | None) -> tuple[str, dict[str, str]] | None:
        """The most specific template path matching the segments, and its path parameters."""
        best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
        for route in self.routes:
            if stage is not None and route.stage != stage:
                continue
            matched = route.match(segments)
            if matched and (best is None or matched[0] < best[0]):
                best = (matched[0], route.path, matched[1])
        return (best[1], best[2]) if best else None

    def _route(self, method: str, raw_path: str) -> tuple[Route | None, dict[str, str], str] | None:
        """(route, or None when its path has no such method; path parameters; path without the stage)."""
        segments = raw_path.rstrip("/").split("/")[1:]
        attempts: list[tuple[str | None, list[str], str]] = []
        if segments and unquote(segments[0]) in self._stages:
            attempts.append((unquote(segments[0]), segments[1:], raw_path[len(segments[0]) + 1 :] or "/"))
        attempts.append((None, segments, raw_path))
        for stage, candidate_segments, path in attempts:
            found = self._best_path(candidate_segments, stage)
            if found is None:
                continue
            template_path, params = found
            same_path = [r for r in self.routes if r.path == template_path and stage in (None, r.stage)]
            route = next((r for r in same_path if r.method == method), None) or next(
                (r for r in same_path if r.method == "ANY"), None
            )
            return route, params, path
        return None

    # --- Request -> event -> response ---

    def _handle(self, environ: dict[str, Any], request_id: str) -> tuple[Response, str | None]:
        method = environ["REQUEST_METHOD"].upper()
        raw_uri = _wsgi_to_str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
        split = urlsplit(raw_uri)
        raw_path = split.path or "/"
        found = self._route(method, raw_path)
        if found is None or found[0] is None:
            return self._gateway_error("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token",
                                       "MissingAuthenticationTokenException"), None
        route, path_parameters, path = found
        assert route is not None
        body = _read_body(environ)
        if body is None:
            return self._gateway_error("REQUEST_TOO_LARGE", 413, "Request Too Long", "RequestTooLargeException"), None
        headers = _request_headers(environ)
        event = self._event(environ, route, method, path, path_parameters, split.query, headers, body, request_id)
        try:
            result = self._invoke(route.function_id, event)
            response = self._response(result, route, headers)
        except Exception:
            logger.exception("%s failed on %s %s", route.function_id, method, raw_path)
            response = self._gateway_error("DEFAULT_5XX", 502, "Internal server error")
        return response, route.function_id

    def _event(
        self,
        environ: dict[str, Any],
        route: Route,
        method: str,
        path: str,
        path_parameters: dict[str, str],
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        request_id: str,
    ) -> dict[str, Any]:
        single_headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in headers:
            single_headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        single_query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            single_query[name] = value  # API Gateway keeps the last value of a repeated parameter
            multi_query.setdefault(name, []).append(value)
        lower_headers = {name.lower(): value for name, value in headers}
        is_binary = bool(body) and media_type_matches(lower_headers.get("content-type"), route.binary_media_types)
        if not body:
            event_body = None
        elif is_binary:
            event_body = base64.b64encode(body).decode("ascii")
        else:
            event_body = body.decode("utf-8", errors="replace")
        host = lower_headers.get("host", "")
        now = time.time()
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": single_headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": single_query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": self._account_id,
                "apiId": route.api_id,
                "domainName": host,
                "domainPrefix": host.split(".", 1)[0],
                "extendedRequestId": request_id,
                "httpMethod": method,
                "identity": {
                    "accessKey": None,
                    "accountId": None,
                    "caller": None,
                    "cognitoAuthenticationProvider": None,
                    "cognitoAuthenticationType": None,
                    "cognitoIdentityId": None,
                    "cognitoIdentityPoolId": None,
                    "principalOrgId": None,
                    "sourceIp": environ.get("REMOTE_ADDR", "127.0.0.1"),
                    "user": None,
                    "userAgent": lower_headers.get("user-agent"),
                    "userArn": None,
                },
                # Through the execute-api URL the client's path starts with the stage; under a custom
                # domain (what the plain local paths stand for) it does not.
                "path": urlsplit(_wsgi_to_str(environ.get("RAW_URI") or environ.get("REQUEST_URI")
                                              or environ.get("PATH_INFO", "/"))).path or path,
                "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "requestId": request_id,
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "requestTimeEpoch": int(now * 1000),
                "resourceId": route.path,
                "resourcePath": route.path,
                "stage": route.stage,
            },
            "body": event_body,
            "isBase64Encoded": is_binary,
        }

    def _response(self, result: Any, route: Route, request_headers: list[tuple[str, str]]) -> Response:
        """The client's response from the Lambda result; a result API Gateway would reject raises ValueError."""
        if len(json.dumps(result).encode("utf-8")) > MAX_LAMBDA_RESPONSE_BYTES:
            raise ValueError(f"response larger than Lambda's {MAX_LAMBDA_RESPONSE_BYTES} bytes")
        if not isinstance(result, dict):
            raise ValueError(f"malformed Lambda proxy response: {type(result).__name__}, not an object")
        status = result.get("statusCode")
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        if not isinstance(status, int) or isinstance(status, bool):
            raise ValueError(f"malformed Lambda proxy response: statusCode {status!r}")
        body = result.get("body")
        if body is not None and not isinstance(body, str):
            raise ValueError(f"malformed Lambda proxy response: body is {type(body).__name__}, not a string")
        accept = next((value for name, value in request_headers if name.lower() == "accept"), None)
        if body and result.get("isBase64Encoded") and media_type_matches(
            first_accept_type(accept), route.binary_media_types
        ):
            try:
                payload = base64.b64decode(body, validate=True)
            except binascii.Error as exc:
                raise ValueError("malformed Lambda proxy response: isBase64Encoded but body is not base64") from exc
        else:
            payload = (body or "").encode("utf-8")
        response = Response(payload, status=status)
        response.headers.clear()
        for name, value in _merge_response_headers(result):
            if name.lower() not in _HOP_BY_HOP:
                response.headers.add(name, value)
        if "Content-Type" not in response.headers:
            response.headers["Content-Type"] = "application/json"
        return response


def _merge_response_headers(result: dict[str, Any]) -> list[tuple[str, str]]:
    """headers + multiValueHeaders; for a name in both, only the multiValueHeaders values count (as on AWS)."""
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise ValueError("malformed Lambda proxy response: headers must be objects")
    multi_names = {name.lower() for name in multi}
    merged = [(name, _header_value(value)) for name, value in single.items() if name.lower() not in multi_names]
    for name, values in multi.items():
        if not isinstance(values, list):
            raise ValueError(f"malformed Lambda proxy response: multiValueHeaders[{name!r}] is not a list")
        merged.extend((name, _header_value(value)) for value in values)
    return merged


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _error(status: int, message: str, error_type: str | None = None) -> Response:
    response = Response(json.dumps({"message": message}), status=status, content_type="application/json")
    if error_type:
        response.headers["x-amzn-ErrorType"] = error_type
    return response


def _wsgi_to_str(value: str) -> str:
    """WSGI strings are latin-1 decoded bytes."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body, or None when it is over API Gateway's limit."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        size = int(length)
        if size > MAX_REQUEST_BODY_BYTES:
            _discard(stream, size)
            return None
        return stream.read(size)
    if environ.get("wsgi.input_terminated"):  # chunked
        body = stream.read(MAX_REQUEST_BODY_BYTES + 1)
        return None if len(body) > MAX_REQUEST_BODY_BYTES else body
    return b""


def _discard(stream: Any, size: int, limit: int = 64 * 1024 * 1024) -> None:
    """Reads a rejected body away (up to a limit), so the client gets the 413 rather than a broken pipe."""
    remaining = min(size, limit)
    while remaining > 0:
        chunk = stream.read(min(remaining, 1024 * 1024))
        if not chunk:
            return
        remaining -= len(chunk)


def _request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The headers as the client sent them (names' case, repeated headers) plus what API Gateway adds."""
    headers = environ.get(_RAW_HEADERS)
    if headers is None:  # served by another WSGI server: rebuild them from the environ
        headers = [
            (key[5:].replace("_", "-").title(), value) for key, value in environ.items() if key.startswith("HTTP_")
        ]
        headers += [
            (name, environ[key])
            for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length"))
            if environ.get(key)
        ]
    names = {name.lower() for name, _ in headers}
    added = {
        "X-Forwarded-For": environ.get("REMOTE_ADDR", "127.0.0.1"),
        "X-Forwarded-Port": str(environ.get("SERVER_PORT", "")),
        "X-Forwarded-Proto": environ.get("wsgi.url_scheme", "http"),
    }
    return list(headers) + [(name, value) for name, value in added.items() if name.lower() not in names]


class _RequestHandler(WSGIRequestHandler):
    """Keeps the raw header list (WSGI loses the names' case and merges repeats) and leaves logging to the app."""

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[_RAW_HEADERS] = [(name, value.replace("\r\n", "")) for name, value in self.headers.items()]
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def make_api_server(host: str, port: int, app: ApiGateway) -> BaseWSGIServer:
    try:
        return make_server(host, port, app, threaded=True, request_handler=_RequestHandler)
    except SystemExit:  # werkzeug exits the process when the port is taken
        raise OSError(f"cannot listen on {host}:{port}: the port is in use") from None
