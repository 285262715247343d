"""Downloading invoice PDFs over HTTP on the local stack: 409 + Retry-After until the render queue has
done its work, then the bytes intact whatever the Accept header, ETag/304, one render request under
concurrent downloads, and new bytes after regenerate."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import Organizer

pytestmark = pytest.mark.e2e

NOT_READY = {"detail": "The requested resource is not ready, please retry later."}
RENDER = "RenderPdfFunction"


def download(org: Organizer, number: str, event: str | None = "conf", **headers: str):
    return org.api.get(org.invoices_url(event, number, "download"), org.token, headers=headers)


def rendered(stack, org: Organizer, number: str, **headers: str):
    """The download once the render queue is drained (it must be 200 then)."""
    stack.drain()
    reply = download(org, number, **headers)
    assert reply.status == 200, reply
    return reply


def stored_pdf(stack, org: Organizer, number: str, version: int = 1) -> bytes:
    return stack.client("s3").get_object(Bucket=stack.physical_name("FilesBucket"),
                                         Key=f"invoices/{org.slug}/{number}/v{version}.pdf")["Body"].read()


def waiting_jobs(stack) -> int:
    attributes = stack.client("sqs").get_queue_attributes(QueueUrl=stack.queue_url("RenderQueue"),
                                                          AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


@pytest.fixture
def shop(new_organizer) -> Organizer:
    organizer = new_organizer("pdf", invoice_generate="True", invoice_regenerate_allowed="True")
    organizer.event("conf")
    return organizer


def test_download_is_409_with_retry_after_until_rendered_then_the_pdf(stack, shop):
    with stack.paused(RENDER):
        number = shop.order("conf")["invoices"][0]
        early = download(shop, number)

        assert early.status == 409
        assert early.body == NOT_READY
        assert early.header("Retry-After") == "2"

    # The seed's example request: a pretix client asks for JSON first
    reply = rendered(stack, shop, number, Accept="application/json, text/javascript")
    assert reply.header("Content-Type") == "application/pdf"
    assert reply.header("Content-Disposition") == f'attachment; filename="{number}.pdf"'
    assert int(reply.header("Content-Length")) == len(reply.raw)
    assert reply.header("ETag") == f'"{hashlib.sha256(reply.raw).hexdigest()}"'
    assert reply.raw == stored_pdf(stack, shop, number)
    assert reply.raw.startswith(b"%PDF-")


def test_an_issued_invoice_is_rendered_without_a_download_asking_for_it(stack, shop):
    number = shop.order("conf")["invoices"][0]

    stack.drain()  # the render request written with the invoice has been processed (a hang raises, naming the queue)

    reply = download(shop, number)
    assert reply.status == 200, reply
    assert reply.raw == stored_pdf(stack, shop, number)


@pytest.mark.parametrize("accept", [None, "*/*", "application/pdf", "application/json, text/javascript",
                                    "text/html,application/xhtml+xml;q=0.9"])
def test_the_bytes_arrive_intact_whatever_the_accept_header(stack, shop, accept):
    number = shop.order("conf")["invoices"][0]

    reply = rendered(stack, shop, number, **({"Accept": accept} if accept else {}))

    assert reply.raw == stored_pdf(stack, shop, number)


def test_a_matching_if_none_match_is_304_without_a_body(stack, shop):
    number = shop.order("conf")["invoices"][0]
    etag = rendered(stack, shop, number).header("ETag")

    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        reply = download(shop, number, **{"If-None-Match": sent})
        assert (reply.status, reply.raw, reply.header("ETag")) == (304, b"", etag), sent
    assert download(shop, number, **{"If-None-Match": '"other"'}).status == 200


def test_the_organizer_level_download_serves_the_same_file(stack, shop):
    number = shop.order("conf")["invoices"][0]
    event_level = rendered(stack, shop, number)

    reply = download(shop, number, event=None)

    assert (reply.status, reply.raw) == (200, event_level.raw)


def test_twenty_concurrent_downloads_request_one_render(stack, shop):
    with stack.paused(RENDER):
        number = shop.order("conf")["invoices"][0]
        # Given the job queued at issue time was lost two minutes ago
        stack.client("sqs").purge_queue(QueueUrl=stack.queue_url("RenderQueue"))
        stack.client("dynamodb").update_item(
            TableName=stack.physical_name("InvoicingTable"), Key={"PK": {"S": f"ORG#{shop.slug}#INV"}, "SK": {"S": number}},
            UpdateExpression="SET render_requested_at = render_requested_at - :two_minutes",
            ExpressionAttributeValues={":two_minutes": {"N": "120"}})
        # When twenty clients download at once
        with ThreadPoolExecutor(max_workers=20) as pool:
            replies = list(pool.map(lambda _: download(shop, number), range(20)))
        # Then all are told to retry, and one render job waits
        assert [reply.status for reply in replies] == [409] * 20
        assert waiting_jobs(stack) == 1

    rendered(stack, shop, number)


def test_regenerate_discards_the_old_pdf_and_serves_the_new_content(stack, shop):
    number = shop.order("conf")["invoices"][0]
    old = rendered(stack, shop, number)
    shop.settings(invoice_introductory_text="Thank you for your order!")

    with stack.paused(RENDER):
        assert shop.api.post(shop.invoices_url("conf", number, "regenerate"), shop.token).status == 204
        # Never the stale file: not ready until the new content is rendered, even for the old ETag
        assert download(shop, number, **{"If-None-Match": old.header("ETag")}).status == 409

    new = rendered(stack, shop, number, **{"If-None-Match": old.header("ETag")})
    assert new.raw != old.raw
    assert new.header("ETag") != old.header("ETag")
    assert new.raw == stored_pdf(stack, shop, number, version=2)


def test_a_download_needs_the_orders_read_permission_and_a_visible_invoice(stack, shop):
    number = shop.order("conf")["invoices"][0]
    stack.drain()

    assert download(shop, "CONF-99999").status == 404
    no_orders = shop.token_with(["can_change_event_settings"])
    reply = shop.api.get(shop.invoices_url("conf", number, "download"), no_orders)
    assert reply.status == 403
