"""`X-Idempotency-Key` against moto's DynamoDB: pretix's semantics (once per key and credentials, the same
request replayed, 409/429/500/503 not stored, a repeat while running is 409), and stricter than pretix: a key
reused for another method, path or body is refused (issue 10)."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from invoicing_http import idempotency


def post(key: str | None = "k1", token: str = "Token abc", method: str = "POST", body: str = "{}",
         key_header: str = "X-Idempotency-Key") -> dict:
    headers = {"Authorization": token}
    if key is not None:
        headers[key_header] = key
    return {"httpMethod": method, "headers": headers, "path": "/api/v1/x/", "body": body}


class Handler:
    """Answers the statuses it is given, one per call, and counts its calls."""

    def __init__(self, *statuses: int):
        self.statuses = list(statuses)
        self.calls = 0

    def __call__(self, event, context):
        self.calls += 1
        status = self.statuses.pop(0)
        return {"statusCode": status, "headers": {}, "body": f'{{"call": {self.calls}}}'}


def busy() -> dict:
    return {"statusCode": 409, "body": "busy"}


def other() -> dict:
    return {"statusCode": 400, "body": "other request"}


@pytest.fixture
def handler(aws):
    # The config is cached per warm function; a Lambda context another test registered would bound (or expire)
    # the in-progress records of these tests, so each starts from a fresh one.
    idempotency._config.cache_clear()
    idempotency._runner.cache_clear()
    yield Handler
    idempotency._config.cache_clear()
    idempotency._runner.cache_clear()


def test_a_repeat_of_the_same_request_gets_the_first_response(handler):
    run = handler(201, 201)

    first = idempotency.once(run, post(), None, busy, other)
    again = idempotency.once(run, post(), None, busy, other)

    assert first == {"statusCode": 201, "headers": {}, "body": '{"call": 1}'}
    assert again == first
    assert run.calls == 1


@pytest.mark.parametrize("change", [{"path": "/elsewhere/"}, {"body": '{"other": 1}'}, {"httpMethod": "PATCH"}])
def test_the_key_reused_for_another_request_is_refused_and_runs_nothing(handler, change):
    run = handler(201, 201)

    idempotency.once(run, post(), None, busy, other)
    again = idempotency.once(run, {**post(), **change}, None, busy, other)

    assert again == {"statusCode": 400, "body": "other request"}
    assert run.calls == 1


def test_errors_are_replayed_too(handler):
    run = handler(400, 201)

    assert idempotency.once(run, post(), None, busy, other)["statusCode"] == 400
    assert idempotency.once(run, post(), None, busy, other) == {"statusCode": 400, "headers": {}, "body": '{"call": 1}'}
    assert run.calls == 1


@pytest.mark.parametrize("status", [409, 429, 500, 503])
def test_busy_and_server_errors_are_not_stored_so_a_retry_runs_anew(handler, status):
    run = handler(status, 201)

    assert idempotency.once(run, post(), None, busy, other) == {"statusCode": status, "headers": {}, "body": '{"call": 1}'}
    assert idempotency.once(run, post(), None, busy, other)["body"] == '{"call": 2}'
    assert run.calls == 2


def test_the_key_is_scoped_to_the_credentials(handler):
    run = handler(201, 201, 201)

    idempotency.once(run, post(token="Token abc"), None, busy, other)
    other_token = idempotency.once(run, post(token="Token xyz"), None, busy, other)
    another_key = idempotency.once(run, post(key="k2"), None, busy, other)

    assert (other_token["body"], another_key["body"]) == ('{"call": 2}', '{"call": 3}')


def test_without_a_key_or_on_a_safe_method_every_request_runs(handler):
    run = handler(201, 201, 200, 200, 201, 201)

    for event in (post(key=None), post(key=None), post(method="GET"), post(method="head"), post(key=""), post(key="")):
        idempotency.once(run, event, None, busy, other)

    assert run.calls == 6


def test_the_header_name_is_case_insensitive(handler):
    run = handler(201, 201)

    idempotency.once(run, post(key_header="x-idempotency-key"), None, busy, other)
    idempotency.once(run, post(), None, busy, other)

    assert run.calls == 1


def test_a_repeat_while_the_first_is_running_gets_the_concurrent_answer(handler):
    inner: list[dict] = []

    def slow(event, context):
        inner.append(idempotency.once(Handler(201), post(), None, busy, other))  # the same key, still in progress
        return {"statusCode": 201, "headers": {}, "body": "{}"}

    assert idempotency.once(slow, post(), None, busy, other)["statusCode"] == 201
    assert inner == [{"statusCode": 409, "body": "busy"}]


def test_the_scope_is_the_key_and_a_hash_of_the_credentials():
    assert idempotency.idempotency_scope(post(key="k", token="Token abc")) == {
        "key": "k", "credentials": hashlib.sha256(b"Token abc").hexdigest()}
    assert idempotency.idempotency_scope({"headers": {"X-Idempotency-Key": "k"}}) is None  # no method: GET
    assert idempotency.idempotency_scope({"httpMethod": "DELETE", "headers": {"X-Idempotency-Key": "k"}}) == {
        "key": "k", "credentials": hashlib.sha256(b"").hexdigest()}


def test_a_lambda_context_bounds_the_in_progress_record(handler, monkeypatch):
    registered = []
    monkeypatch.setattr(idempotency._config(), "register_lambda_context", registered.append)
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: 5000)

    idempotency.once(handler(201), post(), context, busy, other)
    idempotency.once(handler(201), post(key="k2"), object(), busy, other)  # not a Lambda context
    idempotency.once(handler(201), post(key=None), context, busy, other)  # not idempotent: nothing to bound

    assert registered == [context]


def test_the_handler_gets_the_event_and_context_as_given(handler):
    seen = []

    def record(event, context):
        seen.append((event, context))
        return {"statusCode": 201, "headers": {}, "body": "{}"}

    context = SimpleNamespace(get_remaining_time_in_millis=lambda: 5000)
    plain, keyed = post(key=None), post(key="k9")
    idempotency.once(record, plain, context, busy, other)
    idempotency.once(record, keyed, context, busy, other)

    assert seen == [(plain, context), (keyed, context)]
