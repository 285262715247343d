"""The layering rules of docs and design.md, checked on the source: a broken rule fails here, not in review.

- The domain package (`invoicing`) knows nothing of HTTP, Lambda events, functions or the infra code.
- API functions never load the PDF engine or the XML validators (cold starts stay small; fpdf2 lives in its own layer).
- What only some routes need is imported when they run, not at the cold start of a function that mostly reads.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from invoicing import config
from invoicing_infra.template import Template
from tests.support.aws import cold_start_environment, function_ids

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT.joinpath("layers", "shared", "python", "invoicing")
FUNCTIONS = ROOT / "functions"

FORBIDDEN_IN_DOMAIN = ("invoicing_http", "invoicing_jobs", "invoicing_infra", "functions", "aws_lambda_powertools.event_handler")
HEAVY = ("fpdf", "lxml", "saxonche", "fontTools", "PIL")


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports, at any depth (lazy imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def breaks(module: str, forbidden: tuple[str, ...]) -> bool:
    return any(module == rule or module.startswith(rule + ".") for rule in forbidden)


def test_imported_modules_sees_lazy_and_from_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\ndef f():\n    from aws_lambda_powertools.event_handler import Response\n", encoding="utf-8")
    assert breaks("aws_lambda_powertools.event_handler.Response", FORBIDDEN_IN_DOMAIN)
    assert {"os", "aws_lambda_powertools.event_handler"} <= imported_modules(sample)
    assert not breaks("aws_lambda_powertools.utilities.idempotency", FORBIDDEN_IN_DOMAIN)


def test_the_domain_never_imports_the_http_layer_functions_or_infra():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for path in DOMAIN.rglob("*.py")
        for module in imported_modules(path)
        if breaks(module, FORBIDDEN_IN_DOMAIN)
    )
    assert offenders == []


API_FUNCTIONS = [function for function in function_ids() if function.startswith("Api")]


def cold_start(function: str, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Import a function's handler in a fresh interpreter with only its template environment (less `drop`);
    prints the heavy packages it loaded."""
    handler, env = cold_start_environment(function)
    code = (
        "import json, runpy, sys\n"
        f"runpy.run_path({str(handler)!r})\n"
        "from invoicing import config\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r})))\n"
        "print(json.dumps(sorted(config.required())))\n"
    )
    env = {name: value for name, value in env.items() if name not in drop}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False)


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_api_functions_never_load_the_pdf_engine_or_xml_validators(function):
    assert API_FUNCTIONS, "no API function found"
    done = cold_start(function)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-2]) == []


# Modules a function's cold start leaves to the routes that need them (imported inside the operations).
LEFT_TO_THEIR_ROUTES = {
    "ApiOrdersFunction": ("invoicing.invoices.issue", "invoicing.orders.limits", "invoicing.settings",
                          "invoicing.senders", "invoicing.storage.invoices", "invoicing.webhooks.notifications"),
    "ApiBillingFunction": ("invoicing.billing.workflow", "invoicing.platform"),
    "ApiExportsFunction": ("invoicing.exports.archive", "invoicing.exports.invoicedata", "invoicing.storage.invoices"),
    "ApiPlatformFunction": ("invoicing.settings",),
    "ApiInvoicesFunction": ("invoicing.invoices.issue", "invoicing.invoices.build", "invoicing.transmission.types"),
}


@pytest.mark.parametrize("function", sorted(LEFT_TO_THEIR_ROUTES))
def test_a_cold_start_leaves_what_only_some_routes_need_to_those_routes(function):
    handler, env = cold_start_environment(function)
    code = f"import json, runpy, sys\nrunpy.run_path({str(handler)!r})\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False)

    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "invoicing_http.resolver" in loaded  # the probe saw the function's imports
    assert sorted(loaded & set(LEFT_TO_THEIR_ROUTES[function])) == []


@pytest.mark.parametrize("function", sorted(set(function_ids()) - set(API_FUNCTIONS)))
def test_every_other_function_starts_with_only_the_variables_its_template_entry_sets(function):
    done = cold_start(function)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("function", function_ids())
def test_every_resource_a_template_entry_gives_its_function_is_checked_at_cold_start(function):
    # Given the variables the function's own entry sets (beyond Globals) that name a resource or a sender
    template = Template.load(ROOT / "template.yaml")
    own = set(template.functions()[function].environment) - set(template.data["Globals"]["Function"]["Environment"]["Variables"])
    resources = {name for name, field in config.Settings.variables().items()
                 if config.Settings.model_fields[field].default is None}
    done = cold_start(function)

    # Then its cold start requires each of them (a deployment without one fails before the first request)
    assert done.returncode == 0, done.stderr[-2000:]
    assert own & resources <= set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(("function", "variable"), [
    ("ApiBillingFunction", "FILES_BUCKET"), ("ApiInvoicesFunction", "CURSOR_SECRET_ARN"),
    ("TransmitPeppolFunction", "PEPPOL_QUEUE_URL"), ("RenderPdfFunction", "BILLING_MAIL_SENDER"),
    ("TransmissionSweepFunction", "SDI_QUEUE_URL"), ("ApiEventsFunction", "TABLE_NAME"),
])
def test_a_variable_missing_from_a_template_entry_fails_the_cold_start_naming_it(function, variable):
    done = cold_start(function, drop=(variable,))
    assert done.returncode != 0
    assert f"ConfigurationError: invalid environment: {variable} not set" in done.stderr


INFRA = ROOT / "infra" / "invoicing_infra"


def infra_graph() -> dict[str, set[str]]:
    """Which command-line modules of `invoicing_infra` import which (relative and absolute, lazy ones too)."""
    names = {path.stem for path in INFRA.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in INFRA.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 1 and not module:
                    found.update(alias.name for alias in node.names)
                elif node.level == 1 or module.startswith("invoicing_infra."):
                    found.add(module.removeprefix("invoicing_infra.").split(".")[0])
        graph[path.stem] = (found & names) - {path.stem}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, or None."""
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*trail, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_cycle_finds_a_loop_and_accepts_a_tree():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_cli_modules_import_each_other_without_a_cycle():
    graph = infra_graph()
    assert {"cli", "cli_support", "billing_cli"} <= graph.keys()
    assert cycle(graph) is None
