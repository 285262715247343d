"""Imports each function's handler from its CodeUri and Handler on first use, and invokes it as Lambda would."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import itertools
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..template import FunctionSpec
from .fair_lock import FairRLock
from .lambda_context import LambdaContext

logger = logging.getLogger("local_stack.handlers")  # not __name__: see stack.LOGGER_NAME

Handler = Callable[[dict[str, Any], Any], Any]


class HandlerNotFound(LookupError):
    """The function's CodeUri, module or handler attribute does not exist."""


_namespaces = itertools.count()
# sys.path and sys.modules are process-wide: one handler import at a time.
_import_lock = threading.RLock()
_invoke_lock = FairRLock()  # functions take turns in the order they asked (an RLock starved some)


def add_layer_dirs(layer_dirs: Iterable[Path]) -> None:
    """Lambda puts each layer's `python/` on sys.path, after the function's own code."""
    for layer_dir in layer_dirs:
        if str(layer_dir) not in sys.path:
            sys.path.append(str(layer_dir))


def load_handler(function: FunctionSpec, namespace: str | None = None) -> Handler:
    """Imports the handler under a package of its own, so that every function's `app.py` is a separate module.

    The package's path is the CodeUri, so `Handler: api_docs/app.lambda_handler` imports
    `<package>.api_docs.app` and relative imports work. While importing, the CodeUri is also first on
    sys.path (the Lambda task root), so absolute imports of sibling modules work as on AWS; an import of
    a sibling made later, at call time, does not.
    """
    handler_file = function.handler_file
    if not function.code_uri.is_dir():
        raise HandlerNotFound(f"{function.logical_id}: CodeUri {function.code_uri} is not a directory")
    if not handler_file.is_file():
        raise HandlerNotFound(f"{function.logical_id}: {handler_file} not found (Handler {function.handler})")
    package_name = f"{namespace or f'_local_lambda_{next(_namespaces)}'}_{function.logical_id}"
    with _import_lock:
        _check_not_shadowed(function)
        if package_name not in sys.modules:
            spec = importlib.machinery.ModuleSpec(package_name, None, is_package=True)
            spec.submodule_search_locations = [str(function.code_uri)]
            sys.modules[package_name] = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(function.code_uri))
        try:
            module = importlib.import_module(f"{package_name}.{function.handler_module}")
        finally:
            sys.path.remove(str(function.code_uri))
    handler = getattr(module, function.handler_attribute, None)
    if not callable(handler):
        raise HandlerNotFound(f"{function.logical_id}: {handler_file} has no callable {function.handler_attribute}")
    return handler


def _check_not_shadowed(function: FunctionSpec) -> None:
    """Fails loudly where Python would silently hand a function another function's module of the same name."""
    for entry in function.code_uri.iterdir():
        name = entry.stem if entry.suffix == ".py" else entry.name if entry.is_dir() else ""
        loaded_file = getattr(sys.modules.get(name), "__file__", None) if name.isidentifier() else None
        if loaded_file and not Path(loaded_file).resolve().is_relative_to(function.code_uri):
            raise ImportError(
                f"{function.logical_id}: its module {name!r} ({entry}) would be shadowed by {loaded_file}, "
                "imported already: locally all functions share one process, so rename it or move it to a layer"
            )


class FunctionRunner:
    """Invokes the template's functions in this process, importing each handler lazily on its first call."""

    def __init__(self, functions: Mapping[str, FunctionSpec], region: str, account_id: str):
        self.functions = dict(functions)
        self._region = region
        self._account_id = account_id
        self._namespace = f"_local_lambda_{next(_namespaces)}"
        self._handlers: dict[str, Handler] = {}

    def handler(self, function_id: str) -> Handler:
        handler = self._handlers.get(function_id)
        if handler is None:
            with _import_lock:
                handler = self._handlers.get(function_id)
                if handler is None:
                    handler = load_handler(self.functions[function_id], self._namespace)
                    self._handlers[function_id] = handler
        return handler

    @property
    def lane(self) -> FairRLock:
        """The lock every invocation runs under: hold it to run several invocations in one turn."""
        return _invoke_lock

    def invoke(self, function_id: str, event: dict[str, Any]) -> Any:
        """Calls the handler; its exceptions propagate (the caller decides what Lambda's caller would see)."""
        function = self.functions[function_id]
        handler = self.handler(function_id)
        context = LambdaContext(function_id, function.timeout, function.memory_size, self._region, self._account_id)
        started = time.monotonic()
        # One invocation at a time, as in one Lambda container: Powertools keeps the current event in
        # class attributes shared by every resolver, so concurrent calls in one process would mix them.
        try:
            with _invoke_lock:
                return handler(event, context)
        finally:
            elapsed = time.monotonic() - started
            if elapsed > function.timeout:
                logger.warning(
                    "%s ran %.1f s, longer than its Timeout of %s s: on AWS this invocation would have timed out",
                    function_id, elapsed, function.timeout,
                )
