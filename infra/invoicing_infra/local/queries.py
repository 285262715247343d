"""Patch over moto's DynamoDB Query: read the queried partition, not the whole table sorted.

moto's `Table.query` starts from `Table.all_items()`, which lists every item of the table and sorts them all by
primary key, then keeps the items of the queried partition (a table query) or those carrying the index's keys
(an index query) and sorts those again. Each Query was O(table log table): with 20,000 invoices (about 200,000
items) every webhook fan-out, idempotency check or attempt log read paid for the whole table.

Here moto's own `query` runs unchanged on a view of the table whose `all_items()` is
- for a table query, the items of the queried partition (moto keeps them in `table.items[hash_key]`); moto
  then filters them by hash key and sorts them by range key as before;
- for an index query, the items whose index hash key strings equal the queried ones (every item when a hash
  key is not a string), in storage order: moto checks each as before, then sorts the matches by the index keys
  and the table's hash and range keys, a total order, so the order it was handed does not change the answer;
  that sort compares the plain strings when all those keys are strings (the order DynamoType gives them).

Results, order, `LastEvaluatedKey`, `ScannedCount`, filters and projections are moto's own; only the work to
find and order the candidates shrinks (an index query still looks at every item once, cheaply).
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.table import Item, Table

_moto_query = Table.query


class _TableView:
    """The table as moto's query sees it, with `all_items()` narrowed to the given candidates."""

    __slots__ = ("_candidates", "_table")

    def __init__(self, table: Table, candidates: list[Item]):
        self._table = table
        self._candidates = candidates

    def all_items(self) -> list[Item]:
        return self._candidates

    def sorted_items(self, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Item]) -> list[Item]:
        return sorted_items(self._table, hash_key_attrs, range_key_attrs, items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def partition_items(table: Table, hash_key: Any) -> list[Item]:
    """The items whose hash key is `hash_key` (without creating an empty partition in moto's defaultdict)."""
    stored = table.items.get(hash_key)
    if stored is None:
        return []
    return list(stored.values()) if table.range_key_attr else [stored]


def stored_items(table: Table) -> list[Item]:
    """Every item, in storage order (not sorted)."""
    if table.range_key_attr:
        return [item for partition in table.items.values() for item in partition.values()]
    return list(table.items.values())


def index_candidates(table: Table, conditions: list[tuple[str, Any]]) -> list[Item]:
    """The items an index query can match: with string hash key conditions only those carrying the same strings
    (a superset of moto's matches, which moto's loop then narrows exactly); else every item."""
    if not conditions or any(value.type != "S" for _, value in conditions):
        return stored_items(table)
    wanted = [(name, value.value) for name, value in conditions]
    return [item for item in stored_items(table)
            if all((found := item.attrs.get(name)) is not None and found.type == "S" and found.value == expected
                   for name, expected in wanted)]


class _NotString(Exception):
    pass


def _string_key(item: Item, attrs: list[str]) -> tuple[str, ...]:
    values = []
    for name in attrs:
        value = item.attrs[name]
        if value.type != "S":
            raise _NotString
        values.append(value.value)
    return tuple(values)


def sorted_items(table: Table, hash_key_attrs: list[str], range_key_attrs: list[str | None],
                 items: list[Item]) -> list[Item]:
    """moto's sort of index query matches, comparing plain strings when every sort attribute is a string (for
    strings DynamoType compares its value: the same order), else moto's own."""
    attrs = table._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
    try:
        keys = [_string_key(item, attrs) for item in items]
    except _NotString:
        return table.sorted_items(hash_key_attrs, range_key_attrs, items)
    order = sorted(range(len(items)), key=keys.__getitem__)
    items[:] = [items[position] for position in order]
    return items


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name:
        candidates = index_candidates(self, kwargs.get("hash_key_conditions") or [])
    elif hash_key is not None:
        candidates = partition_items(self, hash_key)
    else:  # not a shape moto's backend sends for a table query: moto as it is
        return _moto_query(self, hash_key, *args, **kwargs)
    return _moto_query(_TableView(self, candidates), hash_key, *args, **kwargs)  # type: ignore[arg-type]


def install() -> None:
    Table.query = _query  # type: ignore[method-assign]
