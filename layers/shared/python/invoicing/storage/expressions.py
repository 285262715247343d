"""Update and condition expressions, built instead of spelled: every attribute and value gets a generated
placeholder (`#n0`, `:v0`, ...), so no caller numbers placeholders or splices clauses into a string.

    update = Update().set("status", "paid").add("n", 1).remove("render_error").when_equal("version", 3)
    dynamo.update(pk, sk, **update.kwargs())         # or {"Update": update.transact_item(key)} in a transaction

A condition may also be written out (`when("content_version = :cv", cv=2)`): its own placeholders must not
look like generated ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Self

_GENERATED = re.compile(r"^(#n|:v)\d+$")


class Update:
    """The SET, ADD and REMOVE clauses and the condition of one update, with their placeholders."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self._set: list[str] = []
        self._add: list[str] = []
        self._remove: list[str] = []
        self._conditions: list[str] = []
        self._count = 0

    # --- placeholders ---

    def name(self, attribute: str) -> str:
        """The placeholder of an attribute name (one per name)."""
        for placeholder, existing in self.names.items():
            if existing == attribute:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{self._count}"
        self._count += 1
        self.values[placeholder] = value
        return placeholder

    def path(self, *attributes: str) -> str:
        """A nested path (`settings.<key>`) with a placeholder for every step."""
        return ".".join(self.name(attribute) for attribute in attributes)

    # --- clauses ---

    def set(self, attribute: str, value: Any) -> Self:
        self._set.append(f"{self.name(attribute)} = {self.value(value)}")
        return self

    def set_all(self, fields: Mapping[str, Any]) -> Self:
        for attribute, value in fields.items():
            self.set(attribute, value)
        return self

    def set_path(self, path: tuple[str, ...], value: Any) -> Self:
        self._set.append(f"{self.path(*path)} = {self.value(value)}")
        return self

    def append(self, attribute: str, items: list[Any]) -> Self:
        """Append to a list attribute, creating it when missing."""
        name = self.name(attribute)
        self._set.append(f"{name} = list_append(if_not_exists({name}, {self.value([])}), {self.value(items)})")
        return self

    def set_if_missing(self, attribute: str, value: Any) -> Self:
        name = self.name(attribute)
        self._set.append(f"{name} = if_not_exists({name}, {self.value(value)})")
        return self

    def increment(self, attribute: str, amount: int = 1) -> Self:
        """`SET a = if_not_exists(a, 0) + amount` (a counter that an ADD could not combine with other SETs)."""
        name = self.name(attribute)
        self._set.append(f"{name} = if_not_exists({name}, {self.value(0)}) + {self.value(amount)}")
        return self

    def add(self, attribute: str, amount: Any) -> Self:
        self._add.append(f"{self.name(attribute)} {self.value(amount)}")
        return self

    def add_all(self, amounts: Mapping[str, Any]) -> Self:
        """ADD every non-zero amount (statistics deltas), in name order."""
        for attribute, amount in sorted(amounts.items()):
            if amount:
                self.add(attribute, amount)
        return self

    def remove(self, *attributes: str) -> Self:
        self._remove.extend(self.name(attribute) for attribute in attributes)
        return self

    def remove_path(self, path: tuple[str, ...]) -> Self:
        self._remove.append(self.path(*path))
        return self

    # --- conditions (all must hold) ---

    def when(self, condition: str, names: Mapping[str, str] | None = None, **values: Any) -> Self:
        """A condition written out; `values` by placeholder without the colon (`cv=2` for `:cv`)."""
        for placeholder, attribute in (names or {}).items():
            self._own(placeholder)
            self.names[placeholder] = attribute
        for key, value in values.items():
            self._own(":" + key)
            self.values[":" + key] = value
        self._conditions.append(condition)
        return self

    def when_equal(self, attribute: str, value: Any) -> Self:
        self._conditions.append(f"{self.name(attribute)} = {self.value(value)}")
        return self

    def when_missing(self, attribute: str) -> Self:
        self._conditions.append(f"attribute_not_exists({self.name(attribute)})")
        return self

    def when_exists(self, attribute: str = "PK") -> Self:
        self._conditions.append(f"attribute_exists({self.name(attribute)})")
        return self

    def _own(self, placeholder: str) -> None:
        if _GENERATED.match(placeholder) or placeholder in self.names or placeholder in self.values:
            raise ValueError(f"placeholder {placeholder} is taken")

    # --- output ---

    @property
    def update_expression(self) -> str:
        clauses = [(keyword, parts) for keyword, parts in (("SET", self._set), ("ADD", self._add),
                                                           ("REMOVE", self._remove)) if parts]
        return " ".join(f"{keyword} {', '.join(parts)}" for keyword, parts in clauses)

    @property
    def condition_expression(self) -> str:
        if len(self._conditions) == 1:
            return self._conditions[0]
        return " AND ".join(f"({condition})" for condition in self._conditions)

    def kwargs(self) -> dict[str, Any]:
        """UpdateExpression, ConditionExpression and the placeholders, for update_item (only those in use)."""
        kwargs: dict[str, Any] = {"UpdateExpression": self.update_expression}
        if self._conditions:
            kwargs["ConditionExpression"] = self.condition_expression
        if self.names:
            kwargs["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            kwargs["ExpressionAttributeValues"] = dict(self.values)
        return kwargs

    def transact_item(self, key: Mapping[str, str]) -> dict[str, Any]:
        """The `Update` entry of a TransactWriteItems call."""
        return {"Update": {"Key": dict(key), **self.kwargs()}}
