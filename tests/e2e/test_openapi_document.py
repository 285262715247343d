"""The OpenAPI document, as Swagger UI and clients read it from the running API."""

from __future__ import annotations

import pytest

from invoicing.settings import KEYS

PRETIX_ERRORS = {"400", "401", "403", "404", "405", "413"}


@pytest.fixture(scope="module")
def document(api):
    reply = api.get("/api/v1/openapi.json")
    assert reply.status == 200, reply
    return reply.body


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_needs_the_token_scheme_that_swagger_can_authorize(document):
    assert document["components"]["securitySchemes"]["Token"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": document["components"]["securitySchemes"]["Token"]["description"]}
    assert "Token <secret>" in document["components"]["securitySchemes"]["Token"]["description"]
    assert len(list(operations(document))) >= 8  # the invoice routes at least (test_openapi_document_is_public_json...)
    for path, method, operation in operations(document):
        assert operation.get("security") == [{"Token": []}], (method, path)


def test_errors_are_the_ones_the_api_sends_and_never_422(document):
    assert any(method in ("post", "patch") for _, method, _ in operations(document))  # so both branches are checked
    for path, method, operation in operations(document):
        codes = set(operation["responses"])
        assert "422" not in codes and "500" not in codes, (method, path)
        assert codes >= PRETIX_ERRORS, (method, path)
        if method in ("post", "patch"):
            assert {"409", "415"} <= codes, (method, path)
        detail = operation["responses"]["404"]["content"]["application/json"]
        assert detail["schema"]["required"] == ["detail"]
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas


def test_query_and_header_parameters_are_documented_with_types(document):
    invoices = document["paths"]["/api/v1/organizers/{organizer}/events/{event}/invoices/"]["get"]
    parameters = {(p["in"], p["name"]): p for p in invoices["parameters"]}

    for name in ("page", "page_size", "cursor", "ordering", "order", "number", "is_cancellation", "refers", "locale"):
        assert ("query", name) in parameters, name
        assert parameters[("query", name)]["description"]
    assert parameters[("query", "page_size")]["schema"]["maximum"] == 50
    assert parameters[("query", "is_cancellation")]["schema"]["type"] == "boolean"
    assert set(parameters[("query", "ordering")]["schema"]["enum"]) >= {"nr", "-nr", "date", "-date"}
    download = document["paths"]["/api/v1/organizers/{organizer}/events/{event}/invoices/{number}/download/"]["get"]
    assert {(p["in"], p["name"].lower()) for p in download["parameters"]} >= {("header", "accept"),
                                                                               ("header", "if-none-match")}
    create = document["paths"]["/api/v1/organizers/{organizer}/events/{event}/orders/"]["post"]
    assert ("header", "x-idempotency-key") in {(p["in"], p["name"].lower()) for p in create["parameters"]}
    hostway = document["paths"]["/accounts/{accountId}/invoices"]["get"]
    assert {p["name"] for p in hostway["parameters"]} >= {"page", "pageSize"}


def test_the_settings_body_types_every_settings_key(document):
    body = document["paths"]["/api/v1/organizers/{organizer}/events/{event}/settings/"]["patch"]["requestBody"]
    properties = body["content"]["application/json"]["schema"]["properties"]

    assert set(properties) == set(KEYS)
    for key, schema in properties.items():
        assert schema.get("description"), key
        assert {"type": "null"} in schema["anyOf"], key  # null resets to the inherited value
    generate = properties["invoice_generate"]
    assert [option.get("enum") or option["type"] for option in generate["anyOf"]] == [
        ["False", "admin", "True", "paid"], "boolean", "null"]


def test_order_and_billing_bodies_are_typed(document):
    order = document["paths"]["/api/v1/organizers/{organizer}/events/{event}/orders/"]["post"]["requestBody"]
    assert order["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/OrderCreate"}
    assert "positions" in document["components"]["schemas"]["OrderCreate"]["properties"]
    pay = document["paths"]["/api/v1/platform/billing_invoices/{number}/pay/"]["post"]["requestBody"]
    assert pay["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PaymentInput"}
    assert document["components"]["schemas"]["PaymentInput"]["required"] == ["amount"]


def test_examples_are_the_contracts(document):
    detail = document["paths"]["/api/v1/organizers/{organizer}/invoices/{number}/"]["get"]["responses"]["200"]
    example = detail["content"]["application/json"]["example"]
    assert example["number"] == "SAMPLECONF-00001" and example["invoice_from_name"] == "Big Events LLC"
    billing = document["paths"]["/api/v1/organizers/{organizer}/billing_invoices/{number}/"]["get"]["responses"]["200"]
    assert billing["content"]["application/json"]["example"] == {"invoice_number": "R2019002",
                                                                 "date_issued": "2019-06-03"}
    account = document["paths"]["/accounts/{accountId}/invoices/{invoiceId}"]["get"]["responses"]["200"]
    assert account["content"]["application/json"]["example"]["statusName"] == "Invoice Paid"


def test_every_download_has_its_own_path(document):
    paths = set(document["paths"])
    assert "/api/v1/organizers/{organizer}/billing_invoices/{number}/download/" in paths
    assert "/api/v1/organizers/{organizer}/invoices/{number}/download/" in paths
    assert not [path for path in paths if "{action}" in path]
    assert {"/api/v1/platform/billing_invoices/{number}/release/", "/api/v1/platform/billing_invoices/{number}/pay/",
            "/api/v1/platform/billing_invoices/{number}/void/"} <= paths


def test_operation_ids_are_unique_and_named_after_the_operation(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]

    assert len(ids) == len(set(ids))
    assert {"list_event_invoices", "get_organizer_invoice", "download_billing_invoice", "create_order",
            "patch_event_settings", "platform_pay_billing_invoice", "get_account_invoice"} <= set(ids)


@pytest.mark.parametrize(("prefix", "server"), [("", "/"), ("/prod", "/prod")])
def test_servers_follow_the_address_the_document_was_fetched_from(api, prefix, server):
    reply = api.get(f"{prefix}/api/v1/openapi.json")

    assert reply.status == 200, reply
    assert [entry["url"] for entry in reply.body["servers"]] == [server]


def test_swagger_ui_embeds_the_document_with_the_stage_prefix(api):
    reply = api.get("/prod/api/v1/docs")

    assert reply.status == 200
    assert reply.header("Content-Type").startswith("text/html")
    assert b'"url": "/prod"' in reply.raw and b"persistAuthorization: true" in reply.raw
    # the address Swagger UI shows for its document serves it too
    assert api.get("/prod/api/v1/docs?format=json").body["servers"][0]["url"] == "/prod"
