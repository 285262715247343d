"""Mutation testing of the rule modules with mutmut, one module at a time, in a scratch copy of the repo.

    python tests/mutation/mutate.py [module-name ...]      (make mutate; MUTATE_MODULES="money tax" to pick)

mutmut 2 rewrites the file it mutates, so it never runs in the work tree: the tracked files are copied to
a scratch directory and the mutated package is put first on PYTHONPATH there. Each module is run against
the tests that exercise it (RULES below), so a mutant costs seconds, not the whole suite. The closing table
gives killed / all mutants per module; survivors are listed with their diff in <scratch>/<module>.txt.
Not part of `make test` or CI: it takes tens of minutes on two cores.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "layers/shared/python"
PY = f"{DOMAIN}/invoicing"
HTTP = f"{DOMAIN}/invoicing_http"

# module name -> (file to mutate, pytest arguments selecting the tests that pin its rules)
ISSUANCE = "tests/integration/test_invoice_issuance.py"
TRANSMISSION = "tests/integration/test_transmission.py"
RULES: dict[str, tuple[str, list[str]]] = {
    "money": (f"{PY}/money.py", ["tests/unit/test_rounding.py", "tests/unit/test_rules.py"]),
    "tax": (f"{PY}/tax.py", ["tests/unit/test_rounding.py", "tests/unit/test_rules.py"]),
    "numbering": (f"{PY}/invoices/numbering.py", ["tests/unit/test_rules.py", ISSUANCE, "-k",
                                                  "not gap_free and not seed and not regenerate"]),
    "issue": (f"{PY}/invoices/issue.py", [ISSUANCE, "tests/integration/test_transmission.py", "-k",
                                          "gap_free or prefix or create_invoice or reissue or enforced_types"]),
    "storage/transmissions": (f"{PY}/storage/transmissions.py", [TRANSMISSION, "-k", "not address and not email_pdf"]),
    "transmission/attempts": (f"{PY}/transmission/attempts.py", [TRANSMISSION, "-k", "not address and not email_pdf"]),
    "guard": (f"{HTTP}/guard.py", ["tests/integration/test_access.py", "-k", "guard or policy or header or reading"]),
    "idempotency": (f"{HTTP}/idempotency.py", ["tests/integration/test_idempotency.py"]),
    "dynamo (cursors)": (f"{PY}/storage/dynamo.py", ["tests/integration/test_cursors.py"]),
    "access": (f"{PY}/access.py", ["tests/unit/test_rules.py", "tests/integration/test_access.py"]),
}
KILLED = ("ok_killed", "bad_timeout", "ok_suspicious")  # a mutant that hangs or slows the tests is caught too


def scratch_copy() -> Path:
    """The tracked and new (not ignored) files of the work tree, copied; the work tree is never mutated."""
    target = Path(os.environ.get("MUTATE_DIR") or tempfile.mkdtemp(prefix="invoicing-mutate-"))
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def counts(cache: Path) -> dict[str, int]:
    with sqlite3.connect(cache) as db:
        return dict(db.execute("SELECT status, COUNT(*) FROM Mutant GROUP BY status").fetchall())


def run_module(scratch: Path, name: str, path: str, tests: list[str]) -> tuple[int, int, float]:
    cache = scratch / ".mutmut-cache"
    cache.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(scratch / DOMAIN), str(scratch / "infra")])}
    runner = shlex.join([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests])
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--paths-to-mutate", path, "--runner", runner,
                    "--tests-dir", "tests", "--simple-output", "--no-progress"], cwd=scratch, env=env, check=False)
    elapsed = time.monotonic() - started
    by_status = counts(cache)
    total = sum(by_status.values())
    killed = sum(by_status.get(status, 0) for status in KILLED)
    report = scratch / f"{name.replace('/', '_').split(' ')[0]}.txt"
    with sqlite3.connect(cache) as db:
        survivors = [row[0] for row in db.execute("SELECT id FROM Mutant WHERE status = 'bad_survived' ORDER BY id")]
    diffs = [subprocess.run([sys.executable, "-m", "mutmut", "show", str(ident)], cwd=scratch, env=env,
                            capture_output=True, text=True).stdout for ident in survivors]
    report.write_text(f"{name}: {by_status}\n\n" + "\n".join(diffs))
    shutil.copy2(cache, scratch / f"{report.stem}.mutmut-cache")
    return killed, total, elapsed


def main(selected: list[str]) -> int:
    names = selected or list(RULES)
    unknown = [name for name in names if name not in RULES]
    if unknown:
        sys.exit(f"unknown module(s) {unknown}; choose from {list(RULES)}")
    scratch = scratch_copy()
    print(f"scratch copy: {scratch}", flush=True)
    rows = []
    for name in names:
        path, tests = RULES[name]
        killed, total, elapsed = run_module(scratch, name, path, tests)
        rows.append((name, killed, total, elapsed))
        print(f"{name}: {killed}/{total} killed in {elapsed:.0f} s", flush=True)
    print(f"\n{'module':<24} {'killed':>6} {'total':>6} {'score':>6} {'time':>7}")
    for name, killed, total, elapsed in rows:
        score = f"{100 * killed / total:.0f} %" if total else "-"
        print(f"{name:<24} {killed:>6} {total:>6} {score:>6} {elapsed:>6.0f}s")
    all_killed, all_total = sum(row[1] for row in rows), sum(row[2] for row in rows)
    print(f"{'all':<24} {all_killed:>6} {all_total:>6} {100 * all_killed / max(all_total, 1):>5.0f} %")
    print(f"survivors with their diffs: {scratch}/<module>.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
