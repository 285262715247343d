"""Unzipped size of each function with its layers after `sam build` (`make package-report`).

Lambda's limit is 250 MB for a function's code and all its layers, unzipped. A layer that `sam build` built is
measured in .aws-sam/build/<LayerId>; one without a BuildMethod is uploaded as its ContentUri directory.
Also checks that every built layer holds exactly the versions its requirements.txt (the runtime lock) pins.
Exits 1 when a function is over the limit, a built layer differs from its lock, or the build is missing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from invoicing_infra.locks import read_lock
from invoicing_infra.template import Template, _logical_id_of

MB = 1024 * 1024  # Lambda's "MB" (262,144,000 bytes for 250 MB)
LIMIT_BYTES = 250 * MB


@dataclass(frozen=True)
class FunctionSize:
    logical_id: str
    code: int
    layers: dict[str, int]

    @property
    def total(self) -> int:
        return self.code + sum(self.layers.values())


def tree_size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file() and not entry.is_symlink())


def function_sizes(template: Template, build_dir: Path) -> list[FunctionSize]:
    sizes = []
    layer_sizes: dict[str, int] = {}
    for logical_id, function in template.functions().items():
        code_dir = build_dir / logical_id
        if not code_dir.is_dir():
            raise FileNotFoundError(f"{code_dir} is missing: run `make sam-build` first")
        layers = {}
        for layer in function.layers:
            layer_id = _logical_id_of(layer)
            if layer_id not in layer_sizes:
                built = build_dir / layer_id
                source = template.root / template.resources[layer_id]["Properties"]["ContentUri"]
                layer_sizes[layer_id] = tree_size(built if built.is_dir() else source)
            layers[layer_id] = layer_sizes[layer_id]
        sizes.append(FunctionSize(logical_id, tree_size(code_dir), layers))
    return sizes


def layer_differences(template: Template, build_dir: Path) -> list[str]:
    """Built layers whose installed distributions are not exactly the pins of their requirements.txt."""
    problems = []
    for layer_id, resource in template.resources.items():
        built = build_dir / layer_id / "python"
        lock = template.root / str((resource.get("Properties") or {}).get("ContentUri", "")) / "requirements.txt"
        if resource.get("Type") != "AWS::Serverless::LayerVersion" or not built.is_dir() or not lock.is_file():
            continue
        installed = {(canonicalize_name(d.metadata["Name"]), Version(d.version))  # 2.012 is 2.12 (PEP 440)
                     for d in importlib.metadata.distributions(path=[str(built)])}
        pinned = {(pin.name, Version(pin.version)) for pin in read_lock(lock).values()}
        if installed != pinned:
            built_only = sorted(f"{name}=={version}" for name, version in installed - pinned)
            locked_only = sorted(f"{name}=={version}" for name, version in pinned - installed)
            problems.append(f"{layer_id}: built {built_only}, locked {locked_only}")
    return problems


def report(sizes: list[FunctionSize]) -> str:
    width = max(len(size.logical_id) for size in sizes)
    lines = [f"{'unzipped MB':<{width}}  {'code':>6}  {'layers':>6}  {'total':>6}  {'of limit':>8}  layers"]
    for size in sorted(sizes, key=lambda s: -s.total):
        layers = ", ".join(f"{name} {bytes_ / MB:.1f}" for name, bytes_ in size.layers.items())
        lines.append(f"{size.logical_id:<{width}}  {size.code / MB:>6.2f}  {sum(size.layers.values()) / MB:>6.1f}  "
                     f"{size.total / MB:>6.1f}  {size.total / LIMIT_BYTES:>8.0%}  {layers}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--build-dir", default=".aws-sam/build")
    args = parser.parse_args(argv)
    template, build_dir = Template.load(args.template), Path(args.build_dir)
    try:
        sizes = function_sizes(template, build_dir)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(report(sizes))
    problems = [f"over Lambda's 250 MB unzipped limit: {size.logical_id}" for size in sizes if size.total > LIMIT_BYTES]
    problems += [f"layer differs from its lock: {problem}" for problem in layer_differences(template, build_dir)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print("every built layer holds exactly its locked versions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
