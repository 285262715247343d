"""The locks (requirements/*.txt, written by `make lock`) agree with pyproject.toml, each other and the SAM layers.

Lambda must run exactly what the tests ran: every layer's requirements.txt (what `sam build` installs) holds
the runtime lock's lines for its packages, with the same versions, markers and hashes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from invoicing_infra.locks import LockError, read_lock
from invoicing_infra.template import Template

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
DEV_LOCK = ROOT / "requirements" / "dev.txt"
# Comes with the Lambda Python runtime, so no layer ships it (the tests run the locked version).
LAMBDA_RUNTIME_PROVIDES = {"boto3", "botocore"}


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def built_layers() -> dict[str, Path]:
    """Layers `sam build` installs requirements for (BuildMethod python3.x; SharedLayer's makefile build compiles
    our own package): logical id -> ContentUri directory."""
    template = Template.load(ROOT / "template.yaml")
    return {logical_id: ROOT / resource["Properties"]["ContentUri"]
            for logical_id, resource in template.data["Resources"].items()
            if resource["Type"] == "AWS::Serverless::LayerVersion"
            and str(resource.get("Metadata", {}).get("BuildMethod", "")).startswith("python")}


def layer_inputs(directory: Path) -> set[str]:
    lines = (directory / "requirements.in").read_text(encoding="utf-8").splitlines()
    return {canonicalize_name(Requirement(line).name) for line in lines if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("layer", sorted(built_layers()))
def test_each_built_layer_installs_exactly_the_runtime_lock(layer: str) -> None:
    directory = built_layers()[layer]
    runtime = read_lock(RUNTIME_LOCK)
    installed = read_lock(directory / "requirements.txt")

    differing = {key: (pin, runtime.get(key)) for key, pin in installed.items() if runtime.get(key) != pin}
    assert differing == {}, "layer requirements differ from requirements/runtime.txt: run `make lock`"
    assert layer_inputs(directory) <= {name for name, _ in installed}


def test_the_dev_lock_holds_the_runtime_lock() -> None:
    dev = read_lock(DEV_LOCK)

    assert {key: pin for key, pin in read_lock(RUNTIME_LOCK).items() if dev.get(key) != pin} == {}


@pytest.mark.parametrize(("lock", "extra"), [(RUNTIME_LOCK, None), (DEV_LOCK, "dev")])
def test_the_locks_satisfy_pyproject(lock: Path, extra: str | None) -> None:
    project = pyproject()["project"]
    wanted = [Requirement(text) for text in project["dependencies"]]
    if extra:
        wanted += [Requirement(text) for text in project["optional-dependencies"][extra]]
    versions = {name: pin.version for (name, _), pin in read_lock(lock).items()}

    unmet = [str(r) for r in wanted if not r.specifier.contains(versions.get(canonicalize_name(r.name), "0"), prereleases=True)]
    assert unmet == [], f"pyproject.toml asks for what {lock.name} does not hold: run `make lock`"


def test_every_runtime_dependency_reaches_lambda() -> None:
    declared = {canonicalize_name(Requirement(text).name) for text in pyproject()["project"]["dependencies"]}
    shipped = set().union(*(layer_inputs(directory) for directory in built_layers().values()))

    assert declared - shipped - LAMBDA_RUNTIME_PROVIDES == set()
    assert shipped - declared == set()


def test_a_changed_layer_pin_is_caught(tmp_path: Path) -> None:
    # The check above on a copy of the PDF layer's requirements with one version moved
    original = (ROOT / "layers" / "pdf-deps" / "requirements.txt").read_text(encoding="utf-8")
    version = read_lock(RUNTIME_LOCK)[("fpdf2", "")].version
    changed = tmp_path / "requirements.txt"
    changed.write_text(original.replace(f"fpdf2=={version}", "fpdf2==2.7.0"), encoding="utf-8")
    runtime = read_lock(RUNTIME_LOCK)

    assert [key for key, pin in read_lock(changed).items() if runtime.get(key) != pin] == [("fpdf2", "")]


@pytest.mark.parametrize(("line", "problem"), [("babel>=2.14", "not an exact pin"), ("babel==2.18.0", "has no hash")])
def test_a_lock_line_without_exact_version_or_hash_is_refused(tmp_path: Path, line: str, problem: str) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text(f"# comment\n{line}\n", encoding="utf-8")

    with pytest.raises(LockError, match=problem):
        read_lock(lock)
