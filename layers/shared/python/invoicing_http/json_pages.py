"""A list page whose results are JSON texts already (stored invoice documents), answered without parsing them.

Powertools validates a route's return value against its model and serialises it (`json.dumps`, compact, ASCII
only). For a page of 50 stored documents that is 50 `json.loads`, a validation and a dump in Python. Here the
page is assembled as text and pydantic-core validates and serialises it against the same model in one pass:
the field set, order and types are the model's exactly as with Powertools' response validation (a document
that does not fit answers 500 as it would), and the body is byte for byte what Powertools would send
(tests/unit/test_json_pages.py compares the two).
"""

from __future__ import annotations

import json
import re

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.event_handler.openapi.exceptions import ResponseValidationError
from pydantic import BaseModel, ValidationError

from invoicing.pagination import Page
from invoicing_http.links import envelope

# What json.dumps(ensure_ascii=True) escapes beyond pydantic-core's output: DEL and every non-ASCII character.
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x00-\x7e]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def validated_json(model: type[BaseModel], text: str) -> str:
    """`text` validated against `model` and serialised as Powertools' response validation and serializer would:
    the model's fields in its order, compact, non-ASCII escaped. ResponseValidationError if it does not fit."""
    try:
        dumped = model.model_validate_json(text).model_dump_json()
    except ValidationError as exc:
        raise ResponseValidationError(errors=exc.errors(include_url=False)) from None
    if dumped.isascii() and "\x7f" not in dumped:
        return dumped
    return _NOT_PRINTABLE_ASCII.sub(_escape, dumped)


def json_page(router: BaseRouter, page: Page, model: type[BaseModel]) -> Response:
    """`links.envelope` for results that are JSON texts, validated against the page's `model`."""
    wrapper = envelope(router, page)
    head = json.dumps({key: wrapper[key] for key in ("count", "next", "previous")}, ensure_ascii=False)
    text = f'{head[:-1]}, "results": [{",".join(page.results)}]}}'
    return Response(status_code=200, content_type="application/json", body=validated_json(model, text))
