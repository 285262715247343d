"""SharedLayer's `sam build` step (layers/shared/Makefile, BuildMethod makefile): the package with its bytecode.

Lambda mounts layers read-only, so Python cannot write the caches there and would compile every module of ours at
each cold start; the layer therefore ships a checked-hash .pyc (valid exactly while its source is unchanged) for
every module.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from invoicing_infra.template import Template

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "shared"
CHECKED_HASH = 0b11  # PEP 552 flags: hash-based, check_source


def test_the_template_builds_the_shared_layer_with_its_makefile():
    resource = Template.load(ROOT / "template.yaml").data["Resources"]["SharedLayer"]

    assert resource["Metadata"]["BuildMethod"] == "makefile"
    assert resource["Properties"]["ContentUri"].rstrip("/") == "layers/shared"
    assert "build-SharedLayer:" in LAYER.joinpath("Makefile").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("make") is None, reason="sam build's makefile method needs make")
def test_the_built_layer_holds_every_module_with_checked_bytecode(tmp_path):
    # Given the layer's sources with a stale cache in them (what a developer's runs leave there)
    layer = tmp_path / "shared"
    shutil.copytree(LAYER, layer, ignore=shutil.ignore_patterns("__pycache__"))
    layer.joinpath("python", "invoicing", "__pycache__").mkdir()
    layer.joinpath("python", "invoicing", "__pycache__", "stale_leftover.cpython-311.pyc").write_bytes(b"not bytecode")

    # When sam build runs the layer's target (with this interpreter: the tests run the runtime's Python 3.11)
    artifacts = tmp_path / "artifacts"
    done = subprocess.run(["make", "-C", str(layer), "build-SharedLayer", f"ARTIFACTS_DIR={artifacts}",
                           f"LAYER_PYTHON={sys.executable}"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

    # Then every source is there with a .pyc whose header names its exact source (PEP 552), and nothing else is
    built = artifacts / "python"
    sources = sorted(path.relative_to(LAYER / "python") for path in (LAYER / "python").rglob("*.py"))
    assert sorted(path.relative_to(built) for path in built.rglob("*.py")) == sources
    assert built.joinpath("invoicing", "printable.json").is_file()
    assert built.joinpath("invoicing_http", "openapi_examples.json").is_file()
    assert not list(built.rglob("stale_leftover*"))
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(built / source)))
        header = cached.read_bytes()[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(header[4:8], "little") == CHECKED_HASH, source
        assert header[8:16] == importlib.util.source_hash((built / source).read_bytes()), source
