"""3. Reads per list page at 1,000 and 20,000 invoices in one event: queries and items read per page, by page
number, by cursor and by date (the tables seeded with storage's own item builder)."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from bench.api.environment import EVENT, ORGANIZER, PAGE_SIZE
from bench.api.meter import CallMeter
from bench.api.report import header, table

LIST_SIZES = (1_000, 20_000)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"


def order_code(i: int) -> str:
    code = ""
    for _ in range(5):
        i, digit = divmod(i, len(_CODE_ALPHABET))
        code += _CODE_ALPHABET[digit]
    return code


def bulk_insert(org: str, event: str, count: int, doc: dict[str, Any], internal: dict[str, Any]) -> int:
    """`count` invoices written straight into the table (storage's own item shape), plus the counter and
    statistics items the issuing transaction would have left. Returns the average item size in bytes."""
    from invoicing.storage import dynamo, keys
    from invoicing.storage.invoices import invoice_item

    prefix = f"{event.upper()}-"
    first_day = date(2025, 1, 1)
    locales: Counter = Counter()
    total_bytes = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        request: dict[str, Any] | None = {dynamo.table_name(): batch}
        while request:
            response = dynamo.client().batch_write_item(RequestItems=request)
            request = response.get("UnprocessedItems") or None
        batch.clear()

    for seq in range(1, count + 1):
        locale = "de" if seq % 5 == 0 else "en"
        locales[locale] += 1
        invoice_date = first_day + timedelta(days=(seq - 1) * 365 // count)
        item = invoice_item(org, {**doc, "number": f"{prefix}{seq:05d}", "order": order_code(seq),
                                  "date": invoice_date.isoformat(), "locale": locale, "event": event},
                            {**internal, "order_email": f"buyer{seq}@example.com"}, seq)
        total_bytes += dynamo.item_size(item)
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25:
            flush()
    if batch:
        flush()
    stats = {"n": count, **{f"l:{locale}": amount for locale, amount in locales.items()}}
    dynamo.put({**keys.counter_key(org), "seq": count, f"ctr:{prefix}": count, **stats})
    dynamo.put({**keys.event_stats_key(org, event), **stats, "orders": count})
    return total_bytes // count


def rcu(scanned: list[int], avg_bytes: int) -> float:
    """Eventually consistent read units: 0.5 per started 4 KB of the items each Query evaluated.
    A projection does not lower this: DynamoDB charges the size of the items read, not of what it returns."""
    return sum(0.5 * math.ceil(count * avg_bytes / 4096) for count in scanned if count)


def bench_reads(doc: dict[str, Any], internal: dict[str, Any]) -> None:
    from moto import mock_aws

    from tests.support import aws as aws_setup
    from tests.support import builders

    header("3. DYNAMODB READS PER LIST PAGE (event-level list, read.list_invoices with ReadStats)", f"""
For each size, a fresh moto table gets N invoices of one event written directly (batch_write_item of
storage.invoices.invoice_item items made from a real invoice: numbers {EVENT.upper()}-00001.., dates spread over
2025, every 5th locale `de`), plus the COUNTER and EVENTSTATS#{EVENT} statistics items.
queries / items read = ReadStats (Query calls on the invoices, sum of their ScannedCount).
other calls = the remaining DynamoDB calls of the request: the count comes from the statistics item
(one GetItem for an event, a BatchGetItem for several), never from reading invoices.
~RCU = estimated eventually consistent read units: 0.5 per started 4 KB of evaluated items per Query,
with the average item size (storage.dynamo.item_size); DynamoDB charges full items even when only keys
are projected.
ms = wall time under moto (moto's GSI query cost grows with the table, DynamoDB's does not).""")
    for count in LIST_SIZES:
        with mock_aws():
            aws_setup.reset_caches()
            aws_setup.create_tables()
            org = builders.organizer(ORGANIZER)
            builders.event(org, EVENT)
            reads_at(org, count, doc, internal)
            aws_setup.reset_caches()


def reads_at(org: str, count: int, doc: dict[str, Any], internal: dict[str, Any]) -> None:
    from invoicing.invoices import read
    from invoicing.pagination import PageRequest
    from invoicing.storage.listing import ReadStats

    started = time.perf_counter()
    avg_bytes = bulk_insert(org, EVENT, count, doc, internal)
    inserted = time.perf_counter() - started
    meter = CallMeter()
    visibility = read.Visibility(events=frozenset({EVENT}), fixed_event=EVENT)
    pages = math.ceil(count / PAGE_SIZE)
    middle = (pages + 1) // 2
    late = (3 * pages) // 4 + 1
    results: dict[str, Any] = {}
    rows = []

    def run(label: str, ordering: str, request: PageRequest) -> None:
        stats = ReadStats()
        meter.reset()
        started = time.perf_counter()
        page = read.list_invoices(org, read.InvoiceFilters(), ordering, request, visibility, stats)
        elapsed = time.perf_counter() - started
        others = Counter(meter.calls)
        others["Query"] -= stats.queries
        other = " ".join(f"{op}x{n}" for op, n in sorted(others.items()) if n) or "-"
        results[label] = page
        numbers = [doc["number"] for doc in page.results]
        span = f"{numbers[0][-5:]}..{numbers[-1][-5:]}" if numbers else "-"
        rows.append([label, f"{page.count:,}", stats.queries, f"{stats.scanned:,}", f"{rcu(meter.scanned, avg_bytes):g}",
                     len(numbers), span, other, f"{elapsed * 1000:.0f}"])

    run("page 1 (?page=1)", "nr", PageRequest(page=1, page_size=PAGE_SIZE))
    run("page 2 (?page=2)", "nr", PageRequest(page=2, page_size=PAGE_SIZE))
    run(f"middle page (?page={middle})", "nr", PageRequest(page=middle, page_size=PAGE_SIZE))
    run(f"3/4 page (?page={late})", "nr", PageRequest(page=late, page_size=PAGE_SIZE))
    run(f"last page (?page=last = {pages})", "nr", PageRequest(page=None, page_size=PAGE_SIZE))
    run("page 2 by cursor from page 1", "nr",
        PageRequest(page=2, page_size=PAGE_SIZE, cursor=results["page 1 (?page=1)"].next_cursor))
    run("page 1, ?ordering=date", "date", PageRequest(page=1, page_size=PAGE_SIZE))
    run("last page, ?ordering=date", "date", PageRequest(page=None, page_size=PAGE_SIZE))

    def numbers_of(label: str) -> list[str]:
        return [doc["number"] for doc in results[label].results]

    same = numbers_of("page 2 by cursor from page 1") == numbers_of("page 2 (?page=2)")
    print(f"N = {count:,} invoices in one event ({pages} pages of {PAGE_SIZE}; inserted in {inserted:.1f} s; "
          f"average item {avg_bytes:,} bytes)")
    table(["request", "count", "queries", "items read", "~RCU", "results", "first..last", "other calls", "ms (moto)"],
          rows)
    print(f"cursor page 2 {'has the same invoices as' if same else 'DIFFERS from'} ?page=2")
    print()
