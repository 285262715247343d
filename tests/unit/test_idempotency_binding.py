"""An idempotency key is bound to its request by a fingerprint of method, path and canonical body (issue 10)."""

from __future__ import annotations

import base64

from invoicing_http.idempotency import fingerprint


def _event(method: str = "POST", path: str = "/api/v1/organizers/o/events/e/orders/", body: str | None = None,
           encoded: bool = False) -> dict:
    if encoded and body is not None:
        body = base64.b64encode(body.encode()).decode()
    return {"httpMethod": method, "path": path, "body": body, "isBase64Encoded": encoded}


def test_the_same_json_written_differently_is_the_same_request():
    assert fingerprint(_event(body='{"a": 1, "b": [1, 2]}')) == fingerprint(_event(body='{"b":[1,2],"a":1}'))
    assert fingerprint(_event(body='{"a": "ü"}', encoded=True)) == fingerprint(_event(body='{"a":"\\u00fc"}'))


def test_method_path_and_body_each_make_another_request():
    base = fingerprint(_event(body='{"a": 1}'))

    assert fingerprint(_event(body='{"a": 2}')) != base
    assert fingerprint(_event(method="PATCH", body='{"a": 1}')) != base
    assert fingerprint(_event(path="/api/v1/organizers/o/events/e/orders/X/mark_canceled/", body='{"a": 1}')) != base
    assert fingerprint(_event(body=None)) != base


def test_a_body_that_is_not_json_is_compared_byte_for_byte():
    assert fingerprint(_event(body="a=1&b=2")) == fingerprint(_event(body="a=1&b=2"))
    assert fingerprint(_event(body="a=1&b=2")) != fingerprint(_event(body="b=2&a=1"))


def test_a_body_flagged_base64_that_is_not_strict_base64_is_compared_as_sent():
    # "e30=" is base64 of "{}"; with a "!" in it, it is no base64 (strict decoding), so no lenient decoder may
    # turn it into "{}" and replay the answer of an empty-object request
    flagged = {"httpMethod": "POST", "path": "/p/", "body": "e3!0=", "isBase64Encoded": True}
    empty_object = _event(path="/p/", body="{}")

    assert fingerprint(flagged) != fingerprint(empty_object)
    assert fingerprint(flagged) == fingerprint(_event(path="/p/", body="e3!0="))  # the raw bytes, not an error


def test_the_fingerprint_is_stable_across_deploys():
    # Records written by the deployed version are compared with fingerprints of the next one for 24 hours: a new
    # canonical form would answer every repeat after a deploy with 400. The documented form: SHA-256 of the JSON
    # list [METHOD, path, SHA-256 of the body re-serialised with sorted keys, "," and ":" and UTF-8 as is], i.e.
    # of ["POST", "/p/", sha256('{"a":"ü","b":[1,2]}')] - written here as the digest the deployed version stores.
    event = {"httpMethod": "post", "path": "/p/", "body": '{"b": [1, 2], "a": "ü"}', "isBase64Encoded": False}

    assert fingerprint(event) == "9d1dc44fccfb447b3e7c85e8662ead8ad0d7b194307ccfd271fc7dff0ce1adec"
    # no body (a DELETE) is the empty body: ["DELETE", "/p/", sha256(b"")]
    assert fingerprint({"httpMethod": "DELETE", "path": "/p/", "body": None}) == \
        "86f2f2b9a2b8774c9032a0dfb311fb9a68d68b2af24b7f1adca295e5720c7f5f"
