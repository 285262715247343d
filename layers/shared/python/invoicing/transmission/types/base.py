"""What a transmission type is (pretix's `TransmissionType`): its info fields, its address rules, whether its
invoices are sent without being asked, the queue its attempts go to and the provider that sends them.

A type is a small class in a module of this package, decorated with `@register`; the package finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from invoicing.orders.models import InvoiceAddress
    from invoicing.transmission.providers import Provider

REQUIRED = "This field is required for the selected type of invoice transmission."
BUSINESS_ONLY = "This transmission type is only available for business customers."
ITALY_ONLY = "This transmission type is only available for addresses in Italy."


@dataclass
class Problems:
    """The DRF-style field errors of one invoice address: its own fields, and those of `transmission_info`."""

    address: InvoiceAddress
    fields: dict[str, list[str]] = field(default_factory=dict)
    info: dict[str, list[str]] = field(default_factory=dict)

    def value(self, key: str) -> str:
        return self.address.transmission_info.get(key) or ""

    def require(self, name: str) -> None:
        if not (getattr(self.address, name) or "").strip():
            self.fields[name] = [REQUIRED]

    def require_info(self, key: str) -> None:
        if not self.value(key).strip():
            self.info[key] = [REQUIRED]

    def as_errors(self) -> dict[str, Any]:
        errors: dict[str, Any] = dict(self.fields)
        if self.info:
            errors["transmission_info"] = self.info
        return errors


class TransmissionType:
    identifier: ClassVar[str]
    info_fields: ClassVar[tuple[str, ...]] = ()
    priority: ClassVar[int] = 0  # as in pretix: the higher, the earlier in lists (the API's enum)
    # pretix's `enforce_transmission`: invoices are sent on issue (and by the sweep), not only when asked.
    enforce_transmission: ClassVar[bool] = False
    queue_variable: ClassVar[str]  # the environment variable naming the SQS queue of its attempts
    provider: ClassVar[str]  # "module:Class", imported only by the function that sends
    variables: ClassVar[tuple[str, ...]] = ()  # what else the provider reads (its function requires them)

    def check(self, problems: Problems) -> None:
        """Add what the address lacks for this type (the info keys of other types are refused before)."""

    def check_lines(self, problems: Problems, tax_categories: set[str]) -> None:
        """Add what the order's lines (their tax categories) ask of the address in this type's documents."""

    def load_provider(self) -> Provider:
        module, _, name = self.provider.partition(":")
        return getattr(import_module(module), name)()


REGISTRY: dict[str, TransmissionType] = {}


def register(cls: type[TransmissionType]) -> type[TransmissionType]:
    if cls.identifier in REGISTRY:
        raise ValueError(f"two transmission types are called {cls.identifier!r}")
    REGISTRY[cls.identifier] = cls()
    return cls


Check = Callable[[str], "str | None"]


def check_info(problems: Problems, key: str, check: Check) -> None:
    """An info value, when given, passes `check` (one of `identifiers`): else its sentence is the field's error."""
    value = problems.value(key)
    if value.strip() and (error := check(value)):
        problems.info[key] = [error]
