"""Patch over moto's JSON response serializer: DynamoDB AttributeValues written directly.

moto serializes every response by walking the operation's botocore output shape. For each DynamoDB
AttributeValue (every attribute of every item returned, and every element of its maps and lists) it visits all
ten members of the shape (S, N, B, SS, NS, BS, M, L, NULL, BOOL) and tries several alias spellings of each on the
value, to find the one that is there. That walk was the largest part of serving a GetItem or Query of an invoice.

Here an AttributeValue that moto hands over as a plain dict of those member names is written as moto's walk
writes it (same keys in the shape's order, strings as strings, blobs in base64, sets and lists element by
element, maps recursively); any other value, and every other shape, takes moto's walk.
"""

from __future__ import annotations

from typing import Any

from moto.core.serialize import JSONSerializer

_moto_serialize_structure = JSONSerializer._serialize_type_structure
_SHAPE = "AttributeValue"
_STRINGS = frozenset({"S", "N"})
_STRING_SETS = frozenset({"SS", "NS"})


class _NotPlain(Exception):
    """The value is not a plain AttributeValue dict: moto's own walk serializes it."""


def _attribute_value(serializer: JSONSerializer, value: Any, members: tuple[str, ...]) -> dict[str, Any]:
    if type(value) is not dict or not value.keys() <= set(members):
        raise _NotPlain
    written: dict[str, Any] = {}
    for name in members:
        member = value.get(name)
        if member is None:
            continue
        if name in _STRINGS:
            if type(member) is not str:
                raise _NotPlain
            written[name] = member
        elif name in _STRING_SETS:
            if type(member) is not list or any(type(element) is not str for element in member):
                raise _NotPlain
            written[name] = list(member)
        elif name == "B":
            written[name] = serializer._base64(member)
        elif name == "BS":
            written[name] = [serializer._base64(element) for element in member]
        elif name == "M":
            if type(member) is not dict:
                raise _NotPlain
            written[name] = {key: _attribute_value(serializer, element, members)
                             for key, element in member.items() if element is not None}
        elif name == "L":
            if type(member) is not list or any(element is None for element in member):
                raise _NotPlain
            written[name] = [_attribute_value(serializer, element, members) for element in member]
        else:  # NULL, BOOL: booleans, written as they are
            if type(member) is not bool:
                raise _NotPlain
            written[name] = member
    return written


def _serialize_type_structure(self: JSONSerializer, serialized: Any, value: Any, shape: Any, key: str) -> None:
    if shape.name == _SHAPE and key and value is not None and "name" not in shape.serialization:
        try:
            serialized[key] = _attribute_value(self, value, tuple(shape.members))
            return
        except _NotPlain:
            pass
    _moto_serialize_structure(self, serialized, value, shape, key)


def install() -> None:
    JSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign]
