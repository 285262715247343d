"""Platform billing over HTTP on the local stack: the operator API (platform tokens only), pretix Hosted's
`billing_invoices` (423 until released and rendered), the email with the PDF through SES, and the
Hostway-style account API with JSON/PDF by Accept."""

from __future__ import annotations

import email
import hashlib
import json
import os
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Api, Organizer, Reply

pytestmark = pytest.mark.e2e

RENDER = "RenderPdfFunction"
OPERATOR = "/api/v1/platform/billing_invoices/"
LINES = [{"description": "Ticketing fees May 2019", "net": "100.00", "tax_rate": "19.00"},
         {"description": "Payment processing", "net": "15.25", "tax_rate": "19.00"}]  # 137.15 gross
IN_REVIEW = ("This invoice is being reviewed by our accounting department and cannot be downloaded yet. "
             "It will be sent to you by email once it is released.")
NOT_READY = "The file is not yet ready and will now be prepared. Retry the request after waiting for a few seconds."


@dataclass
class Operator:
    api: Api
    token: str

    def create(self, organizer: str, date: str = "2019-06-03", lines=None) -> str:
        reply = self.api.post(OPERATOR, self.token, body={"organizer": organizer, "currency": "EUR", "date_issued": date,
                                                          "lines": lines or LINES, "description": "Fees"})
        assert reply.status == 201, reply
        return reply.body["invoice_number"]

    def action(self, number: str, action: str, **body) -> Reply:
        return self.api.post(f"{OPERATOR}{quote(number)}/{action}/", self.token, **({"body": body} if body else {}))


@pytest.fixture(scope="module")
def operator(api, stack) -> Operator:
    from invoicing import platform

    secret, _record = platform.create_token("e2e operator")
    platform.update_settings({"name": "Invoicing Platform", "address": "Hauptstr. 1", "zipcode": "10115",
                              "city": "Berlin", "country": "DE"})
    return Operator(api, secret)


@pytest.fixture
def customer(new_organizer, operator) -> Organizer:
    """An organizer with a billing contact and address (set through the operator API) and a token that may see
    billing invoices (and nothing else)."""
    organizer = new_organizer("billed")
    reply = operator.api.patch(f"/api/v1/platform/organizers/{organizer.slug}/", operator.token, body={
        "billing_email": f"accounts@{organizer.slug}.example", "billing_company": "Billed Events GmbH",
        "billing_street": "Marktplatz 3", "billing_zipcode": "69117", "billing_city": "Heidelberg",
        "billing_country": "DE"})
    assert reply.status == 200, reply
    organizer.token = organizer.token_with(["can_view_billing"])
    return organizer


def test_the_operator_api_sets_and_checks_an_organizers_billing_address(api, operator, customer):
    url = f"/api/v1/platform/organizers/{customer.slug}/"
    wrong = api.patch(url, operator.token, body={"billing_vat_id": "DE136695977"})
    assert (wrong.status, wrong.body) == (400, {"billing_vat_id": [
        "This VAT ID is not valid for its country (wrong length, format or check digit)."]})
    assert api.patch(url, operator.token, body={"billing_vat_id": "DE136695976"}).status == 200
    shown = api.get(url, operator.token)
    assert (shown.status, shown.body["billing_company"], shown.body["billing_vat_id"]) == (
        200, "Billed Events GmbH", "DE136695976")
    assert api.patch(url, customer.token, body={"billing_city": "Mannheim"}).status == 403  # not a platform token
    assert api.patch("/api/v1/platform/organizers/nobody-here/", operator.token, body={"name": "x"}).status == 404


def billing_url(org: Organizer, *parts: str, query: str = "") -> str:
    return org.url("billing_invoices", *parts, query=query)


def account_url(org: Organizer, number: str | None = None, spelling: str = "invoices", query: str = "") -> str:
    path = f"/accounts/{org.slug}/{spelling}" + (f"/{quote(number)}" if number else "")
    return path + (f"?{query}" if query else "")


def emails_to(address: str) -> list[email.message.Message]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    found = []
    for backend in ses_backends[DEFAULT_ACCOUNT_ID].values():
        for sent in backend.sent_messages:
            raw = sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data
            message = email.message_from_bytes(raw)
            if message["To"] == address:
                found.append(message)
    return found


def stored_pdf(stack, org: Organizer, number: str) -> bytes:
    return stack.client("s3").get_object(Bucket=stack.physical_name("FilesBucket"),
                                         Key=f"billing/{org.slug}/{number}/v1.pdf")["Body"].read()


def test_created_in_review_then_released_emailed_and_downloadable(stack, api, operator, customer):
    # Given the operator creates a billing invoice: visible at once, but locked
    number = operator.create(customer.slug)
    assert api.get(billing_url(customer, number), customer.token).body == {"invoice_number": number,
                                                                          "date_issued": "2019-06-03"}
    early = api.get(billing_url(customer, number, "download"), customer.token)
    assert (early.status, early.body, early.header("Retry-After")) == (423, {"detail": IN_REVIEW}, "300")

    # When it is released, the PDF is prepared (423 meanwhile)...
    with stack.paused(RENDER):
        released = operator.action(number, "release")
        assert (released.status, released.body["review_state"]) == (200, "released")
        rendering = api.get(billing_url(customer, number, "download"), customer.token)
        assert (rendering.status, rendering.body, rendering.header("Retry-After")) == (423, {"detail": NOT_READY}, "2")
        assert emails_to(f"accounts@{customer.slug}.example") == []
    stack.drain()

    # ...then emailed to the billing contact with the PDF attached, once
    (message,) = emails_to(f"accounts@{customer.slug}.example")
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    pdf = stored_pdf(stack, customer, number)
    assert attachment.get_filename() == f"{number}.pdf"
    assert attachment.get_payload(decode=True) == pdf
    assert number in message["Subject"]

    # ...and downloadable, with the same ETag/304 behaviour as invoices
    reply = api.get(billing_url(customer, number, "download"), customer.token,
                    headers={"Accept": "application/json, text/javascript"})
    assert (reply.status, reply.header("Content-Type"), reply.raw) == (200, "application/pdf", pdf)
    assert reply.header("ETag") == f'"{hashlib.sha256(pdf).hexdigest()}"'
    assert reply.header("Content-Disposition") == f'attachment; filename="{number}.pdf"'
    again = api.get(billing_url(customer, number, "download"), customer.token, headers={"If-None-Match": reply.header("ETag")})
    assert (again.status, again.raw) == (304, b"")

    # Releasing again sends nothing more
    assert operator.action(number, "release").status == 200
    stack.drain()
    assert len(emails_to(f"accounts@{customer.slug}.example")) == 1


def test_the_account_api_answers_json_or_the_pdf_by_accept(stack, api, operator, customer):
    number = operator.create(customer.slug)
    expected = {
        "status": "invoice_open", "currency": "EUR", "amount": "137.1500", "amountDue": "137.1500",
        "description": f"Invoice #{number}",
        "links": [{"href": f"{stack.api_url.rstrip('/')}/accounts/{customer.slug}/invoices/{number}/", "rel": "self"}],
        "date": "2019-06-03", "statusName": "Invoice Open", "invoiceNumber": number,
    }
    # In review: the JSON is there, the PDF is locked
    assert api.get(account_url(customer, number), customer.token).body == expected
    locked = api.get(account_url(customer, number), customer.token, headers={"Accept": "application/pdf"})
    assert (locked.status, locked.header("Retry-After")) == (423, "300")

    operator.action(number, "release")
    stack.drain()
    operator.action(number, "pay", amount="37.15")

    partly = {**expected, "amountDue": "100.0000"}
    for accept in (None, "application/json", "*/*", "application/*", "text/html;q=0.5, application/json"):
        reply = api.get(account_url(customer, number), customer.token, headers={"Accept": accept} if accept else {})
        assert (reply.status, reply.header("Content-Type"), reply.body) == (200, "application/json", partly), accept
    assert api.get(account_url(customer, number, spelling="invoces"), customer.token).body == partly
    assert api.get(account_url(customer, number) + "/", customer.token).body == partly

    pdf = api.get(account_url(customer, number), customer.token, headers={"Accept": "application/pdf"})
    assert (pdf.status, pdf.header("Content-Type"), pdf.raw) == (200, "application/pdf", stored_pdf(stack, customer, number))
    preferred = api.get(account_url(customer, number), customer.token,
                        headers={"Accept": "application/json;q=0.4, application/pdf"})
    assert preferred.raw == pdf.raw

    refused = api.get(account_url(customer, number), customer.token, headers={"Accept": "text/html"})
    assert refused.status == 406
    assert refused.body["offered"] == ["application/json", "application/pdf"]

    operator.action(number, "pay", amount="100.00")
    paid = api.get(account_url(customer, number), customer.token).body
    assert (paid["status"], paid["statusName"], paid["amountDue"]) == ("invoice_paid", "Invoice Paid", "0.0000")


def test_other_accounts_are_404_and_credentials_401_403(api, operator, customer, new_organizer):
    number = operator.create(customer.slug)
    stranger = new_organizer("stranger")
    stranger_token = stranger.token_with(["can_view_billing"])

    assert api.get(account_url(customer, number), stranger_token).status == 404
    assert api.get(account_url(customer), stranger_token).status == 404
    assert api.get(account_url(customer, number), customer.token).status == 200
    assert api.get(account_url(customer, "R1900999"), customer.token).status == 404
    assert api.get(account_url(customer, number), "0" * 64).status == 401
    assert api.get(account_url(customer, number)).status == 401
    no_billing = customer.token_with(["can_view_orders"])
    assert api.get(account_url(customer, number), no_billing).status == 403
    # pretix Hosted's endpoints: 403 for another organizer or without the permission, as the other endpoints
    assert api.get(billing_url(customer), stranger_token).status == 403
    assert api.get(billing_url(customer, number), no_billing).status == 403
    assert api.get(billing_url(customer, number, "download"), no_billing).status == 403
    assert api.get(billing_url(customer, number, "download"), stranger_token).status == 403
    assert api.get(billing_url(customer, "R1900999"), customer.token).status == 404


def test_pretix_list_orders_by_date_issued_and_paginates(api, operator, customer):
    numbers = {date: operator.create(customer.slug, date=date) for date in ("2019-06-03", "2019-05-01", "2019-07-01")}
    ascending = [numbers["2019-05-01"], numbers["2019-06-03"], numbers["2019-07-01"]]

    default = api.get(billing_url(customer), customer.token).body
    assert default == {"count": 3, "next": None, "previous": None,
                       "results": [{"invoice_number": n, "date_issued": d} for d, n in
                                   sorted(numbers.items())]}
    reverse = api.get(billing_url(customer, query="ordering=-date_issued"), customer.token).body
    assert [item["invoice_number"] for item in reverse["results"]] == ascending[::-1]

    first = api.get(billing_url(customer, query="page_size=2"), customer.token).body
    second = api.get(first["next"], customer.token).body
    assert [item["invoice_number"] for item in first["results"] + second["results"]] == ascending
    assert (first["count"], second["next"], second["previous"] is not None) == (3, None, True)
    by_number = api.get(billing_url(customer, query="page=2&page_size=2&ordering=-date_issued"), customer.token).body
    assert [item["invoice_number"] for item in by_number["results"]] == [ascending[0]]


def test_account_list_pages_with_hostway_links(stack, api, operator, customer):
    numbers = [operator.create(customer.slug, date=f"2019-0{month}-01") for month in (1, 2, 3)]
    base = f"{stack.api_url.rstrip('/')}/accounts/{customer.slug}/invoices"

    whole = api.get(account_url(customer), customer.token).body
    assert [item["invoiceNumber"] for item in whole["list"]] == numbers
    assert whole["links"] == [{"href": base, "rel": "self"}]
    assert "links" not in whole["list"][0] and whole["list"][0]["amount"] == "137.1500"

    first = api.get(account_url(customer, query="page=1&pageSize=2"), customer.token).body
    assert [item["invoiceNumber"] for item in first["list"]] == numbers[:2]
    assert {link["rel"]: link["href"] for link in first["links"]} == {
        "self": f"{base}?page=1&pageSize=2", "next": f"{base}?page=2&pageSize=2", "last": f"{base}?page=2&pageSize=2"}
    last = api.get(account_url(customer, query="page=2&pageSize=2"), customer.token).body
    assert [item["invoiceNumber"] for item in last["list"]] == numbers[2:]
    assert {link["rel"] for link in last["links"]} == {"self", "previous", "first"}

    too_big = api.get(account_url(customer, query="page=1&pageSize=1000"), customer.token)
    assert (too_big.status, too_big.header("Location")) == (303, f"{base}?page=1&pageSize=400")


def test_operator_endpoints_refuse_organizer_tokens(api, operator, customer):
    number = operator.create(customer.slug)
    full = customer.token_with(["can_view_orders", "can_change_orders", "can_change_event_settings", "can_view_billing"])

    for method, path, body in (("POST", OPERATOR, {"organizer": customer.slug, "currency": "EUR", "lines": LINES}),
                               ("GET", f"{OPERATOR}{number}/", None),
                               ("POST", f"{OPERATOR}{number}/release/", None),
                               ("POST", f"{OPERATOR}{number}/pay/", {"amount": "1.00"}),
                               ("POST", f"{OPERATOR}{number}/void/", None)):
        kwargs = {"body": body} if body is not None else {}
        assert api.request(method, path, full, **kwargs).status == 403, path
        assert api.request(method, path, **kwargs).status == 401, path
    # and the platform token is nobody on the organizer API
    assert api.get(billing_url(customer), operator.token).status == 401
    # nothing happened
    assert api.get(f"{OPERATOR}{number}/", operator.token).body["review_state"] == "in_review"


def test_operator_rules_over_http(api, operator, customer):
    number = operator.create(customer.slug)

    assert operator.action(number, "pay", amount="1.00").status == 400  # in review
    operator.action(number, "release")
    over = operator.action(number, "pay", amount="137.16")
    assert (over.status, over.body) == (400, {"detail": "The amount exceeds the amount due (137.15 EUR)."})
    assert operator.action(number, "pay", amount="-1").status == 400
    assert operator.action(number, "pay", amount="abc").status == 400
    assert operator.action(number, "pay").status == 400
    assert operator.action(number, "unknown").status == 404
    assert operator.action("R1900999", "release").status == 404
    paid = operator.action(number, "pay", amount="137.15").body
    assert (paid["status"], paid["amount_due"]) == ("paid", "0.00")
    assert operator.action(number, "void").status == 400

    bad = api.post(OPERATOR, operator.token, body={"organizer": customer.slug, "currency": "EUR", "lines": []})
    assert bad.status == 400
    unknown = api.post(OPERATOR, operator.token, body={"organizer": "nobody-here", "currency": "EUR", "lines": LINES})
    assert unknown.status == 404


def test_the_cli_drives_billing_on_the_local_stack(stack, api, customer, tmp_path, capsys, monkeypatch):
    from urllib.parse import urlsplit

    from invoicing_infra import cli

    for name, value in list(os.environ.items()):  # the CLI applies its target to os.environ: put it back afterwards
        monkeypatch.setenv(name, value)
    local = ["--local", "--aws-port", str(urlsplit(stack.aws_endpoint).port)]
    lines = tmp_path / "lines.json"
    lines.write_text(json.dumps(LINES))

    assert cli.main(["organizer", "update", customer.slug, "--billing-email", f"cli@{customer.slug}.example", *local]) == 0
    assert cli.main(["billing", "create", "--organizer", customer.slug, "--currency", "EUR", "--lines", str(lines),
                     "--date", "2019-08-01", *local]) == 0
    number = capsys.readouterr().out.strip()
    assert api.get(billing_url(customer, number, "download"), customer.token).status == 423
    assert cli.main(["billing", "release", number, *local]) == 0
    stack.drain()

    (message,) = emails_to(f"cli@{customer.slug}.example")
    (attachment,) = [part for part in message.walk() if part.get_filename()]
    download = api.get(billing_url(customer, number, "download"), customer.token)
    assert (download.status, download.raw) == (200, attachment.get_payload(decode=True))
