"""pretix's exporters API over HTTP on the local stack: invoice data as CSV and JSON, the PDF archive,
pretix's status codes while a job runs, for bad input and for unknown downloads."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from decimal import Decimal

import pytest


@pytest.fixture(scope="module")
def shop(new_organizer):
    organizer = new_organizer("export", invoice_generate="True")
    organizer.event("conf")
    organizer.event("fair")
    first = organizer.order("conf", positions=[
        {"description": "Ticket", "price": "23.00", "tax_rate": "19.00"},
        {"description": "Book", "price": "10.70", "tax_rate": "7.00"}])
    second = organizer.order("fair")
    assert organizer.order_action("fair", second["code"], "mark_canceled").status == 200
    organizer.first, organizer.second = first, second
    return organizer


def run(shop, path: tuple[str, ...], body: dict) -> str:
    reply = shop.api.post(shop.url(*path, "run"), shop.token, body=body)
    assert reply.status == 202, reply
    return reply.body["download"]


def fetch(shop, url: str):
    deadline = time.monotonic() + 60
    while True:
        reply = shop.api.get(url, shop.token)
        if reply.status != 409 or time.monotonic() > deadline:
            return reply
        assert reply.body["status"] in ("waiting", "running") and set(reply.body) == {"status", "percentage"}
        time.sleep(0.2)


def test_the_exporters_are_listed_with_their_input_parameters(shop):
    event_level = shop.api.get(shop.url("events", "conf", "exporters"), shop.token)
    organizer_level = shop.api.get(shop.url("exporters"), shop.token)

    assert event_level.status == organizer_level.status == 200
    assert [e["identifier"] for e in event_level.body["results"]] == ["invoicedata", "invoices"]
    data = event_level.body["results"][0]
    assert data["input_parameters"][0] == {"name": "_format", "required": True, "choices": ["csv", "json"]}
    assert organizer_level.body["results"][0]["input_parameters"][0] == {"name": "events", "required": False}


def test_invoice_data_as_csv_has_a_row_per_invoice_with_amounts_per_rate(shop):
    url = run(shop, ("events", "conf", "exporters", "invoicedata"), {"_format": "csv"})
    assert url.startswith("http") and "/events/conf/exporters/invoicedata/download/" in url

    reply = fetch(shop, url)

    assert reply.status == 200, reply
    assert reply.header("Content-Type").startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(reply.raw.decode())))
    assert (row["number"], row["order"], row["event"], row["is_cancellation"]) == (
        shop.first["invoices"][0], shop.first["code"], "conf", "false")
    # 23.00 gross at 19 %: tax 23.00 * 19 / 119 = 3.67; 10.70 at 7 %: 0.70.
    assert (row["gross_19.00"], row["tax_19.00"], row["net_19.00"]) == ("23.00", "3.67", "19.33")
    assert (row["gross_7.00"], row["tax_7.00"], row["net_7.00"]) == ("10.70", "0.70", "10.00")
    assert (row["gross_total"], row["tax_total"], row["net_total"], row["currency"]) == ("33.70", "4.37", "29.33", "EUR")
    assert row["transmission_type"] == "email"


def test_invoice_data_as_json_at_organizer_level_includes_cancellations_and_filters_by_event(shop):
    everything = json.loads(fetch(shop, run(shop, ("exporters", "invoicedata"), {"_format": "json"})).raw)
    fair_only = json.loads(fetch(shop, run(shop, ("exporters", "invoicedata"), {"_format": "json", "events": ["fair"]})).raw)

    assert len(everything["invoices"]) == 3
    (invoice, cancellation) = sorted(fair_only["invoices"], key=lambda row: row["is_cancellation"])
    assert cancellation["refers"] == invoice["number"]
    assert Decimal(cancellation["gross_total"]) == -Decimal(invoice["gross_total"]) == Decimal("-23.00")
    assert cancellation["taxes"] == [{"rate": "19.00", "net": "-19.33", "tax": "-3.67", "gross": "-23.00"}]


def test_the_date_filters_select_by_invoice_date(shop):
    none = json.loads(fetch(shop, run(shop, ("exporters", "invoicedata"),
                                      {"_format": "json", "date_to": "2000-01-01"})).raw)
    assert none == {"invoices": []}


def test_the_pdf_archive_holds_every_invoice_of_the_event(shop):
    reply = fetch(shop, run(shop, ("events", "fair", "exporters", "invoices"), {}))

    assert reply.status == 200, reply
    archive = zipfile.ZipFile(io.BytesIO(reply.raw))
    numbers = sorted(shop.second["invoices"] + [n for n in shop.invoice_numbers("fair") if n not in shop.second["invoices"]])
    assert sorted(archive.namelist()) == sorted(f"{number}.pdf" for number in numbers)
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())


def test_bad_input_is_400_and_unknown_downloads_and_exporters_are_404(shop):
    bad = shop.api.post(shop.url("events", "conf", "exporters", "invoicedata", "run"), shop.token,
                        body={"_format": "xlsx", "date_from": "tomorrow"})
    wrong_date = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
    assert (bad.status, bad.body) == (400, {"_format": ['"xlsx" is not a valid choice.'], "date_from": [wrong_date]})
    unknown = shop.api.post(shop.url("events", "conf", "exporters", "orderlist", "run"), shop.token, body={})
    assert unknown.status == 404

    url = run(shop, ("events", "conf", "exporters", "invoicedata"), {"_format": "csv"})
    forged = url.rstrip("/").rsplit("/", 1)[0] + "/" + "0" * 32 + "/"
    assert shop.api.get(forged, shop.token).status == 404
    other_event = url.replace("/events/conf/", "/events/fair/")
    assert shop.api.get(other_event, shop.token).status == 404


def test_another_organizer_cannot_download(shop, new_organizer):
    url = run(shop, ("events", "conf", "exporters", "invoicedata"), {"_format": "csv"})
    intruder = new_organizer("intruder")

    reply = shop.api.get(url, intruder.token)

    assert reply.status == 403
