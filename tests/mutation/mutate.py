"""Mutation testing of the rule modules with mutmut 3, one module at a time, in a scratch copy of the repo.

    python tests/mutation/mutate.py [module ...]        (make mutate; MUTATE_MODULES="money tax" picks some)

Nothing is mutated in the work tree: the tracked files are copied to a scratch directory (MUTATE_DIR, or a
new temporary one) with the domain packages lifted to its top level, where mutmut looks for importable
code (`mutants/` first on sys.path). Each module is run against the tests that pin its rules (RULES), with
mutmut's forked workers, so a mutant costs a fraction of a second for the unit tests. The closing table
gives killed / all mutants per module; every survivor's diff is written to <scratch>/<module>.survivors.txt.
A module in RULE_FUNCTIONS is mutated in its rule functions only (MUTATE_FULL=1: every function).
Not part of `make test` or CI: it takes minutes, and longer on a shared machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("invoicing", "invoicing_http", "invoicing_jobs")  # layers/shared/python/<package>
ISSUANCE = "tests/integration/test_invoice_issuance.py"
TRANSMISSION = "tests/integration/test_transmission.py"
ACCESS = "tests/integration/test_access.py"
WEBHOOKS = "tests/integration/test_webhooks.py"  # the notifications issuing writes in its transaction

# module -> (file to mutate, relative to layers/shared/python; the tests that pin its rules)
RULES: dict[str, tuple[str, list[str]]] = {
    "money": ("invoicing/money.py", ["tests/unit/test_rounding.py", "tests/unit/test_rules.py"]),
    "tax": ("invoicing/tax.py", ["tests/unit/test_rounding.py", "tests/unit/test_rules.py"]),
    "numbering": ("invoicing/invoices/numbering.py", ["tests/unit/test_rules.py", ISSUANCE]),
    "issue": ("invoicing/invoices/issue.py", [ISSUANCE, TRANSMISSION, WEBHOOKS]),
    "storage/transmissions": ("invoicing/storage/transmissions.py", [TRANSMISSION]),
    "transmission/attempts": ("invoicing/transmission/attempts.py", [TRANSMISSION]),
    "guard": ("invoicing_http/guard.py", [ACCESS]),
    "idempotency": ("invoicing_http/idempotency.py", ["tests/unit/test_idempotency_binding.py",
                                                      "tests/integration/test_idempotency.py"]),
    "dynamo": ("invoicing/storage/dynamo.py", ["tests/integration/test_cursors.py"]),
    "access": ("invoicing/access.py", ["tests/unit/test_rules.py", ACCESS]),
}
# Modules whose full run takes far more than 25 minutes on the shared two-core machine (every mutant of them runs
# tests that build the template's tables in moto): only their rule functions, as mutant-name globs.
# MUTATE_FULL=1 mutates every function.
RULE_FUNCTIONS: dict[str, list[str]] = {
    "issue": ["invoicing.invoices.issue.x_issue_documents__mutmut_*", "invoicing.invoices.issue.x_qualifies__mutmut_*",
              "invoicing.invoices.issue.x_ensure_qualifies__mutmut_*"],
}
NOT_RUN = ("not checked",)  # mutants outside the selected functions
KILLED = ("killed", "timeout", "segfault", "suspicious")  # a mutant that crashes or hangs the tests is caught too
CONFIG = """
[tool.mutmut]
source_paths = {packages}
only_mutate = ["{path}"]
pytest_add_cli_args_test_selection = {tests}
pytest_add_cli_args = ["-p", "no:cacheprovider"]
also_copy = ["template.yaml", "functions", "layers", "infra"]
"""


def scratch_copy() -> Path:
    """The tracked and new (not ignored) files of the work tree, with the domain packages at the top level."""
    target = Path(os.environ.get("MUTATE_DIR") or tempfile.mkdtemp(prefix="invoicing-mutate-"))
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for package in PACKAGES:
        shutil.rmtree(target / package, ignore_errors=True)
        shutil.copytree(target / "layers/shared/python" / package, target / package)
    return target


def mutmut(scratch: Path, *args: str, capture: bool = False) -> str:
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=scratch, check=False, text=True,
                          capture_output=capture)
    return done.stdout if capture else ""


def run_module(scratch: Path, name: str, path: str, tests: list[str]) -> dict[str, int]:
    pyproject = scratch / "pyproject.toml"
    original = (ROOT / "pyproject.toml").read_text()
    pyproject.write_text(original + CONFIG.format(packages=list(PACKAGES), path=path, tests=tests).replace("'", '"'))
    shutil.rmtree(scratch / "mutants", ignore_errors=True)
    functions = [] if os.environ.get("MUTATE_FULL") else RULE_FUNCTIONS.get(name, [])
    mutmut(scratch, "run", *functions)
    statuses: dict[str, str] = {}
    listing = mutmut(scratch, "results", "--all", "true", capture=True)
    stem = name.split(" ")[0].replace("/", "_")
    (scratch / f"{stem}.results.txt").write_text(listing)
    for line in listing.splitlines():
        match = re.match(r"\s+(\S+__mutmut_\d+): (.+)$", line)
        if match and match.group(2).strip() not in NOT_RUN:
            statuses[match.group(1)] = match.group(2).strip()
    survivors = [mutant for mutant, status in statuses.items() if status != "killed"]  # timeouts too, to judge
    report = scratch / f"{stem}.survivors.txt"
    report.write_text("\n".join(f"{mutant}: {statuses[mutant]}\n{mutmut(scratch, 'show', mutant, capture=True)}"
                                for mutant in survivors))
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return counts


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
        started = time.monotonic()
        counts = run_module(scratch, name, path, tests)
        killed, total = sum(counts.get(status, 0) for status in KILLED), sum(counts.values())
        rows.append((name, killed, total, time.monotonic() - started))
        restricted = name in RULE_FUNCTIONS and not os.environ.get("MUTATE_FULL")
        only = f" (only {', '.join(RULE_FUNCTIONS[name])})" if restricted else ""
        print(f"{name}: {killed}/{total} killed {counts}{only}", flush=True)
    print(f"\n{'module':<24} {'killed':>6} {'total':>6} {'score':>6} {'time':>7}")
    for name, killed, total, elapsed in rows:
        score = f"{100 * killed / total:.0f} %" if total else "-"
        print(f"{name:<24} {killed:>6} {total:>6} {score:>6} {elapsed:>6.0f}s")
    all_killed, all_total = sum(row[1] for row in rows), sum(row[2] for row in rows)
    print(f"{'all':<24} {all_killed:>6} {all_total:>6} {100 * all_killed / max(all_total, 1):>5.0f} %")
    print(f"survivors with their diffs: {scratch}/<module>.survivors.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
