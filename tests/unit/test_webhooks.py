"""Webhook rules without AWS: action filters, signatures (and the README's verifier), backoff, target addresses."""

from __future__ import annotations

import hashlib
import hmac
import re
import socket
from pathlib import Path

import pytest

from invoicing import config
from invoicing.errors import ValidationFailed
from invoicing.webhooks import actions, delivery, signing, targets

README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_star_suffix_matches_by_prefix_and_anything_else_exactly():
    assert actions.matches(["pretix.event.order.invoice.*"], "pretix.event.order.invoice.sent")
    assert not actions.matches(["pretix.event.order.invoice.*"], "pretix.event.order.paid")
    assert actions.matches(["pretix.event.order.paid"], "pretix.event.order.paid")
    assert not actions.matches(["pretix.event.order.pai"], "pretix.event.order.paid")
    assert actions.matches(["*"], "pretix.event.order.canceled")


def test_filters_that_match_no_action_type_are_invalid():
    assert actions.invalid(["pretix.event.order.*", "pretix.event.order.paid", "pretix.voucher.added",
                            "pretix.event.order.invoice.x*"]) == ["pretix.voucher.added", "pretix.event.order.invoice.x*"]


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_and_a_rotated_secret_signs_too():
    body = b'{"action":"pretix.event.order.paid"}'
    header = signing.header_value(["whsec_new", "whsec_old"], 1700000000, body)

    expected = [hmac.new(secret, b"1700000000." + body, hashlib.sha256).hexdigest() for secret in (b"whsec_new", b"whsec_old")]
    assert header == f"t=1700000000,v1={expected[0]},v1={expected[1]}"
    assert signing.verify("whsec_old", header, body, now=1700000100)
    assert not signing.verify("whsec_other", header, body, now=1700000100)
    assert not signing.verify("whsec_new", header, body + b" ", now=1700000100)
    assert not signing.verify("whsec_new", header, body, now=1700000000 + 301)  # replayed too late


def test_the_readme_verifier_accepts_a_delivery_and_refuses_a_forgery(monkeypatch):
    code = re.search(r"```python\n(import hashlib, hmac, time.*?)```", README.read_text(), re.S).group(1)
    assert len(code.strip().splitlines()) <= 10
    namespace: dict = {}
    exec(code, namespace)
    monkeypatch.setattr(namespace["time"], "time", lambda: 1700000005)
    body = b'{"notification_id":"1"}'
    header = signing.header_value(["whsec_a"], 1700000000, body)

    assert namespace["verify"]("whsec_a", header, body)
    assert not namespace["verify"]("whsec_b", header, body)
    assert not namespace["verify"]("whsec_a", header.replace("t=1700000000", "t=1700000001"), body)


def test_backoff_starts_within_30_seconds_doubles_and_retries_for_3_days(monkeypatch):
    monkeypatch.delenv("WEBHOOK_RETRY_BASE_SECONDS", raising=False)
    config.reset()
    waits = [delivery.backoff_seconds(attempt) for attempt in range(1, 40)]

    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == 6 * 3600  # SQS allows 12 h of visibility
    elapsed, tries = 0, 1
    while elapsed + delivery.backoff_seconds(tries) <= 3 * 86400:
        elapsed += delivery.backoff_seconds(tries)
        tries += 1
    assert 20 <= tries < 30  # the queue's maxReceiveCount (30) leaves room for every try


@pytest.mark.parametrize("url", [
    "http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/", "https://192.168.0.1/",
    "https://172.16.0.1/", "https://169.254.169.254/latest/meta-data", "https://[::1]/", "https://[fd12::1]/",
    "https://[fe80::1]/", "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://localhost/hook", "not a url",
])
def test_on_aws_only_https_to_public_addresses_is_accepted(monkeypatch, url):
    monkeypatch.setenv("WEBHOOK_LOCAL_TARGETS", "false")
    config.reset()

    with pytest.raises(ValidationFailed, match="target_url"):
        targets.check_url(url)


def test_the_local_stack_also_accepts_http_and_loopback_but_not_private_addresses(monkeypatch):
    monkeypatch.setenv("WEBHOOK_LOCAL_TARGETS", "true")
    config.reset()

    targets.check_url("http://127.0.0.1:8123/hook")
    targets.check_url("https://hooks.example.com/x")
    with pytest.raises(ValidationFailed, match="not allowed"):
        targets.check_url("http://10.0.0.1/hook")


def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(monkeypatch):
    monkeypatch.setenv("WEBHOOK_LOCAL_TARGETS", "false")
    config.reset()
    targets.check_url("https://internal.example.com/hook")  # a name passes on save ...
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)

    with pytest.raises(targets.RefusedTarget, match="not allowed"):  # ... its addresses are checked on every try
        targets.resolve("https://internal.example.com/hook")
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers[:1])
    assert targets.resolve("https://internal.example.com/hook") == ("https", "internal.example.com", 443, "93.184.216.34")
