"""moto remembers every model object it ever made (`instances_tracked`, for its /moto-api/data.json view and its
reset): each DynamoDB item version, every copy moto takes of one, every SQS message and sent email stays in
memory for the life of the process. That, more than the table copies themselves, is what grew the stack to
14 GB. This patch keeps the tracking but by weak reference: what moto's tables, queues and buckets still hold is
listed as before, the rest is freed."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any


class WeakInstances:
    """The list interface moto uses (append, iteration, len), holding weak references."""

    def __init__(self) -> None:
        self._refs: list[Any] = []
        self._prune_at = 1024

    def append(self, instance: Any) -> None:
        try:
            self._refs.append(weakref.ref(instance))
        except TypeError:  # not weak-referenceable: kept, as moto would
            self._refs.append(lambda instance=instance: instance)
        if len(self._refs) >= self._prune_at:
            self._refs = [ref for ref in self._refs if ref() is not None]
            self._prune_at = max(1024, 2 * len(self._refs))

    def __iter__(self) -> Iterator[Any]:
        return (instance for instance in (ref() for ref in list(self._refs)) if instance is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def install() -> None:
    from moto.core.common_models import BaseModel

    if getattr(BaseModel.__new__, "_weak", False):
        return

    def __new__(cls: Any, *args: Any, **kwargs: Any) -> Any:
        instance = super(BaseModel, cls).__new__(cls)
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakInstances):  # moto's reset puts a new list in place
            tracked = WeakInstances()
            cls.instances_tracked = tracked
        tracked.append(instance)
        return instance

    __new__._weak = True  # type: ignore[attr-defined]
    BaseModel.__new__ = __new__  # type: ignore[method-assign]
