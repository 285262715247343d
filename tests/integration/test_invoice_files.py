"""The PDF pipeline against moto: render requests, the render job, the files bucket, downloads, regenerate."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from invoicing import clock
from invoicing.errors import NotReady
from invoicing.invoices import changes, files, rendering
from invoicing.invoices.read import Visibility
from invoicing.storage import invoices as store
from invoicing.storage import rendered_files
from invoicing_infra.local.handlers import load_handler
from invoicing_infra.local.lambda_context import LambdaContext
from invoicing_infra.local.sqs_poller import lambda_record
from invoicing_infra.template import Template
from tests.conftest import ROOT
from tests.support import builders

ALL = Visibility(events=None)
MOMENT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def invoice(aws):
    """One issued invoice (SAMPLECONF-00001), the clock pinned, the render queue emptied of its job."""
    clock.set_clock(lambda: MOMENT)
    org = builders.organizer(invoice_generate="True", invoice_regenerate_allowed="True")
    builders.event(org, date_from="2026-12-01T10:00:00Z")
    builders.order(org)
    return store.get(org, "SAMPLECONF-00001")


def _take_jobs() -> list[dict]:
    """Every render job waiting in the queue (received and deleted)."""
    sqs = boto3.client("sqs")
    jobs = []
    while True:
        messages = sqs.receive_message(QueueUrl=os.environ["RENDER_QUEUE_URL"], MaxNumberOfMessages=10,
                                       VisibilityTimeout=0).get("Messages", [])
        if not messages:
            return jobs
        for message in messages:
            jobs.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=os.environ["RENDER_QUEUE_URL"], ReceiptHandle=message["ReceiptHandle"])


def _versions(key_prefix: str) -> tuple[list[dict], list[dict]]:
    listed = boto3.client("s3").list_object_versions(Bucket=os.environ["FILES_BUCKET"], Prefix=key_prefix)
    return listed.get("Versions", []), listed.get("DeleteMarkers", [])


def _render(organizer: str, number: str, version: int) -> rendering.Outcome:
    return rendering.render(rendering.RenderJob(organizer=organizer, number=number, content_version=version))


def test_issuing_queues_one_render_job_per_invoice(invoice):
    assert _take_jobs() == [{"organizer": "bigevents", "number": "SAMPLECONF-00001", "content_version": 1}]


def test_a_render_job_stores_the_pdf_under_its_content_version_and_records_it(invoice):
    _take_jobs()

    assert _render("bigevents", "SAMPLECONF-00001", 1) == rendering.Outcome.RENDERED

    stored = store.get("bigevents", "SAMPLECONF-00001").file
    assert stored.key == "invoices/bigevents/SAMPLECONF-00001/v1.pdf"
    body = boto3.client("s3").get_object(Bucket=os.environ["FILES_BUCKET"], Key=stored.key)["Body"].read()
    assert body.startswith(b"%PDF-")
    assert (stored.size, stored.sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert stored.rendered_at == "2026-11-21T09:00:00Z"
    download = files.download("bigevents", "SAMPLECONF-00001", ALL)
    assert download.read() == body
    assert download.etag == f'"{stored.sha256}"'
    assert download.filename == "SAMPLECONF-00001.pdf"


def test_a_redelivered_job_renders_nothing(invoice):
    _render("bigevents", "SAMPLECONF-00001", 1)

    assert _render("bigevents", "SAMPLECONF-00001", 1) == rendering.Outcome.ALREADY_RENDERED
    versions, _ = _versions("invoices/bigevents/SAMPLECONF-00001/")
    assert len(versions) == 1


def test_a_download_before_the_pdf_exists_is_not_ready_and_does_not_queue_a_second_job(invoice):
    assert len(_take_jobs()) == 1  # the one issuing queued

    for _ in range(3):
        with pytest.raises(NotReady):
            files.download("bigevents", "SAMPLECONF-00001", ALL)

    assert _take_jobs() == []


def test_a_request_presumed_lost_after_the_lease_is_made_again_by_a_download(invoice):
    _take_jobs()
    clock.set_clock(lambda: MOMENT + timedelta(seconds=rendered_files.RENDER_LEASE_SECONDS + 1))

    with pytest.raises(NotReady):
        files.download("bigevents", "SAMPLECONF-00001", ALL)
    with pytest.raises(NotReady):
        files.download("bigevents", "SAMPLECONF-00001", ALL)

    assert _take_jobs() == [{"organizer": "bigevents", "number": "SAMPLECONF-00001", "content_version": 1}]


def test_a_failed_render_is_requested_again_by_the_next_download(invoice, monkeypatch):
    _take_jobs()
    monkeypatch.setattr(rendering, "render_invoice", lambda doc, internal, einvoice=None: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        _render("bigevents", "SAMPLECONF-00001", 1)
    assert store.get("bigevents", "SAMPLECONF-00001").item["render_error"] == "ZeroDivisionError"
    with pytest.raises(NotReady):
        files.download("bigevents", "SAMPLECONF-00001", ALL)

    assert len(_take_jobs()) == 1


def test_regenerate_discards_the_file_and_renders_the_new_content(invoice):
    _render("bigevents", "SAMPLECONF-00001", 1)
    _take_jobs()

    changes.regenerate("bigevents", "SAMPLECONF-00001", ALL)

    # The old file is hidden (its version kept), the download is not ready, a job for version 2 waits
    versions, markers = _versions("invoices/bigevents/SAMPLECONF-00001/v1.pdf")
    assert (len(versions), len(markers)) == (1, 1)
    with pytest.raises(NotReady):
        files.download("bigevents", "SAMPLECONF-00001", ALL)
    assert _take_jobs() == [{"organizer": "bigevents", "number": "SAMPLECONF-00001", "content_version": 2}]
    # A late redelivery of the old job does nothing; the new one gives the new file
    assert _render("bigevents", "SAMPLECONF-00001", 1) == rendering.Outcome.SUPERSEDED
    assert _render("bigevents", "SAMPLECONF-00001", 2) == rendering.Outcome.RENDERED
    assert files.download("bigevents", "SAMPLECONF-00001", ALL).file.key.endswith("/v2.pdf")


def test_a_render_that_loses_against_a_regenerate_removes_its_file(invoice, monkeypatch):
    real = rendering.render_invoice

    def render_while_regenerated(doc, internal, einvoice=None):
        changes.regenerate("bigevents", "SAMPLECONF-00001", ALL)
        return real(doc, internal, einvoice)

    monkeypatch.setattr(rendering, "render_invoice", render_while_regenerated)

    assert _render("bigevents", "SAMPLECONF-00001", 1) == rendering.Outcome.SUPERSEDED
    assert _versions("invoices/bigevents/SAMPLECONF-00001/v1.pdf") == ([], [])
    assert store.get("bigevents", "SAMPLECONF-00001").file is None


def test_reissue_queues_jobs_for_the_cancellation_and_the_new_invoice(invoice):
    _take_jobs()

    changes.reissue("bigevents", "SAMPLECONF-00001", ALL)

    assert sorted(job["number"] for job in _take_jobs()) == ["SAMPLECONF-00002", "SAMPLECONF-00003"]


def _render_function():
    template = Template.load(ROOT / "template.yaml")
    return load_handler(template.functions()["RenderPdfFunction"], namespace="render_pdf_test")


def _sqs_event(jobs: list[dict]) -> dict:
    return {"Records": [lambda_record({"MessageId": f"m{index}", "ReceiptHandle": f"r{index}", "Body": json.dumps(job),
                                       "MD5OfBody": "", "Attributes": {}}, "arn:aws:sqs:eu-central-1:1:RenderQueue",
                                      "eu-central-1")
                        for index, job in enumerate(jobs)]}


def test_the_render_function_reports_only_the_failed_records(invoice, monkeypatch):
    handler = _render_function()
    good = {"organizer": "bigevents", "number": "SAMPLECONF-00001", "content_version": 1}
    bad = {"organizer": "bigevents", "number": "SAMPLECONF-00001", "content_version": "not a version"}
    context = LambdaContext("RenderPdfFunction", 30, 512, "eu-central-1", "123456789012")

    result = handler(_sqs_event([good, bad]), context)

    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert store.get("bigevents", "SAMPLECONF-00001").file is not None
