"""Benchmark of the invoice PDF renderer (`invoicing.pdf.render_invoice`): cold start, warm time, size, memory.

Run with `.venv/bin/python bench/pdf.py` (figures as text) or `--json` (one object with the keys
`one_page_warm_median_ms`, `one_page_warm_min_ms`, `six_page_warm_median_ms`, `first_render_ms`,
`one_page_bytes`, `six_page_bytes`, `rss_mb`, and for Factur-X `one_page_factur_x_warm_median_ms`,
`six_page_factur_x_warm_median_ms`, `one_page_factur_x_ratio`, `six_page_factur_x_ratio`,
`one_page_factur_x_bytes`, and for CJK `cjk_first_render_ms`, `cjk_warm_median_ms`, `cjk_bytes`). It asserts
nothing about timing.

Samples, the tests' plain dicts (tests/support/pdf_samples.py): a one-page invoice (German sender, 8 lines
with attendees, 19 % and 7 % VAT, payment stamp, footer) and a long one with 190 such lines (8 pages: every row has an attendee
line; the 190-line reference invoice of the notes had 6).

* first render: median of 5 fresh interpreters, each `import invoicing.pdf` + one render of the one-page
  invoice, timed from just before the process is spawned until the render returns (so it includes
  interpreter start-up and all imports, not the interpreter's exit).
* warm: 30 renders in this process after one warm-up render; median and min. The plain and the Factur-X
  render of each sample alternate, so that load from other processes on the machine hits both alike.
* Factur-X: the same samples as the render job makes them with `invoice_pdf_einvoice=factur-x`, i.e. the
  EN 16931 CII built and embedded in a PDF/A-3b (goal: at most 1.5x the plain render).
* CJK: the one-page invoice to a Japanese recipient (Noto Sans CJK, loaded only for such documents): the
  first such render in this process (font parsed) and the median of 5 after it, timed after everything else.
* RSS: peak resident set size (ru_maxrss) of this process after all renders, of a fresh process
  rendering one invoice, and (text output only) of a process shaped like the render function: the
  figure its MemorySize in template.yaml is chosen from.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.support.pdf_samples

from tests.support import pdf_samples  # noqa: E402 - needs the repo root on sys.path

WARM_RUNS = 30
FRESH_RUNS = 5



def sample(lines: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tests' sample invoice (German sender, attendees, 19 % and 7 % VAT, stamp, footer) with `lines` lines."""
    return pdf_samples.invoice(pdf_samples.attendee_lines(lines)), pdf_samples.internal()


def cjk_sample() -> tuple[dict[str, Any], dict[str, Any]]:
    return pdf_samples.invoice(pdf_samples.attendee_lines(8), invoice_to_company="株式会社テスト",
                               invoice_to_name="山田太郎", invoice_to_city="東京都千代田区"), pdf_samples.internal()


def cjk_renders() -> tuple[float, list[float], bytes]:
    """(ms of the first CJK render in this process, ms of 5 more, the PDF)."""
    from invoicing.pdf import render_invoice

    times = []
    for _ in range(6):
        started = time.perf_counter()
        pdf = render_invoice(*cjk_sample())
        times.append((time.perf_counter() - started) * 1000)
    return times[0], times[1:], pdf


# The invoice arrives as JSON on stdin, as a Lambda event would carry it.
_FRESH = """
import json, resource, sys, time
from invoicing.pdf import render_invoice
render_invoice(*json.load(sys.stdin))
done = time.perf_counter()
print(done, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def fresh_render() -> tuple[float, float]:
    """(ms from spawn to the end of the first render, peak RSS in MB) of one fresh interpreter."""
    invoice = json.dumps(sample(8))
    started = time.perf_counter()  # CLOCK_MONOTONIC: the child's perf_counter() reads the same clock
    output = subprocess.run([sys.executable, "-c", _FRESH], input=invoice, check=True, capture_output=True,
                            text=True).stdout.split()
    return (float(output[0]) - started) * 1000, float(output[1])


# What the render function's process holds: its module (Powertools, batch, idempotency), boto3 clients, renders.
_FUNCTION = """
import importlib.util, json, os, resource, sys
import boto3
os.environ.update({"TABLE_NAME": "t", "IDEMPOTENCY_TABLE_NAME": "i", "FILES_BUCKET": "b", "BILLING_MAIL_SENDER": "s",
                   "AWS_DEFAULT_REGION": "eu-central-1"})
spec = importlib.util.spec_from_file_location("render_pdf_app", "functions/render_pdf/app.py")
spec.loader.exec_module(importlib.util.module_from_spec(spec))
boto3.client("s3"), boto3.resource("dynamodb").meta.client
from invoicing.pdf import render_invoice
for invoice in json.load(sys.stdin):
    render_invoice(*invoice)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def function_rss(cjk: bool = False) -> float:
    """Peak RSS in MB of a process shaped like the render function after rendering both samples (and with `cjk`
    the CJK one): the figure the function's MemorySize in template.yaml is chosen from."""
    invoices = [sample(8), sample(190), *([cjk_sample()] if cjk else [])]
    output = subprocess.run([sys.executable, "-c", _FUNCTION], input=json.dumps(invoices), check=True,
                            capture_output=True, text=True, cwd=ROOT).stdout
    return float(output.split()[-1])


def _renderers(doc: dict[str, Any], internal: dict[str, Any]) -> tuple[Callable[[], bytes], Callable[[], bytes]]:
    """The plain render, and the render job's Factur-X path (CII built from the snapshot, then embedded)."""
    from invoicing.einvoice import Seller
    from invoicing.einvoice.cii import build_cii
    from invoicing.pdf import EmbeddedInvoice, render_invoice

    def factur_x() -> bytes:
        seller = Seller.from_invoice(doc, internal, {"invoice_seller_iban": "DE02120300000000202051"})
        return render_invoice(doc, internal, EmbeddedInvoice(build_cii(doc, internal, seller)))

    return lambda: render_invoice(doc, internal), factur_x


def warm(doc: dict[str, Any], internal: dict[str, Any]) -> tuple[list[float], bytes, list[float], bytes]:
    """Plain and Factur-X renders interleaved, so that load from other processes hits both alike."""
    plain, factur_x = _renderers(doc, internal)
    plain_pdf, factur_x_pdf = plain(), factur_x()
    plain_times, factur_x_times = [], []
    for _ in range(WARM_RUNS):
        for render, times in ((plain, plain_times), (factur_x, factur_x_times)):
            started = time.perf_counter()
            render()
            times.append((time.perf_counter() - started) * 1000)
    return plain_times, plain_pdf, factur_x_times, factur_x_pdf


def page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ") or pdf.count(b"/Type /Page>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    fresh = [fresh_render() for _ in range(FRESH_RUNS)]
    first_ms = statistics.median(ms for ms, _ in fresh)
    fresh_rss = max(rss for _, rss in fresh)
    one_times, one_pdf, one_fx_times, one_fx_pdf = warm(*sample(8))
    six_times, six_pdf, six_fx_times, six_fx_pdf = warm(*sample(190))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cjk_first, cjk_times, cjk_pdf = cjk_renders()

    figures = {
        "one_page_warm_median_ms": round(statistics.median(one_times), 2),
        "one_page_warm_min_ms": round(min(one_times), 2),
        "six_page_warm_median_ms": round(statistics.median(six_times), 2),
        "first_render_ms": round(first_ms, 1),
        "one_page_bytes": len(one_pdf),
        "six_page_bytes": len(six_pdf),
        "rss_mb": round(rss, 1),
        "one_page_factur_x_warm_median_ms": round(statistics.median(one_fx_times), 2),
        "six_page_factur_x_warm_median_ms": round(statistics.median(six_fx_times), 2),
        "one_page_factur_x_ratio": round(statistics.median(one_fx_times) / statistics.median(one_times), 2),
        "six_page_factur_x_ratio": round(statistics.median(six_fx_times) / statistics.median(six_times), 2),
        "one_page_factur_x_bytes": len(one_fx_pdf),
        "cjk_first_render_ms": round(cjk_first, 1),
        "cjk_warm_median_ms": round(statistics.median(cjk_times), 1),
        "cjk_bytes": len(cjk_pdf),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"First render, fresh process (spawn + interpreter + imports + render), median of {FRESH_RUNS}: "
          f"{first_ms:.1f} ms (runs: {', '.join(f'{ms:.0f}' for ms, _ in fresh)}); peak RSS {fresh_rss:.1f} MB")
    for label, times, pdf in (("8 lines", one_times, one_pdf), ("190 lines", six_times, six_pdf)):
        print(f"{label:>9}: {page_count(pdf)} page(s), {len(pdf) / 1024:.1f} KiB; warm over {WARM_RUNS} runs: "
              f"median {statistics.median(times):.2f} ms, min {min(times):.2f} ms, max {max(times):.2f} ms")
    for label, times, plain, pdf in (("8 lines", one_fx_times, one_times, one_fx_pdf),
                                     ("190 lines", six_fx_times, six_times, six_fx_pdf)):
        print(f"{label:>9} Factur-X (CII built + PDF/A-3b): {len(pdf) / 1024:.1f} KiB; warm median "
              f"{statistics.median(times):.2f} ms (min {min(times):.2f}) = "
              f"{statistics.median(times) / statistics.median(plain):.2f}x plain")
    print(f"  CJK (8 lines, Japanese recipient): {len(cjk_pdf) / 1024:.1f} KiB; first in this process "
          f"{cjk_first:.0f} ms, then median of {len(cjk_times)} {statistics.median(cjk_times):.0f} ms")
    print(f"Peak RSS of this process after all renders (before the CJK ones): {rss:.1f} MB")
    print(f"Peak RSS of a render-function-shaped process (its module, boto3 clients, both samples): "
          f"{function_rss():.1f} MB; with a CJK document too: {function_rss(cjk=True):.1f} MB")


if __name__ == "__main__":
    main()
