"""How the API benchmark prints: section headers, aligned tables, milliseconds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def header(title: str, text: str) -> None:
    print()
    print("=" * 100)
    print(title)
    print("=" * 100)
    print(text.strip("\n"))
    print()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """First column left-aligned, the others right-aligned."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))

    print(line(cells[0]))
    print("  ".join("-" * width for width in widths))
    for row in cells[1:]:
        print(line(row))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
