"""Benchmark of the API functions: cold imports, warm handler time, and DynamoDB reads per list page.

Run with `make bench` (or `.venv/bin/python bench/api_bench.py [--json]`). It prints figures and asserts nothing
about timing. No AWS account is used: imports need none, and the rest runs against moto in-process, with the
tables created from template.yaml as tests/conftest.py does. The parts live in bench/api/:

1. cold_imports.py: every API function's app.py, loaded by file path in a fresh interpreter (import_probe.py),
   against the dependencies it cannot avoid, and a check that no API function imports a PDF/XML library (fpdf,
   lxml). Two references: the bare imports the issue names (boto3, Powertools' event handler, pydantic), and
   those plus a constructed `APIGatewayRestResolver(enable_validation=True)` (validating_resolver.py). Every
   API function needs validation on, and constructing the resolver loads Powertools' OpenAPI validation modules
   and pydantic's model machinery, ~45 ms CPU that the bare imports leave out and no code of ours can avoid;
   `cold_import_ratio_max` is against this second reference, `cold_import_ratio_max_bare` against the first.
2. warm_handler.py: `lambda_handler(event, context)` of api_invoices for an invoice detail and a 50-invoice list
   page, with hand-built API Gateway REST proxy events (gateway_event.py) and the local stack's LambdaContext,
   split into time inside the DynamoDB client calls (boto3 + moto, meter.py) and the rest (our code + Powertools);
   then the same requests with DynamoDB's answers recorded under moto and replayed without it (replay.py):
   `detail_wo_db_ms` and `list_wo_db_ms` are those, `*_wo_moto_ms` the earlier total-minus-moto figures (which
   moto's in-thread work inflates by leaving our code cold CPU caches).
3. list_reads.py: reads per list page at 1,000 and 20,000 invoices in one event: queries and items read per
   page, by page number, by cursor and by date.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: `bench.api`, `tests.support`

from bench.api import environment  # noqa: F401 - sets the environment before anything reads it
from bench.api.cold_imports import IMPORT_RUNS, bench_imports
from bench.api.list_reads import bench_reads
from bench.api.warm_handler import bench_handler


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="API benchmark (figures only, no pass/fail).")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object last: cold_import_ratio_max, detail_wo_db_ms, list_wo_db_ms "
                             "(and cold_import_ratio_max_bare, detail_wo_moto_ms, list_wo_moto_ms)")
    parser.add_argument("--skip-reads", action="store_true", help="leave out part 3 (reads per list page)")
    parser.add_argument("--skip-imports", action="store_true", help="leave out part 1 (its figure is then null)")
    parser.add_argument("--import-runs", type=int, default=IMPORT_RUNS, metavar="N",
                        help=f"fresh interpreters per import figure (default {IMPORT_RUNS})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"API benchmark: Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    ratios = (None, None) if args.skip_imports else tuple(round(ratio, 3) for ratio in bench_imports(args.import_runs))
    doc, internal, figures = bench_handler()
    if not args.skip_reads:
        bench_reads(doc, internal)
    print(f"Total bench time: {time.perf_counter() - started:.0f} s")
    if args.json:
        print(json.dumps({"cold_import_ratio_max": ratios[0],
                          "detail_wo_db_ms": round(figures["detail_wo_db_ms"], 3),
                          "list_wo_db_ms": round(figures["list_wo_db_ms"], 3),
                          "cold_import_ratio_max_bare": ratios[1],
                          "detail_wo_moto_ms": round(figures["detail_wo_moto_ms"], 3),
                          "list_wo_moto_ms": round(figures["list_wo_moto_ms"], 3)}))


if __name__ == "__main__":
    main()
