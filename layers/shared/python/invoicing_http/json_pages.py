"""A list page whose results are JSON texts already (stored invoice documents), answered without parsing them.

Powertools validates a route's return value against its model and serialises it (`json.dumps`, compact, ASCII
only). For a page of 50 stored documents that is 50 `json.loads`, a validation and a dump in Python. Here the
page is assembled as text and pydantic-core validates and serialises it against the same model in one pass:
the field set, order and types are the model's exactly as with Powertools' response validation (a document
that does not fit answers 500 as it would), and the body is byte for byte what Powertools would send
(tests/unit/test_json_pages.py compares the two).

pydantic-core validates and serialises the page as plain dicts: the model's fields as TypedDicts (`_as_typed_dict`),
which give the same checks, field order and output without building a model instance per document and line (half
the time for a 50-invoice page).
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.event_handler.openapi.exceptions import ResponseValidationError
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from typing_extensions import TypedDict

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


def _as_typed_dict(model: type[BaseModel]) -> Any:
    """`model`'s fields (in order, with their constraints; nested models likewise) as a TypedDict that drops extra
    keys as the model does. Only for models whose fields are all required and that have no validators of their own:
    a TypedDict has neither defaults nor model validators."""
    decorators = model.__pydantic_decorators__
    if any(getattr(decorators, field.name) for field in dataclasses.fields(decorators)):
        raise TypeError(f"{model.__name__} has validators of its own")

    def converted(annotation: Any) -> Any:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return _as_typed_dict(annotation)
        arguments = typing.get_args(annotation)
        if not arguments:
            return annotation
        origin = typing.get_origin(annotation)
        new = tuple(converted(argument) for argument in arguments)
        if origin in (types.UnionType, typing.Union):
            return typing.Union[new]  # noqa: UP007 - built from a tuple
        return origin[new] if new != arguments else annotation

    fields = {}
    for name, field in model.model_fields.items():
        if not field.is_required() or field.alias not in (None, name):
            raise TypeError(f"{model.__name__}.{name} has a default or an alias")
        annotation = converted(field.annotation)
        fields[name] = Annotated[annotation, *field.metadata] if field.metadata else annotation
    typed = TypedDict(model.__name__, fields)  # type: ignore[misc] - built from the model
    typed.__pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[attr-defined]
    return typed


@cache
def _adapter(model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(_as_typed_dict(model))


def validated_json(model: type[BaseModel], text: str) -> str:
    """`text` validated against `model` and serialised as Powertools' response validation and serializer would:
    the model's fields in its order, compact, non-ASCII escaped. ResponseValidationError if it does not fit."""
    adapter = _adapter(model)
    try:
        dumped = adapter.dump_json(adapter.validate_json(text)).decode()
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
