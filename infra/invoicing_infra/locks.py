"""Reading the hashed locks `make lock` writes (requirements/*.txt, layers/*/requirements.txt)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


class LockError(ValueError):
    """A line of a lock that is not an exact, hashed pin."""


@dataclass(frozen=True)
class Pin:
    name: str  # canonical (PEP 503)
    version: str
    marker: str
    hashes: frozenset[str]


def read_lock(path: Path) -> dict[tuple[str, str], Pin]:
    """A hashed requirements file as (name, marker) -> Pin; every line must be `name==version` with hashes."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    pins = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement_text, *options = re.split(r"\s+(?=--)", line)
        requirement = Requirement(requirement_text)
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            raise LockError(f"{path}: {requirement_text!r} is not an exact pin")
        hashes = frozenset(option.removeprefix("--hash=") for option in options if option.startswith("--hash="))
        if not hashes:
            raise LockError(f"{path}: {requirement.name} has no hash")
        pin = Pin(canonicalize_name(requirement.name), specifiers[0].version, str(requirement.marker or ""), hashes)
        pins[(pin.name, pin.marker)] = pin
    return pins
