"""The OpenAPI document merged from every API function's routes and models, and Swagger UI. No auth.

Powertools merges the functions' documents. Three things it cannot say are set here, once per cold start:
pretix's trailing slashes on the paths, no 422 (the API answers 400 with field errors, documented per route)
and no 500 for response validation. `servers` is set per request: the stage prefix under the execute-api
URL, none under a custom domain, so "Try it out" calls the address the document was fetched from.
"""

from __future__ import annotations

import invoicing_http.coldstart  # noqa: F401 - first: the garbage collector pauses while the function imports

# isort: split
import json
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from invoicing_http import cors, openapi
from invoicing_http.resolver import make_handler

FUNCTIONS = Path(__file__).resolve().parent.parent
DOCUMENT = "/api/v1/openapi.json"
SWAGGER = "/api/v1/docs"
NOT_SENT = {"422", "500"}  # Powertools documents these for validation; the API answers 400 (and never means 500)
POWERTOOLS_ONLY_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")

app = APIGatewayRestResolver(enable_validation=True, cors=cors.config())


def _merge() -> str:
    """The functions' documents merged. Powertools finds them by reading every app.py (hundreds of ms): done on the
    first request for the document, not in the cold start of every invocation."""
    app.configure_openapi_merge(path=str(FUNCTIONS), pattern="app.py", exclude=["api_docs/*"], recursive=True,
                                title="Invoicing API (pretix-compatible)", version="1.0.0",
                                description="pretix's invoice API on AWS. Authenticate with `Authorization: Token "
                                            "<secret>` (the Authorize button). Errors are `{\"detail\": ...}` or, for "
                                            "invalid input, Django REST framework's field errors.",
                                security_schemes=openapi.SECURITY_SCHEMES, on_conflict="error")
    return app.get_openapi_merge_json_schema()


def _slashed(path: str) -> str:
    """pretix's paths end in a slash (a GET without it is redirected); the Hostway account API's do not."""
    return path + "/" if path.startswith("/api/v1/") and not path.endswith("/") else path


@cache
def _document() -> dict[str, Any]:
    merged = json.loads(_merge())
    paths = {}
    for path, item in merged.get("paths", {}).items():
        for operation in item.values():
            responses = operation.get("responses", {})
            for code in NOT_SENT & set(responses):
                del responses[code]
        paths[_slashed(path)] = item
    merged["paths"] = paths
    schemas = merged.get("components", {}).get("schemas", {})
    for name in POWERTOOLS_ONLY_SCHEMAS:
        schemas.pop(name, None)
    return merged


def _stage_prefix() -> str:
    """`/prod` when the client called the execute-api URL (its path starts with the stage), else empty."""
    event = app.current_event
    client_path = event.request_context.path or event.path
    return client_path[: len(client_path) - len(event.path)] if client_path.endswith(event.path) else ""


def document_for_request() -> dict[str, Any]:
    return {**_document(), "servers": [{"url": _stage_prefix() or "/",
                                        "description": "This API, as addressed by this request"}]}


@app.get(DOCUMENT, include_in_schema=False)
def openapi_document():
    return Response(status_code=200, content_type="application/json", body=json.dumps(document_for_request()))


@app.get(SWAGGER, include_in_schema=False)
def swagger_ui():
    if (app.current_event.query_string_parameters or {}).get("format") == "json":  # the URL Swagger UI shows
        return openapi_document()
    from aws_lambda_powertools.event_handler.openapi import swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    spec = json.dumps(document_for_request()).replace("</", "<\\/")
    html = generate_swagger_html(spec, (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
                                 (assets / "swagger-ui.min.css").read_text(encoding="utf-8"), None, None,
                                 persist_authorization=True)
    return Response(status_code=200, content_type="text/html", body=html)


lambda_handler = make_handler(app, None)
