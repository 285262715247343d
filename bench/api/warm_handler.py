"""2. Warm handler: api_invoices' `lambda_handler(event, context)` for an invoice detail and a 50-invoice list page,
split into time inside moto, inside boto3, and the rest (our code + Powertools); then the same requests with
DynamoDB's answers replayed without moto (replay.py), the figures reported; and a control: the replay with moto-sized
work of other data inside each call, that work's time subtracted (what in-thread emulation does to the rest)."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench.api.environment import EVENT, ORGANIZER, PAGE_SIZE, clock
from bench.api.gateway_event import api_event, load_function
from bench.api.meter import CallMeter
from bench.api.replay import Replay, busy_work
from bench.api.report import header, ms, p95, table
from invoicing_infra.local.lambda_context import LambdaContext

HANDLER_WARMUP = 20
HANDLER_CALLS = 200
SEEDED_INVOICES = 60


def context() -> LambdaContext:
    """The local stack's Lambda context, as for the template's ApiInvoicesFunction (512 MB, 10 s)."""
    return LambdaContext("ApiInvoicesFunction", timeout=10, memory_limit_in_mb=512, region="eu-central-1",
                         account_id="123456789012")


def time_handler(handler: Callable[[dict, Any], dict], events: list[dict[str, Any]], meter: CallMeter,
                 check: Callable[[dict], None]) -> dict[str, Any]:
    for i in range(HANDLER_WARMUP):
        check(handler(events[i % len(events)], context()))
    totals, inside, moto = [], [], []
    calls: Counter = Counter()
    for i in range(HANDLER_CALLS):
        event, lambda_context = events[i % len(events)], context()
        meter.reset()
        started = clock()
        response = handler(event, lambda_context)
        totals.append(clock() - started)
        inside.append(meter.seconds)
        moto.append(meter.moto)
        calls.update(meter.calls)
        if response["statusCode"] != 200:
            raise RuntimeError(f"{event['path']}: {response['statusCode']} {response['body'][:300]}")
    meter.calls = calls
    return {"totals": totals, "moto": moto, "boto3": [i - m for i, m in zip(inside, moto, strict=True)],
            "own": [t - i for t, i in zip(totals, inside, strict=True)],
            "without_moto": [t - m for t, m in zip(totals, moto, strict=True)], "calls": meter.summary(per=HANDLER_CALLS),
            "calls_per_request": sum(calls.values()) / HANDLER_CALLS}


def time_without_burst(handler: Callable[[dict, Any], dict], event: dict[str, Any], replay: Replay, meter: CallMeter,
                       check: Callable[[dict], None]) -> list[float]:
    """time_handler's times of `event` with the replay's burst running inside each call, minus the burst's own time."""
    bursts = []

    def counted(event: dict[str, Any], lambda_context: Any) -> dict:
        replay.burst_seconds = 0.0
        response = handler(event, lambda_context)
        bursts.append(replay.burst_seconds)
        return response

    totals = time_handler(counted, [event], meter, check)["totals"]
    return [total - burst for total, burst in zip(totals, bursts[HANDLER_WARMUP:], strict=True)]


def time_reference(call: Callable[[], Any], meter: CallMeter) -> tuple[list[float], list[float]]:
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
    median milliseconds of the detail and the list page with DynamoDB replayed (`*_wo_db_ms`) and minus moto's
    time (`*_wo_moto_ms`)."""
    from moto import mock_aws

    from invoicing.storage import dynamo
    from invoicing.storage import invoices as invoice_store
    from invoicing.storage.events import stats_key
    from tests.support import aws as aws_setup
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
  w/o moto = total minus moto. On AWS, each DynamoDB call adds a network round trip (a few ms) instead.
  replayed = the whole request with DynamoDB's answers (recorded under moto) replayed at botocore's
             before-send, where moto answers: what the handler costs this CPU without DynamoDB's own time,
             botocore's work on the calls included. "w/o moto" is higher: moto's 20-45 ms of Python per
             request in this thread leave our code cold CPU caches (replay.py). The figures reported.
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
        replay = Replay(dynamo.clients())
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

        replay.recording()
        detail = time_handler(module.lambda_handler, detail_events, meter, check_detail)
        listing = time_handler(module.lambda_handler, [list_event], meter, check_list)
        meter.reset()
        scope = invoice_store.event_scope(org, EVENT)
        references = {
            "GetItem of one invoice (dynamo.get)": time_reference(
                lambda: dynamo.get(invoice_store.invoice_pk(org), numbers[7]), meter),
            "BatchGetItem of the event stats item": time_reference(
                lambda: dynamo.batch_get([tuple(stats_key(org, EVENT).values())]), meter),
            f"Query of {PAGE_SIZE} invoices on ByEventNumber": time_reference(
                lambda: dynamo.query(IndexName="ByEventNumber", KeyConditionExpression="EventScope = :s",
                                     ExpressionAttributeValues={":s": scope}, Limit=PAGE_SIZE), meter),
        }
    # Outside moto (whose stubber would answer first): the recorded answers only.
    replay.replaying()
    detail_replayed = time_handler(module.lambda_handler, detail_events, meter, check_detail)
    listing_replayed = time_handler(module.lambda_handler, [list_event], meter, check_list)
    if max(listing_replayed["moto"]) > 0.005:  # moto's Query takes 20+ ms: it must not have answered
        raise RuntimeError("replayed list requests reached moto")
    # The control: the replay again, with moto's median time per call spent on other Python work inside each call.
    per_call = statistics.median(listing["moto"]) / listing["calls_per_request"]
    replay.burst = busy_work(per_call)
    listing_control = time_without_burst(module.lambda_handler, list_event, replay, meter, check_list)
    replay.burst = None
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
    print("The same requests with DynamoDB's answers replayed (no moto in the loop; the figures reported):")
    table(["request", "replayed median", "replayed p95"],
          [[label, ms(statistics.median(result["totals"])), ms(p95(result["totals"]))]
           for label, result in (("GET invoice detail", detail_replayed), ("GET list page 1", listing_replayed))])
    print(f"Control: GET list page 1 replayed with {ms(per_call)} of other Python work (deep copies, JSON; moto's "
          f"median time per call) inside each call, that work's time subtracted: {ms(statistics.median(listing_control))}."
          "\nWork of that size in the same thread slows the code around it (cold caches): this is what the "
          "total-minus-moto figure adds to the replayed one.")
    print()
    print("Reference: the same DynamoDB calls alone through the shared client, no handler (moto = inside moto):")
    table(["call", "median", "p95", "moto", "w/o moto"],
          [[label, ms(statistics.median(times)), ms(p95(times)), ms(statistics.median(moto)),
            ms(statistics.median([t - m for t, m in zip(times, moto, strict=True)]))]
           for label, (times, moto) in references.items()])
    figures = {"detail_wo_db_ms": statistics.median(detail_replayed["totals"]) * 1000,
               "list_wo_db_ms": statistics.median(listing_replayed["totals"]) * 1000,
               "detail_wo_moto_ms": statistics.median(detail["without_moto"]) * 1000,
               "list_wo_moto_ms": statistics.median(listing["without_moto"]) * 1000}
    return template.doc, template.internal, figures
