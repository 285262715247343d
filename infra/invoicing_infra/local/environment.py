"""The process environment of the local stack: fake AWS credentials, the moto endpoint, the functions' variables."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..template import FunctionSpec, Template
from .moto_server import FAKE_CREDENTIALS

# Settings that would send boto3 elsewhere than moto (a profile that may not exist, per-service endpoints).
_AWS_VARIABLES_TO_CLEAR = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
# Local defaults a developer may override from the shell.
_DEFAULTS = {"POWERTOOLS_TRACE_DISABLED": "1", "POWERTOOLS_METRICS_DISABLED": "1"}


class EnvironmentConflict(ValueError):
    """Two functions set one variable to different values, which one shared process cannot honour."""


def aws_environment(endpoint: str, region: str) -> dict[str, str]:
    return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": region, "AWS_REGION": region}


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def function_environment(
    template: Template, functions: Iterable[FunctionSpec], attributes: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """The union of every function's Environment.Variables (Globals merged), intrinsics resolved locally."""
    values: dict[str, str] = {}
    owners: dict[str, str] = {}
    for function in functions:
        for name, raw in function.environment.items():
            value = template.resolve(raw, attributes)
            if value is None:  # !Ref AWS::NoValue
                continue
            value = _as_string(value)
            if name in values and values[name] != value:
                raise EnvironmentConflict(
                    f"{owners[name]} sets {name}={values[name]!r} but {function.logical_id} sets {name}={value!r}; "
                    "locally all functions share one process and one environment, so give them distinct names"
                )
            values[name] = value
            owners.setdefault(name, function.logical_id)
    return values


class EnvironmentPatch:
    """Sets variables in os.environ and puts the previous values back on restore()."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def _remember(self, name: str) -> None:
        self._saved.setdefault(name, os.environ.get(name))

    def set(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._remember(name)
            os.environ[name] = value

    def set_defaults(self, values: Mapping[str, str] = _DEFAULTS) -> None:
        self.set({name: value for name, value in values.items() if name not in os.environ})

    def clear_aws_overrides(self) -> None:
        names = [*_AWS_VARIABLES_TO_CLEAR, *(n for n in os.environ if n.startswith("AWS_ENDPOINT_URL_"))]
        for name in names:
            if name in os.environ:
                self._remember(name)
                del os.environ[name]

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()
