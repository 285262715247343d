"""Patch over moto's request dispatch: a response class's method names listed once, not on every request.

moto's `BaseResponse.call_action` asks `method_names_from_class(self.__class__)` on every request, which runs
`inspect.getmembers` over the whole class (a few hundred attributes for DynamoDB's handler). The answer depends
on the class only, so it is kept per class here (a copy each time: callers get a list of their own).
"""

from __future__ import annotations

import moto.core.responses as moto_responses
from moto.core.utils import method_names_from_class

_names: dict[type, list[str]] = {}


def _method_names_from_class(clazz: type) -> list[str]:
    names = _names.get(clazz)
    if names is None:
        names = _names[clazz] = method_names_from_class(clazz)
    return list(names)


def install() -> None:
    moto_responses.method_names_from_class = _method_names_from_class  # type: ignore[assignment]
