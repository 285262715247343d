"""What every `invoicing` command module shares: the one-line error, messages on stderr, slugs, the target.

A leaf module: `cli` (the entry point) and the command modules (`billing_cli`, `operations_cli`) import it, it
imports none of them, so there is no import cycle (tests/unit/test_architecture.py keeps it that way).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from . import targets

SLUG = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.\-]*$")
SLUG_MAX_LENGTH = 50


class CommandError(Exception):
    """A failure to report as one line on stderr, with exit status 1."""


def info(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def slug(value: str) -> str:
    if not SLUG.match(value) or len(value) > SLUG_MAX_LENGTH:
        raise argparse.ArgumentTypeError(
            f"invalid slug {value!r}: letters, digits, '.' and '-', starting with a letter or digit, "
            f"at most {SLUG_MAX_LENGTH} characters")
    return value


def apply_target(args: argparse.Namespace) -> targets.Target:
    target = targets.resolve(args.local, args.stack, aws_port=args.aws_port, region=args.region,
                             endpoint_url=args.endpoint_url)
    target.apply()
    return target


def require_organizer(slug: str) -> dict[str, Any]:
    from invoicing.storage import organizers

    organizer = organizers.get_organizer(slug)
    if organizer is None:
        raise CommandError(f"organizer {slug} does not exist (create it with `invoicing organizer create`)")
    return organizer


def one_line_option(option: str, value: str) -> str:
    """A name given on the command line: not empty, one line (it reaches PDFs and email headers)."""
    from invoicing.printable import problem
    from invoicing.textfields import has_controls

    value = value.strip()
    if not value:
        raise CommandError(f"{option} must not be empty")
    if has_controls(value):
        raise CommandError(f"{option} must be one line without control characters")
    if message := problem([value]):
        raise CommandError(f"{option}: {message}")
    return value


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Left-aligned columns, the last one unpadded."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]), flush=True)
