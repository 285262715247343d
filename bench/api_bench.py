"""Benchmark of the API functions: cold imports, warm handler time, and DynamoDB reads per list page.

Run with `make bench` (or `.venv/bin/python bench/api_bench.py`). It prints figures and asserts nothing
about timing. No AWS account is used: imports need none, and the rest runs against moto in-process,
with the tables created from template.yaml as tests/conftest.py does.

1. Cold import: every API function's app.py, loaded by file path in a fresh interpreter, against the
   bare dependencies it cannot avoid (boto3, Powertools' event handler, pydantic); and a check that
   no API function imports a PDF/XML library (fpdf, lxml).
2. Warm handler: `lambda_handler(event, context)` of api_invoices for an invoice detail and a 50-invoice
   list page, with hand-built API Gateway REST proxy events, split into time spent inside the DynamoDB
   client calls (boto3 + moto) and the rest (our code + Powertools).
3. Reads per list page at 1,000 and 20,000 invoices in one event: queries and items read per page,
   by page number, by cursor and by date.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
API_FUNCTIONS = ("api_events", "api_orders", "api_invoices", "api_billing", "api_platform", "api_docs")

# What the functions get from template.yaml (Globals), plus fake credentials and no tracing/metrics.
ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1",
    "TABLE_NAME": "InvoicingTable", "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "POWERTOOLS_SERVICE_NAME": "invoicing", "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_NAMESPACE": "Invoicing", "POWERTOOLS_TRACE_DISABLED": "1", "POWERTOOLS_METRICS_DISABLED": "1",
}
os.environ.update(ENV)
os.environ.pop("AWS_ENDPOINT_URL", None)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.support.builders

from tests.support import aws as aws_setup  # noqa: E402 - needs the repo root on sys.path

IMPORT_RUNS = 5
HANDLER_WARMUP = 20
HANDLER_CALLS = 200
SEEDED_INVOICES = 60
LIST_SIZES = (1_000, 20_000)
PAGE_SIZE = 50
ORGANIZER = "bigevents"
EVENT = "sampleconf"
HOST = "api.invoicing.example"
STAGE = "prod"
HEAVY = ("fpdf", "lxml")
# Warm handler times are this thread's CPU time: the handler and moto run in this thread, and CPU time is
# what 2 cores shared with other work disturb least (wall-clock medians varied 4x between runs).
clock = time.thread_time


# --- Output --------------------------------------------------------------------------------------

def header(title: str, text: str) -> None:
    print()
    print("=" * 100)
    print(title)
    print("=" * 100)
    print(text.strip("\n"))
    print()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """First column left-aligned, the others right-aligned."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))

    print(line(cells[0]))
    print("  ".join("-" * width for width in widths))
    for row in cells[1:]:
        print(line(row))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --- 1. Cold imports -----------------------------------------------------------------------------

# Runs in a fresh interpreter: argv[1] is a file to load as a module, or comma-separated module names;
# argv[2] the comma-separated heavy libraries.
# A meta path finder notes every attempt to import a heavy library, even one that is not installed.
_PROBE = r"""
import importlib, importlib.util, json, sys, time
HEAVY = set(sys.argv[2].split(","))
attempted = []

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY:
            attempted.append(name)
        return None

sys.meta_path.insert(0, Watch())
target = sys.argv[1]
before = len(sys.modules)
started, cpu_started = time.perf_counter(), time.process_time()
if target.endswith(".py"):
    spec = importlib.util.spec_from_file_location("bench_cold_app", target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert callable(module.lambda_handler)
else:
    for name in target.split(","):
        importlib.import_module(name)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
loaded = sorted(name for name in sys.modules if name.split(".")[0] in HEAVY)
print(json.dumps({"seconds": elapsed, "cpu": cpu, "modules": len(sys.modules) - before, "heavy": loaded,
                  "attempted": sorted(set(attempted))}))
"""

_BARE_DEPS = {
    "boto3": "boto3",
    "powertools event_handler": "aws_lambda_powertools.event_handler",
    "pydantic": "pydantic",
}


def _probe(target: str, cwd: Path) -> dict[str, Any]:
    env = {**os.environ, **ENV}
    result = subprocess.run([sys.executable, "-c", _PROBE, target, ",".join(HEAVY)], cwd=cwd, env=env, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"importing {target} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_imports() -> float:
    """Prints the table; returns the largest function/bare ratio (CPU time medians)."""
    installed = {name: importlib.util.find_spec(name) is not None for name in HEAVY}
    header("1. COLD IMPORT TIME (fresh interpreter per run)", f"""
Each figure is the median of {IMPORT_RUNS} fresh interpreters (after one unmeasured run that writes
the bytecode caches), timed with perf_counter around the import only (interpreter start excluded).
API functions are loaded by file path (importlib), cwd = their CodeUri, with the template's environment;
nothing touches AWS at import. Bare deps are what any function on this stack must import anyway.
Runs are interleaved so that machine noise spreads over all targets alike.
"modules" is how many modules the import added to sys.modules.""")
    targets: dict[str, tuple[str, Path]] = {}
    for name in API_FUNCTIONS:
        targets[name] = (str(FUNCTIONS / name / "app.py"), FUNCTIONS if name == "api_docs" else FUNCTIONS / name)
    for label, module in _BARE_DEPS.items():
        targets[label] = (module, ROOT / "bench")
    targets["bare deps (all three)"] = (",".join(_BARE_DEPS.values()), ROOT / "bench")

    samples: dict[str, list[dict[str, Any]]] = {label: [] for label in targets}
    for run in range(IMPORT_RUNS + 1):
        for label, (target, cwd) in targets.items():
            result = _probe(target, cwd)
            if run:
                samples[label].append(result)

    def median_of(label: str, key: str) -> float:
        return statistics.median(sample[key] for sample in samples[label])

    bare, bare_cpu = median_of("bare deps (all three)", "seconds"), median_of("bare deps (all three)", "cpu")
    rows = []
    ratios = {}
    for label in targets:
        times = [sample["seconds"] for sample in samples[label]]
        is_function = label in API_FUNCTIONS
        if is_function:
            ratios[label] = median_of(label, "cpu") / bare_cpu
        rows.append([label, ms(statistics.median(times)), ms(min(times)), ms(max(times)), ms(median_of(label, "cpu")),
                     samples[label][0]["modules"], f"{statistics.median(times) / bare:.2f}x" if is_function else "",
                     f"{ratios[label]:.2f}x" if is_function else "", _heavy_verdict(samples[label]) if is_function else ""])
    table(["module", "median", "min", "max", "cpu median", "modules", "wall/bare", "cpu/bare", "imports fpdf or lxml?"],
          rows)
    print()
    print("wall/bare, cpu/bare = the function's median over the median of the three bare deps imported together, by")
    print("wall-clock and by the process's CPU time; CPU time is what a shared machine disturbs least (the ratio reported).")
    state = ", ".join(f"{name} {'installed' if present else 'not installed'}" for name, present in installed.items())
    print(f"fpdf/lxml check: sys.modules after the import, and any attempt to import them ({state} in this venv).")
    return max(ratios.values())


def _heavy_verdict(samples: list[dict[str, Any]]) -> str:
    loaded = sorted({name for sample in samples for name in sample["heavy"]})
    attempted = sorted({name for sample in samples for name in sample["attempted"]})
    if loaded:
        return "YES: " + ", ".join(loaded)
    if attempted:
        return "tried: " + ", ".join(attempted)
    return "no"


# --- moto, tables, DynamoDB call meter --------------------------------------------------------

class CallMeter:
    """Wraps the shared DynamoDB client: counts calls by operation and times them, in total (boto3 + moto)
    and inside moto alone (from botocore's `before-send`, which moto answers, to `before-parse`)."""

    def __init__(self) -> None:
        from invoicing.storage import dynamo

        self.client = dynamo.client()
        self.reset()
        self._sent_at = 0.0
        original = self.client._make_api_call

        def metered(operation: str, params: dict[str, Any]) -> Any:
            started = clock()
            try:
                response = original(operation, params)
            finally:
                self.seconds += clock() - started
                self.calls[operation] += 1
            if operation == "Query":
                self.scanned.append(int(response.get("ScannedCount", 0)))
            return response

        def sending(**_: Any) -> None:
            self._sent_at = clock()

        def received(**_: Any) -> None:
            self.moto += clock() - self._sent_at

        self.client._make_api_call = metered
        self.client.meta.events.register_first("before-send.dynamodb", sending)
        self.client.meta.events.register("before-parse.dynamodb", received)

    def reset(self) -> None:
        self.calls: Counter = Counter()
        self.seconds = 0.0  # inside client calls: boto3 + moto
        self.moto = 0.0  # inside moto's emulation only
        self.scanned: list[int] = []  # ScannedCount of each Query

    def summary(self, per: int = 1) -> str:
        parts = []
        for operation, count in sorted(self.calls.items()):
            amount = count / per
            parts.append(f"{operation}x{amount:.0f}" if amount == int(amount) else f"{operation}x{amount:.2f}")
        return " ".join(parts) or "-"


# --- 2. Warm handler -----------------------------------------------------------------------------

class LambdaContext:
    """The attributes Powertools reads from the Lambda context."""

    function_name = "ApiInvoicesFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:ApiInvoicesFunction"
    log_group_name = "/aws/lambda/ApiInvoicesFunction"
    log_stream_name = "2025/01/01/[$LATEST]bench"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + 10

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def api_event(resource: str, params: dict[str, str], secret: str, query: dict[str, list[str]] | None = None,
              method: str = "GET") -> dict[str, Any]:
    """An API Gateway REST proxy event (v1) as the stage would send it, trailing slash included."""
    path = resource
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    path += "/"
    headers = {"Accept": "application/json", "Authorization": f"Token {secret}", "Host": HOST,
               "User-Agent": "api-bench", "X-Forwarded-Proto": "https"}
    multi_query = {name: list(values) for name, values in (query or {}).items()}
    request_id = str(uuid.uuid4())
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "benchapi", "domainName": HOST, "domainPrefix": HOST.split(".")[0],
            "extendedRequestId": request_id, "httpMethod": method, "path": f"/{STAGE}{path}", "protocol": "HTTP/1.1",
            "requestId": request_id, "requestTimeEpoch": int(time.time() * 1000), "resourceId": "bench",
            "resourcePath": resource, "stage": STAGE,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "api-bench"},
        },
        "body": None, "isBase64Encoded": False,
    }


def load_function(name: str) -> Any:
    """A function's app.py by file path, as its own module (every function has an `app.py`)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}_app", FUNCTIONS / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _time_handler(handler: Callable[[dict, Any], dict], events: list[dict[str, Any]], meter: CallMeter,
                  check: Callable[[dict], None]) -> dict[str, Any]:
    for i in range(HANDLER_WARMUP):
        check(handler(events[i % len(events)], LambdaContext()))
    totals, inside, moto = [], [], []
    calls: Counter = Counter()
    for i in range(HANDLER_CALLS):
        event, context = events[i % len(events)], LambdaContext()
        meter.reset()
        started = clock()
        response = handler(event, context)
        totals.append(clock() - started)
        inside.append(meter.seconds)
        moto.append(meter.moto)
        calls.update(meter.calls)
        if response["statusCode"] != 200:
            raise RuntimeError(f"{event['path']}: {response['statusCode']} {response['body'][:300]}")
    meter.calls = calls
    return {"totals": totals, "moto": moto, "boto3": [i - m for i, m in zip(inside, moto, strict=True)],
            "own": [t - i for t, i in zip(totals, inside, strict=True)],
            "without_moto": [t - m for t, m in zip(totals, moto, strict=True)], "calls": meter.summary(per=HANDLER_CALLS)}


def _time_reference(call: Callable[[], Any], meter: CallMeter) -> tuple[list[float], list[float]]:
    """Times of a bare client call, and the part of each spent inside moto."""
    for _ in range(HANDLER_WARMUP):
        call()
    times, moto = [], []
    for _ in range(HANDLER_CALLS):
        meter.reset()
        started = clock()
        call()
        times.append(clock() - started)
        moto.append(meter.moto)
    return times, moto


def bench_handler() -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
    """Returns the doc and internal data of a real invoice (the template of the bulk-written ones), and the
    median milliseconds without moto of the detail and the list page."""
    from moto import mock_aws

    from invoicing.storage import dynamo
    from invoicing.storage import invoices as invoice_store
    from tests.support import builders

    header("2. WARM HANDLER TIME PER REQUEST (api_invoices, moto in-process)", f"""
One organizer, one event, one token (all permissions) and {SEEDED_INVOICES} orders created through the
domain with invoice_generate=True, hence {SEEDED_INVOICES} invoices. Then lambda_handler(event, context) is
called with hand-built API Gateway REST proxy events: {HANDLER_WARMUP} warm-up calls, then {HANDLER_CALLS} timed
calls each (detail cycles through all {SEEDED_INVOICES} numbers). Every response must be 200.
Times are this thread's CPU time (time.thread_time), not wall-clock: the handler and moto run in this
thread, and CPU time stays comparable run to run on a shared machine.
Each request's time is split, per request, then the medians taken (so the parts need not add up):
  moto     = inside moto's in-process emulation of DynamoDB (botocore before-send .. before-parse);
  boto3    = the rest of the DynamoDB client calls (parameter (de)serialisation, response parsing);
  own code = everything else: our code, Powertools routing and validation, Logger, JSON;
  w/o moto = total minus moto: what the handler costs this CPU without DynamoDB's side. On AWS, each
             DynamoDB call adds a network round trip (a few ms) instead of moto's time.
The token lookup is cached for 10 s in a warm function, so most requests do not read it.""")
    with mock_aws():
        aws_setup.reset_caches()
        aws_setup.create_tables()
        org = builders.organizer(ORGANIZER, invoice_generate="True")
        builders.event(org, EVENT)
        secret = builders.token(org)
        for _ in range(SEEDED_INVOICES):
            builders.order(org, EVENT)
        numbers = [f"{EVENT.upper()}-{n:05d}" for n in range(1, SEEDED_INVOICES + 1)]
        template = invoice_store.get(org, numbers[0])
        if template is None:
            raise RuntimeError(f"{numbers[0]} was not issued")

        module = load_function("api_invoices")
        meter = CallMeter()
        base = "/api/v1/organizers/{organizer}/events/{event}/invoices"
        detail_events = [api_event(base + "/{number}", {"organizer": org, "event": EVENT, "number": number}, secret)
                         for number in numbers]
        list_event = api_event(base, {"organizer": org, "event": EVENT}, secret)

        def check_detail(response: dict) -> None:
            if response["statusCode"] != 200 or json.loads(response["body"])["number"] not in numbers:
                raise RuntimeError(f"detail: {response['statusCode']} {response['body'][:300]}")

        def check_list(response: dict) -> None:
            body = json.loads(response["body"]) if response["statusCode"] == 200 else {}
            if len(body.get("results", [])) != PAGE_SIZE or body.get("count") != SEEDED_INVOICES:
                raise RuntimeError(f"list: {response['statusCode']} {response['body'][:300]}")

        detail = _time_handler(module.lambda_handler, detail_events, meter, check_detail)
        listing = _time_handler(module.lambda_handler, [list_event], meter, check_list)

        meter.reset()
        scope = invoice_store.event_scope(org, EVENT)
        references = {
            "GetItem of one invoice (dynamo.get)": _time_reference(
                lambda: dynamo.get(invoice_store.invoice_pk(org), numbers[7]), meter),
            "BatchGetItem of the event stats item": _time_reference(
                lambda: dynamo.batch_get([(f"ORG#{org}", f"EVENTSTATS#{EVENT}")]), meter),
            f"Query of {PAGE_SIZE} invoices on ByEventNumber": _time_reference(
                lambda: dynamo.query(IndexName="ByEventNumber", KeyConditionExpression="EventScope = :s",
                                     ExpressionAttributeValues={":s": scope}, Limit=PAGE_SIZE), meter),
        }
        aws_setup.reset_caches()

    rows = []
    for label, result in ((f"GET invoice detail ({SEEDED_INVOICES} numbers)", detail),
                          (f"GET list page 1 ({PAGE_SIZE} of {SEEDED_INVOICES})", listing)):
        median = {key: statistics.median(result[key]) for key in ("totals", "moto", "boto3", "own", "without_moto")}
        rows.append([label, ms(median["totals"]), ms(p95(result["totals"])), ms(median["moto"]), ms(median["boto3"]),
                     ms(median["own"]), ms(median["without_moto"]), ms(p95(result["without_moto"])), result["calls"]])
    table(["request", "median", "p95", "moto", "boto3", "own code", "w/o moto", "w/o moto p95", "DynamoDB calls/request"],
          rows)
    print()
    print("Reference: the same DynamoDB calls alone through the shared client, no handler (moto = inside moto):")
    table(["call", "median", "p95", "moto", "w/o moto"],
          [[label, ms(statistics.median(times)), ms(p95(times)), ms(statistics.median(moto)),
            ms(statistics.median([t - m for t, m in zip(times, moto, strict=True)]))]
           for label, (times, moto) in references.items()])
    figures = {"detail_wo_db_ms": statistics.median(detail["without_moto"]) * 1000,
               "list_wo_db_ms": statistics.median(listing["without_moto"]) * 1000}
    return template.doc, template.internal, figures


# --- 3. Reads per list page --------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"


def _order_code(i: int) -> str:
    code = ""
    for _ in range(5):
        i, digit = divmod(i, len(_CODE_ALPHABET))
        code += _CODE_ALPHABET[digit]
    return code


def _attribute_bytes(value: Any) -> int:
    """DynamoDB's size of a value (approximation of the documented rules)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return len(str(abs(value)).replace(".", "").lstrip("0")) // 2 + 2
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, dict):
        return 3 + sum(len(key.encode()) + _attribute_bytes(item) + 1 for key, item in value.items())
    if isinstance(value, list):
        return 3 + sum(_attribute_bytes(item) + 1 for item in value)
    return len(str(value).encode())


def item_bytes(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _attribute_bytes(value) for name, value in item.items())


def bulk_insert(org: str, event: str, count: int, doc: dict[str, Any], internal: dict[str, Any]) -> int:
    """`count` invoices written straight into the table (storage's own item shape), plus the counter and
    statistics items the issuing transaction would have left. Returns the average item size in bytes."""
    from invoicing.storage import dynamo
    from invoicing.storage import invoices as invoice_store
    from invoicing.storage.events import stats_key
    from invoicing.storage.organizers import org_pk

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
        item = invoice_store._to_item(org, {**doc, "number": f"{prefix}{seq:05d}", "order": _order_code(seq),
                                            "date": invoice_date.isoformat(), "locale": locale, "event": event},
                                      {**internal, "order_email": f"buyer{seq}@example.com"}, seq)
        total_bytes += item_bytes(item)
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25:
            flush()
    if batch:
        flush()
    stats = {"n": count, **{f"l:{locale}": amount for locale, amount in locales.items()}}
    dynamo.put({"PK": org_pk(org), "SK": "COUNTER", "seq": count, f"ctr:{prefix}": count, **stats})
    dynamo.put({**stats_key(org, event), **stats, "orders": count})
    return total_bytes // count


def _rcu(scanned: list[int], avg_bytes: int) -> float:
    """Eventually consistent read units: 0.5 per started 4 KB of the items each Query evaluated.
    A projection does not lower this: DynamoDB charges the size of the items read, not of what it returns."""
    return sum(0.5 * math.ceil(count * avg_bytes / 4096) for count in scanned if count)


def bench_reads(doc: dict[str, Any], internal: dict[str, Any]) -> None:
    from moto import mock_aws

    from tests.support import builders

    header("3. DYNAMODB READS PER LIST PAGE (event-level list, read.list_invoices with ReadStats)", f"""
For each size, a fresh moto table gets N invoices of one event written directly (batch_write_item of
storage.invoices._to_item items made from a real invoice: numbers {EVENT.upper()}-00001.., dates spread over
2025, every 5th locale `de`), plus the COUNTER and EVENTSTATS#{EVENT} statistics items.
queries / items read = ReadStats (Query calls on the invoices, sum of their ScannedCount).
other calls = the remaining DynamoDB calls of the request: the count comes from the statistics item
(one BatchGetItem), never from reading invoices.
~RCU = estimated eventually consistent read units: 0.5 per started 4 KB of evaluated items per Query,
with the average item size; DynamoDB charges full items even when only keys are projected.
ms = wall time under moto (moto's GSI query cost grows with the table, DynamoDB's does not).""")
    for count in LIST_SIZES:
        with mock_aws():
            aws_setup.reset_caches()
            aws_setup.create_tables()
            org = builders.organizer(ORGANIZER)
            builders.event(org, EVENT)
            _reads_at(org, count, doc, internal)
            aws_setup.reset_caches()


def _reads_at(org: str, count: int, doc: dict[str, Any], internal: dict[str, Any]) -> None:
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
        rows.append([label, f"{page.count:,}", stats.queries, f"{stats.scanned:,}", f"{_rcu(meter.scanned, avg_bytes):g}",
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


# --- Main ----------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="API benchmark (figures only, no pass/fail).")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object last: cold_import_ratio_max, detail_wo_db_ms, list_wo_db_ms")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"API benchmark: Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    ratio = bench_imports()
    doc, internal, figures = bench_handler()
    bench_reads(doc, internal)
    print(f"Total bench time: {time.perf_counter() - started:.0f} s")
    if args.json:
        print(json.dumps({"cold_import_ratio_max": round(ratio, 3),
                          "detail_wo_db_ms": round(figures["detail_wo_db_ms"], 3),
                          "list_wo_db_ms": round(figures["list_wo_db_ms"], 3)}))


if __name__ == "__main__":
    main()
