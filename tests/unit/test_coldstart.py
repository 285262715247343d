"""The garbage collector pauses while an API function imports and runs again, with the import's objects frozen,
once its handler is made (invoicing_http/coldstart.py). Each case runs in a fresh interpreter: the pause is
process state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.aws import cold_start_environment, function_ids

ROOT = Path(__file__).resolve().parents[2]
API_FUNCTIONS = [function for function in function_ids() if function.startswith("Api")]

# Notes whether the collector ran while aws_lambda_powertools' event handler (imported by every app.py) loaded.
WATCH_IMPORT = """
import gc, importlib.abc, json, runpy, sys
seen = {}
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "aws_lambda_powertools.event_handler":
            seen["collector during the import"] = gc.isenabled()
        return None
sys.meta_path.insert(0, Watch())
"""


def run(code: str, function: str = "ApiInvoicesFunction") -> list:
    _, env = cold_start_environment(function)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_the_collector_pauses_during_the_import_and_runs_after_it_with_the_import_frozen(function):
    handler, _ = cold_start_environment(function)
    code = WATCH_IMPORT + (
        f"runpy.run_path({str(handler)!r})\n"
        "print(json.dumps([seen['collector during the import'], gc.isenabled(), gc.get_freeze_count() > 1000]))\n"
    )

    assert run(code, function) == [False, True, True]


def test_finishing_twice_changes_nothing_and_a_collector_already_off_stays_off():
    code = (
        "import gc, json\n"
        "import invoicing_http.coldstart as coldstart\n"
        "paused = gc.isenabled()\n"
        "coldstart.finished(); coldstart.finished()\n"
        "after = gc.isenabled()\n"
        "print(json.dumps([paused, after]))\n"
    )
    already_off = "import gc\ngc.disable()\n" + code

    assert run(code) == [False, True]
    assert run(already_off) == [False, False]
