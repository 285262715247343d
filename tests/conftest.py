"""Shared fixtures: a moto-backed AWS with the template's tables, bucket and queues, and a pinned clock."""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Before anything creates a boto3 client: fake credentials, a region, and the local table names.
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1",
    "TABLE_NAME": "InvoicingTable", "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "POWERTOOLS_TRACE_DISABLED": "1", "POWERTOOLS_METRICS_DISABLED": "1", "POWERTOOLS_LOG_LEVEL": "WARNING",
})
os.environ.pop("AWS_ENDPOINT_URL", None)

from tests.support.aws import create_resources, reset_caches  # noqa: E402 - after the environment is set


@pytest.fixture(autouse=True)
def _cold_start() -> Iterator[None]:
    """Functions read their configuration once per cold start: each test starts from the environment it sets."""
    yield
    from invoicing import config

    config.reset()


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh moto account holding the template's tables, bucket and queues."""
    from moto import mock_aws

    with mock_aws():
        reset_caches()
        create_resources()
        yield
        reset_caches()


@pytest.fixture
def aws_server(monkeypatch) -> Iterator[str]:
    """moto in server mode on a free loopback port: real HTTP and real concurrency (mock_aws is not thread-safe)."""

    from invoicing_infra.local.serialized_moto import SerializedMotoServer

    server = SerializedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    _reset_moto(endpoint)  # a LocalStack run earlier in this process leaves its resources in moto's backends
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    reset_caches()
    create_resources()
    yield endpoint
    reset_caches()
    _reset_moto(endpoint)  # moto's backends are process-wide: the next server must not find this one's resources
    server.stop()


def _reset_moto(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
