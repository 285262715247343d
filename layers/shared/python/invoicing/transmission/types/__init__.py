"""The transmission types, one registered class per module of this package (as pretix registers them).

`email` is the default; types with `enforce_transmission` (`peppol`, `it_sdi`) are sent without being asked.
The address rules are checked when an order is created or its address patched, so an invoice is never issued
to an address its channel cannot serve. Adding a channel: a module here, its provider in
`transmission/providers/`, and its queue, function and variables in template.yaml.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import import_module
from typing import TYPE_CHECKING

from invoicing.errors import ValidationFailed
from invoicing.transmission.types.base import REGISTRY, Problems, TransmissionType

if TYPE_CHECKING:
    from invoicing.orders.models import InvoiceAddress

# The package's own folder listed directly: pkgutil (not otherwise loaded by an API function) costs a cold start ~1 ms.
for _module in sorted(name.removesuffix(".py") for name in os.listdir(__path__[0]) if name.endswith(".py")):
    if _module not in ("__init__", "base"):
        import_module(f"{__name__}.{_module}")

DEFAULT = "email"
IDENTIFIERS = tuple(sorted(REGISTRY, key=lambda name: (-REGISTRY[name].priority, name)))
ENFORCED = frozenset(name for name, kind in REGISTRY.items() if kind.enforce_transmission)


def get(identifier: str) -> TransmissionType:
    """The registered type; KeyError for a name that is none (the order models only let known ones in)."""
    return REGISTRY[identifier]


def find(identifier: str) -> TransmissionType | None:
    return REGISTRY.get(identifier)


def queue_variables() -> tuple[str, ...]:
    return tuple(REGISTRY[name].queue_variable for name in IDENTIFIERS)


def _checked(address: InvoiceAddress) -> tuple[TransmissionType, Problems]:
    """The address's type, and what the address lacks for it."""
    problems = Problems(address)
    kind = get(address.transmission_type)
    for key in address.transmission_info:
        if key not in kind.info_fields:
            problems.info[key] = [f'Not used by the transmission type "{kind.identifier}".']
    kind.check(problems)
    return kind, problems


def check_address(address: InvoiceAddress | None, tax_codes: Iterable[str | None] = ()) -> None:
    """400 unless the address can be served by its channel; `tax_codes` of the order's lines, for what a type's
    documents need of the buyer for them (a Peppol invoice: the VAT ID for reverse charge)."""
    if address is None:
        return
    kind, problems = _checked(address)
    kind.check_lines(problems, {(code or "").partition("/")[0].strip().upper() for code in tax_codes})
    errors = problems.as_errors()
    if errors:
        raise ValidationFailed({"invoice_address": errors})


__all__ = ["DEFAULT", "ENFORCED", "IDENTIFIERS", "TransmissionType", "check_address", "find", "get",
           "queue_variables"]
