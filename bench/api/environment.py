"""Where things are, and the environment every part of the API benchmark runs in.

Importing this module sets the environment of the process: what the functions get from template.yaml (Globals),
fake credentials, no tracing or metrics, no endpoint URL (moto runs in-process).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# The checkout whose functions and test support are measured: this one, or another (BENCH_CODE_ROOT, with that
# checkout's layers first on PYTHONPATH) to compare two versions on the same machine in the same minutes.
ROOT = Path(os.environ.get("BENCH_CODE_ROOT") or Path(__file__).resolve().parents[2])
FUNCTIONS = ROOT / "functions"
API_FUNCTIONS = ("api_events", "api_orders", "api_invoices", "api_billing", "api_platform", "api_webhooks", "api_exports",
                 "api_docs")

ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1",
    "TABLE_NAME": "InvoicingTable", "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "POWERTOOLS_SERVICE_NAME": "invoicing", "POWERTOOLS_LOG_LEVEL": "WARNING", "PYDANTIC_DISABLE_PLUGINS": "__all__",
    "POWERTOOLS_METRICS_NAMESPACE": "Invoicing", "POWERTOOLS_TRACE_DISABLED": "1", "POWERTOOLS_METRICS_DISABLED": "1",
}
for _name, _value in ENV.items():  # a value set outside wins (e.g. PYDANTIC_DISABLE_PLUGINS= for an older checkout)
    os.environ.setdefault(_name, _value)
os.environ.pop("AWS_ENDPOINT_URL", None)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.support (tables from the template, builders)

ORGANIZER = "bigevents"
EVENT = "sampleconf"
PAGE_SIZE = 50
# Warm handler times are this thread's CPU time: the handler and moto run in this thread, and CPU time is
# what 2 cores shared with other work disturb least (wall-clock medians varied 4x between runs).
clock = time.thread_time
