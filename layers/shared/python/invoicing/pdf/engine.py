"""fpdf2, imported with the parts an invoice never uses left out: the one place the PDF stack is imported.

`import fpdf` takes about 230 ms here, over half of it for code an invoice never runs: fontTools' variable-font
instancer and subsetter (we embed our own subsets, see `output.py`), `unittest.mock` (for signing), Pillow
(images) and `cryptography` (encryption; the Lambda layer does not ship it). While fpdf2 is imported, those
modules are stand-ins that load the real module on first use, or hidden so that fpdf2 takes its "not
installed" branch (images and encryption are then unavailable in this process; invoices use neither).
Everything is put back right after, so any later importer gets the real modules. fpdf2 is pinned in
pyproject, so the names used here cannot drift unnoticed.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from typing import Any

_HIDDEN = ("cryptography", "PIL")


class _Deferred(types.ModuleType):
    """Stands in for a module and imports the real one on first attribute access."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


def _mock_patch(*args: Any, **kwargs: Any) -> Any:
    from unittest.mock import patch

    return patch(*args, **kwargs)


def _stand_ins(font_tools: types.ModuleType) -> dict[str, types.ModuleType]:
    varlib = types.ModuleType("fontTools.varLib")
    varlib.__path__ = [f"{font_tools.__path__[0]}/varLib"]
    varlib.instancer = _Deferred("fontTools.varLib.instancer")  # type: ignore[attr-defined]
    mock = types.ModuleType("unittest.mock")
    mock.patch = _mock_patch  # type: ignore[attr-defined]
    return {"fontTools.varLib": varlib, "unittest.mock": mock}


def _import_fpdf() -> types.ModuleType:
    if "fpdf" in sys.modules:
        return sys.modules["fpdf"]
    import fontTools

    placed = [name for name in _HIDDEN if name not in sys.modules]
    sys.modules.update(dict.fromkeys(placed))  # None in sys.modules: `import name` raises ImportError
    for name, module in _stand_ins(fontTools).items():
        if name not in sys.modules:
            sys.modules[name] = module
            placed.append(name)
    if "fontTools.subset" not in sys.modules:
        fontTools.subset = _Deferred("fontTools.subset")  # `from fontTools import subset` binds this
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Pillow could not be imported"
            import fpdf
    finally:
        for name in placed:
            del sys.modules[name]
        for attribute in ("varLib", "subset"):
            if isinstance(getattr(fontTools, attribute, None), types.ModuleType) and (
                f"fontTools.{attribute}" not in sys.modules
            ):
                delattr(fontTools, attribute)  # a later import sets the real module
    return fpdf


fpdf = _import_fpdf()
