"""Volume benchmark of the local stack: N orders, each with its invoice, over HTTP; latency and memory per tenth.

    .venv/bin/python bench/local_stack.py [-n 20000] [--threads 4] [--kill] [--state DIR]

Starts `invoicing local --demo` in a subprocess on free ports with a fresh state directory, creates an event,
then N orders (each issues its invoice: invoice_generate is on for the demo organizer) from 4 client threads.
Prints, per tenth of N, the p50/p95 latency of its POSTs and the stack's RSS at its end; then orders per second
and the ratio of the last tenth's p50 to the first's. Then it waits for the PDFs of a sample of invoices.

`--kill` sends SIGKILL to the stack when half the orders are acknowledged, restarts it on the same state and
ports, and checks that every acknowledged order and its invoice are there; the clients then retry what was in
flight (same order code, same X-Idempotency-Key) and finish. At the end it prints acknowledged vs found orders
and invoices and whether the invoice numbers are exactly 1..N.

Prints figures; asserts nothing about time. Targets (issue 11): last/first p50 <= 1.3, RSS <= 1 GB,
0 acknowledged writes lost, numbers 1..N.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
ORGANIZER = "bigevents"
TICKET = {"description": "Conference ticket", "price": "399.00", "tax_rate": "19.00", "tax_name": "VAT"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Stack:
    """`invoicing local --demo` in a subprocess; its output goes to a log file in the state directory's parent."""

    def __init__(self, state: Path, port: int, aws_port: int, log: Path):
        self.state, self.port, self.aws_port, self.log = state, port, aws_port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""

    def start(self, fresh: bool, timeout: float = 1800) -> float:
        command = [str(Path(sys.executable).with_name("invoicing")), "local", "--demo", "--port", str(self.port),
                   "--aws-port", str(self.aws_port), "--state", str(self.state), "--no-fake-channels"]
        if fresh:
            command.append("--fresh")
        started = time.monotonic()
        offset = self.log.stat().st_size if self.log.exists() else 0
        output = self.log.open("ab")
        self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
        output.close()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited with {self.process.returncode}; see {self.log}")
            with self.log.open("rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
            ready = text.find("Ctrl-C to stop.")
            if ready >= 0:
                self.token = text[: ready].rsplit("Demo token", 1)[1].split()[0]
                return time.monotonic() - started
            time.sleep(0.2)
        raise TimeoutError(f"the stack did not start in {timeout} s; see {self.log}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=600)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


class Client:
    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                raw: bool = False) -> tuple[int, Any]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        sent = {"Authorization": f"Token {self.token}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        if raw:
            return response.status, content
        return response.status, (json.loads(content) if content else None)


@dataclass
class Run:
    n: int
    event: str
    latencies: list[float] = field(default_factory=list)  # in acknowledgement order
    acknowledged: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    up: threading.Event = field(default_factory=threading.Event)
    kill_at: int | None = None
    killed: threading.Event = field(default_factory=threading.Event)
    tenth_rss: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def order_body(code: str, index: int) -> dict[str, Any]:
    return {"code": code, "status": "p", "email": f"buyer{index}@example.com", "locale": "en",
            "payment_provider": "banktransfer",
            "invoice_address": {"is_business": False, "name": f"Buyer {index}", "street": "Main street 1",
                                "zipcode": "10115", "city": "Berlin", "country": "DE"},
            "positions": [{**TICKET, "attendee_name": f"Buyer {index}"}]}


def worker(run: Run, stack: Stack, work: queue.Queue[int]) -> None:
    client: Client | None = None
    path = f"/api/v1/organizers/{ORGANIZER}/events/{run.event}/orders/"
    while True:
        try:
            index = work.get_nowait()
        except queue.Empty:
            return
        code = f"B{index:07d}"
        while True:
            run.up.wait()
            if client is None or client.token != stack.token or client.port != stack.port:
                client = Client(stack.port, stack.token)
            started = time.monotonic()
            try:
                status, body = client.request("POST", path, order_body(code, index), {"X-Idempotency-Key": code})
            except (OSError, http.client.HTTPException):
                if not run.killed.is_set() and stack.process is not None and stack.process.poll() is None:
                    run.errors.append(f"{code}: connection error with the stack up")
                time.sleep(0.5)
                continue  # the stack was killed: retry the same order (same code and key) once it is back
            elapsed = time.monotonic() - started
            if status == 201 or (status == 400 and "code" in json.dumps(body)):
                break  # 400 on the code: a retry of an order the killed stack had already written
            if status == 409:  # an idempotent retry still marked in progress: wait and ask again
                time.sleep(1)
                continue
            run.errors.append(f"{code}: {status} {str(body)[:200]}")
            break
        with run.lock:
            run.acknowledged.add(code)
            run.latencies.append(elapsed)
            done = len(run.latencies)
            if done % max(1, run.n // 10) == 0:
                run.tenth_rss.append(rss_mb(stack.pid))
                tenth = run.latencies[-max(1, run.n // 10):]
                print(f"  {done:>7} orders  p50 {statistics.median(tenth) * 1000:7.0f} ms  "
                      f"p95 {quantile(tenth, 0.95) * 1000:7.0f} ms  RSS {run.tenth_rss[-1]:7.0f} MB", flush=True)
            if run.kill_at is not None and done == run.kill_at and not run.killed.is_set():
                run.killed.set()
                run.up.clear()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def list_all(client: Client, path: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    next_path: str | None = path + "?page_size=50"
    while next_path:
        status, body = client.request("GET", next_path)
        if status != 200:
            raise RuntimeError(f"GET {next_path}: {status} {body}")
        results.extend(body["results"])
        link = body.get("next")
        next_path = (urlsplit(link).path + "?" + urlsplit(link).query) if link else None
    return results


def check(stack: Stack, run: Run, acknowledged: set[str], expect_all: bool) -> bool:
    client = Client(stack.port, stack.token)
    base = f"/api/v1/organizers/{ORGANIZER}/events/{run.event}"
    orders = {order["code"] for order in list_all(client, base + "/orders/")}
    invoices = list_all(client, base + "/invoices/")
    invoiced = {invoice["order"] for invoice in invoices}
    lost_orders = acknowledged - orders
    lost_invoices = acknowledged - invoiced
    prefix = f"{run.event.upper()}-"
    numbers = sorted(int(invoice["number"].removeprefix(prefix)) for invoice in invoices)
    gap_free = numbers == list(range(1, len(numbers) + 1)) and all(i["number"].startswith(prefix) for i in invoices)
    print(f"  acknowledged {len(acknowledged)}, found {len(orders)} orders and {len(invoices)} invoices; "
          f"acknowledged but missing: {len(lost_orders)} orders, {len(lost_invoices)} invoices; "
          f"numbers 1..{len(numbers)} without gap or repeat: {gap_free}"
          + (f"; all N={run.n}: {len(numbers) == run.n}" if expect_all else ""), flush=True)
    return not lost_orders and not lost_invoices and gap_free and (not expect_all or len(numbers) == run.n)


def wait_for_pdfs(stack: Stack, run: Run, sample: int = 20, timeout: float = 900) -> None:
    client = Client(stack.port, stack.token)
    base = f"/api/v1/organizers/{ORGANIZER}/events/{run.event}/invoices/"
    prefix = f"{run.event.upper()}-"
    step = max(1, run.n // sample)
    numbers = sorted({min(run.n, i) for i in range(step, run.n + step, step)})
    started = time.monotonic()
    pending = list(numbers)
    while pending and time.monotonic() - started < timeout:
        still = []
        for number in pending:
            status, _ = client.request("GET", f"{base}{prefix}{number:05d}/download/", raw=True)
            if status != 200:
                still.append(number)
        pending = still
        if pending:
            time.sleep(2)
    print(f"  PDFs ready for {len(numbers) - len(pending)}/{len(numbers)} sampled invoices "
          f"(waited {time.monotonic() - started:.0f} s); stack RSS {rss_mb(stack.pid):.0f} MB", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20_000, help="orders (default 20,000)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--kill", action="store_true", help="SIGKILL the stack halfway, restart it and check")
    parser.add_argument("--state", type=Path, help="state directory (default: a new temporary one, removed)")
    args = parser.parse_args()

    state = args.state or Path(tempfile.mkdtemp(prefix="bench-local-stack-")) / "state"
    state.parent.mkdir(parents=True, exist_ok=True)
    log = state.parent / "stack.log"
    stack = Stack(state, free_port(), free_port(), log)
    print(f"local stack benchmark: N={args.n}, {args.threads} client threads, state {state}, log {log}", flush=True)
    ok = False
    try:
        startup = stack.start(fresh=True)
        print(f"  started in {startup:.1f} s", flush=True)
        event = f"bench{int(time.time())}"
        status, body = Client(stack.port, stack.token).request(
            "POST", f"/api/v1/organizers/{ORGANIZER}/events/",
            {"slug": event, "name": {"en": "Bench"}, "currency": "EUR", "date_from": "2026-09-14T09:00:00Z"})
        if status != 201:
            raise RuntimeError(f"creating the event: {status} {body}")
        run = Run(n=args.n, event=event, kill_at=args.n // 2 if args.kill else None)
        ok = True
        work: queue.Queue[int] = queue.Queue()
        for index in range(1, args.n + 1):
            work.put(index)
        run.up.set()
        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(run, stack, work), daemon=True) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        if args.kill:
            while not run.killed.wait(1):
                if not any(thread.is_alive() for thread in threads):
                    break
            if run.killed.is_set():
                stack.kill()
                with run.lock:
                    acknowledged = set(run.acknowledged)
                print(f"  SIGKILL after {len(acknowledged)} acknowledged orders; restarting on the same state",
                      flush=True)
                paused = time.monotonic()
                restart = stack.start(fresh=False)
                print(f"  restarted in {restart:.1f} s", flush=True)
                ok &= check(stack, run, acknowledged, expect_all=False)
                started += time.monotonic() - paused  # the restart and the check are not order time
                run.up.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        tenth = max(1, args.n // 10)
        first, last = run.latencies[:tenth], run.latencies[-tenth:]
        ratio = statistics.median(last) / statistics.median(first)
        print(f"  {len(run.latencies) / elapsed:.1f} orders/s; last/first tenth p50 ratio {ratio:.2f}; "
              f"max RSS {max(run.tenth_rss, default=float('nan')):.0f} MB", flush=True)
        if run.errors:
            ok = False
            print(f"  {len(run.errors)} errors, first: {run.errors[:3]}", flush=True)
        wait_for_pdfs(stack, run)
        print("  final check:", flush=True)
        ok &= check(stack, run, run.acknowledged, expect_all=True)
    finally:
        stack.stop()
        if args.state is None and ok:
            shutil.rmtree(state.parent, ignore_errors=True)
    print("OK" if ok else f"NOT OK (state and log kept in {state.parent})", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
