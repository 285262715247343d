"""Export jobs against moto: a file above the inline limit is a presigned redirect, a job that cannot be
produced is `failed`, an expired one is gone, and a token limited to some events exports only those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from invoicing import access, clock
from invoicing.errors import NotFound, PermissionDenied
from invoicing.exports import jobs
from invoicing.storage import exports as store
from tests.support import builders

MOMENT = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture
def shop(aws):
    clock.set_clock(lambda: MOMENT)
    org = builders.organizer(invoice_generate="True")
    builders.event(org, "conf")
    builders.event(org, "fair")
    builders.order(org, "conf")
    builders.order(org, "fair")
    return org


def principal(org: str, events: list[str] | None = None) -> access.Principal:
    return access.Principal(organizer=org, token_id="t", all_events=events is None,
                            limit_events=frozenset(events or ()), permissions=frozenset({"can_view_orders"}))


def produced(org: str, event: str | None, body: dict, who: access.Principal | None = None):
    job_id, file_id = jobs.start(who or principal(org), event, "invoicedata", body)
    assert jobs.run(org, job_id) == "done"
    return job_id, file_id


def test_a_file_above_the_inline_limit_is_a_short_lived_presigned_url(shop, monkeypatch):
    job_id, file_id = produced(shop, "conf", {"_format": "csv"})
    monkeypatch.setattr(jobs, "INLINE_LIMIT", 10)

    result = jobs.download(shop, "conf", "invoicedata", job_id, file_id)

    assert result.body is None and result.url
    query = parse_qs(urlsplit(result.url).query)
    assert urlsplit(result.url).path.endswith(f"/exports/{shop}/{job_id}/{shop}_conf_invoicedata.csv")
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query


def test_a_small_file_is_answered_inline(shop):
    job_id, file_id = produced(shop, "conf", {"_format": "csv"})

    result = jobs.download(shop, "conf", "invoicedata", job_id, file_id)

    assert result.url is None and result.body.startswith(b"number,date,order,event")


def test_a_job_expires_after_24_hours(shop):
    job_id, file_id = produced(shop, None, {"_format": "json"})

    clock.set_clock(lambda: MOMENT + timedelta(hours=24, seconds=1))
    with pytest.raises(NotFound, match=r"^Not found\.$"):
        jobs.download(shop, None, "invoicedata", job_id, file_id)


def test_a_job_that_cannot_be_produced_is_failed_with_a_message(shop, monkeypatch):
    job_id, file_id = jobs.start(principal(shop), "conf", "invoicedata", {"_format": "csv"})
    monkeypatch.setattr(store, "invoices_between", lambda *args: (_ for _ in ()).throw(OSError("disk full")))

    assert jobs.run(shop, job_id) == "failed"

    result = jobs.download(shop, "conf", "invoicedata", job_id, file_id)
    assert result == jobs.Failed("Export failed: OSError")


def test_a_waiting_job_reports_its_status(shop):
    job_id, file_id = jobs.start(principal(shop), "conf", "invoicedata", {"_format": "csv"})

    assert jobs.download(shop, "conf", "invoicedata", job_id, file_id) == jobs.Pending("waiting", None)


def test_a_token_limited_to_some_events_exports_only_those(shop):
    limited = principal(shop, ["conf"])
    job_id, file_id = produced(shop, None, {"_format": "json"}, limited)

    body = jobs.download(shop, None, "invoicedata", job_id, file_id).body
    assert b'"event":"conf"' in body and b'"event":"fair"' not in body
    with pytest.raises(PermissionDenied, match=r"^You do not have permission to perform this action\.$"):
        jobs.start(limited, None, "invoicedata", {"_format": "json", "events": ["fair"]})
