"""Webhooks over HTTP on the local stack, to a receiver on 127.0.0.1: pretix's API, signed deliveries for
the subscribed actions, retries after failures with the same notification_id, 410 disables the webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.conftest import ALL_PERMISSIONS

WEBHOOK_PERMISSIONS = (*ALL_PERMISSIONS, "can_change_organizer_settings")


class Receiver:
    """Records every POST; answers the statuses queued in `script` first, then 200."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.script: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    status = receiver.script.pop(0) if receiver.script else 200
                    receiver.received.append({"path": self.path, "body": body, "status": status,
                                              "signature": self.headers.get("X-Webhook-Signature")})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path: str) -> list[dict]:
        with self.lock:
            return [call for call in self.received if call["path"] == path]

    def wait_for(self, path: str, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.at(path)
            if len(calls) >= count:
                return calls
            time.sleep(0.1)
        raise AssertionError(f"{path}: {len(self.at(path))} of {count} calls arrived: {self.at(path)}")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def shop(new_organizer):
    organizer = new_organizer("hooks", invoice_generate="True")
    organizer.event("conf")
    organizer.token = organizer.token_with(WEBHOOK_PERMISSIONS)
    return organizer


def create(shop, receiver, path: str, action_types: list[str], **fields) -> dict:
    reply = shop.api.post(shop.url("webhooks"), shop.token, body={
        "target_url": receiver.url(path), "all_events": True, "action_types": action_types, **fields})
    assert reply.status == 201, reply
    return reply.body


def valid_signatures(secret: str, call: dict) -> int:
    """How many v1 values of the header are HMAC-SHA256(secret, "<t>.<body>") (computed here, independently)."""
    parts = [part.split("=", 1) for part in call["signature"].split(",")]
    (stamp,) = [value for key, value in parts if key == "t"]
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + call["body"], hashlib.sha256).hexdigest()
    assert abs(int(stamp) - time.time()) < 300
    return sum(hmac.compare_digest(expected, value) for key, value in parts if key == "v1")


def test_a_subscriber_gets_signed_deliveries_of_the_actions_it_subscribed_to(shop, receiver):
    hook = create(shop, receiver, "/signed", ["pretix.event.order.invoice.*", "pretix.event.order.placed"])
    assert hook["secret"].startswith("whsec_")
    assert shop.api.get(shop.url("webhooks", str(hook["id"])), shop.token).body.get("secret") is None

    order = shop.order("conf")
    assert shop.order_action("conf", order["code"], "mark_canceled").status == 200

    calls = receiver.wait_for("/signed", 3)
    time.sleep(1)  # nothing else may follow: order.canceled is not subscribed
    bodies = [json.loads(call["body"]) for call in receiver.at("/signed")]
    assert sorted((body["action"], body.get("invoice")) for body in bodies) == sorted([
        ("pretix.event.order.placed", None),
        ("pretix.event.order.invoice.generated", order["invoices"][0]),
        ("pretix.event.order.invoice.generated", cancellation_number(bodies, order)),
    ])
    for body in bodies:
        assert (body["organizer"], body["event"], body["code"]) == (shop.slug, "conf", order["code"])
        assert body["notification_id"]
    assert "invoice" not in next(body for body in bodies if body["action"] == "pretix.event.order.placed")
    assert all(valid_signatures(hook["secret"], call) == 1 for call in calls)
    assert valid_signatures("whsec_wrong", calls[0]) == 0


def cancellation_number(bodies: list[dict], order: dict) -> str:
    """The cancellation's number: the one announced besides the order's invoice."""
    numbers = {body.get("invoice") for body in bodies if body.get("invoice")}
    (other,) = numbers - {order["invoices"][0]}
    return other


def test_a_failing_subscriber_is_retried_with_the_same_notification_and_the_log_shows_it(shop, receiver):
    hook = create(shop, receiver, "/flaky", ["pretix.event.order.placed"])
    receiver.script.extend([500, 503])

    order = shop.order("conf")

    calls = receiver.wait_for("/flaky", 3)
    assert [call["status"] for call in calls] == [500, 503, 200]
    assert len({json.loads(call["body"])["notification_id"] for call in calls}) == 1
    log = shop.api.get(shop.url("webhooks", str(hook["id"]), "deliveries"), shop.token)
    assert log.status == 200, log
    assert log.body["count"] == 1
    (entry,) = log.body["results"]
    assert entry["action"] == "pretix.event.order.placed"
    assert entry["notification_id"] == json.loads(calls[0]["body"])["notification_id"]
    assert (entry["attempts"], entry["last_status_code"], entry["state"]) == (3, 200, "delivered")
    assert entry["delivered_at"] and entry["next_try"] is None
    assert order["code"] == json.loads(calls[0]["body"])["code"]


def test_410_disables_the_webhook(shop, receiver):
    hook = create(shop, receiver, "/gone", ["pretix.event.order.placed"])
    receiver.script.append(410)

    shop.order("conf")
    receiver.wait_for("/gone", 1)

    deadline = time.monotonic() + 10
    while shop.api.get(shop.url("webhooks", str(hook["id"])), shop.token).body["enabled"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert shop.api.get(shop.url("webhooks", str(hook["id"])), shop.token).body["enabled"] is False
    shop.order("conf")
    time.sleep(2)
    assert len(receiver.at("/gone")) == 1


def test_a_rotated_secret_signs_alongside_the_old_one(shop, receiver):
    hook = create(shop, receiver, "/rotated", ["pretix.event.order.paid"])
    reply = shop.api.patch(shop.url("webhooks", str(hook["id"])), shop.token, body={"rotate_secret": True})
    assert reply.status == 200, reply
    new_secret = reply.body["secret"]
    assert new_secret != hook["secret"]

    order = shop.order("conf", status="n")
    assert shop.order_action("conf", order["code"], "mark_paid").status == 200

    (call,) = receiver.wait_for("/rotated", 1)
    assert valid_signatures(new_secret, call) == 1
    assert valid_signatures(hook["secret"], call) == 1


def test_the_webhooks_api_is_pretixs(shop, receiver):
    hook = create(shop, receiver, "/api", ["pretix.event.order.*"],
                  all_events=False, limit_events=["conf"], comment="Called for changes")
    expected = {"id": hook["id"], "enabled": True, "target_url": receiver.url("/api"), "all_events": False,
                "limit_events": ["conf"], "action_types": ["pretix.event.order.*"], "comment": "Called for changes"}
    assert {key: value for key, value in hook.items() if key != "secret"} == expected

    listed = shop.api.get(shop.url("webhooks"), shop.token)
    assert (listed.status, listed.body["count"], listed.body["results"]) == (200, 1, [expected])

    patched = shop.api.patch(shop.url("webhooks", str(hook["id"])), shop.token, body={"enabled": False})
    assert (patched.status, patched.body) == (200, {**expected, "enabled": False})
    assert "secret" not in patched.body

    put = shop.api.request("PUT", shop.url("webhooks", str(hook["id"])), shop.token,
                           body={"target_url": receiver.url("/api2"), "action_types": ["pretix.event.order.paid"]})
    assert (put.status, put.body) == (200, {**expected, "target_url": receiver.url("/api2"), "all_events": False,
                                            "limit_events": [], "action_types": ["pretix.event.order.paid"],
                                            "comment": None})

    deleted = shop.api.delete(shop.url("webhooks", str(hook["id"])), shop.token)
    assert deleted.status == 204
    assert shop.api.get(shop.url("webhooks", str(hook["id"])), shop.token).body["enabled"] is False

    for missing_id in ("999999", "abc", "0"):
        missing = shop.api.get(shop.url("webhooks", missing_id), shop.token)
        assert (missing.status, missing.body) == (404, {"detail": "No WebHook matches the given query."})


def test_invalid_webhooks_are_400_with_field_errors(shop, receiver):
    cases = [
        ({"action_types": ["pretix.event.order.exploded"]}, "action_types",
         '"pretix.event.order.exploded" is not a valid choice.'),
        ({"target_url": "http://10.0.0.1/hook"}, "target_url", "This address is not allowed."),
        ({"target_url": "http://169.254.169.254/latest"}, "target_url", "This address is not allowed."),
        ({"target_url": "http://[fd00::1]/hook"}, "target_url", "This address is not allowed."),
        ({"target_url": "ftp://example.com/hook"}, "target_url", "Only https:// URLs are allowed."),
        ({"limit_events": ["nope"]}, "limit_events", "Object with slug=nope does not exist."),
    ]
    for change, field, message in cases:
        body = {"target_url": receiver.url("/x"), "action_types": ["pretix.event.order.placed"], **change}
        reply = shop.api.post(shop.url("webhooks"), shop.token, body=body)
        assert (reply.status, reply.body) == (400, {field: [message]}), change


def test_the_valid_action_types_are_served(shop):
    reply = shop.api.get(shop.url("webhooks", "action_types"), shop.token)

    assert reply.status == 200, reply
    served = {entry["action_type"] for entry in reply.body["results"]}
    assert {"pretix.event.order.placed", "pretix.event.order.paid", "pretix.event.order.canceled",
            "pretix.event.order.invoice.generated", "pretix.event.order.invoice.reissued",
            "pretix.event.order.invoice.regenerated", "pretix.event.order.invoice.sent",
            "pretix.event.order.invoice.sending_failed"} == served


def test_the_webhooks_api_needs_can_change_organizer_settings_of_that_organizer(shop, new_organizer, receiver):
    hook = create(shop, receiver, "/private", ["pretix.event.order.placed"])
    other = new_organizer("intruder")
    other_token = other.token_with(WEBHOOK_PERMISSIONS)
    denied = {"detail": "You do not have permission to perform this action."}

    assert (shop.api.get(shop.url("webhooks"), shop.token_with(ALL_PERMISSIONS)).status) == 403
    for reply in (shop.api.get(shop.url("webhooks"), other_token),
                  shop.api.get(shop.url("webhooks", str(hook["id"]), "deliveries"), other_token),
                  shop.api.patch(shop.url("webhooks", str(hook["id"])), other_token, body={"rotate_secret": True})):
        assert (reply.status, reply.body) == (403, denied)
    assert shop.api.get(other.url("webhooks"), other_token).body["count"] == 0


def test_a_transmitted_invoice_is_announced_as_sent(shop, receiver):
    shop.event("mailed", invoice_email_attachment=True)
    create(shop, receiver, "/sent", ["pretix.event.order.invoice.sent"])

    order = shop.order("mailed")

    (call,) = receiver.wait_for("/sent", 1, timeout=60)
    body = json.loads(call["body"])
    assert (body["action"], body["invoice"], body["code"], body["event"]) == (
        "pretix.event.order.invoice.sent", order["invoices"][0], order["code"], "mailed")
