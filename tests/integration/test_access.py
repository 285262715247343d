"""Tokens and the per-request guard against moto: hashing, DRF's messages, the order 401 -> 403, scopes."""

from __future__ import annotations

import hashlib
import re

import pytest

from invoicing import access, platform
from invoicing.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from invoicing.storage import organizers
from invoicing_http import guard
from tests.support import builders


@pytest.fixture
def org(aws):
    slug = builders.organizer("bigevents")
    builders.event(slug, "conf")
    builders.event(slug, "other")
    return slug


def request(secret: str | None, method: str = "GET", organizer: str | None = "bigevents", event: str | None = None,
            header: str = "Authorization") -> dict:
    params = {key: value for key, value in (("organizer", organizer), ("event", event)) if value is not None}
    return {"headers": {header: f"Token {secret}"} if secret else {}, "pathParameters": params or None,
            "resource": "/api/v1/organizers/{organizer}/events/{event}/invoices/", "httpMethod": method}


# --- Tokens --------------------------------------------------------------------------------------------


def test_a_token_is_stored_as_the_sha256_of_its_secret_and_shown_once(org):
    secret, record = access.create_token(org, "shop", ["can_view_orders", "can_view_orders"], None)

    assert re.fullmatch(r"[a-z0-9]{64}", secret)
    assert re.fullmatch(r"[0-9a-f]{12}", record["id"])
    assert record == {"id": record["id"], "hash": hashlib.sha256(secret.encode()).hexdigest(), "organizer": org,
                      "name": "shop", "all_events": True, "limit_events": [], "permissions": ["can_view_orders"],
                      "active": True}
    assert secret not in str(organizers.get_token(record["hash"]))
    assert access.create_token(org, "shop", [], None)[0] != secret


def test_a_token_limited_to_events_lists_them_sorted(org):
    _, record = access.create_token(org, "scoped", ["can_change_orders", "can_view_orders"], ["other", "conf"])

    assert (record["all_events"], record["limit_events"]) == (False, ["conf", "other"])
    assert record["permissions"] == ["can_change_orders", "can_view_orders"]


def test_unknown_permissions_and_events_are_field_errors(org):
    with pytest.raises(ValidationFailed) as raised:
        access.create_token(org, "x", ["can_view_orders", "can_fly", "can_dance"], None)
    assert raised.value.errors == {"permissions": ["Unknown permission: can_dance", "Unknown permission: can_fly"]}

    with pytest.raises(ValidationFailed) as raised:
        access.create_token(org, "x", ["can_view_orders"], ["conf", "zzz", "nope"])
    assert raised.value.errors == {"events": ["Unknown event: nope", "Unknown event: zzz"]}


def test_authenticate_returns_the_principal_of_the_token(org):
    secret, record = access.create_token(org, "scoped", ["can_view_orders"], ["conf"])

    principal = access.authenticate(f"token {secret}")  # the keyword is case-insensitive, as in DRF

    assert principal == access.Principal(org, record["id"], False, frozenset({"conf"}), frozenset({"can_view_orders"}))
    assert principal.can("can_view_orders", "conf") and principal.can(None, "conf") and principal.can(None)
    assert not principal.can("can_view_orders", "other")
    assert not principal.can("can_change_orders")
    with pytest.raises(PermissionDenied, match=r"^You do not have permission to perform this action\.$"):
        principal.require("can_view_orders", "other")
    principal.require("can_view_orders", "conf")


def test_an_unknown_or_revoked_token_is_401_with_drf_messages(org):
    secret, record = access.create_token(org, "shop", ["can_view_orders"], None)
    with pytest.raises(NotAuthenticated, match=r"^Invalid token\.$"):
        access.authenticate(f"Token {secret[:-1]}{'y' if secret.endswith('x') else 'x'}")  # never the real one

    access.revoke_token(org, record["id"])
    access.clear_cache()

    with pytest.raises(NotAuthenticated, match=r"^Token inactive or deleted\.$"):
        access.authenticate(f"Token {secret}")


def test_a_revocation_applies_once_the_cached_lookup_expires(org, monkeypatch):
    secret, record = access.create_token(org, "shop", ["can_view_orders"], None)
    moment = [1000.0]
    monkeypatch.setattr(access.time, "monotonic", lambda: moment[0])
    assert access.authenticate(f"Token {secret}").token_id == record["id"]
    access.revoke_token(org, record["id"])

    moment[0] = 1009.9  # within the 10 s the warm function may keep the lookup
    assert access.authenticate(f"Token {secret}").token_id == record["id"]
    moment[0] = 1010.0  # 10 s on: the lookup is read again
    with pytest.raises(NotAuthenticated, match=r"^Token inactive or deleted\.$"):
        access.authenticate(f"Token {secret}")


def test_the_lookup_cache_is_bounded(org):
    secret, _ = access.create_token(org, "shop", ["can_view_orders"], None)
    access.clear_cache()
    for index in range(1025):
        with pytest.raises(NotAuthenticated, match=r"^Invalid token\.$"):
            access.authenticate(f"Token unknown{index}")
    assert len(access._cache) == 1025  # the bound: more than 1024 entries stored ...

    with pytest.raises(NotAuthenticated, match=r"^Invalid token\.$"):
        access.authenticate("Token one-more")
    assert len(access._cache) == 1  # ... and the next lookup starts afresh
    assert access.authenticate(f"Token {secret}").organizer == org


def test_a_platform_token_at_the_organizer_api_is_named_while_it_is_active(org):
    secret, record = platform.create_token("ops")

    with pytest.raises(NotAuthenticated, match=r"^This is a platform token: this route needs an organizer's API token\.$"):
        access.authenticate(f"Token {secret}")

    platform.revoke_token(record["id"])
    access.clear_cache()
    with pytest.raises(NotAuthenticated, match=r"^Invalid token\.$"):  # a revoked one is nothing to either API
        access.authenticate(f"Token {secret}")


def test_a_stored_token_without_its_active_flag_is_refused(org):
    secret = "s" * 64
    organizers.put_token({"id": "legacy000001", "hash": access.hash_secret(secret), "organizer": org, "name": "old",
                          "all_events": True, "limit_events": [], "permissions": ["can_view_orders"]})

    with pytest.raises(NotAuthenticated, match=r"^Token inactive or deleted\.$"):  # fail closed
        access.authenticate(f"Token {secret}")


# --- The guard: 401 -> 403, per organizer, event and method ---------------------------------------------


def test_the_guard_returns_the_principal_of_a_token_that_may_act(org):
    secret, record = access.create_token(org, "shop", ["can_view_orders", "can_change_orders"], None)

    principal = guard.check(request(secret, "POST", event="conf", header="authorization"), guard.orders_policy)

    assert principal.token_id == record["id"]


def test_the_guard_checks_credentials_before_anything_else(org):
    for event in (request(None), request("bogus", organizer="someone-else"), request("bogus", event="nope")):
        with pytest.raises(NotAuthenticated, match=r"^(Authentication credentials were not provided|Invalid token)\.$"):
            guard.check(event, guard.orders_policy)


def test_another_organizer_or_an_unknown_or_hidden_event_is_403(org):
    builders.organizer("rival")
    secret, _ = access.create_token(org, "scoped", ["can_view_orders"], ["conf"])

    for event in (request(secret, organizer="rival"), request(secret, organizer="nobody"),
                  request(secret, event="other"), request(secret, event="missing")):
        with pytest.raises(PermissionDenied, match=r"^You do not have permission to perform this action\.$"):
            guard.check(event, guard.orders_policy)
    assert guard.check(request(secret, event="conf"), guard.orders_policy).organizer == org
    assert guard.check(request(secret, organizer=None), guard.orders_policy).organizer == org


def test_an_unknown_event_is_403_even_for_a_token_of_all_events(org):
    secret, _ = access.create_token(org, "all", ["can_view_orders"], None)

    with pytest.raises(PermissionDenied, match=r"^You do not have permission to perform this action\.$"):
        guard.check(request(secret, event="missing"), guard.orders_policy)


@pytest.mark.parametrize(("method", "allowed"), [("GET", True), ("HEAD", True), ("OPTIONS", True), ("get", True),
                                                 ("POST", False), ("PATCH", False), ("DELETE", False), (None, True)])
def test_reading_needs_view_and_everything_else_change_permission(org, method, allowed):
    secret, _ = access.create_token(org, "reader", ["can_view_orders"], None)
    event = request(secret, method or "GET", event="conf")
    if method is None:
        del event["httpMethod"]

    if allowed:
        assert guard.check(event, guard.orders_policy).organizer == org
    else:
        with pytest.raises(PermissionDenied, match=r"^You do not have permission to perform this action\.$"):
            guard.check(event, guard.orders_policy)


def test_the_policy_is_asked_with_the_resource_and_the_upper_case_method(org):
    secret, _ = access.create_token(org, "shop", [], None)
    asked = []

    def policy(resource, method):
        asked.append((resource, method))

    guard.check({**request(secret, event="conf"), "httpMethod": "patch"}, policy)
    guard.check({"headers": {"Authorization": f"Token {secret}"}}, policy)

    assert asked == [("/api/v1/organizers/{organizer}/events/{event}/invoices/", "PATCH"), ("", "GET")]


def test_header_lookup_ignores_case_and_missing_headers():
    assert guard.header({"X-Idempotency-Key": "k"}, "x-idempotency-key") == "k"
    assert guard.header({"a": "1"}, "b") is None
    assert guard.header(None, "a") is None
