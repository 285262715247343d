"""What the OpenAPI document says beyond route signatures: the Token scheme, the query and header
parameters, the error responses the API really sends, and the contract's examples.

Routes declare these through Powertools (`security=`, `responses=`, `Query`/`Header` parameters); this
module only holds the shared pieces as plain dicts, so importing it costs a cold start nothing. The
parameters are typed `list[str] | None` for the resolver (repeated values never fail, the domain parses
them as pretix does) and documented with their real type through `json_schema_extra`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Header, Query

TOKEN_SCHEME = {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <secret>` (pretix's scheme: type the word Token, a space, then the secret). "
                               "Organizer tokens: `invoicing token create`; platform tokens for `/api/v1/platform/`: "
                               "`invoicing platform token create`."}
SECURITY_SCHEMES = {"Token": TOKEN_SCHEME}
SECURITY = [{"Token": []}]
JSON = "application/json"


@cache
def examples() -> dict[str, Any]:
    """The contract's example responses, verbatim (openapi_examples.json says where each comes from)."""
    return json.loads((Path(__file__).parent / "openapi_examples.json").read_text(encoding="utf-8"))


# --- Error responses -----------------------------------------------------------------------------

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"],
          "additionalProperties": False}
FIELD_ERRORS = {"type": "object", "description": "Django REST framework's field errors: each invalid field with a list "
                "of messages; nested objects and lists of objects mirror the body (`non_field_errors` for the "
                "body as a whole).", "minProperties": 1}
MESSAGE_LIST = {"type": "array", "items": {"type": "string"}, "description": "Messages that concern no single field."}


def _detail(description: str, example: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {JSON: {"schema": DETAIL, "example": {"detail": example}}}}
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before asking again", "schema": {"type": "integer"}}}
ERRORS: dict[int, dict[str, Any]] = {
    400: {"description": "Invalid input: field errors, or `{\"detail\": ...}` for a refused action or unreadable JSON",
          "content": {JSON: {"schema": {"anyOf": [DETAIL, FIELD_ERRORS, MESSAGE_LIST]},
                             "example": {"email": ["Enter a valid email address."]}}}},
    401: _detail("No, a malformed or an unknown token (or one of the wrong kind)", "Invalid token.",
                 {"WWW-Authenticate": {"schema": {"type": "string", "enum": ["Token"]}}}),
    403: _detail("The organizer or event does not exist or the token may not see it, or it lacks the permission",
                 "You do not have permission to perform this action."),
    404: _detail("No such object (or an invalid page)", "Not found."),
    405: _detail("The path exists, the method does not", 'Method "DELETE" not allowed.',
                 {"Allow": {"description": "The methods the path serves", "schema": {"type": "string"}}}),
    406: _detail("No representation matches the Accept header", "Could not satisfy the request Accept header."),
    409: _detail("Being produced (retry after Retry-After seconds), or a request with the same X-Idempotency-Key is "
                 "still running", "The requested resource is not ready, please retry later.", RETRY_AFTER),
    413: _detail("The body is larger than 1 MiB", "Request body too large."),
    415: _detail("A body whose Content-Type is not application/json",
                 'Unsupported media type "application/x-www-form-urlencoded" in request.'),
    423: _detail("Billing invoice in review, or its PDF being prepared: retry after Retry-After seconds",
                 "The file is not yet ready and will now be prepared. Retry the request after waiting for a few "
                 "seconds.", RETRY_AFTER),
}
COMMON = (400, 401, 403, 404, 405, 413)  # any authenticated route: its input, its token, its path, its size
WRITE = (409, 415)  # POST/PATCH: idempotency key in use, a body that is not JSON


def responses(success: dict[int, dict[str, Any]], *extra: int, write: bool = False) -> dict[int, dict[str, Any]]:
    """The success responses plus the errors every authenticated route can answer, and `extra` ones."""
    codes = sorted({*COMMON, *(WRITE if write else ()), *extra})
    return {**success, **{code: ERRORS[code] for code in codes}}


def ok(description: str, model: Any = None, example: Any = None, status: int = 200) -> dict[int, dict[str, Any]]:
    """A JSON success response: its schema from `model`, else from the route's return annotation."""
    if model is None:
        return {status: {"description": description}}
    content: dict[str, Any] = {"model": model}
    if example is not None:
        content["example"] = example
    return {status: {"description": description, "content": {JSON: content}}}


NO_CONTENT = {204: {"description": "Done (no body)", "content": {}}}


# --- Parameters ------------------------------------------------------------------------------------

def _documented(schema: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A json_schema_extra that replaces the generated schema with the documented one."""

    def replace(generated: dict[str, Any]) -> None:
        generated.clear()
        generated.update(schema)

    return replace


def query(description: str, schema: dict[str, Any]) -> Any:
    return Query(description=description, json_schema_extra=_documented(schema))


def header(name: str, description: str, schema: dict[str, Any] | None = None) -> Any:
    return Header(alias=name, description=description, json_schema_extra=_documented(schema or {"type": "string"}))


Values = list[str] | None
Page = Annotated[Values, query("The page to show, from 1 (or `last`). A page past the end is 404 \"Invalid page.\"",
                               {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100000},
                                          {"type": "string", "enum": ["last"]}], "default": 1})]
PageSize = Annotated[Values, query("Results per page, at most 50 (other values mean 50)",
                                   {"type": "integer", "minimum": 1, "maximum": 50, "default": 50})]
Cursor = Annotated[Values, query("Opaque position from a `next` link: with it, a deep page costs one page of reads. "
                                 "Keep it as the link gives it.", {"type": "string", "maxLength": 500})]
InvoiceOrdering = Annotated[Values, query("Sort order: `nr`/`-nr` (also `number`/`-number`) or `date`/`-date`; "
                                          "unknown values mean `nr`",
                                          {"type": "string", "enum": ["nr", "-nr", "number", "-number", "date", "-date"],
                                           "default": "nr"})]
OrderFilter = Annotated[Values, query("Only invoices of these order codes (repeat the parameter for several)",
                                      {"type": "array", "items": {"type": "string", "maxLength": 16}})]
NumberFilter = Annotated[Values, query("Only these invoice numbers (repeat the parameter for several)",
                                       {"type": "array", "items": {"type": "string", "maxLength": 200}})]
IsCancellation = Annotated[Values, query("Only cancellation documents (`true`) or only invoices (`false`)",
                                         {"type": "boolean"})]
Refers = Annotated[Values, query("Only cancellations of this invoice number", {"type": "string", "maxLength": 200})]
Locale = Annotated[Values, query("Only invoices in this locale", {"type": "string", "maxLength": 20,
                                                                   "examples": ["en", "de"]})]
BillingOrdering = Annotated[Values, query("Sort order by issue date; unknown values mean `date_issued`",
                                          {"type": "string", "enum": ["date_issued", "-date_issued"],
                                           "default": "date_issued"})]
HostwayPage = Annotated[Values, query("Page number, from 1; without page and pageSize the whole list (303 to page 1 "
                                      "beyond 100 invoices)", {"type": "integer", "minimum": 1, "maximum": 100000})]
HostwayPageSize = Annotated[Values, query("Invoices per page (above 400: 303 to the same page with 400)",
                                          {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100})]

IdempotencyKey = Annotated[Values, header(
    "X-Idempotency-Key", "Run this request once: a repeat with the same key and token within 24 hours gets the "
    "first answer again (409 while the first is still running)", {"type": "string", "maxLength": 200})]
IfNoneMatch = Annotated[Values, header("If-None-Match", "ETag(s) of the file you hold: 304 without a body if "
                                                            "it is still current")]
DownloadAccept = Annotated[Values, header(
    "Accept", "`application/xml` (or `text/xml`) first for the e-invoice XML of Peppol and SdI invoices; anything "
    "else gets the PDF")]
AccountAccept = Annotated[Values, header(
    "Accept", "`application/json` (or none) for the invoice as JSON, `application/pdf` for its PDF; 406 otherwise")]
