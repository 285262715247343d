"""Benchmark of the exporters on the local stack: 10,000 invoices as `invoicedata` CSV and as the PDF ZIP.

Run with `make bench-export` (or `.venv/bin/python bench/export.py [invoices]`). It starts a local stack
on free ports, issues the invoices through the domain (orders of one event, each with its invoice; the
stack's render function draws the PDFs), then for each export:
1. over HTTP: `POST .../run/`, poll the download URL (409 while running), fetch the file (or follow the
   303): the time a client waits;
2. the export function alone: `functions/export_files/app.py`'s handler in a fresh Python process against
   the stack's moto endpoint, timed, with its peak resident memory (ru_maxrss), the figure that matters
   for the function's MemorySize (goal: under 60 s and 512 MB).
It prints figures and asserts nothing about timing.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from invoicing_infra.local import LocalStack  # noqa: E402

ORGANIZER, EVENT = "benchexport", "conf"
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
import app
from invoicing_infra.local.lambda_context import LambdaContext
context = LambdaContext("ExportFilesFunction", 900, 512, "eu-central-1", "123456789012")
result = app.lambda_handler(json.loads(sys.argv[2]), context)
elapsed = time.perf_counter() - started
# VmHWM: this process's own peak (ru_maxrss would include the parent's, inherited through fork)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": elapsed, "max_rss_kib": peak, "result": result}))
"""


def seed(stack: LocalStack, count: int) -> None:
    """One invoice issued and rendered for real; the other count - 1 written as copies of its item with their own
    numbers, sequence and date keys (BatchWriteItem), all pointing at its PDF: issuing 10,000 invoices one by one
    through the numbering transaction takes an hour on a shared two-core machine, and what is measured here is
    the export's reading, writing and zipping, not issuing or rendering (bench/pdf.py measures that)."""
    from invoicing.storage import dynamo
    from invoicing.storage import invoices as store
    from tests.support import builders

    builders.organizer(ORGANIZER, invoice_generate="True")
    builders.event(ORGANIZER, EVENT)
    number = builders.order(ORGANIZER, EVENT)["invoices"][0]
    stack.drain(timeout=120)
    template = dynamo.get(store.invoice_pk(ORGANIZER), number)
    assert "file_key" in template, "the template invoice was not rendered"
    started = time.perf_counter()
    items = []
    for seq in range(2, count + 1):
        copy_number = f"BENCH{seq:06d}"
        doc = json.loads(template["doc"])
        doc["number"] = copy_number
        item = {**template, "SK": copy_number, "number": copy_number, "seq": seq,
                "doc": json.dumps(doc, separators=(",", ":")), **store._date_keys(template["DateAsc"][:10], seq)}
        items.append({"PutRequest": {"Item": item}})
    for start in range(0, len(items), 25):
        request = {dynamo.table_name(): items[start:start + 25]}
        while request:
            request = dynamo.client().batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    print(f"wrote {count} invoices in {time.perf_counter() - started:.1f} s")


def over_http(stack: LocalStack, token: str, identifier: str, body: dict) -> tuple[float, int]:
    base = f"{stack.api_url}/api/v1/organizers/{ORGANIZER}/events/{EVENT}/exporters/{identifier}"
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    request = urllib.request.Request(base + "/run/", data=json.dumps(body).encode(), headers=headers, method="POST")
    url = json.load(urllib.request.urlopen(request))["download"]
    while True:
        try:
            download = urllib.request.Request(url, headers={"Authorization": headers["Authorization"]})
            with urllib.request.urlopen(download) as reply:  # follows a 303 to S3
                size = len(reply.read())
                return time.perf_counter() - started, size
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise
            time.sleep(0.5)


def function_alone(stack: LocalStack, identifier: str, body: dict) -> dict:
    from invoicing import access
    from invoicing.exports import jobs
    from invoicing.storage import exports as store

    principal = access.Principal(ORGANIZER, "bench", True, frozenset(), frozenset({"can_view_orders"}))
    sent = []
    original = jobs.queues.send
    jobs.queues.send = lambda url, items: sent.extend(items) or []  # the job is run below, not by the stack
    try:
        job_id, _ = jobs.start(principal, EVENT, identifier, body)
    finally:
        jobs.queues.send = original
    event = {"Records": [{"messageId": "bench", "receiptHandle": "bench", "body": json.dumps(sent[0]),
                          "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                          "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:ExportQueue",
                          "awsRegion": "eu-central-1"}]}
    layers = os.pathsep.join([str(ROOT / "layers/shared/python"), str(ROOT / "infra"), os.environ.get("PYTHONPATH", "")])
    output = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "functions/export_files"), json.dumps(event)],
                            capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": layers})
    if output.returncode:
        raise RuntimeError(output.stderr[-3000:])
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    figures["status"] = store.get_job(ORGANIZER, job_id)["status"]
    figures["size"] = int(store.get_job(ORGANIZER, job_id).get("file_size", 0))
    return figures


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(template_path=ROOT / "template.yaml", host="127.0.0.1", port=0, aws_port=0, state_dir=state,
                           fresh=True, persist=False)
        stack.start()
        from tests.support.aws import reset_caches

        reset_caches()
        try:
            seed(stack, count)
            from tests.support import builders

            token = builders.token(ORGANIZER, ["can_view_orders"])
            for identifier, body in (("invoicedata", {"_format": "csv"}), ("invoices", {})):
                seconds, size = over_http(stack, token, identifier, body)
                print(f"{identifier:12} over HTTP: {seconds:6.1f} s, {size / 1e6:7.1f} MB")
                figures = function_alone(stack, identifier, body)
                print(f"{identifier:12} function:  {figures['seconds']:6.1f} s, peak RSS "
                      f"{figures['max_rss_kib'] / 1024:6.0f} MiB, {figures['size'] / 1e6:7.1f} MB, {figures['status']}")
        finally:
            stack.stop()
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
