"""moto's DynamoDB values in a compact layout: the local stack's memory per stored item.

moto holds every attribute of every item, and every element of its maps and lists, as a `DynamoType` object
with its own instance dictionary (type, value), and every map's attribute names as the strings its request
brought, one copy per item. At 12,000 orders that was 1.4 million objects and 374 MB of the stack's RSS.

`install()` puts a copy of moto's class in its place that differs only in layout: `__slots__` instead of an
instance dictionary, and attribute names interned, so the thousands of maps that name `lines` or `tax_rate`
share one string. Its methods are moto's own, copied; every module of moto's DynamoDB that holds the name is
pointed at the copy before the first item is created, so `type(x) is DynamoType` checks keep working.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.dynamodb.models import dynamo_type

_intern = sys.intern


def _slotted(moto_class: type) -> type:
    namespace = {name: value for name, value in vars(moto_class).items() if name not in ("__dict__", "__weakref__")}
    moto_init = namespace["__init__"]

    def __init__(self: Any, type_as_dict: Any) -> None:
        moto_init(self, type_as_dict)
        if self.type == "M":
            self.value = {_intern(name): value for name, value in self.value.items()}

    namespace.update(__slots__=("type", "value"), __init__=__init__)
    compact = type(moto_class.__name__, moto_class.__bases__, namespace)
    compact.moto_class = moto_class  # type: ignore[attr-defined]
    return compact


def install() -> None:
    """Idempotent; call before moto stores an item (objects made by the old class would still work)."""
    current = dynamo_type.DynamoType
    if hasattr(current, "moto_class"):
        return
    compact = _slotted(current)
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.dynamodb") and getattr(module, "DynamoType", None) is current:
            module.DynamoType = compact  # type: ignore[attr-defined]
