"""1. Cold import: every API function's app.py in a fresh interpreter, against two references; and that no API
function imports a PDF/XML library.

The references: "bare deps" imports boto3, Powertools' event handler and pydantic (the issue's wording); the
"validating resolver" (validating_resolver.py) also constructs `APIGatewayRestResolver(enable_validation=True)`,
which every API function must (validation is Powertools', never hand-written) and which loads Powertools' OpenAPI
validation modules and pydantic's model machinery that the bare imports leave out: about 45 ms CPU and 50 modules
that no code of ours can avoid. The API functions pause the garbage collector during their import
(invoicing_http/coldstart.py), which also makes the dependencies' own imports cheaper; the validating resolver is
therefore measured twice, as Python runs it and with the same pause, and the reported ratio
(cold_import_ratio_max) is against the paused one, so that it compares our code alone. The ratio against the
bare deps (no pause) is printed next to it (cold_import_ratio_max_bare)."""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.api.environment import API_FUNCTIONS, FUNCTIONS, ROOT
from bench.api.report import header, ms, table

IMPORT_RUNS = 15  # fresh interpreters per figure: with 5, the max over 8 functions moved ±0.08 run to run
HEAVY = ("fpdf", "lxml")
PROBE = Path(__file__).with_name("import_probe.py")
RESOLVER = Path(__file__).with_name("validating_resolver.py")
BARE = "bare deps (all three)"
PLAIN_REFERENCE = "validating resolver"
REFERENCE = "validating resolver, gc paused"
BARE_DEPS = {
    "boto3": "boto3",
    "powertools event_handler": "aws_lambda_powertools.event_handler",
    "pydantic": "pydantic",
}


def probe(target: str, cwd: Path, environment: dict[str, str] | None = None) -> dict[str, Any]:
    """One fresh interpreter importing `target` (import_probe.py's JSON line), with `environment` added to ours."""
    variables = {**os.environ, **(environment or {})}
    # The unmeasured first run writes the bytecode caches of our modules, as the dependencies have theirs from pip;
    # with PYTHONDONTWRITEBYTECODE set (some shells set it) every run would compile them anew (35-50 ms).
    variables.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run([sys.executable, str(PROBE), target, ",".join(HEAVY)], cwd=cwd,
                            env=variables, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"importing {target} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def function_environment(app: Path) -> dict[str, str]:
    """What template.yaml gives the function (its cold start requires its variables)."""
    from tests.support import aws as aws_setup

    if not hasattr(aws_setup, "handler_environment"):  # an older checkout (BENCH_CODE_ROOT): the Globals suffice
        return {}
    return aws_setup.handler_environment(app)


def targets() -> dict[str, tuple[str, Path, dict[str, str]]]:
    """What to import, from where and with which variables: API functions by file path (cwd = their CodeUri,
    their template environment), then the bare deps."""
    found = {}
    for name in API_FUNCTIONS:
        app = FUNCTIONS / name / "app.py"
        found[name] = (str(app), FUNCTIONS if name == "api_docs" else FUNCTIONS / name, function_environment(app))
    for label, module in BARE_DEPS.items():
        found[label] = (module, ROOT / "bench", {})
    found[BARE] = (",".join(BARE_DEPS.values()), ROOT / "bench", {})
    found[PLAIN_REFERENCE] = (str(RESOLVER), ROOT / "bench", {})
    paused = (ROOT / "layers/shared/python/invoicing_http/coldstart.py").exists()  # not in an older BENCH_CODE_ROOT
    found[REFERENCE] = (str(RESOLVER), ROOT / "bench", {"BENCH_PAUSE_GC": "1" if paused else "0"})
    return found


def bench_imports(runs: int = IMPORT_RUNS) -> tuple[float, float]:
    """Prints the table (each figure the median of `runs` fresh interpreters); returns the largest
    function/reference ratio against the validating resolver and against
    the bare deps (CPU time medians)."""
    installed = {name: importlib.util.find_spec(name) is not None for name in HEAVY}
    header("1. COLD IMPORT TIME (fresh interpreter per run)", f"""
Each figure is the median of {runs} fresh interpreters (after one unmeasured run that writes
the bytecode caches), timed with perf_counter around the import only (interpreter start excluded).
API functions are loaded by file path (importlib), cwd = their CodeUri, with their template environment;
nothing touches AWS at import. Bare deps are what any function on this stack must import anyway; the
validating resolver adds what Powertools loads for APIGatewayRestResolver(enable_validation=True), which
every API function constructs (Powertools' own modules only, nothing of ours: validating_resolver.py);
"gc paused" runs it with the garbage collector paused as the API functions pause it (coldstart.py).
Runs are interleaved so that machine noise spreads over all targets alike.
"modules" is how many modules the import added to sys.modules.""")
    plan = targets()
    samples: dict[str, list[dict[str, Any]]] = {label: [] for label in plan}
    for run in range(runs + 1):
        for label, (target, cwd, environment) in plan.items():
            result = probe(target, cwd, environment)
            if run:
                samples[label].append(result)

    def median_of(label: str, key: str) -> float:
        return statistics.median(sample[key] for sample in samples[label])

    bare, bare_cpu = median_of(BARE, "seconds"), median_of(BARE, "cpu")
    reference_cpu = median_of(REFERENCE, "cpu")
    rows = []
    ratios, bare_ratios = {}, {}
    for label in plan:
        times = [sample["seconds"] for sample in samples[label]]
        is_function = label in API_FUNCTIONS
        if is_function:
            ratios[label] = median_of(label, "cpu") / reference_cpu
            bare_ratios[label] = median_of(label, "cpu") / bare_cpu
        elif label in (REFERENCE, PLAIN_REFERENCE):
            bare_ratios[label] = median_of(label, "cpu") / bare_cpu
        rows.append([label, ms(statistics.median(times)), ms(min(times)), ms(max(times)), ms(median_of(label, "cpu")),
                     samples[label][0]["modules"], f"{statistics.median(times) / bare:.2f}x" if is_function else "",
                     f"{bare_ratios[label]:.2f}x" if label in bare_ratios else "",
                     f"{ratios[label]:.2f}x" if is_function else "", heavy_verdict(samples[label]) if is_function else ""])
    table(["module", "median", "min", "max", "cpu median", "modules", "wall/bare", "cpu/bare", "cpu/resolver",
           "imports fpdf or lxml?"], rows)
    print()
    print("wall/bare, cpu/bare = the function's median over the median of the three bare deps imported together, by")
    print("wall-clock and by the process's CPU time; CPU time is what a shared machine disturbs least.")
    print("cpu/resolver = the function's CPU median over the validating resolver's with the gc paused as the functions")
    print("pause it (the ratio reported: our code alone).")
    state = ", ".join(f"{name} {'installed' if present else 'not installed'}" for name, present in installed.items())
    print(f"fpdf/lxml check: sys.modules after the import, and any attempt to import them ({state} in this venv).")
    plain = max(median_of(name, "cpu") for name in ratios) / median_of(PLAIN_REFERENCE, "cpu")
    print(f"Largest cpu ratio: {max(ratios.values()):.3f} against the validating resolver (gc paused), "
          f"{plain:.3f} against it without the pause, {max(bare_ratios[name] for name in ratios):.3f} against the bare deps.")
    return max(ratios.values()), max(bare_ratios[name] for name in ratios)


def heavy_verdict(samples: list[dict[str, Any]]) -> str:
    loaded = sorted({name for sample in samples for name in sample["heavy"]})
    attempted = sorted({name for sample in samples for name in sample["attempted"]})
    if loaded:
        return "YES: " + ", ".join(loaded)
    if attempted:
        return "tried: " + ", ".join(attempted)
    return "no"
