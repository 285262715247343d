"""The Hostway-style account API as the OpenAPI document shows it: one invoice (JSON or PDF by Accept), the list."""

from __future__ import annotations

from typing import Any

from invoicing_http import openapi as doc

JSON, PDF = "application/json", "application/pdf"
OFFERED = (JSON, PDF)  # what an account invoice is offered as, the first when Accept says nothing


def invoice_responses() -> dict[int, dict[str, Any]]:
    responses = doc.responses(
        {200: {"description": "The invoice as JSON (Accept: application/json or none) or its PDF (Accept: application/pdf)",
               "content": {JSON: {"schema": {"type": "object", "additionalProperties": True},
                                  "example": doc.examples()["account_invoice"]},
                           PDF: {"schema": {"type": "string", "format": "binary"}}}},
         304: {"description": "PDF not modified (If-None-Match names the current ETag)", "content": {}}},
        423)
    responses[406] = {"description": "Neither JSON nor PDF is acceptable: the offered types are listed",
                      "content": {JSON: {"schema": {"type": "object", "required": ["detail", "offered"], "properties": {
                          "detail": {"type": "string"}, "offered": {"type": "array", "items": {"type": "string"}}}},
                          "example": {"detail": "Could not satisfy the request Accept header.",
                                      "offered": list(OFFERED)}}}}
    return responses


def list_responses() -> dict[int, dict[str, Any]]:
    return doc.responses(
        {200: {"description": "`list` and `links` (self, previous, first, next, last)",
               "content": {JSON: {"schema": {"type": "object", "required": ["list", "links"], "properties": {
                   "list": {"type": "array", "items": {"type": "object"}},
                   "links": {"type": "array", "items": {"type": "object", "properties": {
                       "href": {"type": "string"}, "rel": {"type": "string"}}}}}}}}},
         303: {"description": "Too many for one answer: the Location names the page to ask for", "content": {},
               "headers": {"Location": {"schema": {"type": "string"}}}}})
