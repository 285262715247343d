"""A list page answered from stored JSON (invoicing_http/json_pages.py) is byte for byte what Powertools' response
validation and serializer send for the same page returned as a dict from a route annotated with the model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.exceptions import ResponseValidationError
from pydantic import BaseModel, ValidationError, field_validator

from invoicing.invoices.models import TRANSMISSION_FIELDS, InvoicePage
from invoicing.pagination import Page
from invoicing.storage.invoices import listed_doc, listed_json, stored_json
from invoicing_http.json_pages import _as_typed_dict, json_page, validated_json
from invoicing_http.openapi import examples


def _item(doc: dict[str, Any], as_map: bool = False) -> dict[str, Any]:
    """An invoice item as a list page reads it: the public document without the transmission fields, beside it."""
    public = {key: value for key, value in doc.items() if key not in TRANSMISSION_FIELDS}
    return {"doc": public if as_map else stored_json(public), **{name: doc[name] for name in TRANSMISSION_FIELDS}}


def _documents() -> list[dict[str, Any]]:
    base = examples()["invoice"]
    unusual = {**base, "number": "T-2", "invoice_to_name": 'Zoë "Q" Back\\slash \x01\t\x7f 東京 😀 \u2028',
               "transmission_provider": "Ünïcode 😀", "transmission_date": None}
    reordered = dict(reversed(list({**base, "number": "T-3"}.items())))
    with_extra = {**base, "number": "T-4", "not_in_the_contract": "dropped by the model"}
    return [base, unusual, reordered, with_extra]


def _resolver_pair(page: Page) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500)

    @app.get("/validated")
    def validated() -> InvoicePage:  # what Powertools does with a dict page
        return {"count": page.count, "next": None, "previous": None, "results": [json.loads(r) for r in page.results]}

    @app.get("/prepared")
    def prepared():
        return json_page(app, page, InvoicePage)

    return app


def _get(app: APIGatewayRestResolver, path: str) -> dict[str, Any]:
    event = {"path": path, "httpMethod": "GET", "headers": {"Host": "api.example"}, "resource": path,
             "requestContext": {"path": path, "stage": "prod", "domainName": "api.example"},
             "multiValueQueryStringParameters": None, "queryStringParameters": None, "body": None}
    return app.resolve(event, None)


@pytest.mark.parametrize("as_map", [False, True], ids=["stored string", "stored map"])
def test_a_prepared_page_is_byte_for_byte_what_powertools_validation_sends(as_map):
    items = [_item(doc, as_map) for doc in _documents()]
    page = Page(count=4, results=[listed_json(item) for item in items], number=1, page_size=50)
    app = _resolver_pair(page)

    validated, prepared = _get(app, "/validated"), _get(app, "/prepared")

    assert validated["statusCode"] == prepared["statusCode"] == 200
    assert prepared["body"] == validated["body"]
    assert prepared["body"].isascii() and "\x7f" not in prepared["body"]
    results = json.loads(prepared["body"])["results"]
    assert [list(result) for result in results] == [list(examples()["invoice"])] * 4  # the contract's fields, in order
    assert results[1]["invoice_to_name"] == 'Zoë "Q" Back\\slash \x01\t\x7f 東京 😀 \u2028'
    assert results[1]["transmission_provider"] == "Ünïcode 😀"


def test_listed_json_is_listed_doc_as_json():
    for item in (_item(doc) for doc in _documents()):
        assert json.loads(listed_json(item)) == listed_doc(item)


def test_a_document_that_does_not_fit_the_contract_answers_500_as_with_powertools_validation():
    broken = {key: value for key, value in examples()["invoice"].items() if key != "lines"}
    page = Page(count=1, results=[listed_json(_item(broken))], number=1, page_size=50)
    app = _resolver_pair(page)

    assert _get(app, "/prepared")["statusCode"] == _get(app, "/validated")["statusCode"] == 500


def test_the_dict_validation_coerces_and_refuses_exactly_as_the_model():
    # pydantic-core checks the page as TypedDicts derived from the model: same lax coercions, same errors
    base = examples()["invoice"]
    line = {**base["lines"][0], "position": "7", "item": None}
    coerced = {**base, "number": "T-5", "is_cancellation": "false", "lines": [line]}
    wrong = {**base, "number": "T-6", "is_cancellation": "maybe", "lines": [{**line, "position": "seven"}]}
    for doc in (coerced, wrong):
        text = json.dumps({"count": 1, "next": None, "previous": None, "results": [doc]})
        try:
            dumped = InvoicePage.model_validate_json(text).model_dump_json()
        except ValidationError as exc:
            with pytest.raises(ResponseValidationError) as raised:
                validated_json(InvoicePage, text)
            assert [(e["loc"], e["type"], e["msg"]) for e in raised.value.errors()] == \
                   [(e["loc"], e["type"], e["msg"]) for e in exc.errors()]
            assert len(exc.errors()) == 2  # is_cancellation and the line's position
        else:  # Powertools' serializer: compact json.dumps, ASCII only
            assert validated_json(InvoicePage, text) == json.dumps(json.loads(dumped), separators=(",", ":"))
            assert json.loads(dumped)["results"][0]["lines"][0]["position"] == 7


def test_only_models_a_typed_dict_can_stand_for_are_converted():
    class WithDefault(BaseModel):
        a: int = 1

    class WithValidator(BaseModel):
        a: int

        @field_validator("a")
        @classmethod
        def _positive(cls, value: int) -> int:
            return value

    for model in (WithDefault, WithValidator):
        with pytest.raises(TypeError, match=f"{model.__name__}"):
            _as_typed_dict(model)
